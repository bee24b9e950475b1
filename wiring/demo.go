package wiring

import (
	"context"
	"crypto/rand"
	"log/slog"

	"github.com/hexashop/hexashop/core/domain"
)

// DemoAdminEmail is the demo admin's login in demo mode.
const DemoAdminEmail = "admin@example.com"

// A demoSeed adds a feature's demo data, as the demo admin.
type demoSeed func(ctx context.Context, admin domain.User) error

// demoSeeds are every feature's demo data (features.go).
type demoSeeds []demoSeed

// seedDemo creates the demo admin, with ADMIN_PASSWORD or a generated password that it
// prints in the log, and the features' demo data (the catalog), so a newcomer can try the whole flow at once.
func (a *App) seedDemo(ctx context.Context) error {
	password := a.Config.AdminPassword
	if password == "" {
		password = rand.Text()[:20]
	}
	admin, _, err := a.Users.EnsureAdmin(ctx, "Demo Admin", DemoAdminEmail, password)
	if err != nil {
		return err
	}
	for _, seed := range a.demo {
		if err := seed(ctx, admin); err != nil {
			return err
		}
	}
	shown := password
	if a.Config.AdminPassword != "" {
		shown = "(from ADMIN_PASSWORD)"
	}
	a.Log.Warn("DEMO MODE: in-memory store, data is lost on exit; demo data and admin account ready",
		slog.String("username", DemoAdminEmail), slog.String("password", shown))
	return nil
}
