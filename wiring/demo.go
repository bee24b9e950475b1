package wiring

import (
	"context"
	"crypto/rand"
	"log/slog"
)

// DemoAdminEmail is the demo admin's login in demo mode.
const DemoAdminEmail = "admin@example.com"

// seedDemo creates the demo admin, with ADMIN_PASSWORD or a generated password that it
// prints in the log, so a newcomer can log in at once.
func (a *App) seedDemo(ctx context.Context) error {
	password := a.Config.AdminPassword
	if password == "" {
		password = rand.Text()[:20]
	}
	if _, _, err := a.Users.EnsureAdmin(ctx, "Demo Admin", DemoAdminEmail, password); err != nil {
		return err
	}
	attrs := []any{slog.String("username", DemoAdminEmail)}
	if a.Config.AdminPassword == "" {
		attrs = append(attrs, slog.String("password", password))
	} else {
		attrs = append(attrs, slog.String("password", "(from ADMIN_PASSWORD)"))
	}
	a.Log.Warn("DEMO MODE: in-memory store, data is lost on exit; demo admin account ready", attrs...)
	return nil
}
