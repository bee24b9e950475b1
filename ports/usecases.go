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
	Login(ctx context.Context, in LoginInput) (AccessToken, error)
	// Authenticate returns the live user a token names, with the role read from storage,
	// or domain.ErrInvalidToken (also when the user has been deleted since).
	Authenticate(ctx context.Context, token string) (domain.User, error)
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
	// what belongs only to it; its tokens stop working at once.
	Delete(ctx context.Context, actor domain.User, id int64) error
	// EnsureAdmin creates an admin account, or promotes the live account with that email
	// and sets its password. created tells which happened.
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
