package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// The tables and id sequences of this file's repositories (see store.go).
var (
	cartLineRows = newTable[int64, cartLineRow]("cartLines")
	cartLineIDs  = sequence("cartLine")
)

type cartLineRow struct {
	id, userID, productID int64
	quantity              int
}

// CartRepository implements ports.CartRepository.
type CartRepository struct{ s *Store }

var _ ports.CartRepository = CartRepository{}

// NewCartRepository returns the store's cart repository.
func NewCartRepository(s *Store) CartRepository { return CartRepository{s: s} }

func (r CartRepository) line(row cartLineRow) domain.CartLine {
	p := productRows.of(r.s)[row.productID]
	return domain.CartLine{
		ID: row.id, Quantity: row.quantity,
		Product: domain.ProductRef{ID: p.id, Name: p.Name, Price: p.Price},
	}
}

// own returns userID's line lineID.
func (r CartRepository) own(userID, lineID int64) (cartLineRow, bool) {
	row, ok := cartLineRows.of(r.s)[lineID]
	return row, ok && row.userID == userID
}

// Cart implements ports.CartRepository.
func (r CartRepository) Cart(ctx context.Context, userID int64) (domain.Cart, error) {
	defer r.s.lock(ctx)()
	var rows []cartLineRow
	for _, row := range cartLineRows.of(r.s) {
		if row.userID == userID {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b cartLineRow) int { return cmp.Compare(a.id, b.id) })
	cart := domain.Cart{Lines: make([]domain.CartLine, len(rows))}
	for i, row := range rows {
		cart.Lines[i] = r.line(row)
	}
	return cart, nil
}

// Lock implements ports.CartRepository: the store's lock, held by the transaction,
// already serialises checkouts.
func (r CartRepository) Lock(context.Context, int64) error { return nil }

// Add implements ports.CartRepository.
func (r CartRepository) Add(ctx context.Context, userID, productID int64, quantity int) (domain.CartLine, error) {
	defer r.s.lock(ctx)()
	if p, ok := productRows.of(r.s)[productID]; !ok || p.deleted {
		return domain.CartLine{}, domain.ErrNotFound
	}
	for id, row := range cartLineRows.of(r.s) {
		if row.userID == userID && row.productID == productID {
			row.quantity += quantity
			put(r.s, cartLineRows.of(r.s), id, row)
			return r.line(row), nil
		}
	}
	row := cartLineRow{id: cartLineIDs.next(r.s), userID: userID, productID: productID, quantity: quantity}
	put(r.s, cartLineRows.of(r.s), row.id, row)
	return r.line(row), nil
}

// SetQuantity implements ports.CartRepository.
func (r CartRepository) SetQuantity(ctx context.Context, userID, lineID int64, quantity int) (domain.CartLine, error) {
	defer r.s.lock(ctx)()
	row, ok := r.own(userID, lineID)
	if !ok {
		return domain.CartLine{}, domain.ErrNotFound
	}
	row.quantity = quantity
	put(r.s, cartLineRows.of(r.s), lineID, row)
	return r.line(row), nil
}

// Remove implements ports.CartRepository.
func (r CartRepository) Remove(ctx context.Context, userID, lineID int64) error {
	defer r.s.lock(ctx)()
	if _, ok := r.own(userID, lineID); !ok {
		return domain.ErrNotFound
	}
	del(r.s, cartLineRows.of(r.s), lineID)
	return nil
}

// Clear implements ports.CartRepository.
func (r CartRepository) Clear(ctx context.Context, userID int64) error {
	defer r.s.lock(ctx)()
	for id, row := range cartLineRows.of(r.s) {
		if row.userID == userID {
			del(r.s, cartLineRows.of(r.s), id)
		}
	}
	return nil
}
