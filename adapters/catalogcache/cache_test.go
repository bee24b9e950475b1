package catalogcache_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/adapters/catalogcache"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// counting is a CatalogReader that counts its calls and answers from a map.
type counting struct {
	calls    int
	products map[int64]domain.Product
	during   func() // run inside a read, to race an invalidation with it
}

func (c *counting) Category(context.Context, int64) (domain.Category, error) {
	c.calls++
	return domain.Category{ID: 1, Name: "C"}, nil
}

func (c *counting) Categories(context.Context, domain.PageRequest) (domain.Page[domain.Category], error) {
	c.calls++
	return domain.Page[domain.Category]{Items: []domain.Category{{ID: 1, Name: "C"}}}, nil
}

func (c *counting) Product(_ context.Context, id int64) (domain.Product, error) {
	c.calls++
	if c.during != nil {
		c.during()
	}
	p, ok := c.products[id]
	if !ok {
		return p, domain.ErrNotFound
	}
	return p, nil
}

func (c *counting) Products(_ context.Context, f ports.ProductFilter, _ domain.PageRequest) (domain.Page[domain.Product], error) {
	c.calls++
	return domain.Page[domain.Product]{Items: []domain.Product{c.products[1]}}, nil
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var ctx = context.Background()

func TestHitsMissesTTLAndInvalidation(t *testing.T) {
	next := &counting{products: map[int64]domain.Product{1: {ID: 1, Name: "Pen", Price: 100}}}
	clk := &clock{t: time.Unix(1000, 0)}
	c := catalogcache.New(next, catalogcache.Limits{Entries: 10, Bytes: 1 << 20}, 5*time.Second, 0, clk.now)
	for range 3 {
		if p, err := c.Product(ctx, 1); err != nil || p.Name != "Pen" {
			t.Fatalf("Product = %+v, %v", p, err)
		}
	}
	if next.calls != 1 {
		t.Fatalf("3 reads made %d calls, want 1", next.calls)
	}
	next.products[1] = domain.Product{ID: 1, Name: "Pen", Price: 200}
	clk.t = clk.t.Add(5 * time.Second) // the TTL has passed
	if p, _ := c.Product(ctx, 1); p.Price != 200 || next.calls != 2 {
		t.Fatalf("after the TTL: price %d, %d calls; want the new price from a new call", p.Price, next.calls)
	}
	next.products[1] = domain.Product{ID: 1, Name: "Pen", Price: 300}
	c.Invalidate()
	if p, _ := c.Product(ctx, 1); p.Price != 300 {
		t.Fatalf("after Invalidate: price %d, want 300", p.Price)
	}
	// Errors are not kept: a product created later is found at once.
	if _, err := c.Product(ctx, 2); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown product: %v", err)
	}
	next.products[2] = domain.Product{ID: 2, Name: "Ink"}
	if p, err := c.Product(ctx, 2); err != nil || p.Name != "Ink" {
		t.Fatalf("a product that came after a miss: %+v, %v", p, err)
	}
	s := c.Stats()
	if s.Hits != 2 || s.Invalidations != 1 || s.Entries != 2 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestBoundedByEntries(t *testing.T) {
	next := &counting{products: map[int64]domain.Product{}}
	for id := int64(1); id <= 5; id++ {
		next.products[id] = domain.Product{ID: id}
	}
	c := catalogcache.New(next, catalogcache.Limits{Entries: 3, Bytes: 1 << 20}, time.Minute, 0, time.Now)
	for id := int64(1); id <= 5; id++ {
		if _, err := c.Product(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if s := c.Stats(); s.Entries != 3 || s.Evictions != 2 {
		t.Fatalf("stats after 5 products in 3 places = %+v", s)
	}
	calls := next.calls
	_, _ = c.Product(ctx, 5) // the newest stayed
	_, _ = c.Product(ctx, 1) // the oldest went
	if next.calls != calls+1 {
		t.Fatalf("%d calls for one kept and one evicted entry, want 1", next.calls-calls)
	}
}

func TestAReadRacingAnInvalidationIsNotKept(t *testing.T) {
	next := &counting{products: map[int64]domain.Product{1: {ID: 1, Price: 100}}}
	c := catalogcache.New(next, catalogcache.Limits{Entries: 10, Bytes: 1 << 20}, time.Minute, 0, time.Now)
	next.during = func() { c.Invalidate() } // the write commits while the read is on its way
	_, _ = c.Product(ctx, 1)
	next.during = nil
	next.products[1] = domain.Product{ID: 1, Price: 200}
	if p, _ := c.Product(ctx, 1); p.Price != 200 {
		t.Fatalf("price %d: the read that raced the invalidation was kept", p.Price)
	}
}

func TestNothingIsKeptWhileReplicasMayLag(t *testing.T) {
	next := &counting{products: map[int64]domain.Product{1: {ID: 1, Price: 100}}}
	clk := &clock{t: time.Unix(1000, 0)}
	c := catalogcache.New(next, catalogcache.Limits{Entries: 10, Bytes: 1 << 20}, time.Minute, time.Second, clk.now)
	c.Invalidate()
	_, _ = c.Product(ctx, 1) // a lagging replica's answer, read right after the notice
	next.products[1] = domain.Product{ID: 1, Price: 200}
	if p, _ := c.Product(ctx, 1); p.Price != 200 {
		t.Fatalf("price %d: an answer read within the settle time was kept", p.Price)
	}
	clk.t = clk.t.Add(time.Second)
	_, _ = c.Product(ctx, 1)
	calls := next.calls
	if _, _ = c.Product(ctx, 1); next.calls != calls {
		t.Fatal("after the settle time, answers are not kept")
	}
}

// TestMemoGoesWithTheEntry: a read asking for a memo (ports.WithMemo) gets the memo of the
// entry that answered, the same on every hit; after an invalidation or the TTL, a new
// entry with an empty memo; a miss that is not kept (read during an invalidation) binds
// none, and a failed read binds none.
func TestMemoGoesWithTheEntry(t *testing.T) {
	next := &counting{products: map[int64]domain.Product{1: {ID: 1, Name: "Pen", Price: 100}}}
	clk := &clock{t: time.Unix(1000, 0)}
	c := catalogcache.New(next, catalogcache.Limits{Entries: 10, Bytes: 1 << 20}, 5*time.Second, 0, clk.now)
	read := func(id int64) *ports.MemoRequest {
		t.Helper()
		ctx, memo := ports.WithMemo(ctx)
		_, _ = c.Product(ctx, id)
		return memo
	}
	first := read(1)
	if first.Bound == nil {
		t.Fatal("the filling read has no memo")
	}
	first.Bound.Store("encoded")
	if again := read(1); again.Bound != first.Bound || again.Bound.Load() != "encoded" {
		t.Fatalf("a hit's memo is %p holding %v, want the filling read's %p", again.Bound, again.Bound.Load(), first.Bound)
	}
	c.Invalidate()
	if after := read(1); after.Bound == nil || after.Bound == first.Bound || after.Bound.Load() != nil {
		t.Fatal("after an invalidation the memo is not a new, empty one")
	}
	clk.t = clk.t.Add(6 * time.Second)
	if expired := read(1); expired.Bound == nil || expired.Bound.Load() != nil {
		t.Fatal("after the TTL the memo is not a new, empty one")
	}
	next.during = c.Invalidate
	c.Invalidate()
	if raced := read(1); raced.Bound != nil {
		t.Fatal("a read that raced an invalidation (not kept) has a memo")
	}
	next.during = nil
	if missing := read(2); missing.Bound != nil {
		t.Fatal("a failed read has a memo")
	}
	// Without WithMemo nothing breaks.
	if _, err := c.Product(ctx, 1); err != nil {
		t.Fatal(err)
	}
}

// TestBoundedByBytes: big answers (products with long descriptions) are evicted by the
// byte bound long before the entry bound; the estimated size stays within it and goes
// back to 0 on invalidation; an answer bigger than the whole bound is not kept.
func TestBoundedByBytes(t *testing.T) {
	next := &counting{products: map[int64]domain.Product{}}
	long := strings.Repeat("x", 10_000)
	for id := int64(1); id <= 50; id++ {
		next.products[id] = domain.Product{ID: id, Description: long}
	}
	next.products[99] = domain.Product{ID: 99, Description: strings.Repeat("y", 200_000)}
	limit := 100_000
	c := catalogcache.New(next, catalogcache.Limits{Entries: 1000, Bytes: limit}, time.Minute, 0, time.Now)
	for id := int64(1); id <= 50; id++ {
		if _, err := c.Product(ctx, id); err != nil {
			t.Fatal(err)
		}
		if s := c.Stats(); s.Bytes > limit {
			t.Fatalf("after %d products: %d estimated bytes, over the bound %d", id, s.Bytes, limit)
		}
	}
	s := c.Stats()
	// Each entry costs a bit over 2 x 10,000 bytes: four fit in 100,000.
	if s.Entries != 4 || s.Evictions != 46 || s.Bytes < 80_000 {
		t.Fatalf("stats = %+v, want 4 entries of about 20 kB", s)
	}
	calls := next.calls
	if _, err := c.Product(ctx, 99); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Product(ctx, 99); err != nil || next.calls != calls+2 {
		t.Fatalf("an answer bigger than the bound was kept (%d calls, %v)", next.calls-calls, err)
	}
	if s := c.Stats(); s.Entries != 4 {
		t.Fatalf("keeping nothing evicted something: %+v", s)
	}
	c.Invalidate()
	if s := c.Stats(); s.Bytes != 0 || s.Entries != 0 {
		t.Fatalf("after Invalidate: %+v", s)
	}
}
