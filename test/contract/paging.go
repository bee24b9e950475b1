package contract

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// list is one paged list of a store, seen as the keys of its items.
type list struct {
	kind domain.CursorKind
	// seed creates the list's items; stable ones stay for the whole walk, volatile ones
	// may be deleted by churn.
	seed func(t *testing.T, s Store) (stable, volatile []int64)
	// page lists one page, as item keys.
	page func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error)
	// churn makes change number i while a walk runs: insert an item, or delete volatile.
	churn func(s Store, i int, volatile []int64) error
}

func keysOf[T interface{ Cursor() domain.Cursor }](p domain.Page[T], err error) ([]domain.Cursor, domain.Cursor, error) {
	keys := make([]domain.Cursor, len(p.Items))
	for i, it := range p.Items {
		keys[i] = it.Cursor()
	}
	return keys, p.Next, err
}

// lists are every paged list of the ports, with ways to seed and change them.
func lists() map[string]list {
	ctx := context.Background()
	var seq atomic.Int64 // unique names across churn
	name := func(prefix string) string { return fmt.Sprintf("%s-%d", prefix, seq.Add(1)) }
	// split makes n items with mk and calls every third one volatile.
	split := func(t *testing.T, n int, mk func() int64) (stable, volatile []int64) {
		for i := range n {
			id := mk()
			if i%3 == 1 {
				volatile = append(volatile, id)
			} else {
				stable = append(stable, id)
			}
		}
		return stable, volatile
	}
	productsIn := func(filtered bool) list {
		var in atomic.Int64 // the category walked (when filtered) and grown
		return list{
			kind: domain.CursorProducts,
			seed: func(t *testing.T, s Store) ([]int64, []int64) {
				cat, other := mustCategory(t, s, "In"), mustCategory(t, s, "Out")
				in.Store(cat.ID)
				return split(t, 30, func() int64 {
					mustProduct(t, s, other, name("other"), 100, 1) // interleaved; filtered out or not
					return mustProduct(t, s, cat, name("p"), 100, 1).ID
				})
			},
			page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
				var f ports.ProductFilter
				if filtered {
					f.CategoryID = in.Load()
				}
				return keysOf(s.Products.List(ctx, f, p))
			},
			churn: func(s Store, i int, volatile []int64) error {
				if i%2 == 0 && i/2 < len(volatile) {
					return s.Products.Delete(ctx, volatile[i/2])
				}
				_, err := s.Products.Create(ctx, domain.ProductFields{Name: name("new"), Price: 1, Stock: 1, CategoryID: in.Load()}, t0)
				return err
			},
		}
	}
	return map[string]list{
		"users": {
			kind: domain.CursorUsers,
			seed: func(t *testing.T, s Store) ([]int64, []int64) {
				return split(t, 30, func() int64 { return mustCreate(t, s, name("u")+"@example.com").ID })
			},
			page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
				return keysOf(s.Users.List(ctx, p))
			},
			churn: func(s Store, i int, volatile []int64) error {
				if i%2 == 0 && i/2 < len(volatile) {
					return s.Users.Delete(ctx, volatile[i/2])
				}
				_, err := s.Users.Create(ctx, newUser(name("new")+"@example.com"))
				return err
			},
		},
		"categories": {
			kind: domain.CursorCategories,
			seed: func(t *testing.T, s Store) ([]int64, []int64) {
				return split(t, 30, func() int64 { return mustCategory(t, s, name("c")).ID })
			},
			page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
				return keysOf(s.Categories.List(ctx, p))
			},
			churn: func(s Store, i int, volatile []int64) error {
				if i%2 == 0 && i/2 < len(volatile) {
					return s.Categories.Delete(ctx, volatile[i/2])
				}
				_, err := s.Categories.Create(ctx, name("new"))
				return err
			},
		},
		"sessions of a user": func() list {
			var owner atomic.Int64
			create := func(s Store, userID int64) (int64, error) {
				ss, err := s.Sessions.Create(ctx, newSession(userID, t0), domain.RefreshToken(name("tok")).Hash())
				return ss.ID, err
			}
			return list{
				kind: domain.CursorSessions,
				seed: func(t *testing.T, s Store) ([]int64, []int64) {
					owner.Store(mustCreate(t, s, "sessions-owner@example.com").ID)
					other := mustCreate(t, s, "sessions-other@example.com").ID
					return split(t, 30, func() int64 {
						if _, err := create(s, other); err != nil { // interleaved, never listed
							t.Fatal(err)
						}
						id, err := create(s, owner.Load())
						if err != nil {
							t.Fatal(err)
						}
						return id
					})
				},
				page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
					return keysOf(s.Sessions.ListByUser(ctx, owner.Load(), t0.Add(time.Minute), p))
				},
				churn: func(s Store, i int, volatile []int64) error {
					if i%2 == 0 && i/2 < len(volatile) {
						return s.Sessions.End(ctx, owner.Load(), volatile[i/2])
					}
					_, err := create(s, owner.Load())
					return err
				},
			}
		}(),
		"products":               productsIn(false),
		"products of a category": productsIn(true),
		"orders of a user": func() list {
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
						if _, err := s.Orders.Create(ctx, newOrder(other.Load(), at)); err != nil {
							t.Fatal(err)
						}
						o, err := s.Orders.Create(ctx, newOrder(owner.Load(), at))
						if err != nil {
							t.Fatal(err)
						}
						ids = append(ids, o.ID)
					}
					return ids, nil
				},
				page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
					return keysOf(s.Orders.ListByUser(ctx, owner.Load(), p))
				},
				churn: func(s Store, i int, _ []int64) error {
					// New orders, newer and older than the walk's position.
					at := t0.Add(time.Duration(i%40-5) * time.Minute)
					_, err := s.Orders.Create(ctx, newOrder(owner.Load(), at))
					return err
				},
			}
		}(),
	}
}

