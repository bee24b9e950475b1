package postgres

import (
	"context"
	"fmt"
	"maps"
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

// Reserve implements ports.AttemptCounter in one transaction whose row locks make it
// atomic across processes. Keys of add that have no row get one first, born expired
// (absent to every reader) so that there is a row to lock; every statement takes its
// rows in byte order of the key (COLLATE "C", as Go sorts), so two reservations of
// overlapping keys queue instead of deadlocking. (A placeholder's count is 1 for the
// table's CHECK; being expired, it counts as absent, and the UPDATE starts it at 1.) A refused attempt rolls back and leaves
// nothing behind.
func (c AttemptCounter) Reserve(ctx context.Context, read, add []string, now time.Time, keep time.Duration,
	admit func(map[string]ports.AttemptRecord) error) (map[string]ports.AttemptRecord, error) {
	add = slices.Compact(slices.Sorted(slices.Values(add)))
	all := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(read), add...))))
	var (
		recs     map[string]ports.AttemptRecord
		admitErr error
	)
	err := c.db.InTx(ctx, func(ctx context.Context) error {
		q := c.db.q(ctx)
		if _, err := q.Exec(ctx,
			`INSERT INTO attempts (key, count, last_at, expires_at)
			 SELECT k, 1, $2, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u (k, i) ORDER BY i
			 ON CONFLICT (key) DO NOTHING`, add, now); err != nil {
			return err
		}
		var err error
		if recs, err = c.locked(ctx, all, now); err != nil {
			return err
		}
		if admitErr = admit(recs); admitErr != nil {
			return admitErr
		}
		_, err = q.Exec(ctx,
			`UPDATE attempts SET count = CASE WHEN expires_at <= $2 THEN 1 ELSE count + 1 END,
			   last_at = $2, expires_at = $3
			 WHERE key = ANY($1)`, add, now, now.Add(keep))
		return err
	})
	switch {
	case admitErr != nil:
		return recs, admitErr
	case err != nil:
		return nil, fmt.Errorf("reserve attempts: %w", err)
	}
	return recs, nil
}

// locked reads the records of keys kept at now and locks their rows (kept or not) until
// the transaction in ctx ends, in key byte order.
func (c AttemptCounter) locked(ctx context.Context, keys []string, now time.Time) (map[string]ports.AttemptRecord, error) {
	rows, err := c.db.q(ctx).Query(ctx,
		`SELECT key, count, last_at, expires_at > $2 FROM attempts WHERE key = ANY($1)
		 ORDER BY key COLLATE "C" FOR UPDATE`, keys, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]ports.AttemptRecord, len(keys))
	for rows.Next() {
		var (
			k    string
			rec  ports.AttemptRecord
			kept bool
		)
		if err := rows.Scan(&k, &rec.Count, &rec.Last, &kept); err != nil {
			return nil, err
		}
		if kept && rec.Count > 0 {
			rec.Last = rec.Last.UTC()
			out[k] = rec
		}
	}
	return out, rows.Err()
}

// Forget implements ports.AttemptCounter, locking the rows in the same order as Reserve.
func (c AttemptCounter) Forget(ctx context.Context, counts map[string]int) error {
	var keys []string
	var ns []int32
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		if n := counts[k]; n > 0 {
			keys, ns = append(keys, k), append(ns, int32(min(n, 1<<30)))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	err := c.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := c.locked(ctx, keys, time.Time{}); err != nil {
			return err
		}
		q := c.db.q(ctx)
		if _, err := q.Exec(ctx,
			`DELETE FROM attempts a USING unnest($1::text[], $2::int[]) AS f (key, n)
			 WHERE a.key = f.key AND a.count <= f.n`, keys, ns); err != nil {
			return err
		}
		_, err := q.Exec(ctx,
			`UPDATE attempts a SET count = a.count - f.n
			 FROM unnest($1::text[], $2::int[]) AS f (key, n) WHERE a.key = f.key`, keys, ns)
		return err
	})
	if err != nil {
		return fmt.Errorf("forget attempts: %w", err)
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
