// Package memory implements the repository and transaction ports in process memory: the
// zero-setup store of demo mode and of fast use-case tests. It passes the same contract
// tests as the Postgres adapter (see test/contract).
//
// One mutex guards the whole store. A transaction holds it from start to end and works on
// the live maps, recording how to undo each write (put, del); when the transaction fails
// it replays the undo log backwards. Each feature declares its own tables (newTable) in
// its own file.
package memory

import (
	"context"
	"sync"

	"github.com/hexashop/hexashop/ports"
)

// Store holds all data.
type Store struct {
	mu     sync.Mutex
	tables map[string]any   // each a map[K]V of one table, by the table's name
	seqs   map[string]int64 // the last id of each sequence
	undo   *[]func()        // the running transaction's undo log, nil outside transactions
}

// table is one map of the store. A feature declares its tables in its own file, as
// package variables (var productRows = newTable[int64, productRow]("products")), so a
// new feature adds its storage without touching this file. Maps hold values, never
// pointers: readers get copies, and every write goes through put or del, which keep the
// transaction's undo log (test/archtest checks that nothing else writes them).
type table[K comparable, V any] struct{ name string }

var tableNames = map[string]bool{}

// newTable declares a table; it panics on a name declared twice.
func newTable[K comparable, V any](name string) table[K, V] {
	if tableNames[name] {
		panic("memory: table " + name + " declared twice")
	}
	tableNames[name] = true
	return table[K, V]{name: name}
}

// of is the table's map in s (made on first use). Call it with the store's lock held.
func (t table[K, V]) of(s *Store) map[K]V {
	m, ok := s.tables[t.name]
	if !ok {
		m = map[K]V{}
		s.tables[t.name] = m
	}
	return m.(map[K]V)
}

// sequence hands out the ids of one table, from 1, as Postgres identity columns do. Ids
// are not given back on rollback, as in Postgres.
type sequence string

// next is the sequence's next id; call it with the store's lock held.
func (q sequence) next(s *Store) int64 {
	s.seqs[string(q)]++
	return s.seqs[string(q)]
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
	return &Store{tables: map[string]any{}, seqs: map[string]int64{}}
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
