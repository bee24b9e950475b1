package memory

import (
	"context"
	"slices"
	"time"

	"github.com/hexashop/hexashop/ports"
)

// The tables and id sequences of this file's repositories (see store.go).
var (
	attemptRows = newTable[string, attemptRow]("attempts")
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
	return c.get(keys, now), nil
}

// Add implements ports.AttemptCounter.
func (c AttemptCounter) Add(ctx context.Context, keys []string, now time.Time, keep time.Duration) error {
	defer c.s.lock(ctx)()
	c.add(keys, now, keep)
	return nil
}

// Reserve implements ports.AttemptCounter: the store's lock makes read, admit and add one
// step.
func (c AttemptCounter) Reserve(ctx context.Context, read, add []string, now time.Time, keep time.Duration,
	admit func(map[string]ports.AttemptRecord) error) (map[string]ports.AttemptRecord, error) {
	defer c.s.lock(ctx)()
	recs := c.get(append(slices.Clone(read), add...), now)
	if err := admit(recs); err != nil {
		return recs, err
	}
	c.add(add, now, keep)
	return recs, nil
}

// Forget implements ports.AttemptCounter.
func (c AttemptCounter) Forget(ctx context.Context, counts map[string]int) error {
	defer c.s.lock(ctx)()
	for k, n := range counts {
		row, ok := attemptRows.of(c.s)[k]
		switch {
		case !ok || n <= 0:
		case row.Count <= n:
			del(c.s, attemptRows.of(c.s), k)
		default:
			row.Count -= n
			put(c.s, attemptRows.of(c.s), k, row)
		}
	}
	return nil
}

// get returns the records of keys kept at now; call with the lock held.
func (c AttemptCounter) get(keys []string, now time.Time) map[string]ports.AttemptRecord {
	out := make(map[string]ports.AttemptRecord, len(keys))
	for _, k := range keys {
		if row, ok := attemptRows.of(c.s)[k]; ok && now.Before(row.expires) {
			out[k] = row.AttemptRecord
		}
	}
	return out
}

// add counts one attempt for each distinct key; call with the lock held.
func (c AttemptCounter) add(keys []string, now time.Time, keep time.Duration) {
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		row, ok := attemptRows.of(c.s)[k]
		if !ok || !now.Before(row.expires) {
			row = attemptRow{}
		}
		row.Count++
		row.Last, row.expires = now, now.Add(keep)
		put(c.s, attemptRows.of(c.s), k, row)
	}
}

// Delete implements ports.AttemptCounter.
func (c AttemptCounter) Delete(ctx context.Context, keys ...string) error {
	defer c.s.lock(ctx)()
	for _, k := range keys {
		del(c.s, attemptRows.of(c.s), k)
	}
	return nil
}

// Sweep implements ports.AttemptCounter.
func (c AttemptCounter) Sweep(ctx context.Context, now time.Time) (int, error) {
	defer c.s.lock(ctx)()
	n := 0
	for k, row := range attemptRows.of(c.s) {
		if !now.Before(row.expires) {
			del(c.s, attemptRows.of(c.s), k)
			n++
		}
	}
	return n, nil
}
