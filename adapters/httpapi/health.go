package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/hexashop/hexashop/ports"
)

// Health serves GET /healthz (the process runs) and GET /readyz (its store answers within
// timeout) on a plain mux: for listeners that are not the API, such as the private one
// of `hexashop dispatch`, which has no public port for a probe to reach.
func Health(ready ports.Readiness, timeout time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := ready.Ready(ctx); err != nil {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"not_ready"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	})
	return mux
}
