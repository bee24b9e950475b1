package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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

// page runs a keyset list statement (see lists.go) with a LIMIT of one row more than
// the page holds, to tell whether a next page exists without counting anything.
func page[T any](ctx context.Context, q querier, p domain.PageRequest, scan func(pgx.Row) (T, error),
	key func(T) domain.Cursor, sql string, args ...any) (domain.Page[T], error) {
	rows, err := q.Query(ctx, sql+" LIMIT "+strconv.Itoa(p.Limit+1), args...)
	if err != nil {
		return domain.Page[T]{}, fmt.Errorf("list: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return domain.Page[T]{}, fmt.Errorf("list: %w", err)
	}
	return domain.PageOf(items, p.Limit, key), nil
}
