package wiring

import (
	"context"
	"crypto/rand"
	"log/slog"

	"github.com/hexashop/hexashop/ports"
)

// DemoAdminEmail is the demo admin's login in demo mode.
const DemoAdminEmail = "admin@example.com"

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

// seedDemo creates the demo admin, with ADMIN_PASSWORD or a generated password that it
// prints in the log, and the demo catalog, so a newcomer can try the whole flow at once.
func (a *App) seedDemo(ctx context.Context) error {
	password := a.Config.AdminPassword
	if password == "" {
		password = rand.Text()[:20]
	}
	admin, _, err := a.Users.EnsureAdmin(ctx, "Demo Admin", DemoAdminEmail, password)
	if err != nil {
		return err
	}
	for _, c := range demoCatalog {
		cat, err := a.Catalog.CreateCategory(ctx, admin, c.category)
		if err != nil {
			return err
		}
		for _, p := range c.products {
			_, err := a.Catalog.CreateProduct(ctx, admin, ports.NewProductInput{
				Name: p.name, Description: p.description, PriceCents: &p.price, Stock: &p.stock, CategoryID: &cat.ID,
			})
			if err != nil {
				return err
			}
		}
	}
	shown := password
	if a.Config.AdminPassword != "" {
		shown = "(from ADMIN_PASSWORD)"
	}
	a.Log.Warn("DEMO MODE: in-memory store, data is lost on exit; demo catalog and admin account ready",
		slog.String("username", DemoAdminEmail), slog.String("password", shown))
	return nil
}
