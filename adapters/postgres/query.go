package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
)

// one maps pgx.ErrNoRows to domain.ErrNotFound.
func one[T any](v T, err error) (T, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return v, domain.ErrNotFound
	}
	return v, err
}

// page runs a count query (its args are filter...) and a list query (args: limit,
// offset, filter...) and returns the page. Items is never nil.
func page[T any](ctx context.Context, q querier, p domain.PageRequest, scan func(pgx.Row) (T, error),
	countSQL, listSQL string, filter ...any) (domain.Page[T], error) {
	out := domain.Page[T]{PageRequest: p}
	if err := q.QueryRow(ctx, countSQL, filter...).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("count: %w", err)
	}
	rows, err := q.Query(ctx, listSQL, append([]any{p.Limit, p.Offset}, filter...)...)
	if err != nil {
		return out, fmt.Errorf("list: %w", err)
	}
	out.Items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return out, fmt.Errorf("list: %w", err)
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	return out, nil
}
