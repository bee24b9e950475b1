package domain

// Cart limits.
const (
	MinQuantity = 1
	MaxQuantity = 1000
)

// ProductRef is what a cart line or order shows of a product.
type ProductRef struct {
	ID    int64
	Name  string
	Price Cents
}

// CartLine is one product in a user's cart.
type CartLine struct {
	ID       int64
	Product  ProductRef
	Quantity int
}

// Total is the line's price at the product's current price.
func (l CartLine) Total() Cents { return l.Product.Price * Cents(l.Quantity) }

// Cart is a user's cart. Lines are ordered by line id (the order they were added in).
type Cart struct {
	Lines []CartLine
}

// Total is the sum of the lines.
func (c Cart) Total() Cents {
	var t Cents
	for _, l := range c.Lines {
		t += l.Total()
	}
	return t
}

// ParseQuantity checks a line quantity (1..1000).
func ParseQuantity(q int64) (int, error) {
	if q < MinQuantity || q > MaxQuantity {
		return 0, Invalid("quantity", "must be an integer from 1 to 1000")
	}
	return int(q), nil
}

// CartLineTooLarge is the invalid-input error for a line that adding would take past
// MaxQuantity.
func CartLineTooLarge() error {
	return Invalid("quantity", "the cart line would hold more than 1000")
}
