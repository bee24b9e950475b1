package memory

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// The tables and id sequences of this file's repositories (see store.go).
var (
	userRows = newTable[int64, userRow]("users")
	userIDs  = sequence("user")
)

type userRow struct {
	domain.User
	deleted bool
}

// UserRepository implements ports.UserRepository.
type UserRepository struct{ s *Store }

var _ ports.UserRepository = UserRepository{}

// NewUserRepository returns the store's user repository.
func NewUserRepository(s *Store) UserRepository { return UserRepository{s: s} }

// Create implements ports.UserRepository.
func (r UserRepository) Create(ctx context.Context, u domain.User) (domain.User, error) {
	defer r.s.lock(ctx)()
	if _, ok := r.byEmail(u.Email); ok {
		return domain.User{}, domain.ErrEmailTaken
	}
	u.ID = userIDs.next(r.s)
	u.PasswordHash = slices.Clone(u.PasswordHash)
	put(r.s, userRows.of(r.s), u.ID, userRow{User: u})
	return u, nil
}

func (r UserRepository) byEmail(e domain.Email) (domain.User, bool) {
	for _, row := range userRows.of(r.s) {
		if !row.deleted && row.Email == e {
			return row.User, true
		}
	}
	return domain.User{}, false
}

// ByID implements ports.UserRepository.
func (r UserRepository) ByID(ctx context.Context, id int64) (domain.User, error) {
	defer r.s.lock(ctx)()
	row, ok := userRows.of(r.s)[id]
	if !ok || row.deleted {
		return domain.User{}, domain.ErrNotFound
	}
	return row.User, nil
}

// ByEmail implements ports.UserRepository.
func (r UserRepository) ByEmail(ctx context.Context, email domain.Email) (domain.User, error) {
	defer r.s.lock(ctx)()
	u, ok := r.byEmail(email)
	if !ok {
		return domain.User{}, domain.ErrNotFound
	}
	return u, nil
}

// List implements ports.UserRepository.
func (r UserRepository) List(ctx context.Context, p domain.PageRequest) (domain.Page[domain.User], error) {
	defer r.s.lock(ctx)()
	var live []domain.User
	for _, row := range userRows.of(r.s) {
		if !row.deleted {
			live = append(live, row.User)
		}
	}
	slices.SortFunc(live, func(a, b domain.User) int { return cmp.Compare(a.ID, b.ID) })
	return pageOf(live, p, domain.User.Cursor), nil
}

// Update implements ports.UserRepository.
func (r UserRepository) Update(ctx context.Context, u domain.User) error {
	defer r.s.lock(ctx)()
	row, ok := userRows.of(r.s)[u.ID]
	if !ok || row.deleted {
		return domain.ErrNotFound
	}
	row.Name, row.Role, row.PasswordHash, row.EmailVerifiedAt = u.Name, u.Role, slices.Clone(u.PasswordHash), u.EmailVerifiedAt
	put(r.s, userRows.of(r.s), u.ID, row)
	return nil
}

// SetEmailVerified implements ports.UserRepository.
func (r UserRepository) SetEmailVerified(ctx context.Context, id int64, email domain.Email, at time.Time) error {
	defer r.s.lock(ctx)()
	row, ok := userRows.of(r.s)[id]
	if !ok || row.deleted || row.Email != email {
		return domain.ErrNotFound
	}
	row.EmailVerifiedAt = at
	put(r.s, userRows.of(r.s), id, row)
	return nil
}

// ReplacePasswordHash implements ports.UserRepository.
func (r UserRepository) ReplacePasswordHash(ctx context.Context, id int64, oldHash, newHash []byte) error {
	defer r.s.lock(ctx)()
	row, ok := userRows.of(r.s)[id]
	if !ok || row.deleted || !bytes.Equal(row.PasswordHash, oldHash) {
		return domain.ErrNotFound
	}
	row.PasswordHash = slices.Clone(newHash)
	put(r.s, userRows.of(r.s), id, row)
	return nil
}

// Delete implements ports.UserRepository.
func (r UserRepository) Delete(ctx context.Context, id int64) error {
	defer r.s.lock(ctx)()
	row, ok := userRows.of(r.s)[id]
	if !ok || row.deleted {
		return domain.ErrNotFound
	}
	row.deleted = true
	put(r.s, userRows.of(r.s), id, row)
	return nil
}
