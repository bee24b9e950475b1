package contract

import (
	"context"
	"errors"
	"testing"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() { suite("CartRepository", testCarts) }

// Carts is the backend's cart repository.
func (s Store) Carts() ports.CartRepository { return port[ports.CartRepository](s) }

func testCarts(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("add merges lines, reads back with current product data", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := mustCategory(t, s, "C")
		p1, p2 := mustProduct(t, s, c, "One", 150, 10), mustProduct(t, s, c, "Two", 275, 10)
		u := mustCreate(t, s, "a@example.com")
		if cart, err := s.Carts().Cart(ctx, u.ID); err != nil || len(cart.Lines) != 0 {
			t.Fatalf("fresh cart = %+v, %v", cart, err)
		}
		l1, err := s.Carts().Add(ctx, u.ID, p1.ID, 2)
		if err != nil || l1.Quantity != 2 || l1.Product != (domain.ProductRef{ID: p1.ID, Name: "One", Price: 150}) {
			t.Fatalf("Add = %+v, %v", l1, err)
		}
		again, err := s.Carts().Add(ctx, u.ID, p1.ID, 3)
		if err != nil || again.ID != l1.ID || again.Quantity != 5 {
			t.Fatalf("Add same product = %+v, %v; want line %d with 5", again, err, l1.ID)
		}
		l2, _ := s.Carts().Add(ctx, u.ID, p2.ID, 1)
		cart, err := s.Carts().Cart(ctx, u.ID)
		if err != nil || len(cart.Lines) != 2 || cart.Lines[0].ID != l1.ID || cart.Lines[1].ID != l2.ID || cart.Total() != 5*150+275 {
			t.Fatalf("Cart = %+v, %v", cart, err)
		}
		if _, err := s.Carts().Add(ctx, u.ID, 999999, 1); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("add unknown product: %v", err)
		}
	})

	t.Run("every operation is scoped by the owner", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "P", 100, 10)
		a, b := mustCreate(t, s, "a@example.com"), mustCreate(t, s, "b@example.com")
		la, _ := s.Carts().Add(ctx, a.ID, p.ID, 1)
		lb, _ := s.Carts().Add(ctx, b.ID, p.ID, 4)
		if la.ID == lb.ID {
			t.Fatal("two users share a cart line")
		}
		if _, err := s.Carts().SetQuantity(ctx, a.ID, lb.ID, 9); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("A sets B's line: %v", err)
		}
		if err := s.Carts().Remove(ctx, a.ID, lb.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("A removes B's line: %v", err)
		}
		if err := s.Carts().Clear(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		cb, _ := s.Carts().Cart(ctx, b.ID)
		if len(cb.Lines) != 1 || cb.Lines[0].ID != lb.ID || cb.Lines[0].Quantity != 4 {
			t.Fatalf("B's cart after A's attempts = %+v", cb)
		}
		ca, _ := s.Carts().Cart(ctx, a.ID)
		if len(ca.Lines) != 0 {
			t.Fatalf("A's cart after Clear = %+v", ca)
		}
		set, err := s.Carts().SetQuantity(ctx, b.ID, lb.ID, 7)
		if err != nil || set.Quantity != 7 {
			t.Fatalf("B sets own line = %+v, %v", set, err)
		}
		if err := s.Carts().Remove(ctx, b.ID, lb.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Carts().Remove(ctx, b.ID, lb.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("second remove: %v", err)
		}
	})

	t.Run("a line never exceeds 1000", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "P", 100, 5000)
		u := mustCreate(t, s, "a@example.com")
		if _, err := s.Carts().Add(ctx, u.ID, p.ID, 900); err != nil {
			t.Fatal(err)
		}
		// The memory store returns the oversized line for the use case to refuse; Postgres
		// refuses by its CHECK constraint. Either way, inside a transaction nothing stays.
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			l, err := s.Carts().Add(ctx, u.ID, p.ID, 200)
			if err == nil && l.Quantity > domain.MaxQuantity {
				return domain.CartLineTooLarge()
			}
			return err
		})
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid {
			t.Fatalf("1100 in one line: %v", err)
		}
		cart, _ := s.Carts().Cart(ctx, u.ID)
		if cart.Lines[0].Quantity != 900 {
			t.Fatalf("line after refused add = %d, want 900", cart.Lines[0].Quantity)
		}
	})

	t.Run("Lock holds the cart until the transaction ends: a second locker sees the first one's change", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "One", 150, 10)
		u := mustCreate(t, s, "locker@example.com")
		line, err := s.Carts().Add(ctx, u.ID, p.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		holdsLock(t, s,
			func(ctx context.Context) error { return s.Carts().Lock(ctx, u.ID) },
			func(ctx context.Context) error { _, err := s.Carts().SetQuantity(ctx, u.ID, line.ID, 7); return err },
			func(ctx context.Context) (int, error) {
				cart, err := s.Carts().Cart(ctx, u.ID)
				if err != nil || len(cart.Lines) != 1 {
					return 0, err
				}
				return cart.Lines[0].Quantity, nil
			}, 7)
	})
}
