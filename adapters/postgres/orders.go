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

// Outbox implements ports.Outbox.
type Outbox struct{ db *DB }

var _ ports.Outbox = Outbox{}

// NewOutbox returns an Outbox on db.
func NewOutbox(db *DB) Outbox { return Outbox{db: db} }

// Add implements ports.Outbox.
func (o Outbox) Add(ctx context.Context, m domain.Mail, now time.Time) error {
	_, err := o.db.q(ctx).Exec(ctx, `INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at)
		VALUES ($1, $2, $3, $4, $4)`, string(m.To), m.Subject, m.Body, now)
	if err != nil {
		return fmt.Errorf("outbox add: %w", err)
	}
	return nil
}

// Renew implements ports.Outbox.
func (o Outbox) Renew(ctx context.Context, ids []int64, now, until time.Time) error {
	_, err := o.db.q(ctx).Exec(ctx, `UPDATE outbox SET next_attempt_at = $3
		WHERE id = ANY($1) AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > $2`, ids, now, until)
	if err != nil {
		return fmt.Errorf("outbox renew: %w", err)
	}
	return nil
}

// Claim implements ports.Outbox: FOR UPDATE SKIP LOCKED lets concurrent dispatchers
// claim disjoint batches; pushing next_attempt_at to the end of the lease keeps the rows
// away from the others after this statement commits.
func (o Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]domain.OutboxMessage, error) {
	rows, err := o.db.q(ctx).Query(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2
		WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
		             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING id, recipient, subject, body, attempts, created_at`, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.OutboxMessage, error) {
		var (
			m  domain.OutboxMessage
			to string
		)
		err := row.Scan(&m.ID, &to, &m.Mail.Subject, &m.Mail.Body, &m.Attempts, &m.Created)
		m.Mail.To, m.Created = domain.Email(to), m.Created.UTC()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	return msgs, nil
}

func (o Outbox) exec(ctx context.Context, what, sql string, args ...any) error {
	tag, err := o.db.q(ctx).Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// MarkSent implements ports.Outbox.
func (o Outbox) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return o.exec(ctx, "mark sent", `UPDATE outbox SET sent_at = $2, last_error = NULL WHERE id = $1`, id, at)
}

// Retry implements ports.Outbox.
func (o Outbox) Retry(ctx context.Context, id int64, next time.Time, reason string) error {
	return o.exec(ctx, "retry", `UPDATE outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1`, id, next, reason)
}

// GiveUp implements ports.Outbox.
func (o Outbox) GiveUp(ctx context.Context, id int64, at time.Time, reason string) error {
	return o.exec(ctx, "give up", `UPDATE outbox SET failed_at = $2, last_error = $3 WHERE id = $1`, id, at, reason)
}

// Sweep implements ports.IdempotencyRepository.
func (r IdempotencyRepository) Sweep(ctx context.Context, before time.Time) (int, error) {
	tag, err := r.db.q(ctx).Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("sweep idempotency keys: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Sweep implements ports.Outbox.
func (o Outbox) Sweep(ctx context.Context, before time.Time) (int, error) {
	tag, err := o.db.q(ctx).Exec(ctx, `DELETE FROM outbox
		WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND coalesce(sent_at, failed_at) < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("sweep outbox: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Backlog implements ports.Outbox (the partial index outbox_due holds exactly these rows).
func (o Outbox) Backlog(ctx context.Context) (int, time.Time, error) {
	var (
		n      int
		oldest *time.Time
	)
	err := o.db.q(ctx).QueryRow(ctx, `SELECT count(*), min(created_at) FROM outbox
		WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("outbox backlog: %w", err)
	}
	if oldest == nil {
		return n, time.Time{}, nil
	}
	return n, oldest.UTC(), nil
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

// The keyset list statements of this file (see lists.go).
const (
	// Newest first; the row comparison walks orders_user_newest (user_id, created_at
	// DESC, id DESC) from the cursor on.
	listOrdersSQL = orderSelect + `
		WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC`
	listOrdersAfterSQL = orderSelect + `
		WHERE o.user_id = $1 AND (o.created_at, o.id) < ($2, $3) ORDER BY o.created_at DESC, o.id DESC`
)
