// Package postgres implements the repository and transaction ports on PostgreSQL through a
// pgx connection pool, and applies the schema migrations embedded in the binary.
//
// Transactions travel in the context: Transactor.InTx begins a pgx.Tx and puts it in the
// ctx it hands to the use case; every repository method runs its SQL on that tx when the
// ctx carries one, and on the pool otherwise. The core never sees a pgx type.
//
// Nothing waits on the database forever: a connection is dialled within ConnectTimeout,
// taken from the pool within AcquireTimeout, and every statement ends with its ctx (the
// HTTP adapter gives each request a deadline). An error that means "the database is not
// answering" (refused, timed out, connection lost, server shutting down) comes back
// wrapped in domain.ErrUnavailable, so the transport answers 503 instead of 500.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Options bound the waits on the database and say how it is reached.
type Options struct {
	// ConnectTimeout bounds dialling a new connection; a connect_timeout in the URL wins.
	ConnectTimeout time.Duration
	// AcquireTimeout bounds the wait for a pooled connection (when every connection is
	// busy, for instance held by statements to a hung server).
	AcquireTimeout time.Duration
	// TracerProvider, when set, makes a span per statement (otelpgx), child of the span
	// in the statement's context. Arguments are never recorded.
	TracerProvider trace.TracerProvider
	// MaxConns is the pool size; a pool_max_conns in the URL wins; 0 is pgx's default
	// (the larger of 4 and the number of CPUs).
	MaxConns int
	// TransactionPooling: the URL leads to a pooler in transaction mode (PgBouncer's
	// pool_mode=transaction), which hands each transaction, and each statement outside
	// one, whichever server connection is free. Statements are then never prepared under
	// a name (a named statement lives on one server connection and would be missing, or
	// already there, on the next): pgx's cache_describe mode, whatever the URL says. It
	// caches each statement's description per client connection and sends parse, bind and
	// execute in one round trip on the unnamed statement, so nothing depends on the
	// server connection between round trips.
	TransactionPooling bool
	// DirectURL reaches the primary itself, bypassing any pooler: migrations run there,
	// because their lock is held by the session (required with TransactionPooling).
	DirectURL string
	// ReadURL, when set, is where the public catalog reads go (read replicas; a
	// multi-host URL for several). A read that fails or takes longer than ReadTimeout
	// there runs on the primary, and the replicas are left alone until a background ping
	// finds them answering again.
	ReadURL     string
	ReadTimeout time.Duration
	// Log receives what the adapter notices on its own (replicas set aside and back).
	Log *slog.Logger
}

// DefaultOptions are the bounds used when Options leave them zero.
var DefaultOptions = Options{ConnectTimeout: 3 * time.Second, AcquireTimeout: 2 * time.Second,
	ReadTimeout: 500 * time.Millisecond}

// retryAfter is the advice given with domain.ErrUnavailable.
const retryAfter = 2 * time.Second

// DB is the adapter's handle on the database: a pgx pool. It implements the
// transaction, readiness and migration ports; the repositories are built on it.
type DB struct {
	pool           *pgxpool.Pool
	acquireTimeout time.Duration
	direct         *pgx.ConnConfig        // for migrations; nil: a pooled connection will do
	replicas       *replicas              // nil: reads go to the primary
	catalogHook    atomic.Pointer[func()] // shop
}

var (
	_ ports.Transactor = (*DB)(nil)
	_ ports.Readiness  = (*DB)(nil)
)

// Open opens a pool on url and checks that the server answers, and opens the read pool
// when opts.ReadURL is set (without waiting for the replicas: reads fall back to the
// primary until they answer). The returned func closes what it opened.
func Open(ctx context.Context, url string, opts Options) (*DB, func(), error) {
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultOptions.ConnectTimeout
	}
	if opts.AcquireTimeout <= 0 {
		opts.AcquireTimeout = DefaultOptions.AcquireTimeout
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = DefaultOptions.ReadTimeout
	}
	if opts.TransactionPooling && opts.DirectURL == "" {
		return nil, nil, errors.New("postgres: transaction pooling needs a direct URL for migrations")
	}
	cfg, err := poolConfig(url, "DATABASE_URL", opts)
	if err != nil {
		return nil, nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("postgres: connect to %s:%d/%s as %s: %w",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, cfg.ConnConfig.User, err)
	}
	d := &DB{pool: pool, acquireTimeout: opts.AcquireTimeout}
	closers := []func(){pool.Close}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if opts.DirectURL != "" {
		direct, err := pgx.ParseConfig(opts.DirectURL)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("postgres: DATABASE_DIRECT_URL: %w", err)
		}
		if !strings.Contains(opts.DirectURL, "connect_timeout") {
			direct.ConnectTimeout = opts.ConnectTimeout
		}
		d.direct = direct
	}
	if opts.ReadURL != "" {
		rcfg, err := poolConfig(opts.ReadURL, "DATABASE_READ_URL", opts)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		rpool, err := pgxpool.NewWithConfig(ctx, rcfg)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("postgres: open read pool: %w", err)
		}
		d.replicas = newReplicas(&DB{pool: rpool, acquireTimeout: min(opts.AcquireTimeout, opts.ReadTimeout)}, opts.ReadTimeout, opts.Log)
		closers = append(closers, rpool.Close, d.replicas.close)
	}
	return d, closeAll, nil
}

