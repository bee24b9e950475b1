// Package catalogcache is a decorator of ports.CatalogReader: it answers the public
// catalog reads from process memory and asks the reader it wraps on a miss. No use case
// and no handler knows it is there: wiring puts it between the catalog use case and the
// Postgres reader.
//
// It is bounded in entries and in estimated bytes (least recently used entries go first)
// and every entry expires after a TTL, the safety net for a change notice that never came. Invalidate drops everything: a
// catalog write, on any process, calls it through Postgres LISTEN/NOTIFY (wiring).
// Only successful reads are kept. Cached values are shared: callers must not modify them.
// Each entry has a ports.Memo, where the caller may keep what it derived from the value
// (the HTTP adapter keeps the encoded answer and its ETag): it goes with the entry.
package catalogcache

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Reader caches another CatalogReader's answers.
type Reader struct {
	next   ports.CatalogReader
	limits Limits
	ttl    time.Duration
	settle time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element
	lru     *list.List // front: most recently used
	bytes   int        // the estimated size of the entries
	gen     uint64     // bumped by Invalidate; a read started before it is not kept
	quiet   time.Time  // until then nothing is kept: replicas may not have the change yet
	stats   Stats
}

var _ ports.CatalogReader = (*Reader)(nil)

type entry struct {
	key     string
	value   any
	expires time.Time
	memo    ports.Memo // what the caller derived from value (its encoded answer)
	cost    int        // estimated bytes (costOf)
}

// Limits bound a cache: at most Entries entries of at most Bytes estimated bytes in all
// (costOf); the least recently used go first when either is passed.
type Limits struct{ Entries, Bytes int }

// costOf estimates the memory an entry holds: its key, the value, the encoded answer the
// caller may keep in its memo (about as big again as the value: JSON repeats the field
// names but not Go's headers), and the bookkeeping of the entry itself (its key, map and
// list cells, memo and representation headers). Calibrated on make bench-catalog's RSS
// (docs/performance.md): the process's RSS grows by about twice the estimate, the
// live heap plus the GC's headroom (GOGC=100).
func costOf(key string, v any) int {
	const entry = 600
	return entry + len(key) + 2*valueBytes(v)
}

func valueBytes(v any) int {
	switch v := v.(type) {
	case domain.Product:
		return productBytes(v)
	case domain.Category:
		return categoryBytes(v)
	case domain.Page[domain.Product]:
		n := 64 + len(v.Next.String())
		for _, p := range v.Items {
			n += productBytes(p)
		}
		return n
	case domain.Page[domain.Category]:
		n := 64 + len(v.Next.String())
		for _, c := range v.Items {
			n += categoryBytes(c)
		}
		return n
	}
	return 4096 // a value this file does not know: count it as big
}

func productBytes(p domain.Product) int {
	return 200 + len(p.Name) + len(p.Description) + categoryBytes(p.Category)
}

func categoryBytes(c domain.Category) int { return 48 + len(c.Name) }

// Stats are the cache's counts since it started, and its size now.
type Stats struct {
	Hits, Misses, Evictions, Invalidations int64
	Entries, Bytes                         int // Bytes: estimated (costOf)
}

// New caches next's answers within limits, each for at most ttl. For settle after
// each invalidation nothing read is kept: when next reads from replicas, the notice of a
// write (sent by the primary at commit) can come before a replica has replayed it, and
// what a lagging replica says must not be kept for a whole TTL. 0 when next reads the
// primary.
func New(next ports.CatalogReader, limits Limits, ttl, settle time.Duration, now func() time.Time) *Reader {
	return &Reader{next: next, limits: limits, ttl: ttl, settle: settle, now: now, entries: map[string]*list.Element{}, lru: list.New()}
}

// Invalidate forgets every entry (the catalog changed somewhere).
func (r *Reader) Invalidate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	r.quiet = r.now().Add(r.settle)
	r.stats.Invalidations++
	clear(r.entries)
	r.lru.Init()
	r.bytes = 0
}

// Stats reports the counts and the size.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Entries, s.Bytes = r.lru.Len(), r.bytes
	return s
}

// get returns the live entry for key (nil on a miss), and the generation a miss should
// be stored under.
func (r *Reader) get(key string) (*entry, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.entries[key]; ok {
		e := el.Value.(*entry)
		if r.now().Before(e.expires) {
			r.lru.MoveToFront(el)
			r.stats.Hits++
			return e, r.gen
		}
		r.remove(el)
	}
	r.stats.Misses++
	return nil, r.gen
}

// put keeps value under key unless the catalog changed since the read began (gen), and
// returns the new entry (nil when not kept).
func (r *Reader) put(key string, value any, gen uint64) *entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen || r.now().Before(r.quiet) {
		return nil // an invalidation came while we read, or the replicas may still lag it
	}
	if el, ok := r.entries[key]; ok {
		r.remove(el)
	}
	e := &entry{key: key, value: value, expires: r.now().Add(r.ttl), cost: costOf(key, value)}
	if e.cost > r.limits.Bytes {
		return nil // bigger than the whole cache: not kept
	}
	r.entries[key] = r.lru.PushFront(e)
	r.bytes += e.cost
	for r.lru.Len() > r.limits.Entries || r.bytes > r.limits.Bytes {
		r.remove(r.lru.Back())
		r.stats.Evictions++
	}
	return e
}

// remove drops an entry (the caller holds mu).
func (r *Reader) remove(el *list.Element) {
	e := el.Value.(*entry)
	r.lru.Remove(el)
	delete(r.entries, e.key)
	r.bytes -= e.cost
}

// cached answers key from the cache or from read, keeping a successful answer, and binds
// the answering entry's memo to ctx's MemoRequest (ports.WithMemo).
func cached[T any](ctx context.Context, r *Reader, key string, read func() (T, error)) (T, error) {
	hit, gen := r.get(key) // gen is taken before the read: a later invalidation wins
	if hit != nil {
		ports.BindMemo(ctx, &hit.memo)
		return hit.value.(T), nil
	}
	v, err := read()
	if err == nil {
		if e := r.put(key, v, gen); e != nil {
			ports.BindMemo(ctx, &e.memo)
		}
	}
	return v, err
}

// Category implements ports.CatalogReader.
func (r *Reader) Category(ctx context.Context, id int64) (domain.Category, error) {
	return cached(ctx, r, fmt.Sprintf("c/%d", id), func() (domain.Category, error) { return r.next.Category(ctx, id) })
}

// Categories implements ports.CatalogReader.
func (r *Reader) Categories(ctx context.Context, p domain.PageRequest) (domain.Page[domain.Category], error) {
	return cached(ctx, r, fmt.Sprintf("cs/%d/%s", p.Limit, p.After), func() (domain.Page[domain.Category], error) {
		return r.next.Categories(ctx, p)
	})
}

// Product implements ports.CatalogReader.
func (r *Reader) Product(ctx context.Context, id int64) (domain.Product, error) {
	return cached(ctx, r, fmt.Sprintf("p/%d", id), func() (domain.Product, error) { return r.next.Product(ctx, id) })
}

// Products implements ports.CatalogReader.
func (r *Reader) Products(ctx context.Context, f ports.ProductFilter, p domain.PageRequest) (domain.Page[domain.Product], error) {
	return cached(ctx, r, fmt.Sprintf("ps/%d/%d/%s", f.CategoryID, p.Limit, p.After), func() (domain.Page[domain.Product], error) {
		return r.next.Products(ctx, f, p)
	})
}
