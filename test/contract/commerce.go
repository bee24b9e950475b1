package contract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func testCarts(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("add merges lines, reads back with current product data", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := mustCategory(t, s, "C")
		p1, p2 := mustProduct(t, s, c, "One", 150, 10), mustProduct(t, s, c, "Two", 275, 10)
		u := mustCreate(t, s, "a@example.com")
		if cart, err := s.Carts.Cart(ctx, u.ID); err != nil || len(cart.Lines) != 0 {
			t.Fatalf("fresh cart = %+v, %v", cart, err)
		}
		l1, err := s.Carts.Add(ctx, u.ID, p1.ID, 2)
		if err != nil || l1.Quantity != 2 || l1.Product != (domain.ProductRef{ID: p1.ID, Name: "One", Price: 150}) {
			t.Fatalf("Add = %+v, %v", l1, err)
		}
		again, err := s.Carts.Add(ctx, u.ID, p1.ID, 3)
		if err != nil || again.ID != l1.ID || again.Quantity != 5 {
			t.Fatalf("Add same product = %+v, %v; want line %d with 5", again, err, l1.ID)
		}
		l2, _ := s.Carts.Add(ctx, u.ID, p2.ID, 1)
		cart, err := s.Carts.Cart(ctx, u.ID)
		if err != nil || len(cart.Lines) != 2 || cart.Lines[0].ID != l1.ID || cart.Lines[1].ID != l2.ID || cart.Total() != 5*150+275 {
			t.Fatalf("Cart = %+v, %v", cart, err)
		}
		if _, err := s.Carts.Add(ctx, u.ID, 999999, 1); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("add unknown product: %v", err)
		}
	})

	t.Run("every operation is scoped by the owner", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "P", 100, 10)
		a, b := mustCreate(t, s, "a@example.com"), mustCreate(t, s, "b@example.com")
		la, _ := s.Carts.Add(ctx, a.ID, p.ID, 1)
		lb, _ := s.Carts.Add(ctx, b.ID, p.ID, 4)
		if la.ID == lb.ID {
			t.Fatal("two users share a cart line")
		}
		if _, err := s.Carts.SetQuantity(ctx, a.ID, lb.ID, 9); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("A sets B's line: %v", err)
		}
		if err := s.Carts.Remove(ctx, a.ID, lb.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("A removes B's line: %v", err)
		}
		if err := s.Carts.Clear(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		cb, _ := s.Carts.Cart(ctx, b.ID)
		if len(cb.Lines) != 1 || cb.Lines[0].ID != lb.ID || cb.Lines[0].Quantity != 4 {
			t.Fatalf("B's cart after A's attempts = %+v", cb)
		}
		ca, _ := s.Carts.Cart(ctx, a.ID)
		if len(ca.Lines) != 0 {
			t.Fatalf("A's cart after Clear = %+v", ca)
		}
		set, err := s.Carts.SetQuantity(ctx, b.ID, lb.ID, 7)
		if err != nil || set.Quantity != 7 {
			t.Fatalf("B sets own line = %+v, %v", set, err)
		}
		if err := s.Carts.Remove(ctx, b.ID, lb.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Carts.Remove(ctx, b.ID, lb.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("second remove: %v", err)
		}
	})

	t.Run("a line never exceeds 1000", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "P", 100, 5000)
		u := mustCreate(t, s, "a@example.com")
		if _, err := s.Carts.Add(ctx, u.ID, p.ID, 900); err != nil {
			t.Fatal(err)
		}
		// The memory store returns the oversized line for the use case to refuse; Postgres
		// refuses by its CHECK constraint. Either way, inside a transaction nothing stays.
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			l, err := s.Carts.Add(ctx, u.ID, p.ID, 200)
			if err == nil && l.Quantity > domain.MaxQuantity {
				return domain.CartLineTooLarge()
			}
			return err
		})
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid {
			t.Fatalf("1100 in one line: %v", err)
		}
		cart, _ := s.Carts.Cart(ctx, u.ID)
		if cart.Lines[0].Quantity != 900 {
			t.Fatalf("line after refused add = %d, want 900", cart.Lines[0].Quantity)
		}
	})
}

func newOrder(userID int64, at time.Time, items ...domain.OrderItem) domain.Order {
	return domain.Order{UserID: userID, Status: domain.OrderPlaced, ShippingAddress: "1 Main St", Items: items, CreatedAt: at}
}

