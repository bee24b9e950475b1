package ports

// The cart.

import (
	"context"

	"github.com/hexashop/hexashop/core/domain"
)

// Carts are the cart use cases; each acts on the actor's own cart only.
type Carts interface {
	Get(ctx context.Context, actor domain.User) (domain.Cart, error)
	Add(ctx context.Context, actor domain.User, productID int64, quantity int64) (domain.CartLine, error)
	SetQuantity(ctx context.Context, actor domain.User, lineID int64, quantity int64) (domain.CartLine, error)
	Remove(ctx context.Context, actor domain.User, lineID int64) error
}

// CartRepository stores one cart per user. Every method is scoped by the owner: a line id
// of another user's cart is domain.ErrNotFound.
type CartRepository interface {
	// Cart returns userID's cart (empty if there is none yet).
	Cart(ctx context.Context, userID int64) (domain.Cart, error)
	// Lock holds userID's cart until the transaction in ctx ends, so that two checkouts
	// of one cart run one after the other (the second then finds it empty).
	Lock(ctx context.Context, userID int64) error
	// Add puts quantity of productID into userID's cart, adding to an existing line, and
	// returns the line.
	Add(ctx context.Context, userID, productID int64, quantity int) (domain.CartLine, error)
	// SetQuantity sets the quantity of a line.
	SetQuantity(ctx context.Context, userID, lineID int64, quantity int) (domain.CartLine, error)
	// Remove deletes a line.
	Remove(ctx context.Context, userID, lineID int64) error
	// Clear empties userID's cart.
	Clear(ctx context.Context, userID int64) error
}
