package usecase

import (
	"context"
	"log/slog"
	"time"

	"github.com/hexashop/hexashop/ports"
)

// Housekeeping deletes state that has outlived its use (expired throttling records), on
// a timer. Every step is an idempotent delete of what is expired at the time it runs, so
// any number of processes may run it on one store.
type Housekeeping struct {
	attempts ports.AttemptCounter
	clock    ports.Clock
	every    time.Duration
	log      *slog.Logger
}

// HousekeepingInterval is how often `hexashop serve` sweeps.
const HousekeepingInterval = time.Minute

// NewHousekeeping builds the sweeper.
func NewHousekeeping(attempts ports.AttemptCounter, clock ports.Clock, log *slog.Logger) *Housekeeping {
	return &Housekeeping{attempts: attempts, clock: clock, every: HousekeepingInterval, log: log}
}

// SweepOnce deletes what is expired now.
func (h *Housekeeping) SweepOnce(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	n, err := h.attempts.Sweep(ctx, h.clock.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		h.log.DebugContext(ctx, "housekeeping", slog.Int("expired_attempt_records", n))
	}
	return nil
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
