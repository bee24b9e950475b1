// Package memory implements the repository and transaction ports in process memory: the
// zero-setup store of demo mode and of fast use-case tests. It passes the same contract
// tests as the Postgres adapter (see test/contract).
//
// One mutex guards the whole store. A transaction holds it from start to end and works on
// the live maps, recording how to undo each write (put, del); when the transaction fails
// it replays the undo log backwards. Ids are not given back on rollback, as in Postgres.
package memory

import (
	"context"
	"sync"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Store holds all data.
type Store struct {
	mu   sync.Mutex
	st   state
	undo *[]func() // the running transaction's undo log, nil outside transactions
}

// state is all the data. Its maps hold values, never pointers: readers get copies, and
// every write goes through put or del.
type state struct {
	users      map[int64]userRow
	categories map[int64]domain.Category
	products   map[int64]productRow
	cartLines  map[int64]cartLineRow
	orders     map[int64]domain.Order // Items are never modified after Create
	idem       map[idemKey]idemRow
	outbox     map[int64]outboxRow
	attempts   map[string]attemptRow
	sessions   map[int64]domain.Session
	refresh    map[string]domain.RefreshGrant // by token hash
	seq        sequences
}

// sequences hands out ids per table, from 1, as Postgres identity columns do.
type sequences struct{ user, category, product, cartLine, order, outbox, session int64 }

func next(counter *int64) int64 {
	*counter++
	return *counter
}

// put sets m[k] = v, remembering the old entry in the transaction's undo log.
func put[K comparable, V any](s *Store, m map[K]V, k K, v V) {
	remember(s, m, k)
	m[k] = v
}

// del deletes m[k], remembering the old entry in the transaction's undo log.
func del[K comparable, V any](s *Store, m map[K]V, k K) {
	remember(s, m, k)
	delete(m, k)
}

// remember records how to restore m[k] if the running transaction fails.
func remember[K comparable, V any](s *Store, m map[K]V, k K) {
	if s.undo == nil {
		return
	}
	old, had := m[k]
	*s.undo = append(*s.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{st: state{
		users:      map[int64]userRow{},
		categories: map[int64]domain.Category{},
		products:   map[int64]productRow{},
		cartLines:  map[int64]cartLineRow{},
		orders:     map[int64]domain.Order{},
		idem:       map[idemKey]idemRow{},
		outbox:     map[int64]outboxRow{},
		attempts:   map[string]attemptRow{},
		sessions:   map[int64]domain.Session{},
		refresh:    map[string]domain.RefreshGrant{},
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
	var undo []func()
	s.undo = &undo
	rollback := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	defer func() {
		s.undo = nil
		if p := recover(); p != nil {
			rollback()
			panic(p)
		}
		if err != nil {
			rollback()
		}
	}()
	return fn(context.WithValue(ctx, txKey{}, s))
}

// Ready implements ports.Readiness: memory is always ready.
func (s *Store) Ready(context.Context) error { return nil }

// Migrate has nothing to do: memory has no schema.
func (s *Store) Migrate(context.Context) error { return nil }

// CheckSchema has nothing to check.
func (s *Store) CheckSchema(context.Context) error { return nil }
