// Package tracing sets up OpenTelemetry tracing: spans exported over OTLP/HTTP
// (protobuf) when the standard OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is
// set, nothing at all otherwise. The exporter reads the other standard OTEL_* variables
// itself (headers, timeout, OTEL_BSP_* batching). Only the HTTP exporter is linked: the
// gRPC one would add a large dependency for no gain here.
//
// The provider is handed to the adapters that make spans (HTTP server spans in httpapi,
// SQL spans in postgres) rather than installed globally, so several services in one
// process (the tests) do not share one.
package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Endpoint is the URL spans are sent to, from the standard variables:
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT plus
// /v1/traces; "" when neither is set (or OTEL_SDK_DISABLED=true). Only the http/protobuf
// protocol is supported. getenv is os.Getenv in production.
func Endpoint(getenv func(string) string) (string, error) {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		if p := getenv(name); p != "" && p != "http/protobuf" {
			return "", fmt.Errorf("%s: only http/protobuf is supported, got %q", name, p)
		}
	}
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return "", nil
	}
	if u := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); u != "" {
		return u, nil
	}
	if u := getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); u != "" {
		return strings.TrimRight(u, "/") + "/v1/traces", nil
	}
	return "", nil
}

// Propagator is the W3C trace context (traceparent, tracestate) and baggage.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(
	propagation.TraceContext{}, propagation.Baggage{})

// NewProvider starts an OTLP/HTTP exporter to endpoint with a batching span processor
// (OTEL_BSP_* tune it). The returned func flushes what is buffered and stops it.
func NewProvider(ctx context.Context, serviceName, endpoint string) (trace.TracerProvider, func(), error) {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	if name := os.Getenv("OTEL_SERVICE_NAME"); name != "" {
		serviceName = name
	}
	res := resource.NewSchemaless(attribute.String("service.name", serviceName))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return tp, func() { _ = tp.Shutdown(context.WithoutCancel(ctx)) }, nil
}

// LogAttrs are the trace and span ids of the span in ctx, for a log line (none without).
func LogAttrs(ctx context.Context) []slog.Attr {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return nil
	}
	return []slog.Attr{slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String())}
}

// Mailer wraps a mailer so that each outbox delivery is a span ("outbox.deliver").
func Mailer(next ports.Mailer, tp trace.TracerProvider) ports.Mailer {
	return mailer{next: next, tracer: tp.Tracer("github.com/hexashop/hexashop/adapters/tracing")}
}

type mailer struct {
	next   ports.Mailer
	tracer trace.Tracer
}

func (m mailer) Send(ctx context.Context, mail domain.Mail) error {
	ctx, span := m.tracer.Start(ctx, "outbox.deliver", trace.WithSpanKind(trace.SpanKindClient))
	defer span.End()
	err := m.next.Send(ctx, mail)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "not delivered")
	}
	return err
}
