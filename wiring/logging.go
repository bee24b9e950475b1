package wiring

import (
	"context"
	"io"
	"log/slog"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/adapters/tracing"
)

// NewLogger is the service's logger: LOG_FORMAT (text or json) at LOG_LEVEL, adding to
// every line written with a request's context the request's id, whichever layer writes it.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogJSON {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

// contextHandler adds what the context knows about the request to each record.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := httpapi.RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	r.AddAttrs(tracing.LogAttrs(ctx)...)
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
