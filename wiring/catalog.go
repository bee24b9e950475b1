package wiring

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/wire"

	"github.com/hexashop/hexashop/adapters/catalogcache"
	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/adapters/metrics"
	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// The catalog feature: categories and products, and the demo catalog.

type catalogRoutes httpapi.Feature

func provideCatalogRoutes(c ports.Catalog) catalogRoutes {
	return catalogRoutes(httpapi.CatalogRoutes(c))
}

type catalogDemo demoSeed

func provideCatalogDemo(c ports.Catalog) catalogDemo { return catalogDemo(seedCatalog(c)) }

var catalogSet = wire.NewSet(
	usecase.NewCatalog, wire.Bind(new(ports.Catalog), new(*usecase.Catalog)),
	provideCatalogRoutes, provideCatalogDemo,
)

var catalogMemory = wire.NewSet(catalogSet, noCatalogListener,
	memory.NewCatalogReader, wire.Bind(new(ports.CatalogReader), new(memory.CatalogReader)),
	memory.NewCategoryRepository, wire.Bind(new(ports.CategoryRepository), new(memory.CategoryRepository)),
	memory.NewProductRepository, wire.Bind(new(ports.ProductRepository), new(memory.ProductRepository)),
)

var catalogPostgres = wire.NewSet(catalogSet,
	provideCachedCatalogReader, cachedCatalogReader, cachedCatalogListener,
	postgres.NewCategoryRepository, wire.Bind(new(ports.CategoryRepository), new(postgres.CategoryRepository)),
	postgres.NewProductRepository, wire.Bind(new(ports.ProductRepository), new(postgres.ProductRepository)),
)

// demoCatalog is the small catalog demo mode starts with: category, then products
// (name, description, price in cents, stock).
var demoCatalog = []struct {
	category string
	products []demoProduct
}{
	{"Books", []demoProduct{
		{"The Go Programming Language", "Donovan & Kernighan", 3999, 25},
		{"Hexagonal Architecture Explained", "Ports, adapters and tests", 2950, 10},
	}},
	{"Kitchen", []demoProduct{
		{"Espresso cup", "Stoneware, 80 ml", 850, 100},
		{"Pour-over kettle", "Gooseneck, 1 l", 4500, 5},
	}},
	{"Garden", []demoProduct{
		{"Tomato seeds", "Heirloom mix, 50 seeds", 325, 200},
	}},
}

type demoProduct struct {
	name, description string
	price, stock      int64
}

// seedCatalog creates the demo catalog.
func seedCatalog(catalog ports.Catalog) demoSeed {
	return func(ctx context.Context, admin domain.User) error {
		for _, c := range demoCatalog {
			cat, err := catalog.CreateCategory(ctx, admin, c.category)
			if err != nil {
				return err
			}
			for _, p := range c.products {
				_, err := catalog.CreateProduct(ctx, admin, ports.NewProductInput{
					Name: p.name, Description: p.description, PriceCents: &p.price, Stock: &p.stock, CategoryID: &cat.ID,
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// catalogListener is what keeps the catalog cache fresh while serve runs: it listens for
// the change notices of every process (nil when there is no cache).
type catalogListener serveTask

func noCatalogListener() catalogListener { return nil }

// provideCachedCatalogReader puts the in-process cache (CATALOG_CACHE_ENTRIES, 0: none)
// in front of the Postgres catalog reads, emptied right after every catalog write of this
// process commits, by the change notices of every other process (LISTEN/NOTIFY, on
// DATABASE_DIRECT_URL behind a pooler; the listener runs in serve only) and, as the
// safety net for a lost notice, by its TTL. Demo mode reads the memory store directly:
// one process, nothing to save.
func provideCachedCatalogReader(db *postgres.DB, cfg Config, m *metrics.Metrics, log *slog.Logger) cachedCatalog {
	reader := postgres.NewCatalogReader(db)
	if cfg.CatalogCacheEntries == 0 {
		return cachedCatalog{reader: reader}
	}
	// With read replicas, a change notice (sent by the primary) can come before a replica
	// has replayed the change: for a second after each, reads are not kept.
	settle := time.Duration(0)
	if cfg.DatabaseReadURL != "" {
		settle = time.Second
	}
	cache := catalogcache.New(reader, catalogcache.Limits{Entries: cfg.CatalogCacheEntries, Bytes: cfg.CatalogCacheMiB << 20},
		cfg.CatalogCacheTTL, settle, time.Now)
	m.WatchCatalogCache(func() metrics.CacheStats {
		s := cache.Stats()
		return metrics.CacheStats{Hits: s.Hits, Misses: s.Misses, Evictions: s.Evictions, Invalidations: s.Invalidations,
			Entries: s.Entries, Bytes: s.Bytes}
	})
	db.OnCatalogCommit(cache.Invalidate)
	return cachedCatalog{reader: cache, listen: func(ctx context.Context) { db.ListenCatalog(ctx, cache.Invalidate, log) }}
}

// cachedCatalog is the catalog reader on Postgres and what keeps its cache fresh.
type cachedCatalog struct {
	reader ports.CatalogReader
	listen catalogListener
}

func cachedCatalogReader(c cachedCatalog) ports.CatalogReader { return c.reader }
func cachedCatalogListener(c cachedCatalog) catalogListener   { return c.listen }