func testOrders(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("create, read back, list newest first per user", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p := mustProduct(t, s, mustCategory(t, s, "C"), "P", 100, 10)
		a, b := mustCreate(t, s, "a@example.com"), mustCreate(t, s, "b@example.com")
		items := []domain.OrderItem{{ProductID: p.ID, Name: "P at the time", UnitPrice: 123, Quantity: 2}}
		o1, err := s.Orders.Create(ctx, newOrder(a.ID, t0, items...))
		if err != nil || o1.ID <= 0 {
			t.Fatalf("Create = %+v, %v", o1, err)
		}
		got, err := s.Orders.ByID(ctx, o1.ID)
		if err != nil || got.UserID != a.ID || got.Status != domain.OrderPlaced || got.ShippingAddress != "1 Main St" ||
			!got.CreatedAt.Equal(t0) || len(got.Items) != 1 || got.Items[0] != items[0] || got.Total() != 246 {
			t.Fatalf("ByID = %+v, %v", got, err)
		}
		o2, _ := s.Orders.Create(ctx, newOrder(a.ID, t0.Add(time.Hour), items...))
		o3, _ := s.Orders.Create(ctx, newOrder(a.ID, t0.Add(time.Hour), items...)) // same time: higher id first
		if _, err := s.Orders.Create(ctx, newOrder(b.ID, t0.Add(2*time.Hour), items...)); err != nil {
			t.Fatal(err)
		}
		page, err := s.Orders.ListByUser(ctx, a.ID, domain.PageRequest{Limit: 10})
		if err != nil || len(page.Items) != 3 || !page.Next.IsZero() ||
			page.Items[0].ID != o3.ID || page.Items[1].ID != o2.ID || page.Items[2].ID != o1.ID {
			t.Fatalf("ListByUser = ids %v, %v; want %d %d %d", orderIDs(page.Items), err, o3.ID, o2.ID, o1.ID)
		}
		if len(page.Items[0].Items) != 1 {
			t.Fatal("listed orders lack their items")
		}
		if _, err := s.Orders.ByID(ctx, 999999); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("missing order: %v", err)
		}
	})

	t.Run("orders outlive their products' deletion and price changes", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := mustCategory(t, s, "C")
		p := mustProduct(t, s, c, "Lamp", 5000, 10)
		u := mustCreate(t, s, "a@example.com")
		o, _ := s.Orders.Create(ctx, newOrder(u.ID, t0, domain.OrderItem{ProductID: p.ID, Name: p.Name, UnitPrice: p.Price, Quantity: 1}))
		if _, err := s.Products.Update(ctx, p.ID, domain.ProductFields{Name: "Lamp v2", Price: 9999, Stock: 1, CategoryID: c.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.Products.Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Users.Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.Orders.ByID(ctx, o.ID)
		if err != nil || got.Items[0].Name != "Lamp" || got.Items[0].UnitPrice != 5000 || got.UserID != u.ID {
			t.Fatalf("order after product change and deletion = %+v, %v", got, err)
		}
	})
}

