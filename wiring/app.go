package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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
	Migrator     Migrator
	Ready        ports.Readiness
	Dispatcher   *usecase.Dispatcher
	Housekeeping *usecase.Housekeeping
	Metrics      *metrics.Metrics
	pool         poolWatched //nolint:unused // set in wire_gen.go: makes wire call watchPool
	demo         demoSeeds
	tasks        serveTasks
}

// Build assembles the application for cfg: on PostgreSQL when DATABASE_URL is set, in
// memory otherwise. The returned func releases what it opened.
func Build(ctx context.Context, cfg Config, log *slog.Logger) (*App, func(), error) {
	if cfg.DemoMode() {
		return newMemoryApp(ctx, cfg, log)
	}
	return newPostgresApp(ctx, cfg, log)
}

// Serve migrates the schema (or, with MIGRATE_ON_START=false, checks that a migration
// job did), seeds demo data in demo mode, then serves HTTP on ln, and runs the outbox
// dispatcher (unless SERVE_DISPATCH=false) and housekeeping, until ctx is cancelled; then
// it drains in-flight requests and lets the dispatcher finish the mail in hand.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if a.Config.MigrateOnStart {
		if err := a.Migrator.Migrate(ctx); err != nil {
			return err
		}
	} else if err := a.Migrator.CheckSchema(ctx); err != nil {
		return err
	}
	if a.Config.DemoMode() {
		if err := a.seedDemo(ctx); err != nil {
			return fmt.Errorf("demo seed: %w", err)
		}
	}
	bctx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	if a.Config.ServeDispatch {
		background.Go(func() { a.Dispatcher.Run(bctx) })
	} else {
		a.Log.Info("outbox dispatcher off in serve (SERVE_DISPATCH=false): run hexashop dispatch")
	}
	background.Go(func() { a.Housekeeping.Run(bctx) })
	for _, task := range a.tasks {
		if task != nil {
			background.Go(func() { task(bctx) })
		}
	}
	if err := a.servePrivate(bctx, &background); err != nil {
		stopBackground()
		background.Wait()
		return err
	}
	err := httpapi.Serve(ctx, ln, a.Handler, a.Config.ShutdownTimeout, a.Log)
	stopBackground()
	background.Wait()
	return err
}

// Dispatch runs only the outbox dispatcher (and the private listener, when METRICS_ADDR
// is set, with /healthz and /readyz for the probes of a dispatcher deployment) until ctx
// is cancelled.
func (a *App) Dispatch(ctx context.Context) error {
	if err := a.Migrator.CheckSchema(ctx); err != nil {
		return err
	}
	bctx, stop := context.WithCancel(ctx)
	defer stop()
	var background sync.WaitGroup
	if err := a.servePrivate(bctx, &background); err != nil {
		return err
	}
	a.Dispatcher.Run(ctx)
	stop()
	background.Wait()
	return nil
}

// servePrivate starts the private listener of METRICS_ADDR, if set: /metrics,
// /debug/pprof/, and the probes /healthz and /readyz. It stops with ctx.
func (a *App) servePrivate(ctx context.Context, background *sync.WaitGroup) error {
	if a.Config.MetricsAddr == "" {
		return nil
	}
	mln, err := new(net.ListenConfig).Listen(ctx, "tcp", a.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("METRICS_ADDR: listen on %s: %w", a.Config.MetricsAddr, err)
	}
	a.Log.Info("metrics and pprof listening (private)", slog.String("addr", mln.Addr().String()))
	mux := http.NewServeMux()
	mux.Handle("/", a.Metrics.Handler())
	health := httpapi.Health(a.Ready, readyTimeout)
	mux.Handle("GET /healthz", health)
	mux.Handle("GET /readyz", health)
	background.Go(func() {
		if err := httpapi.Serve(ctx, mln, mux, time.Second, a.Log); err != nil {
			a.Log.Error("metrics listener", slog.Any("error", err))
		}
	})
	return nil
}
