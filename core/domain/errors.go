// Package domain holds Hexashop's entities, value objects and the rules that protect them.
// It imports only the standard library: every other layer depends on it, never the reverse.
package domain

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error so that a driving adapter can map it to its own protocol
// (an HTTP status, an exit code) without knowing every error.
type Kind int

// The kinds of failure a use case reports.
const (
	KindInvalid         Kind = iota + 1 // the input breaks a rule (HTTP 422)
	KindNotFound                        // nothing visible to the caller has that id (404)
	KindConflict                        // the request clashes with the current state (409)
	KindForbidden                       // authenticated, but not allowed (403)
	KindUnauthenticated                 // no valid identity (401)
)

// FieldError names one invalid input field and why it is invalid.
type FieldError struct {
	Field   string
	Message string
}

// Error is a failure the domain expects and can explain to a client. Code is a stable,
// machine-readable word; Detail is human text that is safe to show to the caller.
type Error struct {
	Kind   Kind
	Code   string
	Detail string
	Fields []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Detail)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Detail, e.Fields)
}

// Is makes errors.Is match two domain errors by Code, so that a wrapped or re-created
// error still matches the sentinel it was made from.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// Sentinel errors shared across use cases. Compare with errors.Is.
var (
	ErrNotFound           = &Error{Kind: KindNotFound, Code: "not_found", Detail: "resource not found"}
	ErrForbidden          = &Error{Kind: KindForbidden, Code: "forbidden", Detail: "you are not allowed to do this"}
	ErrEmailTaken         = &Error{Kind: KindConflict, Code: "email_taken", Detail: "an account with this email already exists"}
	ErrInvalidCredentials = &Error{Kind: KindUnauthenticated, Code: "invalid_grant", Detail: "invalid username or password"}
	ErrInvalidToken       = &Error{Kind: KindUnauthenticated, Code: "invalid_token", Detail: "the access token is invalid or expired"}
)

// ValidationError collects field errors into one KindInvalid error; it returns nil when
// there are none, so callers can write `if err := v.Err(); err != nil`.
type ValidationError struct{ fields []FieldError }

// Add records that field is invalid.
func (v *ValidationError) Add(field, message string) {
	v.fields = append(v.fields, FieldError{field, message})
}

// Merge adds the field errors of err, if it is a validation *Error; other errors are
// ignored, so Merge(nil) is fine.
func (v *ValidationError) Merge(err error) {
	var e *Error
	if errors.As(err, &e) {
		v.fields = append(v.fields, e.Fields...)
	}
}

// Err returns the collected failures as an *Error, or nil.
func (v *ValidationError) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Code: "validation_failed", Detail: "the request has invalid fields", Fields: v.fields}
}

// Invalid is a one-field validation error.
func Invalid(field, message string) error {
	var v ValidationError
	v.Add(field, message)
	return v.Err()
}