func orderIDs(os []domain.Order) []int64 {
	ids := make([]int64, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	return ids
}

func testIdempotency(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("reserve, complete, find; per user; rolled back reservations vanish", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a, b := mustCreate(t, s, "a@example.com"), mustCreate(t, s, "b@example.com")
		o, _ := s.Orders.Create(ctx, newOrder(a.ID, t0))
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			if _, found, err := s.Idempotency.Reserve(ctx, a.ID, "k1", "fp"); err != nil || found {
				return fmt.Errorf("first reserve: found=%v err=%w", found, err)
			}
			return s.Idempotency.Complete(ctx, a.ID, "k1", o.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		rec, found, err := s.Idempotency.Reserve(ctx, a.ID, "k1", "other")
		if err != nil || !found || rec != (ports.IdempotencyRecord{Fingerprint: "fp", OrderID: o.ID}) {
			t.Fatalf("second reserve = %+v found=%v err=%v", rec, found, err)
		}
		boom := errors.New("boom")
		err = s.Tx.InTx(ctx, func(ctx context.Context) error {
			if _, found, err := s.Idempotency.Reserve(ctx, b.ID, "k1", "fp"); err != nil || found {
				return fmt.Errorf("another user's key was found: found=%v err=%w", found, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		err = s.Tx.InTx(ctx, func(ctx context.Context) error {
			_, found, err := s.Idempotency.Reserve(ctx, b.ID, "k1", "fp")
			if err == nil && found {
				return errors.New("a rolled-back reservation survived")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("concurrent reservations of one key: one wins, the others see its order", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "a@example.com")
		var (
			mu      sync.Mutex
			winners []int64
			seen    []int64
			wg      sync.WaitGroup
		)
		for range 8 {
			wg.Go(func() {
				err := s.Tx.InTx(ctx, func(ctx context.Context) error {
					rec, found, err := s.Idempotency.Reserve(ctx, u.ID, "same", "fp")
					if err != nil {
						return err
					}
					if found {
						mu.Lock()
						seen = append(seen, rec.OrderID)
						mu.Unlock()
						return nil
					}
					time.Sleep(20 * time.Millisecond) // hold the key while the others wait
					o, err := s.Orders.Create(ctx, newOrder(u.ID, t0))
					if err != nil {
						return err
					}
					mu.Lock()
					winners = append(winners, o.ID)
					mu.Unlock()
					return s.Idempotency.Complete(ctx, u.ID, "same", o.ID)
				})
				if err != nil {
					t.Errorf("tx: %v", err)
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 || len(seen) != 7 {
			t.Fatalf("winners %v, seen %v; want 1 winner seen by 7", winners, seen)
		}
		for _, id := range seen {
			if id != winners[0] {
				t.Fatalf("a waiter saw order %d, the winner made %d", id, winners[0])
			}
		}
	})
}

func testOutbox(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	mail := func(i int) domain.Mail {
		return domain.Mail{To: domain.Email(fmt.Sprintf("u%d@example.com", i)), Subject: fmt.Sprintf("s%d", i), Body: "body ✓"}
	}

	t.Run("claim leases due mail; sent mail never returns; retry waits; lease expiry re-offers", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i := range 3 {
			if err := s.Outbox.Add(ctx, mail(i), t0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Outbox.Claim(ctx, t0, time.Minute, 2)
		if err != nil || len(got) != 2 || got[0].Mail != mail(0) || got[1].Mail != mail(1) || got[0].Attempts != 1 {
			t.Fatalf("first claim = %+v, %v", got, err)
		}
		rest, _ := s.Outbox.Claim(ctx, t0, time.Minute, 10)
		if len(rest) != 1 || rest[0].Mail != mail(2) {
			t.Fatalf("second claim = %+v; leased mail was offered again", rest)
		}
		if err := s.Outbox.MarkSent(ctx, got[0].ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.Outbox.Retry(ctx, got[1].ID, t0.Add(10*time.Second), "451 try later"); err != nil {
			t.Fatal(err)
		}
		if none, _ := s.Outbox.Claim(ctx, t0.Add(5*time.Second), time.Minute, 10); len(none) != 0 {
			t.Fatalf("claim before retry time = %+v", none)
		}
		again, _ := s.Outbox.Claim(ctx, t0.Add(10*time.Second), time.Minute, 10)
		if len(again) != 1 || again[0].ID != got[1].ID || again[0].Attempts != 2 {
			t.Fatalf("claim at retry time = %+v", again)
		}
		// rest[0] was claimed and never marked: its dispatcher died. After the lease it is due.
		expired, _ := s.Outbox.Claim(ctx, t0.Add(2*time.Minute), time.Minute, 10)
		ids := map[int64]bool{}
		for _, m := range expired {
			ids[m.ID] = true
		}
		if !ids[rest[0].ID] || ids[got[0].ID] {
			t.Fatalf("after lease expiry = %+v; want the abandoned one, never the sent one", expired)
		}
		if err := s.Outbox.GiveUp(ctx, rest[0].ID, t0, "550 no such user"); err != nil {
			t.Fatal(err)
		}
		if late, _ := s.Outbox.Claim(ctx, t0.Add(time.Hour), time.Minute, 10); len(late) != 1 || late[0].ID != got[1].ID {
			t.Fatalf("claim much later = %+v; want only the retried one", late)
		}
	})

	t.Run("concurrent claims never share a message", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i := range 30 {
			if err := s.Outbox.Add(ctx, mail(i), t0); err != nil {
				t.Fatal(err)
			}
		}
		var (
			mu    sync.Mutex
			count = map[int64]int{}
			wg    sync.WaitGroup
		)
		for range 6 {
			wg.Go(func() {
				for {
					msgs, err := s.Outbox.Claim(ctx, t0, time.Minute, 4)
					if err != nil {
						t.Error(err)
						return
					}
					if len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						count[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(count) != 30 {
			t.Fatalf("%d distinct messages claimed, want 30", len(count))
		}
		for id, n := range count {
			if n != 1 {
				t.Fatalf("message %d claimed %d times", id, n)
			}
		}
	})
}
