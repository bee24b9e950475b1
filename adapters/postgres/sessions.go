package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// SessionRepository implements ports.SessionRepository.
type SessionRepository struct{ db *DB }

var _ ports.SessionRepository = SessionRepository{}

// NewSessionRepository returns a SessionRepository on db.
func NewSessionRepository(db *DB) SessionRepository { return SessionRepository{db: db} }

const sessionColumns = `id, user_id, created_at, last_used_at, idle_expires_at, expires_at, user_agent, previous_token_hash, client_id`

func scanSession(row pgx.Row) (domain.Session, error) {
	var s domain.Session
	err := row.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.LastUsedAt, &s.IdleExpiresAt, &s.ExpiresAt, &s.UserAgent,
		&s.PreviousTokenHash, &s.ClientID)
	s.CreatedAt, s.LastUsedAt = s.CreatedAt.UTC(), s.LastUsedAt.UTC()
	s.IdleExpiresAt, s.ExpiresAt = s.IdleExpiresAt.UTC(), s.ExpiresAt.UTC()
	return s, err
}

// Create implements ports.SessionRepository: the session and its first token, in one
// statement.
func (r SessionRepository) Create(ctx context.Context, s domain.Session, tokenHash []byte) (domain.Session, error) {
	created, err := scanSession(r.db.q(ctx).QueryRow(ctx,
		`WITH s AS (
		   INSERT INTO sessions (user_id, created_at, last_used_at, idle_expires_at, expires_at, user_agent, client_id)
		   VALUES ($1, $2, $3, $4, $5, $6, $8) RETURNING `+sessionColumns+`),
		 t AS (INSERT INTO refresh_tokens (token_hash, session_id, issued_at) SELECT $7, id, created_at FROM s)
		 SELECT `+sessionColumns+` FROM s`,
		s.UserID, s.CreatedAt, s.LastUsedAt, s.IdleExpiresAt, s.ExpiresAt, s.UserAgent, tokenHash, s.ClientID))
	if err != nil {
		return domain.Session{}, fmt.Errorf("create session: %w", err)
	}
	return created, nil
}

// Grant implements ports.SessionRepository.
func (r SessionRepository) Grant(ctx context.Context, tokenHash []byte) (domain.RefreshGrant, error) {
	var (
		g     domain.RefreshGrant
		spent *time.Time
	)
	err := r.db.q(ctx).QueryRow(ctx,
		`SELECT t.session_id, s.user_id, t.issued_at, t.spent_at
		 FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1`, tokenHash).
		Scan(&g.SessionID, &g.UserID, &g.IssuedAt, &spent)
	if _, err := one(g, err); err != nil {
		return g, err
	}
	g.IssuedAt = g.IssuedAt.UTC()
	if spent != nil {
		g.SpentAt = spent.UTC()
	}
	return g, nil
}

// Lock implements ports.SessionRepository with SELECT ... FOR UPDATE.
func (r SessionRepository) Lock(ctx context.Context, id int64) (domain.Session, error) {
	return one(scanSession(r.db.q(ctx).QueryRow(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE id = $1 FOR UPDATE`, id)))
}

// Rotate implements ports.SessionRepository: the rotation in one statement, then the
// spent tokens beyond keepSpent are forgotten (a session has only a few rows, found by
// refresh_tokens_session).
func (r SessionRepository) Rotate(ctx context.Context, s domain.Session, oldHash, newHash []byte, keepSpent int) error {
	tag, err := r.db.q(ctx).Exec(ctx,
		`WITH s AS (UPDATE sessions SET last_used_at = $2, idle_expires_at = $3, previous_token_hash = $4
		            WHERE id = $1 RETURNING id),
		 spent AS (UPDATE refresh_tokens SET spent_at = $2 WHERE token_hash = $4 AND session_id = $1)
		 INSERT INTO refresh_tokens (token_hash, session_id, issued_at) SELECT $5, id, $2 FROM s`,
		s.ID, s.LastUsedAt, s.IdleExpiresAt, oldHash, newHash)
	if err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return domain.ErrNotFound
	}
	_, err = r.db.q(ctx).Exec(ctx,
		`DELETE FROM refresh_tokens WHERE session_id = $1 AND spent_at IS NOT NULL AND token_hash NOT IN (
		   SELECT token_hash FROM refresh_tokens WHERE session_id = $1 AND spent_at IS NOT NULL
		   ORDER BY spent_at DESC, issued_at DESC, token_hash DESC LIMIT $2)`, s.ID, max(keepSpent, 0))
	if err != nil {
		return fmt.Errorf("rotate session: forget spent tokens: %w", err)
	}
	return nil
}

// ActiveUser implements ports.SessionRepository: user and session in one indexed lookup
// (both primary keys), the only query authentication makes per request.
func (r SessionRepository) ActiveUser(ctx context.Context, userID, sessionID int64, now time.Time) (domain.User, error) {
	return one(scanUser(r.db.q(ctx).QueryRow(ctx,
		`SELECT u.id, u.name, u.email, u.role, u.password_hash, u.created_at, u.email_verified_at
		 FROM sessions s JOIN users u ON u.id = s.user_id
		 WHERE s.id = $2 AND s.user_id = $1 AND u.deleted_at IS NULL
		   AND s.idle_expires_at > $3 AND s.expires_at > $3`, userID, sessionID, now)))
}

// ListByUser implements ports.SessionRepository.
func (r SessionRepository) ListByUser(ctx context.Context, userID int64, now time.Time, p domain.PageRequest) (domain.Page[domain.Session], error) {
	before := int64(math.MaxInt64)
	if !p.After.IsZero() {
		before = p.After.ID()
	}
	return page(ctx, r.db.q(ctx), p, scanSession, domain.Session.Cursor, listSessionsSQL, userID, before, now)
}

// Trim implements ports.SessionRepository.
func (r SessionRepository) Trim(ctx context.Context, userID int64, keep int, now time.Time) (int, error) {
	tag, err := r.db.q(ctx).Exec(ctx,
		`DELETE FROM sessions WHERE user_id = $1 AND id NOT IN (
		   SELECT id FROM sessions WHERE user_id = $1 AND idle_expires_at > $3 AND expires_at > $3
		   ORDER BY id DESC LIMIT $2)`, userID, max(keep, 0), now)
	if err != nil {
		return 0, fmt.Errorf("trim sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// End implements ports.SessionRepository; the tokens go by ON DELETE CASCADE.
func (r SessionRepository) End(ctx context.Context, userID, id int64) error {
	tag, err := r.db.q(ctx).Exec(ctx, `DELETE FROM sessions WHERE id = $2 AND user_id = $1`, userID, id)
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// EndAll implements ports.SessionRepository.
func (r SessionRepository) EndAll(ctx context.Context, userID, keep int64) (int, error) {
	tag, err := r.db.q(ctx).Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Sweep implements ports.SessionRepository.
func (r SessionRepository) Sweep(ctx context.Context, now time.Time) (int, error) {
	tag, err := r.db.q(ctx).Exec(ctx, `DELETE FROM sessions WHERE idle_expires_at <= $1 OR expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// The keyset list statements of this file (see lists.go).
const (
	// Newest first, from sessions_user (user_id, id DESC); $2 is the cursor's id (the
	// largest bigint on the first page).
	listSessionsSQL = `SELECT ` + sessionColumns + ` FROM sessions
		WHERE user_id = $1 AND id < $2 AND idle_expires_at > $3 AND expires_at > $3 ORDER BY id DESC`
)
