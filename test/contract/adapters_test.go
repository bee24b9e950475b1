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
		return contract.NewStoreOf(t, s,
			memory.NewOutbox(s),
			memory.NewUserRepository(s),
			memory.NewSessionRepository(s),
			memory.NewAttemptCounter(s),
			memory.NewAccountTokenRepository(s),
			memory.NewCategoryRepository(s),    // shop
			memory.NewCatalogReader(s),         // shop
			memory.NewProductRepository(s),     // shop
			memory.NewCartRepository(s),        // shop
			memory.NewOrderRepository(s),       // shop
			memory.NewIdempotencyRepository(s), // shop
			// extend:memory-adapters
		)
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	contract.Run(t, postgresStore(func(t *testing.T) (string, postgres.Options) {
		return pgtest.NewDatabase(t), postgres.Options{}
	}))
}

// TestPostgresThroughPgBouncer runs every suite again through PgBouncer in transaction
// mode (what DB_POOLER=transaction is for), with the catalog reads on a read pool (the
// same server, reached through the pooler too): each statement may land on another
// server connection, so anything that leans on session state fails here.
func TestPostgresThroughPgBouncer(t *testing.T) {
	t.Parallel()
	bouncer := pgtest.StartPgBouncer(t, pgtest.ServerURL(t), "transaction", 10)
	contract.Run(t, postgresStore(func(t *testing.T) (string, postgres.Options) {
		direct := pgtest.NewDatabase(t)
		pooled := bouncer.URL(direct)
		return pooled, postgres.Options{TransactionPooling: true, DirectURL: direct, ReadURL: pooled}
	}))
}

func postgresStore(open func(t *testing.T) (string, postgres.Options)) contract.NewStore {
	return func(t *testing.T) contract.Store {
		url, opts := open(t)
		db, closeDB, err := postgres.Open(context.Background(), url, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(closeDB)
		return contract.NewStoreOf(t, db,
			postgres.NewOutbox(db),
			postgres.NewUserRepository(db),
			postgres.NewSessionRepository(db),
			postgres.NewAttemptCounter(db),
			postgres.NewAccountTokenRepository(db),
			postgres.NewCategoryRepository(db),    // shop
			postgres.NewCatalogReader(db),         // shop
			postgres.NewProductRepository(db),     // shop
			postgres.NewCartRepository(db),        // shop
			postgres.NewOrderRepository(db),       // shop
			postgres.NewIdempotencyRepository(db), // shop
			// extend:postgres-adapters
		)
	}
}
