package ports

// Checkout and orders.

import (
	"context"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

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

// OrderRepository stores orders; they are never deleted.
type OrderRepository interface {
	// Create stores o (ID ignored) and returns it with its ID.
	Create(ctx context.Context, o domain.Order) (domain.Order, error)
	ByID(ctx context.Context, id int64) (domain.Order, error)
	// ListByUser returns userID's orders, newest first.
	ListByUser(ctx context.Context, userID int64, page domain.PageRequest) (domain.Page[domain.Order], error)
}

// IdempotencyRecord is what a used Idempotency-Key remembers.
type IdempotencyRecord struct {
	Fingerprint string // identifies the request body
	OrderID     int64
}

// IdempotencyRepository remembers Idempotency-Keys of placed orders, per user.
type IdempotencyRepository interface {
	// Reserve claims (userID, key) for the running transaction. When another
	// transaction holds or has committed the key, Reserve waits for it and then returns
	// its record (found=true); the caller must not place another order.
	Reserve(ctx context.Context, userID int64, key, fingerprint string) (rec IdempotencyRecord, found bool, err error)
	// Complete records the order placed under a reserved key.
	Complete(ctx context.Context, userID int64, key string, orderID int64) error
	// Sweep forgets keys reserved before before; returns how many.
	Sweep(ctx context.Context, before time.Time) (int, error)
}
