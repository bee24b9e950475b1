package memory

import (
	"context"
	"slices"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// accountTokenRows are the mailed tokens by their hash (as text); at most one per
// account and purpose.
var accountTokenRows = newTable[string, domain.AccountToken]("account_tokens")

// AccountTokenRepository implements ports.AccountTokenRepository.
type AccountTokenRepository struct{ s *Store }

var _ ports.AccountTokenRepository = AccountTokenRepository{}

// NewAccountTokenRepository returns the store's mailed-token repository.
func NewAccountTokenRepository(s *Store) AccountTokenRepository { return AccountTokenRepository{s: s} }

// Put implements ports.AccountTokenRepository.
func (r AccountTokenRepository) Put(ctx context.Context, t domain.AccountToken) error {
	defer r.s.lock(ctx)()
	rows := accountTokenRows.of(r.s)
	for k, old := range rows {
		if old.UserID == t.UserID && old.Purpose == t.Purpose {
			del(r.s, rows, k)
		}
	}
	t.Hash = slices.Clone(t.Hash)
	put(r.s, rows, string(t.Hash), t)
	return nil
}

// Find implements ports.AccountTokenRepository.
func (r AccountTokenRepository) Find(ctx context.Context, purpose domain.TokenPurpose, hash []byte) (domain.AccountToken, error) {
	defer r.s.lock(ctx)()
	t, ok := accountTokenRows.of(r.s)[string(hash)]
	if !ok || t.Purpose != purpose {
		return domain.AccountToken{}, domain.ErrNotFound
	}
	return t, nil
}

// Take implements ports.AccountTokenRepository.
func (r AccountTokenRepository) Take(ctx context.Context, purpose domain.TokenPurpose, hash []byte) (domain.AccountToken, error) {
	defer r.s.lock(ctx)()
	rows := accountTokenRows.of(r.s)
	t, ok := rows[string(hash)]
	if !ok || t.Purpose != purpose {
		return domain.AccountToken{}, domain.ErrNotFound
	}
	del(r.s, rows, string(hash))
	return t, nil
}

// Sweep implements ports.AccountTokenRepository.
func (r AccountTokenRepository) Sweep(ctx context.Context, now time.Time) (int, error) {
	defer r.s.lock(ctx)()
	rows, n := accountTokenRows.of(r.s), 0
	for k, t := range rows {
		if !t.Live(now) {
			del(r.s, rows, k)
			n++
		}
	}
	return n, nil
}
