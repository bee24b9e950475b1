// Command hexashop is the Hexashop service binary:
//
//	hexashop serve                             migrate, then serve HTTP until SIGINT/SIGTERM
//	hexashop migrate                           apply pending migrations and exit
//	hexashop dispatch                          deliver outbox mail until SIGINT/SIGTERM
//	hexashop admin create --email E --name N   create or promote an admin (password on stdin
//	                                           or in ADMIN_PASSWORD, never in argv)
//	hexashop healthcheck                       exit 0 if the server on HTTP_ADDR is ready (for
//	                                           container health checks: a scratch image has no curl)
//	hexashop keys generate|list|prune|public --file F
//	                                           write and inspect the signing key set file
//
// Configuration comes from environment variables; see the README.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hexashop/hexashop/wiring"
)

const usage = `usage:
  hexashop serve
  hexashop migrate
  hexashop dispatch
  hexashop admin create --email EMAIL --name NAME   (password from stdin or ADMIN_PASSWORD)
  hexashop healthcheck
  hexashop keys generate --file F [--alg ES256|RS256] [--sign-in 1h | --sign-from RFC3339]
  hexashop keys list|prune|public --file F
`

func main() {
	if err := run(os.Args[1:], os.Stdin); err != nil {
		// Before the configuration is read there is no configured logger yet.
		slog.New(slog.NewTextHandler(os.Stderr, nil)).Error("hexashop failed", slog.Any("error", err))
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	if args[0] == "healthcheck" && len(args) == 1 {
		// Before the configuration: it needs only HTTP_ADDR, and must not open the database.
		return healthcheck(context.Background(), os.Getenv("HTTP_ADDR"))
	}
	load := wiring.LoadToolConfig // migrate, dispatch, admin create: no tokens issued
	if args[0] == "serve" {
		load = wiring.LoadConfig
	}
	cfg, err := load(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if args[0] == "keys" { // the key set file: no database, no server
		return wiring.Keys(cfg, args[1:], os.Stdout)
	}
	log := wiring.NewLogger(cfg, os.Stderr)
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	app, cleanup, err := wiring.Build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer cleanup()

	switch {
	case args[0] == "serve" && len(args) == 1:
		ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("HTTP_ADDR: listen on %s: %w", cfg.HTTPAddr, err)
		}
		return app.Serve(ctx, ln)
	case args[0] == "migrate" && len(args) == 1:
		if err := app.Migrator.Migrate(ctx); err != nil {
			return err
		}
		log.Info("migrations applied")
		return nil
	case args[0] == "dispatch" && len(args) == 1:
		if cfg.DemoMode() {
			return errors.New("dispatch: needs DATABASE_URL (in demo mode the outbox lives inside `hexashop serve`)")
		}
		return app.Dispatch(ctx)
	case args[0] == "admin" && len(args) > 1 && args[1] == "create":
		return adminCreate(ctx, app, args[2:], stdin, log)
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", strings.Join(args, " "))
}

func adminCreate(ctx context.Context, app *wiring.App, args []string, stdin io.Reader, log *slog.Logger) error {
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	email := fs.String("email", "", "the admin's email (login)")
	name := fs.String("name", "Admin", "the admin's display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || fs.NArg() > 0 {
		return errors.New("admin create: --email is required, and the password is never an argument")
	}
	password := app.Config.AdminPassword
	if password == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("admin create: read password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password == "" {
		return errors.New("admin create: no password: set ADMIN_PASSWORD or write it on stdin")
	}
	if err := app.Migrator.Migrate(ctx); err != nil {
		return err
	}
	u, created, err := app.Users.EnsureAdmin(ctx, *name, *email, password)
	if err != nil {
		return err
	}
	verb := "promoted"
	if created {
		verb = "created"
	}
	log.Info("admin "+verb, slog.Int64("id", u.ID), slog.String("email", string(u.Email)))
	return nil
}

// healthcheck asks the local server's /readyz (HTTP_ADDR's port on loopback) and fails
// unless it answers 200 within 3 seconds.
func healthcheck(ctx context.Context, addr string) error {
	if addr == "" {
		addr = ":8080"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: HTTP_ADDR %q: %w", addr, err)
	}
	c := &http.Client{Timeout: 3 * time.Second}
	url := "http://" + net.JoinHostPort("127.0.0.1", port) + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil) //nolint:gosec // G704: loopback, our own port

	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := c.Do(req) //nolint:gosec // G704: loopback, our own port

	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %d", res.StatusCode)
	}
	return nil
}
