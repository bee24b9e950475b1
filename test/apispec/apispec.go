// Package apispec checks HTTP traffic against docs/openapi.yaml with kin-openapi, so the
// published contract cannot drift from what the server does.
package apispec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/hexashop/hexashop/docs"
)

func init() {
	// Bodies of the Swagger UI routes: kin-openapi decodes JSON, YAML and text/plain by
	// itself; these are checked as opaque strings.
	for _, ct := range []string{"text/html", "text/javascript", "text/css"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
}

// Load parses and validates docs/openapi.yaml.
func Load() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("parse docs/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
}

// Validator checks responses against the document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// NewValidator loads the document and builds its router.
func NewValidator() (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	// The document's one server is "/", this origin: route on paths alone, whatever host
	// and port the test server has.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("route docs/openapi.yaml: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Check reports how an exchange breaks the document. The response: a status the operation
// does not declare, a content type it does not declare, a body that does not match the
// schema; a request that matches no operation must have been answered 404 or 405 with a
// problem body. The request: one the document forbids (a parameter or body off its
// schema) must not have been served with a 2xx or 3xx, since then the document is
// stricter than the server and clients believe a falsehood.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	if p := strings.TrimRight(r.URL.Path, "/"); p != "" {
		r.URL.Path, r.URL.RawPath = p, "" // the server serves /a/ as /a
	}
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s %s matches no operation of the document, yet was answered %d", req.Method, req.URL.Path, status)
		}
		return v.checkProblem(header, body)
	}
	reqIn := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), reqIn); err != nil && status < 400 {
		return fmt.Errorf("%s %s → %d, but the document forbids this request: %w", req.Method, req.URL.Path, status, err)
	}
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: status,
		Header: header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, // an undeclared status is an error
			MultiError:            true,
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s → %d: %w", req.Method, req.URL.Path, status, err)
	}
	return nil
}

func (v *Validator) checkProblem(header http.Header, body []byte) error {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/problem+json" {
		return fmt.Errorf("404/405 answered with %q, want application/problem+json", header.Get("Content-Type"))
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("problem body is not JSON: %w", err)
	}
	return v.doc.Components.Schemas["Problem"].Value.VisitJSON(value)
}
