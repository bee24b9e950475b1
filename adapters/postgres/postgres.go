// Package postgres implements the repository and transaction ports on PostgreSQL through a
// pgx connection pool, and applies the schema migrations embedded in the binary.
//
// Transactions travel in the context: Transactor.InTx begins a pgx.Tx and puts it in the
// ctx it hands to the use case; every repository method runs its SQL on that tx when the
// ctx carries one, and on the pool otherwise. The core never sees a pgx type.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hexashop/hexashop/ports"
)

// DB is the adapter's handle on the database: a pgx pool. It implements the
// transaction, readiness and migration ports; the repositories are built on it.
type DB struct{ pool *pgxpool.Pool }

var (
	_ ports.Transactor = (*DB)(nil)
	_ ports.Readiness  = (*DB)(nil)
)

// Open opens a pool on url and checks that the server answers. The returned func closes
// the pool.
func Open(ctx context.Context, url string) (*DB, func(), error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: DATABASE_URL: %w", err)
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
	return &DB{pool: pool}, pool.Close, nil
}

// querier is what pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type txKey struct{}

// q returns the ctx's transaction, or the pool.
func (d *DB) q(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{}).(pgx.Tx); ok {
		return tx
	}
	return d.pool
}

// InTx implements ports.Transactor. A nested call joins the outer transaction.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(pgx.Tx); ok {
		return fn(ctx)
	}
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// Ready implements ports.Readiness: it pings the database.
func (d *DB) Ready(ctx context.Context) error { return d.pool.Ping(ctx) }

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
)
