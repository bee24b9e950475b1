package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

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
