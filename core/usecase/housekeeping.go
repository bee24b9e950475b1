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
// records and sessions, outbox mail sent (or given up) more than SentMailKept ago, and
// what the features add (their Sweeps). Every step is an idempotent delete of what is
// expired when it runs, so any number of processes may run it on one store.
type Housekeeping struct {
	attempts ports.AttemptCounter
	sessions ports.SessionRepository
	extra    Sweeps
	outbox   ports.Outbox
	clock    ports.Clock
	every    time.Duration
	log      *slog.Logger
}

// A Sweep is one housekeeping step: Run deletes what is expired at now and says how
// many records went. What names them in logs.
type Sweep struct {
	What string
	Run  func(ctx context.Context, now time.Time) (int, error)
}

// Sweeps are the features' own housekeeping steps.
type Sweeps []Sweep

// How long finished records are kept.
const (
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
// extra are the features' own sweeps.
func NewHousekeeping(attempts ports.AttemptCounter, sessions ports.SessionRepository, outbox ports.Outbox,
	clock ports.Clock, log *slog.Logger, extra Sweeps) *Housekeeping {
	return &Housekeeping{attempts: attempts, sessions: sessions, extra: extra, outbox: outbox, clock: clock,
		every: HousekeepingInterval, log: log}
}

// SweepOnce deletes what is expired now.
func (h *Housekeeping) SweepOnce(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	now := h.clock.Now()
	steps := append(Sweeps{
		{"attempt_records", h.attempts.Sweep},
		{"sessions", h.sessions.Sweep},
		{"sent_mail", func(ctx context.Context, now time.Time) (int, error) {
			return h.outbox.Sweep(ctx, now.Add(-SentMailKept))
		}},
	}, h.extra...)
	var errs []error
	for _, st := range steps {
		n, err := st.Run(ctx, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep %s: %w", st.What, err))
			continue
		}
		if n > 0 {
			h.log.DebugContext(ctx, "housekeeping", slog.String("deleted", st.What), slog.Int("count", n))
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