// walk pages through the list with a small limit, passing each next cursor through its
// string form as a client would, and returns every key seen.
func walk(t *testing.T, s Store, l list, limit int) []domain.Cursor {
	t.Helper()
	var seen []domain.Cursor
	after := domain.Cursor{}
	for range 1000 {
		keys, next, err := l.page(s, domain.PageRequest{Limit: limit, After: after})
		if err != nil {
			t.Fatalf("page after %v: %v", after, err)
		}
		if len(keys) > limit {
			t.Fatalf("page of %d items for limit %d", len(keys), limit)
		}
		seen = append(seen, keys...)
		if next.IsZero() {
			return seen
		}
		if len(keys) == 0 || next != keys[len(keys)-1] {
			t.Fatalf("next cursor %v is not the last item of its page %v", next, keys)
		}
		if after, err = domain.ParseCursor(next.String(), l.kind); err != nil {
			t.Fatalf("the list's own cursor %q is refused: %v", next.String(), err)
		}
	}
	t.Fatal("the walk does not end")
	return nil
}

func testPaging(t *testing.T, newStore NewStore) {
	for name, l := range lists() {
		t.Run(name+": a walk under concurrent inserts and deletes sees every lasting item once, in order", func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			stable, volatile := l.seed(t, s)
			stop := make(chan struct{})
			var churned sync.WaitGroup
			churned.Go(func() { // a bounded number of changes, spread over the walk
				for i := range 60 {
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
					if err := l.churn(s, i, volatile); err != nil {
						t.Errorf("churn %d: %v", i, err)
						return
					}
				}
			})
			seen := walk(t, s, l, 3)
			close(stop)
			churned.Wait()

			count := map[int64]int{}
			for i, k := range seen {
				count[k.ID()]++
				if i > 0 && !k.Follows(seen[i-1]) {
					t.Errorf("item %v comes after %v: out of order", k, seen[i-1])
				}
			}
			for id, n := range count {
				if n > 1 {
					t.Errorf("item %d seen %d times", id, n)
				}
			}
			for _, id := range stable {
				if count[id] != 1 {
					t.Errorf("item %d, present during the whole walk, seen %d times", id, count[id])
				}
			}
		})
	}

	t.Run("cursors of another list or altered are refused", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for range 3 {
			mustCategory(t, s, fmt.Sprintf("c%d", time.Now().UnixNano()))
		}
		p, err := s.Categories.List(context.Background(), domain.PageRequest{Limit: 1})
		if err != nil || p.Next.IsZero() {
			t.Fatalf("first page: %+v %v", p, err)
		}
		good := p.Next.String()
		if c, err := domain.ParseCursor(good, domain.CursorCategories); err != nil || c != p.Next {
			t.Fatalf("round trip: %v %v", c, err)
		}
		bad := []string{good[:len(good)-1], good + "A", "x" + good[1:], "not a cursor", "%%%", good + "="}
		for i := range good { // every single-character change
			for _, r := range []byte{'A', 'z', '0', '-', '_'} {
				if good[i] != r {
					bad = append(bad, good[:i]+string(r)+good[i+1:])
				}
			}
		}
		for _, b := range bad {
			if _, err := domain.ParseCursor(b, domain.CursorCategories); err == nil {
				t.Errorf("altered cursor %q accepted", b)
			}
		}
		for _, kind := range []domain.CursorKind{domain.CursorUsers, domain.CursorProducts, domain.CursorOrders} {
			if _, err := domain.ParseCursor(good, kind); err == nil {
				t.Errorf("a categories cursor accepted for list %q", kind)
			}
		}
		if s := (domain.Cursor{}).String(); s != "" {
			t.Errorf("the zero cursor has the string form %q", s)
		}
	})
}
