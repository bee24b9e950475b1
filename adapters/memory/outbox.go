package memory

import (
	"context"
	"slices"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// The outbox's table and ids (see store.go).
var (
	outboxRows = newTable[int64, outboxRow]("outbox")
	outboxIDs  = sequence("outbox")
)

type outboxRow struct {
	msg          domain.OutboxMessage
	nextAttempt  time.Time
	lastError    string
	sent, failed bool
	finished     time.Time // when sent or given up
}

// Outbox implements ports.Outbox.
type Outbox struct{ s *Store }

var _ ports.Outbox = Outbox{}

// NewOutbox returns the store's outbox.
func NewOutbox(s *Store) Outbox { return Outbox{s: s} }

// Add implements ports.Outbox.
func (o Outbox) Add(ctx context.Context, m domain.Mail, now time.Time) error {
	defer o.s.lock(ctx)()
	id := outboxIDs.next(o.s)
	put(o.s, outboxRows.of(o.s), id, outboxRow{msg: domain.OutboxMessage{ID: id, Mail: m, Created: now}, nextAttempt: now})
	return nil
}

// Claim implements ports.Outbox.
func (o Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]domain.OutboxMessage, error) {
	defer o.s.lock(ctx)()
	var due []int64
	for id, row := range outboxRows.of(o.s) {
		if !row.sent && !row.failed && !row.nextAttempt.After(now) {
			due = append(due, id)
		}
	}
	slices.Sort(due)
	msgs := []domain.OutboxMessage{}
	for _, id := range due[:min(limit, len(due))] {
		row := outboxRows.of(o.s)[id]
		row.msg.Attempts++
		row.nextAttempt = now.Add(lease)
		put(o.s, outboxRows.of(o.s), id, row)
		msgs = append(msgs, row.msg)
	}
	return msgs, nil
}

func (o Outbox) update(ctx context.Context, id int64, f func(*outboxRow)) error {
	defer o.s.lock(ctx)()
	row, ok := outboxRows.of(o.s)[id]
	if !ok {
		return domain.ErrNotFound
	}
	f(&row)
	put(o.s, outboxRows.of(o.s), id, row)
	return nil
}

// MarkSent implements ports.Outbox.
func (o Outbox) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return o.update(ctx, id, func(r *outboxRow) { r.sent, r.finished = true, at })
}

// Retry implements ports.Outbox.
func (o Outbox) Retry(ctx context.Context, id int64, next time.Time, reason string) error {
	return o.update(ctx, id, func(r *outboxRow) { r.nextAttempt, r.lastError = next, reason })
}

// GiveUp implements ports.Outbox.
func (o Outbox) GiveUp(ctx context.Context, id int64, at time.Time, reason string) error {
	return o.update(ctx, id, func(r *outboxRow) { r.failed, r.lastError, r.finished = true, reason, at })
}

// Sweep implements ports.Outbox.
func (o Outbox) Sweep(ctx context.Context, before time.Time) (int, error) {
	defer o.s.lock(ctx)()
	n := 0
	for id, row := range outboxRows.of(o.s) {
		if (row.sent || row.failed) && row.finished.Before(before) {
			del(o.s, outboxRows.of(o.s), id)
			n++
		}
	}
	return n, nil
}

// Backlog implements ports.Outbox.
func (o Outbox) Backlog(ctx context.Context) (int, time.Time, error) {
	defer o.s.lock(ctx)()
	var (
		n      int
		oldest time.Time
	)
	for _, row := range outboxRows.of(o.s) {
		if row.sent || row.failed {
			continue
		}
		n++
		if oldest.IsZero() || row.msg.Created.Before(oldest) {
			oldest = row.msg.Created
		}
	}
	return n, oldest, nil
}

// Renew implements ports.Outbox.
func (o Outbox) Renew(ctx context.Context, ids []int64, now, until time.Time) error {
	defer o.s.lock(ctx)()
	for _, id := range ids {
		row, ok := outboxRows.of(o.s)[id]
		if ok && !row.sent && !row.failed && row.nextAttempt.After(now) {
			row.nextAttempt = until
			put(o.s, outboxRows.of(o.s), id, row)
		}
	}
	return nil
}
