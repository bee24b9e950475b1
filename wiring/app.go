package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/ports"
)

// App is one assembled Hexashop: what the commands of cmd/hexashop need.
type App struct {
	Config   Config
	Log      *slog.Logger
	Handler  http.Handler
	Users    ports.Users
	Migrator Migrator
}

// Build assembles the application for cfg: on PostgreSQL when DATABASE_URL is set, in
// memory otherwise. The returned func releases what it opened.
func Build(ctx context.Context, cfg Config, log *slog.Logger) (*App, func(), error) {
	if cfg.DemoMode() {
		return newMemoryApp(cfg, log)
	}
	return newPostgresApp(ctx, cfg, log)
}

// Serve migrates the schema (and seeds demo data in demo mode), then serves HTTP on ln
// until ctx is cancelled, then drains in-flight requests.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Migrator.Migrate(ctx); err != nil {
		return err
	}
	if a.Config.DemoMode() {
		if err := a.seedDemo(ctx); err != nil {
			return fmt.Errorf("demo seed: %w", err)
		}
	}
	return httpapi.Serve(ctx, ln, a.Handler, a.Config.ShutdownTimeout, a.Log)
}
