package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// AccountTokenRepository implements ports.AccountTokenRepository.
type AccountTokenRepository struct{ db *DB }

var _ ports.AccountTokenRepository = AccountTokenRepository{}

// NewAccountTokenRepository returns the mailed-token repository on db.
func NewAccountTokenRepository(db *DB) AccountTokenRepository { return AccountTokenRepository{db: db} }

const mailedRowColumns = `token_hash, user_id, purpose, email, created_at, expires_at`

func scanAccountToken(row pgx.Row) (domain.AccountToken, error) {
	var (
		t       domain.AccountToken
		purpose string
		email   string
	)
	if err := row.Scan(&t.Hash, &t.UserID, &purpose, &email, &t.CreatedAt, &t.ExpiresAt); err != nil {
		return domain.AccountToken{}, err
	}
	t.Purpose, t.Email = domain.TokenPurpose(purpose), domain.Email(email)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return t, nil
}

// Put implements ports.AccountTokenRepository: one statement, so two concurrent requests
// leave exactly one live token.
func (r AccountTokenRepository) Put(ctx context.Context, t domain.AccountToken) error {
	_, err := r.db.q(ctx).Exec(ctx,
		`INSERT INTO account_tokens (`+mailedRowColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		 ON CONFLICT (user_id, purpose) DO UPDATE SET token_hash = EXCLUDED.token_hash, email = EXCLUDED.email,
		   created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
		t.Hash, t.UserID, string(t.Purpose), string(t.Email), t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return fmt.Errorf("put account token: %w", err)
	}
	return nil
}

// Find implements ports.AccountTokenRepository.
func (r AccountTokenRepository) Find(ctx context.Context, purpose domain.TokenPurpose, hash []byte) (domain.AccountToken, error) {
	return one(scanAccountToken(r.db.q(ctx).QueryRow(ctx,
		`SELECT `+mailedRowColumns+` FROM account_tokens WHERE token_hash = $1 AND purpose = $2`, hash, string(purpose))))
}

// Take implements ports.AccountTokenRepository: DELETE ... RETURNING, so of two concurrent
// Takes only one gets a row.
func (r AccountTokenRepository) Take(ctx context.Context, purpose domain.TokenPurpose, hash []byte) (domain.AccountToken, error) {
	return one(scanAccountToken(r.db.q(ctx).QueryRow(ctx,
		`DELETE FROM account_tokens WHERE token_hash = $1 AND purpose = $2 RETURNING `+mailedRowColumns, hash, string(purpose))))
}

// Sweep implements ports.AccountTokenRepository.
func (r AccountTokenRepository) Sweep(ctx context.Context, now time.Time) (int, error) {
	tag, err := r.db.q(ctx).Exec(ctx, `DELETE FROM account_tokens WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("sweep account tokens: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
