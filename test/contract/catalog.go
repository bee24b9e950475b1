package contract

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() {
	suite("Catalog", testCatalog)
	pagedList("categories", func() list {
		ctx := context.Background()
		return list{
			kind: domain.CursorCategories,
			seed: func(t *testing.T, s Store) ([]int64, []int64) {
				return split(30, func() int64 { return mustCategory(t, s, uniqueName("c")).ID })
			},
			page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
				return keysOf(s.Categories().List(ctx, p))
			},
			churn: func(s Store, i int, volatile []int64) error {
				if i%2 == 0 && i/2 < len(volatile) {
					return s.Categories().Delete(ctx, volatile[i/2])
				}
				_, err := s.Categories().Create(ctx, uniqueName("new"))
				return err
			},
		}
	})
	pagedList("products", func() list { return productsList(false) })
	pagedList("products of a category", func() list { return productsList(true) })
}

func productsList(filtered bool) list {
	ctx := context.Background()
	var in atomic.Int64 // the category walked (when filtered) and grown
	return list{
		kind: domain.CursorProducts,
		seed: func(t *testing.T, s Store) ([]int64, []int64) {
			cat, other := mustCategory(t, s, "In"), mustCategory(t, s, "Out")
			in.Store(cat.ID)
			return split(30, func() int64 {
				mustProduct(t, s, other, uniqueName("other"), 100, 1) // interleaved; filtered out or not
				return mustProduct(t, s, cat, uniqueName("p"), 100, 1).ID
			})
		},
		page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
			var f ports.ProductFilter
			if filtered {
				f.CategoryID = in.Load()
			}
			return keysOf(s.Products().List(ctx, f, p))
		},
		churn: func(s Store, i int, volatile []int64) error {
			if i%2 == 0 && i/2 < len(volatile) {
				return s.Products().Delete(ctx, volatile[i/2])
			}
			_, err := s.Products().Create(ctx, domain.ProductFields{Name: uniqueName("new"), Price: 1, Stock: 1, CategoryID: in.Load()}, t0)
			return err
		},
	}
}

// Categories is the backend's category repository.
func (s Store) Categories() ports.CategoryRepository { return port[ports.CategoryRepository](s) }

// Products is the backend's product repository.
func (s Store) Products() ports.ProductRepository { return port[ports.ProductRepository](s) }

// Reader is the backend's catalog reader: it reads what Categories and Products wrote.
func (s Store) Reader() ports.CatalogReader { return port[ports.CatalogReader](s) }

func mustCategory(t *testing.T, s Store, name string) domain.Category {
	t.Helper()
	c, err := s.Categories().Create(context.Background(), name)
	if err != nil {
		t.Fatalf("create category %s: %v", name, err)
	}
	return c
}

func mustProduct(t *testing.T, s Store, cat domain.Category, name string, price domain.Cents, stock int) domain.Product {
	t.Helper()
	p, err := s.Products().Create(context.Background(), domain.ProductFields{
		Name: name, Description: "about " + name, Price: price, Stock: stock, CategoryID: cat.ID,
	}, t0)
	if err != nil {
		t.Fatalf("create product %s: %v", name, err)
	}
	return p
}

