package contract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() {
	suite("OrderRepository", testOrders)
	suite("IdempotencyRepository", testIdempotency)
	pagedList("orders of a user", func() list {
		ctx := context.Background()
		var owner, other atomic.Int64
		return list{
			kind: domain.CursorOrders,
			seed: func(t *testing.T, s Store) ([]int64, []int64) {
				owner.Store(mustCreate(t, s, "owner@example.com").ID)
				other.Store(mustCreate(t, s, "other@example.com").ID)
				var ids []int64 // orders are never deleted: all are stable
				for n := range 30 {
					// Pairs of orders share a time: the id breaks the tie.
					at := t0.Add(time.Duration(n/2) * time.Minute)
					if _, err := s.Orders().Create(ctx, newOrder(other.Load(), at)); err != nil {
						t.Fatal(err)
					}
					o, err := s.Orders().Create(ctx, newOrder(owner.Load(), at))
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, o.ID)
				}
				return ids, nil
			},
			page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
				return keysOf(s.Orders().ListByUser(ctx, owner.Load(), p))
			},
			churn: func(s Store, i int, _ []int64) error {
				// New orders, newer and older than the walk's position.
				at := t0.Add(time.Duration(i%40-5) * time.Minute)
				_, err := s.Orders().Create(ctx, newOrder(owner.Load(), at))
				return err
			},
		}
	})
}

// Orders is the backend's order repository.
func (s Store) Orders() ports.OrderRepository { return port[ports.OrderRepository](s) }

// Idempotency is the backend's Idempotency-Key store.
func (s Store) Idempotency() ports.IdempotencyRepository { return port[ports.IdempotencyRepository](s) }

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
		o1, err := s.Orders().Create(ctx, newOrder(a.ID, t0, items...))
		if err != nil || o1.ID <= 0 {
			t.Fatalf("Create = %+v, %v", o1, err)
		}
		got, err := s.Orders().ByID(ctx, o1.ID)
		if err != nil || got.UserID != a.ID || got.Status != domain.OrderPlaced || got.ShippingAddress != "1 Main St" ||
			!got.CreatedAt.Equal(t0) || len(got.Items) != 1 || got.Items[0] != items[0] || got.Total() != 246 {
			t.Fatalf("ByID = %+v, %v", got, err)
		}
		o2, _ := s.Orders().Create(ctx, newOrder(a.ID, t0.Add(time.Hour), items...))
		o3, _ := s.Orders().Create(ctx, newOrder(a.ID, t0.Add(time.Hour), items...)) // same time: higher id first
		if _, err := s.Orders().Create(ctx, newOrder(b.ID, t0.Add(2*time.Hour), items...)); err != nil {
			t.Fatal(err)
		}
		page, err := s.Orders().ListByUser(ctx, a.ID, domain.PageRequest{Limit: 10})
		if err != nil || len(page.Items) != 3 || !page.Next.IsZero() ||
			page.Items[0].ID != o3.ID || page.Items[1].ID != o2.ID || page.Items[2].ID != o1.ID {
			t.Fatalf("ListByUser = ids %v, %v; want %d %d %d", orderIDs(page.Items), err, o3.ID, o2.ID, o1.ID)
		}
		if len(page.Items[0].Items) != 1 {
			t.Fatal("listed orders lack their items")
		}
		if _, err := s.Orders().ByID(ctx, 999999); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("missing order: %v", err)
		}
	})

	t.Run("orders outlive their products' deletion and price changes", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := mustCategory(t, s, "C")
		p := mustProduct(t, s, c, "Lamp", 5000, 10)
		u := mustCreate(t, s, "a@example.com")
		o, _ := s.Orders().Create(ctx, newOrder(u.ID, t0, domain.OrderItem{ProductID: p.ID, Name: p.Name, UnitPrice: p.Price, Quantity: 1}))
		if _, err := s.Products().Update(ctx, p.ID, domain.ProductFields{Name: "Lamp v2", Price: 9999, Stock: 1, CategoryID: c.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.Products().Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Users().Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.Orders().ByID(ctx, o.ID)
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

	t.Run("Sweep deletes keys older than its time", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "i@example.com")
		if _, _, err := s.Idempotency().Reserve(ctx, u.ID, "k", "f"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Idempotency().Sweep(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("sweep of older keys = %d, %v; the new key must stay", n, err)
		}
		if n, err := s.Idempotency().Sweep(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v; want 1", n, err)
		}
		if _, found, _ := s.Idempotency().Reserve(ctx, u.ID, "k", "f"); found {
			t.Fatal("a swept key is still found")
		}
	})

	t.Run("reserve, complete, find; per user; rolled back reservations vanish", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a, b := mustCreate(t, s, "a@example.com"), mustCreate(t, s, "b@example.com")
		o, _ := s.Orders().Create(ctx, newOrder(a.ID, t0))
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			if _, found, err := s.Idempotency().Reserve(ctx, a.ID, "k1", "fp"); err != nil || found {
				return fmt.Errorf("first reserve: found=%v err=%w", found, err)
			}
			return s.Idempotency().Complete(ctx, a.ID, "k1", o.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		rec, found, err := s.Idempotency().Reserve(ctx, a.ID, "k1", "other")
		if err != nil || !found || rec != (ports.IdempotencyRecord{Fingerprint: "fp", OrderID: o.ID}) {
			t.Fatalf("second reserve = %+v found=%v err=%v", rec, found, err)
		}
		boom := errors.New("boom")
		err = s.Tx.InTx(ctx, func(ctx context.Context) error {
			if _, found, err := s.Idempotency().Reserve(ctx, b.ID, "k1", "fp"); err != nil || found {
				return fmt.Errorf("another user's key was found: found=%v err=%w", found, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		err = s.Tx.InTx(ctx, func(ctx context.Context) error {
			_, found, err := s.Idempotency().Reserve(ctx, b.ID, "k1", "fp")
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
					rec, found, err := s.Idempotency().Reserve(ctx, u.ID, "same", "fp")
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
					o, err := s.Orders().Create(ctx, newOrder(u.ID, t0))
					if err != nil {
						return err
					}
					mu.Lock()
					winners = append(winners, o.ID)
					mu.Unlock()
					return s.Idempotency().Complete(ctx, u.ID, "same", o.ID)
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
