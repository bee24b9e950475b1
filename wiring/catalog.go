package wiring

import (
	"context"

	"github.com/google/wire"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/adapters/memory"
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

var catalogMemory = wire.NewSet(catalogSet,
	memory.NewCatalogReader, wire.Bind(new(ports.CatalogReader), new(memory.CatalogReader)),
	memory.NewCategoryRepository, wire.Bind(new(ports.CategoryRepository), new(memory.CategoryRepository)),
	memory.NewProductRepository, wire.Bind(new(ports.ProductRepository), new(memory.ProductRepository)),
)

var catalogPostgres = wire.NewSet(catalogSet,
	postgres.NewCatalogReader, wire.Bind(new(ports.CatalogReader), new(postgres.CatalogReader)),
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
