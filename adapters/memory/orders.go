package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// The tables and id sequences of this file's repositories (see store.go).
var (
	orderRows  = newTable[int64, domain.Order]("orders")
	idemRows   = newTable[idemKey, idemRow]("idem")
	outboxRows = newTable[int64, outboxRow]("outbox")
	orderIDs   = sequence("order")
	outboxIDs  = sequence("outbox")
)

// OrderRepository implements ports.OrderRepository.
type OrderRepository struct{ s *Store }

var _ ports.OrderRepository = OrderRepository{}

// NewOrderRepository returns the store's order repository.
func NewOrderRepository(s *Store) OrderRepository { return OrderRepository{s: s} }

// Create implements ports.OrderRepository.
func (r OrderRepository) Create(ctx context.Context, o domain.Order) (domain.Order, error) {
	defer r.s.lock(ctx)()
	o.ID = orderIDs.next(r.s)
	o.Items = slices.Clone(o.Items)
	put(r.s, orderRows.of(r.s), o.ID, o)
	return o, nil
}

// ByID implements ports.OrderRepository.
func (r OrderRepository) ByID(ctx context.Context, id int64) (domain.Order, error) {
	defer r.s.lock(ctx)()
	o, ok := orderRows.of(r.s)[id]
	if !ok {
		return o, domain.ErrNotFound
	}
	o.Items = slices.Clone(o.Items)
	return o, nil
}

// ListByUser implements ports.OrderRepository.
func (r OrderRepository) ListByUser(ctx context.Context, userID int64, p domain.PageRequest) (domain.Page[domain.Order], error) {
	defer r.s.lock(ctx)()
	var all []domain.Order
	for _, o := range orderRows.of(r.s) {
		if o.UserID == userID {
			o.Items = slices.Clone(o.Items)
			all = append(all, o)
		}
	}
	slices.SortFunc(all, func(a, b domain.Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return pageOf(all, p, domain.Order.Cursor), nil
}

type idemKey struct {
	userID int64
	key    string
}

// idemRow is a reserved key and when it was reserved (by this process's clock, as
// Postgres stamps it with its own).
type idemRow struct {
	ports.IdempotencyRecord
	created time.Time
}

// IdempotencyRepository implements ports.IdempotencyRepository. The store's lock already
// serialises transactions, so a reservation never has to wait.
type IdempotencyRepository struct{ s *Store }

var _ ports.IdempotencyRepository = IdempotencyRepository{}

// NewIdempotencyRepository returns the store's idempotency repository.
func NewIdempotencyRepository(s *Store) IdempotencyRepository { return IdempotencyRepository{s: s} }

// Reserve implements ports.IdempotencyRepository.
func (r IdempotencyRepository) Reserve(ctx context.Context, userID int64, key, fingerprint string) (ports.IdempotencyRecord, bool, error) {
	defer r.s.lock(ctx)()
	k := idemKey{userID, key}
	if row, ok := idemRows.of(r.s)[k]; ok {
		return row.IdempotencyRecord, true, nil
	}
	put(r.s, idemRows.of(r.s), k, idemRow{IdempotencyRecord: ports.IdempotencyRecord{Fingerprint: fingerprint}, created: time.Now()})
	return ports.IdempotencyRecord{}, false, nil
}

// Complete implements ports.IdempotencyRepository.
func (r IdempotencyRepository) Complete(ctx context.Context, userID int64, key string, orderID int64) error {
	defer r.s.lock(ctx)()
	k := idemKey{userID, key}
	row, ok := idemRows.of(r.s)[k]
	if !ok {
		return domain.ErrNotFound
	}
	row.OrderID = orderID
	put(r.s, idemRows.of(r.s), k, row)
	return nil
}

// Sweep implements ports.IdempotencyRepository.
func (r IdempotencyRepository) Sweep(ctx context.Context, before time.Time) (int, error) {
	defer r.s.lock(ctx)()
	n := 0
	for k, row := range idemRows.of(r.s) {
		if row.created.Before(before) {
			del(r.s, idemRows.of(r.s), k)
			n++
		}
	}
	return n, nil
}

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
