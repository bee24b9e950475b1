package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/test/pgtest"
)

// TestCatalogChangeNotices: a catalog write tells this process right after it commits
// (OnCatalogCommit) and every listener through one notification per transaction, however
// many rows it wrote; a rolled-back write tells nobody.
func TestCatalogChangeNotices(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	db, closeDB, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeDB)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	listener, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = listener.Close(ctx) })
	if _, err := listener.Exec(ctx, "LISTEN catalog_changed"); err != nil {
		t.Fatal(err)
	}
	local := 0
	db.OnCatalogCommit(func() { local++ })
	categories, products := postgres.NewCategoryRepository(db), postgres.NewProductRepository(db)

	// One transaction: a category, a product, two stock changes.
	err = db.InTx(ctx, func(ctx context.Context) error {
		c, err := categories.Create(ctx, "Pens")
		if err != nil {
			return err
		}
		p, err := products.Create(ctx, domain.ProductFields{Name: "Pen", Price: 100, Stock: 5, CategoryID: c.ID}, time.Now())
		if err != nil {
			return err
		}
		if local != 0 {
			t.Error("the local hook ran before the commit")
		}
		for range 2 {
			if _, err := products.TakeStock(ctx, p.ID, 1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if local != 1 {
		t.Errorf("the local hook ran %d times for one committed transaction, want 1", local)
	}

	// Rolled back: nothing runs, nothing is sent.
	refused := errors.New("refused")
	err = db.InTx(ctx, func(ctx context.Context) error {
		if _, err := categories.Create(ctx, "Ink"); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("rolled-back write: %v", err)
	}
	if local != 1 {
		t.Errorf("a rolled-back write ran the local hook (%d runs)", local)
	}

	// A write outside InTx is its own transaction, and tells too.
	if _, err := categories.Create(ctx, "Paper"); err != nil {
		t.Fatal(err)
	}
	if local != 2 {
		t.Errorf("a single write ran the local hook %d times in all, want 2", local)
	}
	// Two notifications arrive (the two committed transactions), and no third.
	for i := range 2 {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := listener.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("notification %d: %v", i+1, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if n, err := listener.WaitForNotification(wctx); err == nil {
		t.Errorf("a third notification came: %+v", n)
	}
}
