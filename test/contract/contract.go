// Package contract holds one test suite per driven port. Each suite runs against every
// adapter of its port (adapters_test.go runs them all on the memory store and on
// Postgres), which is what makes the in-memory store a trustworthy stand-in for Postgres.
package contract

import (
	"testing"

	"github.com/hexashop/hexashop/ports"
)

// Store is one adapter's implementation of the driven ports, on empty storage.
type Store struct {
	Users       ports.UserRepository
	Categories  ports.CategoryRepository
	Reader      ports.CatalogReader // reads what Categories and Products wrote
	Products    ports.ProductRepository
	Carts       ports.CartRepository
	Orders      ports.OrderRepository
	Idempotency ports.IdempotencyRepository
	Outbox      ports.Outbox
	Attempts    ports.AttemptCounter
	Sessions    ports.SessionRepository
	Tx          ports.Transactor
}

// NewStore returns a Store on fresh, empty storage for one test.
type NewStore func(t *testing.T) Store

// Run runs every contract suite against the adapter newStore builds.
func Run(t *testing.T, newStore NewStore) {
	t.Run("UserRepository", func(t *testing.T) { t.Parallel(); testUserRepository(t, newStore) })
	t.Run("Transactor", func(t *testing.T) { t.Parallel(); testTransactor(t, newStore) })
	t.Run("Catalog", func(t *testing.T) { t.Parallel(); testCatalog(t, newStore) })
	t.Run("CartRepository", func(t *testing.T) { t.Parallel(); testCarts(t, newStore) })
	t.Run("OrderRepository", func(t *testing.T) { t.Parallel(); testOrders(t, newStore) })
	t.Run("IdempotencyRepository", func(t *testing.T) { t.Parallel(); testIdempotency(t, newStore) })
	t.Run("Outbox", func(t *testing.T) { t.Parallel(); testOutbox(t, newStore) })
	t.Run("SessionRepository", func(t *testing.T) { t.Parallel(); testSessions(t, newStore) })
	t.Run("Paging", func(t *testing.T) { t.Parallel(); testPaging(t, newStore) })
	t.Run("AttemptCounter", func(t *testing.T) { t.Parallel(); testAttemptCounter(t, newStore) })
}
