package usecase

import (
	"context"
	"fmt"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Carts implements ports.Carts. Adding to a cart does not reserve stock; it only refuses
// a cart line larger than the stock is now.
type Carts struct {
	carts    ports.CartRepository
	products ports.ProductRepository
	tx       ports.Transactor
}

var _ ports.Carts = (*Carts)(nil)

// NewCarts builds the cart use cases.
func NewCarts(carts ports.CartRepository, products ports.ProductRepository, tx ports.Transactor) *Carts {
	return &Carts{carts: carts, products: products, tx: tx}
}

// Get returns the actor's cart.
func (c *Carts) Get(ctx context.Context, actor domain.User) (domain.Cart, error) {
	cart, err := c.carts.Cart(ctx, actor.ID)
	if err != nil {
		return cart, fmt.Errorf("get cart: %w", err)
	}
	return cart, nil
}

// Add adds a product to the actor's cart, raising the quantity of an existing line.
func (c *Carts) Add(ctx context.Context, actor domain.User, productID int64, quantity int64) (domain.CartLine, error) {
	q, err := domain.ParseQuantity(quantity)
	if err != nil {
		return domain.CartLine{}, err
	}
	var line domain.CartLine
	err = c.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := c.products.ByID(ctx, productID)
		if err != nil {
			return err
		}
		line, err = c.carts.Add(ctx, actor.ID, productID, q)
		if err != nil {
			return err
		}
		return checkLine(line, p)
	})
	if err != nil {
		return domain.CartLine{}, fmt.Errorf("add to cart: %w", err)
	}
	return line, nil
}

// SetQuantity changes the quantity of one of the actor's lines.
func (c *Carts) SetQuantity(ctx context.Context, actor domain.User, lineID int64, quantity int64) (domain.CartLine, error) {
	q, err := domain.ParseQuantity(quantity)
	if err != nil {
		return domain.CartLine{}, err
	}
	var line domain.CartLine
	err = c.tx.InTx(ctx, func(ctx context.Context) error {
		line, err = c.carts.SetQuantity(ctx, actor.ID, lineID, q)
		if err != nil {
			return err
		}
		p, err := c.products.ByID(ctx, line.Product.ID)
		if err != nil {
			return err
		}
		return checkLine(line, p)
	})
	if err != nil {
		return domain.CartLine{}, fmt.Errorf("set cart quantity: %w", err)
	}
	return line, nil
}

// checkLine refuses a line that holds more than the limit or the stock; the caller's
// transaction then rolls the change back.
func checkLine(line domain.CartLine, p domain.Product) error {
	if line.Quantity > domain.MaxQuantity {
		return domain.CartLineTooLarge()
	}
	if line.Quantity > p.Stock {
		return domain.InsufficientStock(p, line.Quantity)
	}
	return nil
}

// Remove deletes one of the actor's lines.
func (c *Carts) Remove(ctx context.Context, actor domain.User, lineID int64) error {
	if err := c.carts.Remove(ctx, actor.ID, lineID); err != nil {
		return fmt.Errorf("remove cart line %d: %w", lineID, err)
	}
	return nil
}
