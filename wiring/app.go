package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hexashop/hexashop/adapters/httpapi"
	"github.com/hexashop/hexashop/adapters/metrics"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// App is one assembled Hexashop: what the commands of cmd/hexashop need.
type App struct {
	Config       Config
	Log          *slog.Logger
	Handler      *httpapi.Handler
	Users        ports.Users
	Catalog      ports.Catalog
	Migrator     Migrator
	Dispatcher   *usecase.Dispatcher
	Housekeeping *usecase.Housekeeping
	Metrics      *metrics.Metrics
	pool         poolWatched //nolint:unused // set in wire_gen.go: makes wire call watchPool
}

// Build assembles the application for cfg: on PostgreSQL when DATABASE_URL is set, in
// memory otherwise. The returned func releases what it opened.
func Build(ctx context.Context, cfg Config, log *slog.Logger) (*App, func(), error) {
	if cfg.DemoMode() {
		return newMemoryApp(ctx, cfg, log)
	}
	return newPostgresApp(ctx, cfg, log)
}

// Serve migrates the schema (and seeds demo data in demo mode), then serves HTTP on ln
// and runs the outbox dispatcher until ctx is cancelled; then it drains in-flight
// requests and lets the dispatcher finish the mail in hand.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Migrator.Migrate(ctx); err != nil {
		return err
	}
	if a.Config.DemoMode() {
		if err := a.seedDemo(ctx); err != nil {
			return fmt.Errorf("demo seed: %w", err)
		}
	}
	bctx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	background.Go(func() { a.Dispatcher.Run(bctx) })
	background.Go(func() { a.Housekeeping.Run(bctx) })
	if a.Config.MetricsAddr != "" {
		mln, err := new(net.ListenConfig).Listen(ctx, "tcp", a.Config.MetricsAddr)
		if err != nil {
			stopBackground()
			background.Wait()
			return fmt.Errorf("METRICS_ADDR: listen on %s: %w", a.Config.MetricsAddr, err)
		}
		a.Log.Info("metrics and pprof listening (private)", slog.String("addr", mln.Addr().String()))
		background.Go(func() {
			if err := httpapi.Serve(bctx, mln, a.Metrics.Handler(), time.Second, a.Log); err != nil {
				a.Log.Error("metrics listener", slog.Any("error", err))
			}
		})
	}
	err := httpapi.Serve(ctx, ln, a.Handler, a.Config.ShutdownTimeout, a.Log)
	stopBackground()
	background.Wait()
	return err
}
