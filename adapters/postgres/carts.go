package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// CartRepository implements ports.CartRepository. Every statement joins carts on the
// owner's user_id, so a line id of another user's cart matches nothing.
type CartRepository struct{ db *DB }

var _ ports.CartRepository = CartRepository{}

// NewCartRepository returns a CartRepository on db.
func NewCartRepository(db *DB) CartRepository { return CartRepository{db: db} }

const lineSelect = `SELECT ci.id, ci.quantity, p.id, p.name, p.price_cents
	FROM cart_items ci JOIN carts c ON c.id = ci.cart_id JOIN products p ON p.id = ci.product_id`

func scanLine(row pgx.Row) (domain.CartLine, error) {
	var l domain.CartLine
	err := row.Scan(&l.ID, &l.Quantity, &l.Product.ID, &l.Product.Name, &l.Product.Price)
	return l, err
}

func (r CartRepository) line(ctx context.Context, userID, lineID int64) (domain.CartLine, error) {
	return one(scanLine(r.db.q(ctx).QueryRow(ctx, lineSelect+` WHERE ci.id = $1 AND c.user_id = $2`, lineID, userID)))
}

// Cart implements ports.CartRepository.
func (r CartRepository) Cart(ctx context.Context, userID int64) (domain.Cart, error) {
	rows, err := r.db.q(ctx).Query(ctx, lineSelect+` WHERE c.user_id = $1 ORDER BY ci.id`, userID)
	if err != nil {
		return domain.Cart{}, fmt.Errorf("read cart: %w", err)
	}
	lines, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.CartLine, error) { return scanLine(row) })
	if err != nil {
		return domain.Cart{}, fmt.Errorf("read cart: %w", err)
	}
	return domain.Cart{Lines: lines}, nil
}

// Lock implements ports.CartRepository.
func (r CartRepository) Lock(ctx context.Context, userID int64) error {
	if _, err := r.db.q(ctx).Exec(ctx, `SELECT id FROM carts WHERE user_id = $1 FOR UPDATE`, userID); err != nil {
		return fmt.Errorf("lock cart: %w", err)
	}
	return nil
}

// Add implements ports.CartRepository: get-or-create the cart, then one upsert that adds
// to an existing line (concurrent adds serialise on the line's row).
func (r CartRepository) Add(ctx context.Context, userID, productID int64, quantity int) (domain.CartLine, error) {
	var lineID int64
	err := r.db.InTx(ctx, func(ctx context.Context) error {
		q := r.db.q(ctx)
		var cartID int64
		err := q.QueryRow(ctx, `INSERT INTO carts (user_id) VALUES ($1)
			ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id RETURNING id`, userID).Scan(&cartID)
		if err != nil {
			return fmt.Errorf("get cart: %w", err)
		}
		err = q.QueryRow(ctx, `INSERT INTO cart_items (cart_id, product_id, quantity)
			SELECT $1, id, $3 FROM products WHERE id = $2 AND deleted_at IS NULL
			ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_items.quantity + EXCLUDED.quantity
			RETURNING id`, cartID, productID, quantity).Scan(&lineID)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.ErrNotFound
		}
		return err
	})
	if err != nil {
		return domain.CartLine{}, mapCheck(err, "add to cart")
	}
	return r.line(ctx, userID, lineID)
}

// SetQuantity implements ports.CartRepository.
func (r CartRepository) SetQuantity(ctx context.Context, userID, lineID int64, quantity int) (domain.CartLine, error) {
	tag, err := r.db.q(ctx).Exec(ctx, `UPDATE cart_items ci SET quantity = $3 FROM carts c
		WHERE c.id = ci.cart_id AND ci.id = $1 AND c.user_id = $2`, lineID, userID, quantity)
	if err != nil {
		return domain.CartLine{}, mapCheck(err, "set quantity")
	}
	if tag.RowsAffected() == 0 {
		return domain.CartLine{}, domain.ErrNotFound
	}
	return r.line(ctx, userID, lineID)
}

// Remove implements ports.CartRepository.
func (r CartRepository) Remove(ctx context.Context, userID, lineID int64) error {
	tag, err := r.db.q(ctx).Exec(ctx, `DELETE FROM cart_items ci USING carts c
		WHERE c.id = ci.cart_id AND ci.id = $1 AND c.user_id = $2`, lineID, userID)
	if err != nil {
		return fmt.Errorf("remove cart line: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// Clear implements ports.CartRepository.
func (r CartRepository) Clear(ctx context.Context, userID int64) error {
	if _, err := r.db.q(ctx).Exec(ctx, `DELETE FROM carts WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("clear cart: %w", err)
	}
	return nil
}

// mapCheck turns the quantity CHECK constraint's violation into the domain's 422.
func mapCheck(err error, what string) error {
	if pgCode(err) == checkViolation {
		return domain.CartLineTooLarge()
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
