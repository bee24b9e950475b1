package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pooled runs each statement on a connection taken from the pool with the acquire
// timeout (pgxpool itself would wait as long as ctx allows), classifying errors.
type pooled struct{ d *DB }

func (p pooled) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c, err := p.d.acquire(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer c.Release()
	tag, err := c.Exec(ctx, sql, args...)
	return tag, classify(err)
}

func (p pooled) CopyFrom(ctx context.Context, t pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	c, err := p.d.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Release()
	n, err := c.CopyFrom(ctx, t, cols, src)
	return n, classify(err)
}

func (p pooled) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c, err := p.d.acquire(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		c.Release()
		return nil, classify(err)
	}
	return &rowsOf{Rows: rows, conn: c}, nil
}

func (p pooled) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := p.Query(ctx, sql, args...)
	return &row{rows: rows, err: err}
}

// classified classifies the errors of a transaction's statements.
type classified struct{ tx pgx.Tx }

func (c classified) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := c.tx.Exec(ctx, sql, args...)
	return tag, classify(err)
}

func (c classified) CopyFrom(ctx context.Context, t pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	n, err := c.tx.CopyFrom(ctx, t, cols, src)
	return n, classify(err)
}

func (c classified) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := c.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, classify(err)
	}
	return &rowsOf{Rows: rows}, nil
}

func (c classified) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := c.Query(ctx, sql, args...)
	return &row{rows: rows, err: err}
}

// rowsOf classifies the rows' error and, for a pooled query, gives the connection back
// when the rows are closed.
type rowsOf struct {
	pgx.Rows
	conn *pgxpool.Conn // nil inside a transaction
}

func (r *rowsOf) Err() error { return classify(r.Rows.Err()) }

func (r *rowsOf) Close() {
	r.Rows.Close()
	if r.conn != nil {
		r.conn.Release()
		r.conn = nil
	}
}

// row is QueryRow's answer: the first row of a query, pgx.ErrNoRows if there is none.
type row struct {
	rows pgx.Rows
	err  error
}

func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return classify(err)
	}
	r.rows.Close()
	return r.rows.Err()
}
