package e2e_test

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is an in-process OTLP/HTTP trace receiver: it keeps every span posted to
// /v1/traces.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	srv   *httptest.Server
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	r := &otlpReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var msg collectorpb.ExportTraceServiceRequest
		if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" ||
			proto.Unmarshal(body, &msg) != nil {
			t.Errorf("OTLP receiver: unexpected %s %s (%s)", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, rs := range msg.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				r.spans = append(r.spans, ss.Spans...)
			}
		}
		r.mu.Unlock()
		out, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *otlpReceiver) inTrace(traceID string) []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tracepb.Span
	for _, s := range r.spans {
		if hex.EncodeToString(s.TraceId) == traceID {
			out = append(out, s)
		}
	}
	return out
}

func TestTracesReachAnOTLPReceiver(t *testing.T) {
	t.Parallel()
	recv := newOTLPReceiver(t)
	var logs logBuffer
	s := startServerLogging(t, &logs, withEnv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.srv.URL, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"))
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	admin := s.admin()
	res := s.request(http.MethodGet, fmt.Sprintf("/user/%d", admin.ID), "", "Authorization: Bearer "+admin.Token,
		"traceparent: 00-"+traceID+"-"+parentID+"-01")
	if res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	s.stop() // flushes the span processor

	spans := recv.inTrace(traceID)
	var server *tracepb.Span
	for _, sp := range spans {
		if sp.Kind == tracepb.Span_SPAN_KIND_SERVER {
			server = sp
		}
	}
	if server == nil || hex.EncodeToString(server.ParentSpanId) != parentID || server.Name != "GET /user/:id" {
		t.Fatalf("no server span continuing the incoming traceparent (route-named) among %v", spans)
	}
	var sql int
	for _, sp := range spans {
		if sp.Kind == tracepb.Span_SPAN_KIND_CLIENT && string(sp.ParentSpanId) == string(server.SpanId) &&
			strings.Contains(strings.ToLower(sp.Name), "select") {
			sql++
		}
	}
	if sql == 0 {
		t.Fatalf("no SQL span under the request span; spans: %v", spans)
	}
	if !strings.Contains(logs.String(), `"trace_id":"`+traceID+`"`) {
		t.Fatalf("the request's log lines lack its trace id:\n%s", logs.String())
	}
}