// poolConfig parses a pool URL (named by variable in errors) and applies opts.
func poolConfig(url, variable string, opts Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", variable, err)
	}
	if !strings.Contains(url, "connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	}
	if opts.MaxConns > 0 && !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(min(opts.MaxConns, 1<<20))
	}
	if opts.TransactionPooling {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	}
	if opts.TracerProvider != nil {
		cfg.ConnConfig.Tracer = otelpgx.NewTracer(otelpgx.WithTracerProvider(opts.TracerProvider))
	}
	return cfg, nil
}

// querier is what pgx.Tx and a pooled connection have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type txKey struct{}

// txState is what a transaction carries in its context: the pgx.Tx, and what is to run
// once it has committed.
type txState struct {
	tx             pgx.Tx
	catalogNoticed bool     // the catalog change notice is sent (once per transaction) // shop
	afterCommit    []func() // run after a commit, or a commit that may have happened
}

// txOf returns ctx's transaction, or nil.
func txOf(ctx context.Context) *txState {
	st, _ := ctx.Value(txKey{}).(*txState)
	return st
}

// q returns the ctx's transaction, or the pool; either way with errors classified.
func (d *DB) q(ctx context.Context) querier {
	if st := txOf(ctx); st != nil {
		return classified{st.tx}
	}
	return pooled{d}
}

// acquire takes a connection from the pool, waiting at most the acquire timeout.
func (d *DB) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, d.acquireTimeout)
	defer cancel()
	c, err := d.pool.Acquire(actx)
	if err != nil {
		return nil, classify(fmt.Errorf("acquire connection: %w", err))
	}
	return c, nil
}

// InTx implements ports.Transactor. A nested call joins the outer transaction.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if txOf(ctx) != nil {
		return fn(ctx)
	}
	c, err := d.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	st := &txState{}
	committing := false
	// If ctx ends mid-transaction, pgx closes the connection, and the server rolls back.
	err = classify(pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		st.tx = tx
		if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
			return err
		}
		committing = true
		return nil
	}))
	// A failed COMMIT may still have committed: the hooks (invalidations) run then too.
	if committing {
		for _, f := range st.afterCommit {
			f()
		}
	}
	return err
}

// Ready implements ports.Readiness: it pings the database.
func (d *DB) Ready(ctx context.Context) error {
	c, err := d.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return classify(c.Ping(ctx))
}

// pgCode returns the SQLSTATE of err, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// SQLSTATEs mapped to domain errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	checkViolation      = "23514"
	undefinedTable      = "42P01"
)

// classify wraps err in domain.ErrUnavailable when it means the database is not answering
// (as opposed to refusing a statement, or a bug). nil stays nil.
func classify(err error) error {
	if err == nil || errors.Is(err, domain.ErrUnavailable) || !unavailable(err) {
		return err
	}
	return domain.Unavailable(retryAfter, err)
}

func unavailable(err error) bool {
	if code := pgCode(err); code != "" {
		// Connection exceptions, insufficient resources (too many connections), operator
		// intervention (shutdown, cannot connect now).
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") ||
			code == "57P01" || code == "57P02" || code == "57P03"
	}
	var (
		connectErr *pgconn.ConnectError
		netErr     net.Error
	)
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// PoolStats are the connection pool's figures, for metrics.
type PoolStats struct {
	Total, Idle, Acquired, Max      int
	AcquireCount, EmptyAcquireCount int64 // acquisitions, and those that had to wait
	AcquireDuration                 time.Duration
}

// PoolStats reads the pool's figures now.
func (d *DB) PoolStats() PoolStats {
	s := d.pool.Stat()
	return PoolStats{
		Total: int(s.TotalConns()), Idle: int(s.IdleConns()), Acquired: int(s.AcquiredConns()), Max: int(s.MaxConns()),
		AcquireCount: s.AcquireCount(), EmptyAcquireCount: s.EmptyAcquireCount(), AcquireDuration: s.AcquireDuration(),
	}
}
