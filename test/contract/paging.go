package contract

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
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

var pagedLists = map[string]func() list{}

// pagedList registers a paged list of a port for the paging suite; call it from an init
// func in the port's file. make is called once per backend.
func pagedList(name string, make func() list) {
	if _, dup := pagedLists[name]; dup {
		panic(fmt.Sprintf("contract: paged list %q registered twice", name))
	}
	pagedLists[name] = make
}

var listSeq atomic.Int64 // unique names across churn

// uniqueName is prefix with a number no other call returned.
func uniqueName(prefix string) string { return fmt.Sprintf("%s-%d", prefix, listSeq.Add(1)) }

// split makes n items with mk and calls every third one volatile.
func split(n int, mk func() int64) (stable, volatile []int64) {
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

func init() { suite("Paging", testPaging) }

// pagedKinds are the cursor kinds of the registered lists.
func pagedKinds() map[domain.CursorKind]bool {
	kinds := map[domain.CursorKind]bool{}
	for _, mk := range pagedLists {
		kinds[mk().kind] = true
	}
	return kinds
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
	for name, mk := range pagedLists {
		l := mk()
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
			mustCreate(t, s, uniqueName("cursor")+"@example.com")
		}
		p, err := s.Users().List(context.Background(), domain.PageRequest{Limit: 1})
		if err != nil || p.Next.IsZero() {
			t.Fatalf("first page: %+v %v", p, err)
		}
		good := p.Next.String()
		if c, err := domain.ParseCursor(good, domain.CursorUsers); err != nil || c != p.Next {
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
			if _, err := domain.ParseCursor(b, domain.CursorUsers); err == nil {
				t.Errorf("altered cursor %q accepted", b)
			}
		}
		for kind := range pagedKinds() {
			if _, err := domain.ParseCursor(good, kind); err == nil && kind != domain.CursorUsers {
				t.Errorf("a users cursor accepted for list %q", kind)
			}
		}
		if s := (domain.Cursor{}).String(); s != "" {
			t.Errorf("the zero cursor has the string form %q", s)
		}
	})
}
