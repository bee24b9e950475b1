package usecase

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Orders implements ports.Orders.
type Orders struct {
	orders   ports.OrderRepository
	carts    ports.CartRepository
	products ports.ProductRepository
	keys     ports.IdempotencyRepository
	outbox   ports.Outbox
	mail     MailText
	clock    ports.Clock
	tx       ports.Transactor
	policy   OrderPolicy
}

// OrderPolicy is what checkout asks of the buyer.
type OrderPolicy struct {
	// RequireVerifiedEmail: only accounts that verified their address may check out
	// (CHECKOUT_REQUIRES_VERIFIED_EMAIL), so confirmations never go to a typo or to an
	// address someone else registered first.
	RequireVerifiedEmail bool
}

var _ ports.Orders = (*Orders)(nil)

// NewOrders builds the order use cases.
func NewOrders(orders ports.OrderRepository, carts ports.CartRepository, products ports.ProductRepository,
	keys ports.IdempotencyRepository, outbox ports.Outbox, mail MailText, clock ports.Clock, tx ports.Transactor,
	policy OrderPolicy) *Orders {
	return &Orders{orders: orders, carts: carts, products: products, keys: keys, outbox: outbox, mail: mail, clock: clock,
		tx: tx, policy: policy}
}

// Place is checkout, all in one transaction: read the actor's cart; take each product's
// stock with a conditional update that never goes below zero; write the order with the
// prices of this moment; empty the cart; record the confirmation mail in the outbox.
// Any failure rolls all of it back.
func (s *Orders) Place(ctx context.Context, actor domain.User, in ports.PlaceOrderInput) (domain.Order, bool, error) {
	if s.policy.RequireVerifiedEmail && !actor.EmailVerified() {
		return domain.Order{}, false, domain.ErrEmailUnverified
	}
	var v domain.ValidationError
	address, err := domain.ParseShippingAddress(in.ShippingAddress)
	v.Merge(err)
	key, err := domain.ParseIdempotencyKey(in.IdempotencyKey)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return domain.Order{}, false, err
	}
	fingerprint := fingerprintOf(address)

	var (
		order    domain.Order
		replayed bool
	)
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if key != "" {
			rec, found, err := s.keys.Reserve(ctx, actor.ID, key, fingerprint)
			if err != nil {
				return err
			}
			if found {
				if rec.Fingerprint != fingerprint {
					return domain.ErrIdempotencyKeyReuse
				}
				order, err = s.orders.ByID(ctx, rec.OrderID)
				replayed = true
				return err
			}
		}
		if err := s.carts.Lock(ctx, actor.ID); err != nil {
			return err
		}
		cart, err := s.carts.Cart(ctx, actor.ID)
		if err != nil {
			return err
		}
		if len(cart.Lines) == 0 {
			return domain.ErrCartEmpty
		}
		// Lock rows in one global order (product id) so concurrent checkouts of
		// overlapping carts cannot deadlock.
		lines := slices.SortedFunc(slices.Values(cart.Lines), func(a, b domain.CartLine) int {
			return cmp.Compare(a.Product.ID, b.Product.ID)
		})
		items := make([]domain.OrderItem, 0, len(lines))
		for _, l := range lines {
			p, err := s.products.TakeStock(ctx, l.Product.ID, l.Quantity)
			if errors.Is(err, domain.ErrInsufficientStock) || errors.Is(err, domain.ErrNotFound) {
				return s.shortage(ctx, l)
			}
			if err != nil {
				return err
			}
			items = append(items, domain.OrderItem{ProductID: p.ID, Name: p.Name, UnitPrice: p.Price, Quantity: l.Quantity})
		}
		now := s.clock.Now()
		order, err = s.orders.Create(ctx, domain.Order{
			UserID: actor.ID, Status: domain.OrderPlaced, ShippingAddress: address, Items: items, CreatedAt: now,
		})
		if err != nil {
			return err
		}
		if err := s.carts.Clear(ctx, actor.ID); err != nil {
			return err
		}
		if err := s.outbox.Add(ctx, s.mail.Confirmation(actor, order), now); err != nil {
			return err
		}
		if key != "" {
			return s.keys.Complete(ctx, actor.ID, key, order.ID)
		}
		return nil
	})
	if err != nil {
		return domain.Order{}, false, fmt.Errorf("place order: %w", err)
	}
	return order, replayed, nil
}

// shortage builds the insufficient_stock error for a cart line, naming the product.
func (s *Orders) shortage(ctx context.Context, l domain.CartLine) error {
	p, err := s.products.ByID(ctx, l.Product.ID)
	if errors.Is(err, domain.ErrNotFound) {
		// Deleted while in the cart: nothing of it is left to sell.
		p = domain.Product{ID: l.Product.ID, Name: l.Product.Name, Stock: 0}
	} else if err != nil {
		return err
	}
	return domain.InsufficientStock(p, l.Quantity)
}

// fingerprintOf identifies a checkout request body, to tell a replay from a different
// request under the same Idempotency-Key.
func fingerprintOf(address string) string {
	sum := sha256.Sum256([]byte("shipping_address\x00" + address))
	return hex.EncodeToString(sum[:])
}

// List returns the actor's orders, newest first.
func (s *Orders) List(ctx context.Context, actor domain.User, page domain.PageRequest) (domain.Page[domain.Order], error) {
	p, err := s.orders.ListByUser(ctx, actor.ID, page)
	if err != nil {
		return p, fmt.Errorf("list orders: %w", err)
	}
	return p, nil
}

// Get returns one order the actor may see.
func (s *Orders) Get(ctx context.Context, actor domain.User, id int64) (domain.Order, error) {
	o, err := s.orders.ByID(ctx, id)
	if err != nil {
		return o, fmt.Errorf("get order %d: %w", id, err)
	}
	if o.UserID != actor.ID && !actor.IsAdmin() {
		return domain.Order{}, domain.ErrNotFound
	}
	return o, nil
}

// IdempotencyKeyLifetime is how long a checkout is replayed: a retry older than this is a new order.
const IdempotencyKeyLifetime = 24 * time.Hour

// IdempotencySweep is the orders feature's housekeeping: Idempotency-Keys older than
// IdempotencyKeyLifetime are deleted.
func IdempotencySweep(idem ports.IdempotencyRepository) Sweep {
	return Sweep{What: "idempotency_keys", Run: func(ctx context.Context, now time.Time) (int, error) {
		return idem.Sweep(ctx, now.Add(-IdempotencyKeyLifetime))
	}}
}
