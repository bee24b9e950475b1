package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hexashop/hexashop/ports"
)

// Housekeeping deletes state that has outlived its use, on a timer: expired throttling
// records and sessions, Idempotency-Keys after IdempotencyKeyLifetime, outbox mail sent
// (or given up) more than SentMailKept ago. Every step is an idempotent delete of what is
// expired when it runs, so any number of processes may run it on one store.
type Housekeeping struct {
	attempts ports.AttemptCounter
	sessions ports.SessionRepository
	idem     ports.IdempotencyRepository
	outbox   ports.Outbox
	clock    ports.Clock
	every    time.Duration
	log      *slog.Logger
}

// How long finished records are kept.
const (
	// IdempotencyKeyLifetime: a retried checkout older than this is a new order.
	IdempotencyKeyLifetime = 24 * time.Hour
	// SentMailKept: delivered mail stays this long, for support questions.
	SentMailKept = 7 * 24 * time.Hour
)

// HousekeepingInterval is how often `hexashop serve` sweeps.
const HousekeepingInterval = time.Minute

// Every sets how often Run sweeps (HousekeepingInterval unless set); call it before Run.
func (h *Housekeeping) Every(d time.Duration) {
	if d > 0 {
		h.every = d
	}
}

// NewHousekeeping builds the sweeper.
func NewHousekeeping(attempts ports.AttemptCounter, sessions ports.SessionRepository, idem ports.IdempotencyRepository,
	outbox ports.Outbox, clock ports.Clock, log *slog.Logger) *Housekeeping {
	return &Housekeeping{attempts: attempts, sessions: sessions, idem: idem, outbox: outbox, clock: clock,
		every: HousekeepingInterval, log: log}
}

// SweepOnce deletes what is expired now.
func (h *Housekeeping) SweepOnce(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	now := h.clock.Now()
	steps := []struct {
		what  string
		sweep func() (int, error)
	}{
		{"attempt_records", func() (int, error) { return h.attempts.Sweep(ctx, now) }},
		{"sessions", func() (int, error) { return h.sessions.Sweep(ctx, now) }},
		{"idempotency_keys", func() (int, error) { return h.idem.Sweep(ctx, now.Add(-IdempotencyKeyLifetime)) }},
		{"sent_mail", func() (int, error) { return h.outbox.Sweep(ctx, now.Add(-SentMailKept)) }},
	}
	var errs []error
	for _, st := range steps {
		n, err := st.sweep()
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep %s: %w", st.what, err))
			continue
		}
		if n > 0 {
			h.log.DebugContext(ctx, "housekeeping", slog.String("deleted", st.what), slog.Int("count", n))
		}
	}
	return errors.Join(errs...)
}

// Run sweeps every interval until ctx is cancelled.
func (h *Housekeeping) Run(ctx context.Context) {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.SweepOnce(ctx); err != nil && ctx.Err() == nil {
				h.log.Warn("housekeeping failed; will retry", slog.Any("error", err))
			}
		}
	}
}
