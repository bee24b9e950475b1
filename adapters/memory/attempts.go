package memory

import (
	"context"
	"slices"
	"time"

	"github.com/hexashop/hexashop/ports"
)

type attemptRow struct {
	ports.AttemptRecord
	expires time.Time
}

// AttemptCounter implements ports.AttemptCounter.
type AttemptCounter struct{ s *Store }

var _ ports.AttemptCounter = AttemptCounter{}

// NewAttemptCounter returns the store's attempt counter.
func NewAttemptCounter(s *Store) AttemptCounter { return AttemptCounter{s: s} }

// Get implements ports.AttemptCounter.
func (c AttemptCounter) Get(ctx context.Context, keys []string, now time.Time) (map[string]ports.AttemptRecord, error) {
	defer c.s.lock(ctx)()
	out := make(map[string]ports.AttemptRecord, len(keys))
	for _, k := range keys {
		if row, ok := c.s.st.attempts[k]; ok && now.Before(row.expires) {
			out[k] = row.AttemptRecord
		}
	}
	return out, nil
}

// Add implements ports.AttemptCounter.
func (c AttemptCounter) Add(ctx context.Context, keys []string, now time.Time, keep time.Duration) error {
	defer c.s.lock(ctx)()
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		row, ok := c.s.st.attempts[k]
		if !ok || !now.Before(row.expires) {
			row = attemptRow{}
		}
		row.Count++
		row.Last, row.expires = now, now.Add(keep)
		put(c.s, c.s.st.attempts, k, row)
	}
	return nil
}

// Delete implements ports.AttemptCounter.
func (c AttemptCounter) Delete(ctx context.Context, keys ...string) error {
	defer c.s.lock(ctx)()
	for _, k := range keys {
		del(c.s, c.s.st.attempts, k)
	}
	return nil
}

// Sweep implements ports.AttemptCounter.
func (c AttemptCounter) Sweep(ctx context.Context, now time.Time) (int, error) {
	defer c.s.lock(ctx)()
	n := 0
	for k, row := range c.s.st.attempts {
		if !now.Before(row.expires) {
			del(c.s, c.s.st.attempts, k)
			n++
		}
	}
	return n, nil
}
