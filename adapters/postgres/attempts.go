package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hexashop/hexashop/ports"
)

// AttemptCounter implements ports.AttemptCounter on the attempts table, so every process
// on one database shares the counts.
type AttemptCounter struct{ db *DB }

var _ ports.AttemptCounter = AttemptCounter{}

// NewAttemptCounter returns an AttemptCounter on db.
func NewAttemptCounter(db *DB) AttemptCounter { return AttemptCounter{db: db} }

// Get implements ports.AttemptCounter.
func (c AttemptCounter) Get(ctx context.Context, keys []string, now time.Time) (map[string]ports.AttemptRecord, error) {
	rows, err := c.db.q(ctx).Query(ctx,
		`SELECT key, count, last_at FROM attempts WHERE key = ANY($1) AND expires_at > $2`, keys, now)
	if err != nil {
		return nil, fmt.Errorf("get attempts: %w", err)
	}
	defer rows.Close()
	out := make(map[string]ports.AttemptRecord, len(keys))
	for rows.Next() {
		var (
			k   string
			rec ports.AttemptRecord
		)
		if err := rows.Scan(&k, &rec.Count, &rec.Last); err != nil {
			return nil, fmt.Errorf("get attempts: %w", err)
		}
		out[k] = rec
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get attempts: %w", err)
	}
	return out, nil
}

// Add implements ports.AttemptCounter in one upsert. Keys are sorted and made unique
// first: one statement may touch a row once, and two processes adding overlapping keys
// lock them in the same order.
func (c AttemptCounter) Add(ctx context.Context, keys []string, now time.Time, keep time.Duration) error {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	_, err := c.db.q(ctx).Exec(ctx,
		`INSERT INTO attempts AS a (key, count, last_at, expires_at)
		 SELECT k, 1, $2, $3 FROM unnest($1::text[]) AS k
		 ON CONFLICT (key) DO UPDATE SET
		   count = CASE WHEN a.expires_at <= $2 THEN 1 ELSE a.count + 1 END,
		   last_at = $2, expires_at = $3`,
		keys, now, now.Add(keep))
	if err != nil {
		return fmt.Errorf("add attempts: %w", err)
	}
	return nil
}

// Delete implements ports.AttemptCounter.
func (c AttemptCounter) Delete(ctx context.Context, keys ...string) error {
	if _, err := c.db.q(ctx).Exec(ctx, `DELETE FROM attempts WHERE key = ANY($1)`, keys); err != nil {
		return fmt.Errorf("delete attempts: %w", err)
	}
	return nil
}

// Sweep implements ports.AttemptCounter.
func (c AttemptCounter) Sweep(ctx context.Context, now time.Time) (int, error) {
	tag, err := c.db.q(ctx).Exec(ctx, `DELETE FROM attempts WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("sweep attempts: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
