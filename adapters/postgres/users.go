package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// UserRepository implements ports.UserRepository.
type UserRepository struct{ db *DB }

var _ ports.UserRepository = UserRepository{}

// NewUserRepository returns a UserRepository on pool.
func NewUserRepository(db *DB) UserRepository { return UserRepository{db: db} }

const userColumns = `id, name, email, role, password_hash, created_at, email_verified_at`

func scanUser(row pgx.Row) (domain.User, error) {
	var (
		u        domain.User
		email    string
		role     string
		verified *time.Time
	)
	if err := row.Scan(&u.ID, &u.Name, &email, &role, &u.PasswordHash, &u.CreatedAt, &verified); err != nil {
		return domain.User{}, err
	}
	u.Email, u.Role, u.CreatedAt = domain.Email(email), domain.Role(role), u.CreatedAt.UTC()
	if verified != nil {
		u.EmailVerifiedAt = verified.UTC()
	}
	return u, nil
}

// Create implements ports.UserRepository.
func (r UserRepository) Create(ctx context.Context, u domain.User) (domain.User, error) {
	row := r.db.q(ctx).QueryRow(ctx,
		`INSERT INTO users (name, email, role, password_hash, created_at, email_verified_at)
		 VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+userColumns,
		u.Name, string(u.Email), string(u.Role), u.PasswordHash, u.CreatedAt, nullTime(u.EmailVerifiedAt))
	created, err := scanUser(row)
	if pgCode(err) == uniqueViolation {
		return domain.User{}, domain.ErrEmailTaken
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("insert user: %w", err)
	}
	return created, nil
}

// ByID implements ports.UserRepository.
func (r UserRepository) ByID(ctx context.Context, id int64) (domain.User, error) {
	return one(scanUser(r.db.q(ctx).QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE id = $1 AND deleted_at IS NULL`, id)))
}

// ByEmail implements ports.UserRepository.
func (r UserRepository) ByEmail(ctx context.Context, email domain.Email) (domain.User, error) {
	return one(scanUser(r.db.q(ctx).QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE email = $1 AND deleted_at IS NULL`, string(email))))
}

// List implements ports.UserRepository.
func (r UserRepository) List(ctx context.Context, p domain.PageRequest) (domain.Page[domain.User], error) {
	return page(ctx, r.db.q(ctx), p, scanUser, domain.User.Cursor,
		listUsersSQL, p.After.ID())
}

// Update implements ports.UserRepository.
func (r UserRepository) Update(ctx context.Context, u domain.User) error {
	tag, err := r.db.q(ctx).Exec(ctx,
		`UPDATE users SET name = $2, role = $3, password_hash = $4, email_verified_at = $5
		 WHERE id = $1 AND deleted_at IS NULL`,
		u.ID, u.Name, string(u.Role), u.PasswordHash, nullTime(u.EmailVerifiedAt))
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// SetEmailVerified implements ports.UserRepository.
func (r UserRepository) SetEmailVerified(ctx context.Context, id int64, email domain.Email, at time.Time) error {
	tag, err := r.db.q(ctx).Exec(ctx,
		`UPDATE users SET email_verified_at = $3 WHERE id = $1 AND email = $2 AND deleted_at IS NULL`, id, string(email), at)
	if err != nil {
		return fmt.Errorf("set email verified: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// nullTime is t for a nullable column: NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ReplacePasswordHash implements ports.UserRepository.
func (r UserRepository) ReplacePasswordHash(ctx context.Context, id int64, oldHash, newHash []byte) error {
	tag, err := r.db.q(ctx).Exec(ctx,
		`UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2 AND deleted_at IS NULL`,
		id, oldHash, newHash)
	if err != nil {
		return fmt.Errorf("replace password hash: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// Delete implements ports.UserRepository.
func (r UserRepository) Delete(ctx context.Context, id int64) error {
	tag, err := r.db.q(ctx).Exec(ctx,
		`UPDATE users SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// The keyset list statements of this file (see lists.go).
const (
	listUsersSQL = `SELECT ` + userColumns + ` FROM users
		WHERE deleted_at IS NULL AND id > $1 ORDER BY id`
)
