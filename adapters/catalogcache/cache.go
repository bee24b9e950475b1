// Package catalogcache is a decorator of ports.CatalogReader: it answers the public
// catalog reads from process memory and asks the reader it wraps on a miss. No use case
// and no handler knows it is there: wiring puts it between the catalog use case and the
// Postgres reader.
//
// It is bounded (least recently used entries go first) and every entry expires after a
// TTL, the safety net for a change notice that never came. Invalidate drops everything: a
// catalog write, on any process, calls it through Postgres LISTEN/NOTIFY (wiring).
// Only successful reads are kept. Cached values are shared: callers must not modify them.
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
	max    int
	ttl    time.Duration
	settle time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element
	lru     *list.List // front: most recently used
	gen     uint64     // bumped by Invalidate; a read started before it is not kept
	quiet   time.Time  // until then nothing is kept: replicas may not have the change yet
	stats   Stats
}

var _ ports.CatalogReader = (*Reader)(nil)

type entry struct {
	key     string
	value   any
	expires time.Time
}

// Stats are the cache's counts since it started, and its size now.
type Stats struct {
	Hits, Misses, Evictions, Invalidations int64
	Entries                                int
}

// New caches next's answers: at most max entries, each for at most ttl. For settle after
// each invalidation nothing read is kept: when next reads from replicas, the notice of a
// write (sent by the primary at commit) can come before a replica has replayed it, and
// what a lagging replica says must not be kept for a whole TTL. 0 when next reads the
// primary.
func New(next ports.CatalogReader, max int, ttl, settle time.Duration, now func() time.Time) *Reader {
	return &Reader{next: next, max: max, ttl: ttl, settle: settle, now: now, entries: map[string]*list.Element{}, lru: list.New()}
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
}

// Stats reports the counts and the size.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Entries = r.lru.Len()
	return s
}

// get returns the live entry for key, and the generation a miss should be stored under.
func (r *Reader) get(key string) (any, bool, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.entries[key]; ok {
		e := el.Value.(*entry)
		if r.now().Before(e.expires) {
			r.lru.MoveToFront(el)
			r.stats.Hits++
			return e.value, true, r.gen
		}
		r.lru.Remove(el)
		delete(r.entries, key)
	}
	r.stats.Misses++
	return nil, false, r.gen
}

// put keeps value under key unless the catalog changed since the read began (gen).
func (r *Reader) put(key string, value any, gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen || r.now().Before(r.quiet) {
		return // an invalidation came while we read, or the replicas may still lag it
	}
	if el, ok := r.entries[key]; ok {
		r.lru.Remove(el)
	}
	r.entries[key] = r.lru.PushFront(&entry{key: key, value: value, expires: r.now().Add(r.ttl)})
	for r.lru.Len() > r.max {
		oldest := r.lru.Back()
		r.lru.Remove(oldest)
		delete(r.entries, oldest.Value.(*entry).key)
		r.stats.Evictions++
	}
}

// cached answers key from the cache or from read, keeping a successful answer.
func cached[T any](r *Reader, key string, read func() (T, error)) (T, error) {
	hit, ok, gen := r.get(key) // gen is taken before the read: a later invalidation wins
	if ok {
		return hit.(T), nil
	}
	v, err := read()
	if err == nil {
		r.put(key, v, gen)
	}
	return v, err
}

// Category implements ports.CatalogReader.
func (r *Reader) Category(ctx context.Context, id int64) (domain.Category, error) {
	return cached(r, fmt.Sprintf("c/%d", id), func() (domain.Category, error) { return r.next.Category(ctx, id) })
}

// Categories implements ports.CatalogReader.
func (r *Reader) Categories(ctx context.Context, p domain.PageRequest) (domain.Page[domain.Category], error) {
	return cached(r, fmt.Sprintf("cs/%d/%s", p.Limit, p.After), func() (domain.Page[domain.Category], error) {
		return r.next.Categories(ctx, p)
	})
}

// Product implements ports.CatalogReader.
func (r *Reader) Product(ctx context.Context, id int64) (domain.Product, error) {
	return cached(r, fmt.Sprintf("p/%d", id), func() (domain.Product, error) { return r.next.Product(ctx, id) })
}

// Products implements ports.CatalogReader.
func (r *Reader) Products(ctx context.Context, f ports.ProductFilter, p domain.PageRequest) (domain.Page[domain.Product], error) {
	return cached(r, fmt.Sprintf("ps/%d/%d/%s", f.CategoryID, p.Limit, p.After), func() (domain.Page[domain.Product], error) {
		return r.next.Products(ctx, f, p)
	})
}
