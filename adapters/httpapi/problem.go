package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

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
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problemType is the type URI of a problem code: a URN, since the codes are identifiers,
// not documents to fetch.
func problemType(code string) string { return "urn:hexashop:problem:" + code }

// writeProblem sends a problem+json answer and stops the handler chain.
func writeProblem(c *gin.Context, status int, code, detail string, fields ...fieldError) {
	body, _ := json.Marshal(problem{
		Type: problemType(code), Title: http.StatusText(status), Status: status,
		Detail: detail, Code: code, Errors: fields,
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
}

// fail answers err: a domain error with its status and code; anything else is a bug,
// logged in full and answered with a bare 500 that reveals nothing.
func (a *api) fail(c *gin.Context, err error) {
	var de *domain.Error
	if errors.As(err, &de) {
		if status, ok := statusOf[de.Kind]; ok {
			if de.Kind == domain.KindUnauthenticated {
				c.Header("WWW-Authenticate", `Bearer realm="hexashop", error="invalid_token"`)
			}
			fields := make([]fieldError, len(de.Fields))
			for i, f := range de.Fields {
				fields[i] = fieldError{Field: f.Field, Message: f.Message}
			}
			writeProblem(c, status, de.Code, de.Detail, fields...)
			return
		}
	}
	a.log.ErrorContext(c.Request.Context(), "request failed", slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path), slog.Any("error", err))
	writeProblem(c, http.StatusInternalServerError, "internal", "an unexpected error occurred; it has been logged")
}
