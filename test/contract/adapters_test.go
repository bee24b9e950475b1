package contract_test

import (
	"context"
	"os"
	"testing"

	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/test/contract"
	"github.com/hexashop/hexashop/test/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestMemory(t *testing.T) {
	t.Parallel()
	contract.Run(t, func(t *testing.T) contract.Store {
		s := memory.NewStore()
		return contract.Store{
			Users: memory.NewUserRepository(s), Categories: memory.NewCategoryRepository(s),
			Products: memory.NewProductRepository(s), Carts: memory.NewCartRepository(s),
			Orders: memory.NewOrderRepository(s), Idempotency: memory.NewIdempotencyRepository(s),
			Outbox: memory.NewOutbox(s), Attempts: memory.NewAttemptCounter(s),
			Sessions: memory.NewSessionRepository(s), Tx: s,
		}
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	contract.Run(t, func(t *testing.T) contract.Store {
		db, closeDB, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(closeDB)
		return contract.Store{
			Users: postgres.NewUserRepository(db), Categories: postgres.NewCategoryRepository(db),
			Products: postgres.NewProductRepository(db), Carts: postgres.NewCartRepository(db),
			Orders: postgres.NewOrderRepository(db), Idempotency: postgres.NewIdempotencyRepository(db),
			Outbox: postgres.NewOutbox(db), Attempts: postgres.NewAttemptCounter(db),
			Sessions: postgres.NewSessionRepository(db), Tx: db,
		}
	})
}
