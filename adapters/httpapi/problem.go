package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
)

// problem is an RFC 9457 problem details body. Code is a stable machine-readable word;
// Errors appears only on validation failures (422).
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Code   string       `json:"code"`
	Errors []fieldError `json:"errors,omitempty"`
	// RequestID is the request's X-Request-ID, to find its log lines.
	RequestID string `json:"request_id"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problemType is the type URI of a problem code: a URN, since the codes are identifiers,
// not documents to fetch.
func problemType(code string) string { return "urn:" + domain.ServiceName + ":problem:" + code }

// bearerRealm is the WWW-Authenticate challenge for a missing or refused bearer token.
const bearerRealm = `Bearer realm="` + domain.ServiceName + `"`

// writeProblem sends a problem+json answer and stops the handler chain.
func writeProblem(c *gin.Context, status int, code, detail string, fields ...fieldError) {
	body, _ := json.Marshal(problem{
		Type: problemType(code), Title: http.StatusText(status), Status: status,
		Detail: detail, Code: code, Errors: fields, RequestID: RequestID(c.Request.Context()),
	})
	c.Abort()
	c.Data(status, "application/problem+json", body)
}

// statusOf maps a domain error kind to its HTTP status.
var statusOf = map[domain.Kind]int{
	domain.KindInvalid:         http.StatusUnprocessableEntity,
	domain.KindNotFound:        http.StatusNotFound,
	domain.KindConflict:        http.StatusConflict,
	domain.KindForbidden:       http.StatusForbidden,
	domain.KindUnauthenticated: http.StatusUnauthorized,
	domain.KindThrottled:       http.StatusTooManyRequests,
	domain.KindUnavailable:     http.StatusServiceUnavailable,
	domain.KindStale:           http.StatusPreconditionFailed,
	domain.KindRejected:        http.StatusBadRequest, // as OAuth2's invalid_grant: the request is wrong
}

// domainError returns the domain error in err, turning a request that ran out of time
// into domain.ErrUnavailable, whatever layer noticed it.
func domainError(ctx context.Context, err error) (*domain.Error, bool) {
	var de *domain.Error
	if errors.As(err, &de) {
		return de, true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return domain.ErrUnavailable, true
	}
	return nil, false
}

// retryAfter sets Retry-After (whole seconds, at least 1) for an error that has advice.
func retryAfter(c *gin.Context, de *domain.Error) {
	if de.Kind == domain.KindThrottled || de.Kind == domain.KindUnavailable {
		secs := max(1, int64(math.Ceil(de.RetryAfter.Seconds())))
		if de.RetryAfter == 0 {
			secs = int64(defaultRetryAfter / time.Second)
		}
		c.Header("Retry-After", strconv.FormatInt(secs, 10))
	}
}

const defaultRetryAfter = 2 * time.Second

// fail answers err: a domain error with its status and code; anything else is a bug,
// logged in full and answered with a bare 500 that reveals nothing.
func (a *api) fail(c *gin.Context, err error) {
	ctx := c.Request.Context()
	if de, ok := domainError(ctx, err); ok {
		if status, ok := statusOf[de.Kind]; ok {
			if de.Kind == domain.KindUnauthenticated {
				c.Header("WWW-Authenticate", bearerRealm+`, error="invalid_token"`)
			}
			if de.Kind == domain.KindUnavailable {
				a.log.WarnContext(ctx, "request not served", slog.String("method", c.Request.Method),
					slog.String("route", route(c)), slog.Any("error", err))
			}
			retryAfter(c, de)
			fields := make([]fieldError, len(de.Fields))
			for i, f := range de.Fields {
				fields[i] = fieldError{Field: f.Field, Message: f.Message}
			}
			writeProblem(c, status, de.Code, de.Detail, fields...)
			return
		}
	}
	a.log.ErrorContext(ctx, "request failed", slog.String("method", c.Request.Method),
		slog.String("route", route(c)), slog.Any("error", err))
	writeProblem(c, http.StatusInternalServerError, "internal", "an unexpected error occurred; it has been logged")
}
