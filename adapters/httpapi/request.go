package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
)

// Body size limits.
const (
	maxJSONBody  = 1 << 20 // 1 MiB
	maxLoginBody = 8 << 10 // 8 KiB
)

// bindJSON decodes the request body into dst, answering the error itself and returning
// false when it cannot: 415 for another content type, 413 over the size limit, 400 for
// malformed JSON, 422 for unknown fields or values of the wrong type.
func bindJSON(c *gin.Context, dst any) bool {
	_, ok := bindJSONBody(c, dst)
	return ok
}

// bindJSONBody is bindJSON that also returns the raw body.
func bindJSONBody(c *gin.Context, dst any) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		writeProblem(c, http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json")
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	if err != nil {
		jsonProblem(c, err)
		return nil, false
	}
	if !utf8.Valid(body) {
		invalidUTF8(c, body)
		return nil, false
	}
	// Every body of this API is an object. encoding/json refuses other types but takes
	// `null` as "nothing to set", which made PATCH answer 200 to a body the document forbids.
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		writeProblem(c, http.StatusBadRequest, "malformed_json", "the body must be a JSON object")
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errTrailingData
		}
	}
	if err != nil {
		jsonProblem(c, err)
		return nil, false
	}
	return body, true
}

var errTrailingData = errors.New("trailing data after the JSON value")

// invalidUTF8 answers a body with bytes that are not UTF-8. encoding/json would quietly
// turn them into U+FFFD and the service would store text the client never sent; instead
// the answer is 422 naming each top-level field whose raw value holds such bytes (or 400
// when the body is not a JSON object at all).
func invalidUTF8(c *gin.Context, body []byte) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		writeProblem(c, http.StatusBadRequest, "malformed_json", "the body is not valid UTF-8 JSON")
		return
	}
	var fields []fieldError
	for name, v := range raw {
		if !utf8.Valid(v) {
			fields = append(fields, fieldError{Field: strings.ToValidUTF8(name, "?"), Message: "must be valid UTF-8 text"})
		}
	}
	if len(fields) == 0 { // the bad bytes are in a key
		fields = append(fields, fieldError{Field: "body", Message: "must be valid UTF-8 text"})
	}
	slices.SortFunc(fields, func(a, b fieldError) int { return strings.Compare(a.Field, b.Field) })
	writeProblem(c, http.StatusUnprocessableEntity, "validation_failed", "the request has invalid fields", fields...)
}

func jsonProblem(c *gin.Context, err error) {
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		writeProblem(c, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body exceeds %d bytes", tooBig.Limit))
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			writeProblem(c, http.StatusBadRequest, "malformed_json", "the body must be a JSON object")
			return
		}
		writeProblem(c, http.StatusUnprocessableEntity, "validation_failed", "the request has invalid fields",
			fieldError{Field: field, Message: "must be " + jsonKind(typeErr.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; the message format is documented.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		writeProblem(c, http.StatusUnprocessableEntity, "validation_failed", "the request has invalid fields",
			fieldError{Field: name, Message: "is not a known field"})
	default:
		writeProblem(c, http.StatusBadRequest, "malformed_json", "the body is not valid JSON")
	}
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	default:
		return "of another type"
	}
}

// pathID parses the positive 64-bit id in path parameter name; on failure it answers 400.
func pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		writeProblem(c, http.StatusBadRequest, "invalid_id", name+" must be a positive integer")
		return 0, false
	}
	return id, true
}

// pageRequest reads ?limit= and ?cursor= for a list of the given kind; on failure it
// answers 400. ?offset= is refused with a pointer to the cursor.
func pageRequest(c *gin.Context, kind domain.CursorKind) (domain.PageRequest, bool) {
	if _, ok := c.GetQueryArray("offset"); ok {
		writeProblem(c, http.StatusBadRequest, "invalid_query",
			"offset is not supported: pass the next_cursor of the previous page as cursor")
		return domain.PageRequest{}, false
	}
	limit, ok := queryInt(c, "limit", domain.DefaultPageLimit)
	if !ok {
		return domain.PageRequest{}, false
	}
	raw, ok := queryString(c, "cursor")
	if !ok {
		return domain.PageRequest{}, false
	}
	after, err := domain.ParseCursor(raw, kind)
	if err != nil {
		writeProblem(c, http.StatusBadRequest, domain.ErrInvalidCursor.Code, domain.ErrInvalidCursor.Detail)
		return domain.PageRequest{}, false
	}
	p, err := domain.NewPageRequest(limit, after)
	if err != nil {
		writeProblem(c, http.StatusBadRequest, "invalid_query", "limit must be an integer from 1 to 100")
		return domain.PageRequest{}, false
	}
	return p, true
}

// queryString reads an optional query parameter given at most once.
func queryString(c *gin.Context, name string) (string, bool) {
	vals := c.QueryArray(name)
	if len(vals) > 1 {
		writeProblem(c, http.StatusBadRequest, "invalid_query", name+" must be given at most once")
		return "", false
	}
	if len(vals) == 0 {
		return "", true
	}
	return vals[0], true
}

// queryInt reads an optional integer query parameter given at most once.
func queryInt(c *gin.Context, name string, def int) (int, bool) {
	vals, present := c.GetQueryArray(name)
	if !present {
		return def, true
	}
	if len(vals) != 1 {
		writeProblem(c, http.StatusBadRequest, "invalid_query", name+" must be given at most once")
		return 0, false
	}
	n, err := strconv.Atoi(vals[0])
	if err != nil || n < 0 || n > 1<<31 {
		writeProblem(c, http.StatusBadRequest, "invalid_query", name+" must be a non-negative integer")
		return 0, false
	}
	return n, true
}
