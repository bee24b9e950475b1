// Package contract holds one test suite per driven port. Each suite runs against every
// adapter of its port (adapters_test.go runs them all on the memory store and on
// Postgres), which is what makes the in-memory store a trustworthy stand-in for Postgres.
//
// A feature's suite lives in the feature's own file and registers itself (suite, and
// pagedList for each of its paged lists); its ports are reached through Store methods
// defined in that file too (s.Carts()), found among the adapters the backend was given.
// Adding a feature adds a file here and one constructor per backend in adapters_test.go.
package contract

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/hexashop/hexashop/ports"
)

// Store is one adapter's implementation of the driven ports, on empty storage: the
// transactor, and the repositories (each an adapter value implementing one port).
type Store struct {
	Tx       ports.Transactor
	t        *testing.T
	adapters []any
}

// NewStoreOf is a Store of tx and the adapters, for test t.
func NewStoreOf(t *testing.T, tx ports.Transactor, adapters ...any) Store {
	return Store{Tx: tx, t: t, adapters: adapters}
}

// port finds the one adapter of s (the transactor included) that implements the port P.
func port[P any](s Store) P {
	var found []P
	for _, a := range append([]any{s.Tx}, s.adapters...) {
		if p, ok := a.(P); ok {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		s.t.Helper()
		s.t.Fatalf("contract: the backend has %d adapters implementing %s; give exactly one in adapters_test.go",
			len(found), reflect.TypeFor[P]())
	}
	return found[0]
}

// NewStore returns a Store on fresh, empty storage for one test.
type NewStore func(t *testing.T) Store

var suites = map[string]func(t *testing.T, newStore NewStore){}

// suite registers the contract suite of a port; call it from an init func.
func suite(name string, run func(t *testing.T, newStore NewStore)) {
	if _, dup := suites[name]; dup {
		panic(fmt.Sprintf("contract: suite %q registered twice", name))
	}
	suites[name] = run
}

// Suites are the names of the registered suites, sorted.
func Suites() []string {
	names := make([]string, 0, len(suites))
	for n := range suites {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Run runs every registered contract suite against the adapter newStore builds.
func Run(t *testing.T, newStore NewStore) {
	for _, name := range Suites() {
		run := suites[name]
		t.Run(name, func(t *testing.T) { t.Parallel(); run(t, newStore) })
	}
}
