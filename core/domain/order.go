package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// OrderStatus is where an order is in its life. Orders start as placed.
type OrderStatus string

// OrderPlaced is the status of every order: there is no payment or fulfilment yet.
const OrderPlaced OrderStatus = "placed"

// Order errors.
var (
	ErrCartEmpty           = &Error{Kind: KindConflict, Code: "cart_empty", Detail: "the cart is empty"}
	ErrIdempotencyKeyReuse = &Error{Kind: KindInvalid, Code: "idempotency_key_reused",
		Detail: "this Idempotency-Key was already used with a different request body"}
)

// OrderItem is a bought product, with its name and unit price as they were when the order
// was placed: later catalog changes do not rewrite history.
type OrderItem struct {
	ProductID int64
	Name      string
	UnitPrice Cents
	Quantity  int
}

// Total is the line's price.
func (i OrderItem) Total() Cents { return i.UnitPrice * Cents(i.Quantity) }

// Order is a placed order.
type Order struct {
	ID              int64
	UserID          int64
	Status          OrderStatus
	ShippingAddress string
	Items           []OrderItem
	CreatedAt       time.Time
}

// Total is the sum of the items.
func (o Order) Total() Cents {
	var t Cents
	for _, i := range o.Items {
		t += i.Total()
	}
	return t
}

// MaxShippingAddressChars bounds the free-text shipping address.
const MaxShippingAddressChars = 500

// ParseShippingAddress trims and checks an optional address; newlines are allowed, other
// control characters are not.
func ParseShippingAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", Invalid("shipping_address", "must be valid UTF-8 text")
	case utf8.RuneCountInString(s) > MaxShippingAddressChars:
		return "", Invalid("shipping_address", fmt.Sprintf("must be at most %d characters", MaxShippingAddressChars))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' }) >= 0:
		return "", Invalid("shipping_address", "must not contain control characters")
	}
	return s, nil
}

// MaxIdempotencyKeyLen bounds an Idempotency-Key.
const MaxIdempotencyKeyLen = 255

// ParseIdempotencyKey checks a key: 1..255 printable ASCII characters. "" means none.
func ParseIdempotencyKey(s string) (string, error) {
	if len(s) > MaxIdempotencyKeyLen {
		return "", Invalid("Idempotency-Key", "must be at most 255 characters")
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return "", Invalid("Idempotency-Key", "must be printable ASCII")
		}
	}
	return s, nil
}

// CursorOrders is an order list's kind: newest first, by (time, id).
var CursorOrders = NewCursorKind('o', TimeIDDescending)

// Cursor is the position after o in an order list (newest first).
func (o Order) Cursor() Cursor { return AfterTimeID(CursorOrders, o.CreatedAt, o.ID) }
