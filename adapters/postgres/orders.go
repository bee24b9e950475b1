package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// OrderRepository implements ports.OrderRepository.
type OrderRepository struct{ db *DB }

var _ ports.OrderRepository = OrderRepository{}

// NewOrderRepository returns an OrderRepository on db.
func NewOrderRepository(db *DB) OrderRepository { return OrderRepository{db: db} }

// Create implements ports.OrderRepository.
func (r OrderRepository) Create(ctx context.Context, o domain.Order) (domain.Order, error) {
	err := r.db.InTx(ctx, func(ctx context.Context) error {
		q := r.db.q(ctx)
		err := q.QueryRow(ctx, `INSERT INTO orders (user_id, status, shipping_address, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, o.UserID, string(o.Status), o.ShippingAddress, o.CreatedAt).Scan(&o.ID)
		if err != nil {
			return err
		}
		rows := make([][]any, len(o.Items))
		for i, it := range o.Items {
			rows[i] = []any{o.ID, i + 1, it.ProductID, it.Name, it.UnitPrice, it.Quantity}
		}
		_, err = q.CopyFrom(ctx, pgx.Identifier{"order_items"},
			[]string{"order_id", "line", "product_id", "name", "unit_price_cents", "quantity"}, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return domain.Order{}, fmt.Errorf("insert order: %w", err)
	}
	return o, nil
}

const orderSelect = `SELECT o.id, o.user_id, o.status, o.shipping_address, o.created_at,
	coalesce((SELECT json_agg(json_build_object('product_id', i.product_id, 'name', i.name,
		'unit_price_cents', i.unit_price_cents, 'quantity', i.quantity) ORDER BY i.line)
		FROM order_items i WHERE i.order_id = o.id), '[]')
	FROM orders o`

type itemRow struct {
	ProductID      int64  `json:"product_id"`
	Name           string `json:"name"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	Quantity       int    `json:"quantity"`
}

func scanOrder(row pgx.Row) (domain.Order, error) {
	var (
		o      domain.Order
		status string
		items  []itemRow
	)
	if err := row.Scan(&o.ID, &o.UserID, &status, &o.ShippingAddress, &o.CreatedAt, &items); err != nil {
		return o, err
	}
	o.Status, o.CreatedAt = domain.OrderStatus(status), o.CreatedAt.UTC()
	o.Items = make([]domain.OrderItem, len(items))
	for i, it := range items {
		o.Items[i] = domain.OrderItem{ProductID: it.ProductID, Name: it.Name, UnitPrice: domain.Cents(it.UnitPriceCents), Quantity: it.Quantity}
	}
	return o, nil
}

// ByID implements ports.OrderRepository.
func (r OrderRepository) ByID(ctx context.Context, id int64) (domain.Order, error) {
	return one(scanOrder(r.db.q(ctx).QueryRow(ctx, orderSelect+` WHERE o.id = $1`, id)))
}

// ListByUser implements ports.OrderRepository.
func (r OrderRepository) ListByUser(ctx context.Context, userID int64, p domain.PageRequest) (domain.Page[domain.Order], error) {
	if p.After.IsZero() {
		return page(ctx, r.db.q(ctx), p, scanOrder, domain.Order.Cursor, listOrdersSQL, userID)
	}
	return page(ctx, r.db.q(ctx), p, scanOrder, domain.Order.Cursor, listOrdersAfterSQL,
		userID, p.After.Time(), p.After.ID())
}

// IdempotencyRepository implements ports.IdempotencyRepository.
type IdempotencyRepository struct{ db *DB }

var _ ports.IdempotencyRepository = IdempotencyRepository{}

// NewIdempotencyRepository returns an IdempotencyRepository on db.
func NewIdempotencyRepository(db *DB) IdempotencyRepository { return IdempotencyRepository{db: db} }

// Reserve implements ports.IdempotencyRepository. The INSERT waits on the primary key
// while another transaction holds the same key; once that one commits, ON CONFLICT
// finds its row, which we then read. If it rolled back, our INSERT succeeds.
func (r IdempotencyRepository) Reserve(ctx context.Context, userID int64, key, fingerprint string) (ports.IdempotencyRecord, bool, error) {
	q := r.db.q(ctx)
	tag, err := q.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, fingerprint) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, key) DO NOTHING`, userID, key, fingerprint)
	if err != nil {
		return ports.IdempotencyRecord{}, false, fmt.Errorf("reserve idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return ports.IdempotencyRecord{}, false, nil
	}
	var rec ports.IdempotencyRecord
	var orderID *int64
	err = q.QueryRow(ctx, `SELECT fingerprint, order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
		userID, key).Scan(&rec.Fingerprint, &orderID)
	if err != nil {
		return rec, false, fmt.Errorf("read idempotency key: %w", err)
	}
	if orderID == nil {
		return rec, false, errors.New("idempotency key committed without an order")
	}
	rec.OrderID = *orderID
	return rec, true, nil
}

// Complete implements ports.IdempotencyRepository.
func (r IdempotencyRepository) Complete(ctx context.Context, userID int64, key string, orderID int64) error {
	tag, err := r.db.q(ctx).Exec(ctx, `UPDATE idempotency_keys SET order_id = $3 WHERE user_id = $1 AND key = $2`,
		userID, key, orderID)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// Sweep implements ports.IdempotencyRepository.
func (r IdempotencyRepository) Sweep(ctx context.Context, before time.Time) (int, error) {
	tag, err := r.db.q(ctx).Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("sweep idempotency keys: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// The keyset list statements of this file (see lists.go).
const (
	// Newest first; the row comparison walks orders_user_newest (user_id, created_at
	// DESC, id DESC) from the cursor on.
	listOrdersSQL = orderSelect + `
		WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC`
	listOrdersAfterSQL = orderSelect + `
		WHERE o.user_id = $1 AND (o.created_at, o.id) < ($2, $3) ORDER BY o.created_at DESC, o.id DESC`
)
