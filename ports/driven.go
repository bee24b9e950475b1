package ports

import (
	"context"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// UserRepository stores accounts. Deleted accounts are invisible to every method: they
// are kept only so that past orders keep their owner, and their email can register again.
type UserRepository interface {
	// Create stores u (ID is ignored) and returns it with its new ID.
	// It returns domain.ErrEmailTaken if a live account has the same email.
	Create(ctx context.Context, u domain.User) (domain.User, error)
	// ByID returns the live account with id, or domain.ErrNotFound.
	ByID(ctx context.Context, id int64) (domain.User, error)
	// ByEmail returns the live account with email, or domain.ErrNotFound.
	ByEmail(ctx context.Context, email domain.Email) (domain.User, error)
	// List returns live accounts ordered by id.
	List(ctx context.Context, page domain.PageRequest) (domain.Page[domain.User], error)
	// Update overwrites name, role and password hash of the live account u.ID.
	Update(ctx context.Context, u domain.User) error
	// Delete marks the account deleted, or returns domain.ErrNotFound.
	Delete(ctx context.Context, id int64) error
}

// PasswordHasher turns passwords into slow, salted hashes and checks them.
type PasswordHasher interface {
	Hash(p domain.Password) ([]byte, error)
	// Matches reports whether password is the one hash was made from. It takes the same
	// time for a wrong password as for a right one.
	Matches(hash []byte, password string) bool
}

// AccessToken is a signed bearer token and how long it lives.
type AccessToken struct {
	Value     string
	ExpiresIn time.Duration
}

// Tokens issues and verifies access tokens that name a user id.
type Tokens interface {
	Issue(userID int64) (AccessToken, error)
	// Verify returns the user id the token was issued for, or domain.ErrInvalidToken.
	Verify(token string) (int64, error)
}

// Clock tells the time; the core never calls time.Now itself so tests can pin it.
type Clock interface {
	Now() time.Time
}

// Transactor runs fn so that every repository call made with the ctx it passes to fn
// commits together or not at all. fn's error (or a panic) rolls back.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}
