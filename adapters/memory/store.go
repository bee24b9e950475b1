// Package memory implements the repository and transaction ports in process memory: the
// zero-setup store of demo mode and of fast use-case tests. It passes the same contract
// tests as the Postgres adapter (see test/contract).
//
// One mutex guards the whole store. A transaction holds it from start to end and works on
// the live maps; it keeps a copy of the state taken at its start and restores it when the
// transaction fails, which makes rollback trivially right at the price of copying the maps
// once per transaction: fine for demo data, not meant for large data sets.
package memory

import (
	"context"
	"maps"
	"sync"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Store holds all data.
type Store struct {
	mu sync.Mutex
	st state
}

// state is everything a transaction may need to roll back. Its maps hold values, never
// pointers, so a copy of the maps is a copy of the state.
type state struct {
	users      map[int64]userRow
	categories map[int64]domain.Category
	products   map[int64]productRow
	cartLines  map[int64]cartLineRow
	orders     map[int64]domain.Order // Items are never modified after Create
	idem       map[idemKey]ports.IdempotencyRecord
	outbox     map[int64]outboxRow
	seq        sequences
}

// sequences hands out ids per table, from 1, as Postgres identity columns do.
type sequences struct{ user, category, product, cartLine, order, outbox int64 }

func next(counter *int64) int64 {
	*counter++
	return *counter
}

func (s state) clone() state {
	c := s
	c.users = maps.Clone(s.users)
	c.categories = maps.Clone(s.categories)
	c.products = maps.Clone(s.products)
	c.cartLines = maps.Clone(s.cartLines)
	c.orders = maps.Clone(s.orders)
	c.idem = maps.Clone(s.idem)
	c.outbox = maps.Clone(s.outbox)
	return c
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{st: state{
		users:      map[int64]userRow{},
		categories: map[int64]domain.Category{},
		products:   map[int64]productRow{},
		cartLines:  map[int64]cartLineRow{},
		orders:     map[int64]domain.Order{},
		idem:       map[idemKey]ports.IdempotencyRecord{},
		outbox:     map[int64]outboxRow{},
	}}
}

type txKey struct{}

// inTx reports whether ctx belongs to a transaction of s (which then holds s.mu).
func (s *Store) inTx(ctx context.Context) bool { return ctx.Value(txKey{}) == s }

// lock takes the store's lock unless ctx's transaction already holds it.
func (s *Store) lock(ctx context.Context) (unlock func()) {
	if s.inTx(ctx) {
		return func() {}
	}
	s.mu.Lock()
	return s.mu.Unlock
}

var (
	_ ports.Transactor = (*Store)(nil)
	_ ports.Readiness  = (*Store)(nil)
)

// InTx implements ports.Transactor. A nested call joins the outer transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if s.inTx(ctx) {
		return fn(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.st.clone()
	defer func() {
		if p := recover(); p != nil {
			s.st = before
			panic(p)
		}
		if err != nil {
			s.st = before
		}
	}()
	return fn(context.WithValue(ctx, txKey{}, s))
}

// Ready implements ports.Readiness: memory is always ready.
func (s *Store) Ready(context.Context) error { return nil }

// Migrate has nothing to do: memory has no schema.
func (s *Store) Migrate(context.Context) error { return nil }