func testCatalog(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("categories: create, read, list, unique name in any case", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a := mustCategory(t, s, "Books")
		b := mustCategory(t, s, "Tools")
		if a.ID <= 0 || b.ID <= a.ID || a.Name != "Books" {
			t.Fatalf("categories %+v %+v", a, b)
		}
		if got, err := s.Categories().ByID(ctx, a.ID); err != nil || got != a {
			t.Fatalf("ByID = %+v, %v", got, err)
		}
		if _, err := s.Categories().Create(ctx, "BOOKS"); !errors.Is(err, domain.ErrCategoryNameTaken) {
			t.Fatalf("duplicate in other case: %v", err)
		}
		p, err := s.Categories().List(ctx, domain.PageRequest{Limit: 1, After: a.Cursor()})
		if err != nil || len(p.Items) != 1 || p.Items[0] != b || !p.Next.IsZero() {
			t.Fatalf("List after the first = %+v, %v", p, err)
		}
		if _, err := s.Categories().ByID(ctx, 999999); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("missing category: %v", err)
		}
	})

	t.Run("a category in use cannot be deleted; after its products are deleted it can", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := mustCategory(t, s, "Garden")
		p := mustProduct(t, s, c, "Spade", 1999, 3)
		if err := s.Categories().Delete(ctx, c.ID); !errors.Is(err, domain.ErrCategoryInUse) {
			t.Fatalf("delete in use: %v", err)
		}
		if _, err := s.Products().ByID(ctx, p.ID); err != nil {
			t.Fatalf("the product suffered from the refused delete: %v", err)
		}
		if err := s.Products().Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Categories().Delete(ctx, c.ID); err != nil {
			t.Fatalf("delete after its product left the catalog: %v", err)
		}
		if err := s.Categories().Delete(ctx, c.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})

	t.Run("products: create, read, list with filter, update, unknown category", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		books, tools := mustCategory(t, s, "Books"), mustCategory(t, s, "Tools")
		b1 := mustProduct(t, s, books, "Go", 3999, 5)
		h := mustProduct(t, s, tools, "Hammer", 1250, 7)
		b2 := mustProduct(t, s, books, "Rust", 4200, 1)
		want := domain.Product{ID: b1.ID, Name: "Go", Description: "about Go", Price: 3999, Stock: 5, Category: books, CreatedAt: t0}
		got, err := s.Products().ByID(ctx, b1.ID)
		if err != nil || got != want {
			t.Fatalf("ByID =\n %+v, %v\nwant\n %+v", got, err, want)
		}
		all, err := s.Products().List(ctx, ports.ProductFilter{}, domain.PageRequest{Limit: 10})
		if err != nil || len(all.Items) != 3 || all.Items[1].ID != h.ID || !all.Next.IsZero() {
			t.Fatalf("List all = %+v, %v", all, err)
		}
		onlyBooks, err := s.Products().List(ctx, ports.ProductFilter{CategoryID: books.ID}, domain.PageRequest{Limit: 1})
		if err != nil || len(onlyBooks.Items) != 1 || onlyBooks.Items[0].ID != b1.ID || onlyBooks.Next != b1.Cursor() {
			t.Fatalf("List books page 1 = %+v, %v", onlyBooks, err)
		}
		onlyBooks, err = s.Products().List(ctx, ports.ProductFilter{CategoryID: books.ID}, domain.PageRequest{Limit: 1, After: onlyBooks.Next})
		if err != nil || len(onlyBooks.Items) != 1 || onlyBooks.Items[0].ID != b2.ID || !onlyBooks.Next.IsZero() {
			t.Fatalf("List books page 2 = %+v, %v", onlyBooks, err)
		}
		_, err = s.Products().Create(ctx, domain.ProductFields{Name: "X", Price: 1, Stock: 1, CategoryID: 999999}, t0)
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields[0].Field != "category_id" {
			t.Fatalf("unknown category: %v", err)
		}
		up, err := s.Products().Update(ctx, h.ID, domain.ProductFields{Name: "Mallet", Description: "", Price: 999, Stock: 2, CategoryID: books.ID})
		if err != nil || up.Name != "Mallet" || up.Price != 999 || up.Stock != 2 || up.Category != books || up.Description != "" {
			t.Fatalf("Update = %+v, %v", up, err)
		}
		if _, err := s.Products().Update(ctx, h.ID, domain.ProductFields{Name: "M", Price: 1, Stock: 1, CategoryID: 999999}); !errors.As(err, &de) || de.Kind != domain.KindInvalid {
			t.Fatalf("update to unknown category: %v", err)
		}
		if _, err := s.Products().Update(ctx, 999999, domain.ProductFields{Name: "M", Price: 1, Stock: 1, CategoryID: books.ID}); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
	})

	t.Run("a deleted product leaves the catalog and every cart", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := mustCategory(t, s, "C")
		p := mustProduct(t, s, c, "P", 100, 10)
		keep := mustProduct(t, s, c, "Keep", 100, 10)
		u := mustCreate(t, s, "cart@example.com")
		if _, err := s.Carts().Add(ctx, u.ID, p.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Carts().Add(ctx, u.ID, keep.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.Products().Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Products().ByID(ctx, p.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByID after delete: %v", err)
		}
		if l, _ := s.Products().List(ctx, ports.ProductFilter{}, domain.PageRequest{Limit: 10}); len(l.Items) != 1 {
			t.Errorf("list after delete: %d items, want 1", len(l.Items))
		}
		cart, err := s.Carts().Cart(ctx, u.ID)
		if err != nil || len(cart.Lines) != 1 || cart.Lines[0].Product.ID != keep.ID {
			t.Errorf("cart after delete = %+v, %v; want only the kept product", cart, err)
		}
		if _, err := s.Products().TakeStock(ctx, p.ID, 1); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("TakeStock of deleted: %v", err)
		}
		if err := s.Products().Delete(ctx, p.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})

	t.Run("the catalog reader answers what the repositories wrote", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		books, toys := mustCategory(t, s, "Books"), mustCategory(t, s, "Toys")
		novel := mustProduct(t, s, books, "Novel", 1250, 3)
		ball := mustProduct(t, s, toys, "Ball", 300, 9)
		gone := mustProduct(t, s, toys, "Gone", 100, 1)
		if err := s.Products().Delete(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Reader().Category(ctx, toys.ID); err != nil || c != toys {
			t.Fatalf("Category = %+v, %v", c, err)
		}
		if _, err := s.Reader().Category(ctx, toys.ID+100); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("unknown category: %v", err)
		}
		cats, err := s.Reader().Categories(ctx, domain.PageRequest{Limit: 1})
		if err != nil || len(cats.Items) != 1 || cats.Items[0] != books || cats.Next.IsZero() {
			t.Fatalf("Categories = %+v, %v", cats, err)
		}
		p, err := s.Reader().Product(ctx, novel.ID)
		if err != nil || p.Name != "Novel" || p.Price != 1250 || p.Category != books || !p.CreatedAt.Equal(t0) {
			t.Fatalf("Product = %+v, %v", p, err)
		}
		if _, err := s.Reader().Product(ctx, gone.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a deleted product: %v", err)
		}
		list, err := s.Reader().Products(ctx, ports.ProductFilter{CategoryID: toys.ID}, domain.PageRequest{Limit: 10})
		if err != nil || len(list.Items) != 1 || list.Items[0].ID != ball.ID || !list.Next.IsZero() {
			t.Fatalf("Products in Toys = %+v, %v", list, err)
		}
		if all, _ := s.Reader().Products(ctx, ports.ProductFilter{}, domain.PageRequest{Limit: 10}); len(all.Items) != 2 {
			t.Fatalf("Products = %+v", all)
		}
	})

	t.Run("TakeStock never goes below zero", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "P", 100, 3)
		if got, err := s.Products().TakeStock(ctx, p.ID, 2); err != nil || got.Stock != 1 {
			t.Fatalf("take 2 of 3 = %+v, %v", got, err)
		}
		if _, err := s.Products().TakeStock(ctx, p.ID, 2); !errors.Is(err, domain.ErrInsufficientStock) {
			t.Fatalf("take 2 of 1: %v", err)
		}
		if got, _ := s.Products().ByID(ctx, p.ID); got.Stock != 1 {
			t.Fatalf("a refused take changed the stock to %d", got.Stock)
		}
	})

	t.Run("concurrent TakeStock: exactly the stock is taken", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "P", 100, 5)
		var ok, short atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				err := s.Tx.InTx(ctx, func(ctx context.Context) error {
					_, err := s.Products().TakeStock(ctx, p.ID, 1)
					return err
				})
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, domain.ErrInsufficientStock):
					short.Add(1)
				default:
					t.Errorf("unexpected: %v", err)
				}
			})
		}
		wg.Wait()
		got, _ := s.Products().ByID(ctx, p.ID)
		if ok.Load() != 5 || short.Load() != 15 || got.Stock != 0 {
			t.Fatalf("ok=%d short=%d stock=%d; want 5, 15, 0", ok.Load(), short.Load(), got.Stock)
		}
	})

	t.Run("Lock holds a product until the transaction ends: a second locker sees the first one's change", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "L"), "Lamp", 100, 3)
		if _, err := s.Products().Lock(ctx, 999999); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("Lock of no product: %v, want ErrNotFound", err)
		}
		holdsLock(t, s,
			func(ctx context.Context) error { _, err := s.Products().Lock(ctx, p.ID); return err },
			func(ctx context.Context) error {
				current, err := s.Products().ByID(ctx, p.ID)
				if err != nil {
					return err
				}
				_, err = s.Products().Update(ctx, p.ID, domain.ProductFields{Name: current.Name, Price: 777, Stock: current.Stock, CategoryID: current.Category.ID})
				return err
			},
			func(ctx context.Context) (domain.Cents, error) {
				current, err := s.Products().Lock(ctx, p.ID)
				return current.Price, err
			}, 777)
	})
}
