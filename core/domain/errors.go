// Package domain holds Hexashop's entities, value objects and the rules that protect them.
// It imports only the standard library: every other layer depends on it, never the reverse.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a domain error so that a driving adapter can map it to its own protocol
// (a status code, an exit code) without knowing every error.
type Kind int

// The kinds of failure a use case reports.
const (
	KindInvalid         Kind = iota + 1 // the input breaks a rule
	KindNotFound                        // nothing visible to the caller has that id
	KindConflict                        // the request clashes with the current state
	KindForbidden                       // authenticated, but not allowed
	KindUnauthenticated                 // no valid identity
	KindThrottled                       // the caller made too many attempts; RetryAfter says when to try again
	KindUnavailable                     // the service cannot do it now (overload, storage down); retry after RetryAfter
	KindStale                           // the caller's copy is not the current state (a precondition it set failed)
	KindRejected                        // a credential the caller presented (a mailed token) cannot be used
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
	// RetryAfter, for KindThrottled and KindUnavailable, is how long the caller should
	// wait before trying again (0: no advice).
	RetryAfter time.Duration
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
	// ErrThrottled: too many failed attempts; match with errors.Is, build with Throttled.
	ErrThrottled = &Error{Kind: KindThrottled, Code: "too_many_attempts", Detail: "too many attempts; try again later"}
	// ErrBusy: password hashing is saturated; build with Busy.
	ErrBusy = &Error{Kind: KindUnavailable, Code: "overloaded", Detail: "the service is busy; try again shortly"}
	// ErrUnavailable: the storage does not answer (down, hung, or the request ran out of
	// time waiting for it); build with Unavailable.
	ErrUnavailable = &Error{Kind: KindUnavailable, Code: "unavailable", Detail: "the service is temporarily unavailable; try again shortly"}
)

// Throttled is ErrThrottled with the time left until the next attempt is allowed.
func Throttled(retryAfter time.Duration) error { return withRetry(ErrThrottled, retryAfter) }

// Busy is ErrBusy with a retry advice.
func Busy(retryAfter time.Duration) error { return withRetry(ErrBusy, retryAfter) }

// Unavailable is ErrUnavailable with a retry advice, wrapping the cause (for the logs).
func Unavailable(retryAfter time.Duration, cause error) error {
	return fmt.Errorf("%w: %w", withRetry(ErrUnavailable, retryAfter), cause)
}

func withRetry(e *Error, retryAfter time.Duration) *Error {
	c := *e
	c.RetryAfter = retryAfter
	return &c
}

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
