package httpapi

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/ports"
)

type requestIDKey struct{}

// RequestID returns the id of the HTTP request ctx belongs to, or "". The log handler of
// wiring adds it to every log line written with that ctx, whatever layer writes it.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// maxRequestIDLen bounds an incoming X-Request-ID.
const maxRequestIDLen = 64

// validRequestID accepts 1..64 characters of letters, digits and . _ : - (what proxies
// and tracing systems generate; nothing a log viewer could misread).
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// requestID gives every request an id: a valid incoming X-Request-ID (from a proxy or
// the client, so one id follows the request across services), or a new random one
// (128 bits). It is echoed in the answer and carried in the context.
func requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !validRequestID(id) {
		id = rand.Text()
	}
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
	c.Next()
}

// route is the route template of the request in OpenAPI form (/user/{id}), or
// "unmatched": never the raw path, which would make a log or metric series per id.
func route(c *gin.Context) string {
	if p := c.FullPath(); p != "" {
		return openAPIPath(p)
	}
	return "unmatched"
}

// accessLog writes one line per request: route template, status, bytes, duration, client
// address (through TRUSTED_PROXIES) and, when authenticated, the user id. No raw path or
// query (a cursor or a token could be in it), no headers, no body.
func (a *api) accessLog(c *gin.Context) {
	start := time.Now()
	if r := a.opts.Recorder; r != nil {
		r.Started()
	}
	c.Next()
	status, took := c.Writer.Status(), time.Since(start)
	if r := a.opts.Recorder; r != nil {
		r.Finished(c.Request.Method, route(c), status, took)
	}
	attrs := []slog.Attr{
		slog.String("method", c.Request.Method), slog.String("route", route(c)),
		slog.Int("status", status), slog.Int("bytes", max(0, c.Writer.Size())),
		slog.Duration("duration", took), slog.String("client", c.ClientIP()),
	}
	if p, ok := c.Get(principalKey); ok {
		attrs = append(attrs, slog.Int64("user_id", p.(ports.Principal).User.ID))
	}
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	a.log.LogAttrs(c.Request.Context(), level, "http request", attrs...)
}
