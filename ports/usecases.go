package ports

import (
	"context"

	"github.com/hexashop/hexashop/core/domain"
)

// LoginInput is a password login as a client sent it.
type LoginInput struct {
	Username   string
	Password   string
	ClientAddr string // the client's network address, as far as the transport can tell
	UserAgent  string // kept with the session, for the user's list of sessions
	ClientID   string // the OAuth2 client_id the client named ("": the configured default)
}

// TokenPair is what a login or a refresh gives: an access token and the session's new
// refresh token.
type TokenPair struct {
	Access  AccessToken
	Refresh domain.RefreshToken
}

// Principal is the caller an access token stands for: the user and the session.
type Principal struct {
	User      domain.User
	SessionID int64
}

// RegisterInput is a registration as a client sent it.
type RegisterInput struct {
	Name       string
	Email      string
	Password   string
	ClientAddr string
}

// Auth is the login use case (OAuth2 password grant) and the resolution of a bearer token
// to the user it belongs to.
type Auth interface {
	// Login returns a token for valid credentials, or domain.ErrInvalidCredentials for an
	// unknown email, a wrong password or a deleted account alike, taking the same time.
	// Too many recent failures for the account or from the address give an error
	// matching domain.ErrThrottled, decided before any password work.
	// A successful login starts a session.
	Login(ctx context.Context, in LoginInput) (TokenPair, error)
	// Refresh spends a refresh token and returns new tokens of its session. An unknown,
	// expired or spent token is domain.ErrInvalidGrant; a spent one (past a short grace
	// for the immediately previous token) also ends its whole session.
	Refresh(ctx context.Context, token domain.RefreshToken) (TokenPair, error)
	// Revoke ends the session of a refresh token; an unknown token is no error.
	Revoke(ctx context.Context, token domain.RefreshToken) error
	// Authenticate returns the live user and live session an access token names, with
	// the role read from storage, or domain.ErrInvalidToken (also when the user was
	// deleted or the session ended since the token was issued).
	Authenticate(ctx context.Context, token string) (Principal, error)
	// PublishedKeys is the public key set that verifies access tokens (a JWK Set
	// document) and a strong validator of it.
	PublishedKeys() (doc []byte, etag string, err error)
}

// Sessions are the caller's own sessions.
type Sessions interface {
	// List returns a page of the caller's live sessions, newest first.
	List(ctx context.Context, p Principal, page domain.PageRequest) (domain.Page[domain.Session], error)
	// End ends one of them (the current one too); domain.ErrNotFound for any other id.
	End(ctx context.Context, p Principal, id int64) error
	// EndAll ends every one of them, the current one included.
	EndAll(ctx context.Context, p Principal) error
}

// ChangePasswordInput is a password change as the client sent it.
type ChangePasswordInput struct {
	Current, New string
	ClientAddr   string
}

// Users are the account use cases. actor is the authenticated caller.
type Users interface {
	// Register creates a customer account. Too many registrations from one address give
	// domain.ErrThrottled.
	Register(ctx context.Context, in RegisterInput) (domain.User, error)
	// Get returns the user id if actor is that user or an admin; otherwise ErrNotFound,
	// exactly as for a missing id.
	Get(ctx context.Context, actor domain.User, id int64) (domain.User, error)
	// List is admin-only (ErrForbidden otherwise).
	List(ctx context.Context, actor domain.User, page domain.PageRequest) (domain.Page[domain.User], error)
	// Delete deletes the account id (self or admin; ErrNotFound otherwise) together with
	// what belongs only to it, sessions included; its tokens stop working at once.
	Delete(ctx context.Context, actor domain.User, id int64) error
	// ChangePassword sets the caller's password after checking the current one (a wrong
	// one is domain.ErrWrongPassword and counts as a failed login) and ends every other
	// session of the caller.
	ChangePassword(ctx context.Context, p Principal, in ChangePasswordInput) error
	// EnsureAdmin creates an admin account, or promotes the live account with that email
	// and sets its password (ending its sessions). created tells which happened.
	EnsureAdmin(ctx context.Context, name, email, password string) (u domain.User, created bool, err error)
}

// Catalog is the product catalog: reads are public, writes admin-only (ErrForbidden).
type Catalog interface {
	ListCategories(ctx context.Context, page domain.PageRequest) (domain.Page[domain.Category], error)
	GetCategory(ctx context.Context, id int64) (domain.Category, error)
	CreateCategory(ctx context.Context, actor domain.User, name string) (domain.Category, error)
	DeleteCategory(ctx context.Context, actor domain.User, id int64) error

	ListProducts(ctx context.Context, filter ProductFilter, page domain.PageRequest) (domain.Page[domain.Product], error)
	GetProduct(ctx context.Context, id int64) (domain.Product, error)
	CreateProduct(ctx context.Context, actor domain.User, in NewProductInput) (domain.Product, error)
	UpdateProduct(ctx context.Context, actor domain.User, id int64, patch domain.ProductPatch) (domain.Product, error)
	DeleteProduct(ctx context.Context, actor domain.User, id int64) error
}

// NewProductInput is a product to create, as a client sent it (nil: not given).
type NewProductInput struct {
	Name        string
	Description string
	PriceCents  *int64
	Stock       *int64
	CategoryID  *int64
}

// Carts are the cart use cases; each acts on the actor's own cart only.
type Carts interface {
	Get(ctx context.Context, actor domain.User) (domain.Cart, error)
	Add(ctx context.Context, actor domain.User, productID int64, quantity int64) (domain.CartLine, error)
	SetQuantity(ctx context.Context, actor domain.User, lineID int64, quantity int64) (domain.CartLine, error)
	Remove(ctx context.Context, actor domain.User, lineID int64) error
}

// PlaceOrderInput is a checkout request.
type PlaceOrderInput struct {
	ShippingAddress string
	IdempotencyKey  string // "" for none
}

// Orders are the order use cases.
type Orders interface {
	// Place turns the actor's cart into an order in one transaction. replayed is true when
	// the Idempotency-Key was used before and the first order is returned unchanged.
	Place(ctx context.Context, actor domain.User, in PlaceOrderInput) (o domain.Order, replayed bool, err error)
	List(ctx context.Context, actor domain.User, page domain.PageRequest) (domain.Page[domain.Order], error)
	// Get returns the actor's own order, or any order for an admin; else ErrNotFound.
	Get(ctx context.Context, actor domain.User, id int64) (domain.Order, error)
}
