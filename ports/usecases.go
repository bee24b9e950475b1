package ports

import (
	"context"

	"github.com/hexashop/hexashop/core/domain"
)

// Auth is the login use case (OAuth2 password grant) and the resolution of a bearer token
// to the user it belongs to.
type Auth interface {
	// Login returns a token for valid credentials, or domain.ErrInvalidCredentials for an
	// unknown email, a wrong password or a deleted account alike, taking the same time.
	Login(ctx context.Context, username, password string) (AccessToken, error)
	// Authenticate returns the live user a token names, with the role read from storage,
	// or domain.ErrInvalidToken (also when the user has been deleted since).
	Authenticate(ctx context.Context, token string) (domain.User, error)
}

// Users are the account use cases. actor is the authenticated caller.
type Users interface {
	Register(ctx context.Context, name, email, password string) (domain.User, error)
	// Get returns the user id if actor is that user or an admin; otherwise ErrNotFound,
	// exactly as for a missing id.
	Get(ctx context.Context, actor domain.User, id int64) (domain.User, error)
	// List is admin-only (ErrForbidden otherwise).
	List(ctx context.Context, actor domain.User, page domain.PageRequest) (domain.Page[domain.User], error)
	// Delete deletes the account id (self or admin; ErrNotFound otherwise) together with
	// what belongs only to it; its tokens stop working at once.
	Delete(ctx context.Context, actor domain.User, id int64) error
	// EnsureAdmin creates an admin account, or promotes the live account with that email
	// and sets its password. created tells which happened.
	EnsureAdmin(ctx context.Context, name, email, password string) (u domain.User, created bool, err error)
}
