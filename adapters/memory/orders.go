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
	orderRows = newTable[int64, domain.Order]("orders")
	idemRows  = newTable[idemKey, idemRow]("idem")
	orderIDs  = sequence("order")
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
