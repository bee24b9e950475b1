package ports

// What every feature uses: time, transactions, telemetry.

import (
	"context"
	"time"
)

// Clock tells the time; the core never calls time.Now itself so tests can pin it.
type Clock interface {
	Now() time.Time
}

// Transactor runs fn so that every repository call made with the ctx it passes to fn
// commits together or not at all. fn's error (or a panic) rolls back.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Telemetry counts what the use cases do, for metrics. Implementations are cheap and
// never fail; NoTelemetry is the one that counts nothing.
type Telemetry interface {
	// LoginOutcome counts a password login: "success", "invalid", "throttled" or "busy".
	LoginOutcome(outcome string)
	// MailOutcome counts a delivery attempt: "sent", "failed" (will be retried) or
	// "given_up".
	MailOutcome(outcome string)
	// SessionEvent counts what happens to sessions outside a password login: "refreshed",
	// "refresh_invalid" (unknown token), "refresh_expired", "refresh_retried" (the previous
	// token within the grace), "reuse_detected" (a spent token: the session ended) and
	// "revoked".
	SessionEvent(event string)
	// RecoveryEvent counts the mailed-token flows: "reset_requested" (a request admitted,
	// whether or not the account exists), "reset_mailed", "reset_completed",
	// "reset_refused" (a token that cannot be used), "verification_mailed",
	// "email_verified" and "verification_refused".
	RecoveryEvent(event string)
}

// NoTelemetry counts nothing.
type NoTelemetry struct{}

// LoginOutcome implements Telemetry.
func (NoTelemetry) LoginOutcome(string) {}

// MailOutcome implements Telemetry.
func (NoTelemetry) MailOutcome(string) {}

// SessionEvent implements Telemetry.
func (NoTelemetry) SessionEvent(string) {}

// RecoveryEvent implements Telemetry.
func (NoTelemetry) RecoveryEvent(string) {}
