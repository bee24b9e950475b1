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
		return contract.Store{Users: memory.NewUserRepository(s), Tx: s}
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	contract.Run(t, func(t *testing.T) contract.Store {
		db, closeDB, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(closeDB)
		return contract.Store{Users: postgres.NewUserRepository(db), Tx: db}
	})
}
