package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Cents is an amount of money in minor units of the shop's one currency. Money is never a
// float anywhere in Hexashop.
type Cents int64

// Catalog limits.
const (
	MaxCategoryNameChars = 100
	MaxProductNameChars  = 200
	MaxDescriptionChars  = 5000
	MinPriceCents        = 1
	MaxPriceCents        = 1_000_000_000
	MaxStock             = 1_000_000
)

// Catalog errors.
var (
	ErrCategoryNameTaken = &Error{Kind: KindConflict, Code: "category_name_taken", Detail: "a category with this name already exists"}
	ErrCategoryInUse     = &Error{Kind: KindConflict, Code: "category_in_use", Detail: "products still belong to this category"}
	// ErrPreconditionFailed: the caller's copy (its If-Match) is not the current one;
	// nothing was changed. Read it again, then decide.
	ErrPreconditionFailed = &Error{Kind: KindStale, Code: "precondition_failed",
		Detail: "the resource changed since the version you name; read it again"}
)

// UnknownCategory is the invalid-input error for a category_id that names no category.
func UnknownCategory() error { return Invalid("category_id", "no category has this id") }

// Category groups products.
type Category struct {
	ID   int64
	Name string
}

// ParseCategoryName validates a category name.
func ParseCategoryName(s string) (string, error) { return ParseName("name", s, MaxCategoryNameChars) }

// Product is an item of the catalog. Stock is how many can still be ordered.
type Product struct {
	ID          int64
	Name        string
	Description string
	Price       Cents
	Stock       int
	Category    Category
	CreatedAt   time.Time
}

// ProductFields are the writable fields of a product, validated.
type ProductFields struct {
	Name        string
	Description string
	Price       Cents
	Stock       int
	CategoryID  int64
}

// ProductPatch is a partial update: nil fields stay as they are.
type ProductPatch struct {
	Name        *string
	Description *string
	Price       *Cents
	Stock       *int64
	CategoryID  *int64
}

// NewProductFields validates the fields of a new product.
func NewProductFields(name, description string, price int64, stock int64, categoryID int64) (ProductFields, error) {
	var v ValidationError
	f := ProductFields{Description: description}
	var err error
	f.Name, err = ParseName("name", name, MaxProductNameChars)
	v.Merge(err)
	v.Merge(checkDescription(description))
	v.Merge(checkPrice(price))
	v.Merge(checkStock(stock))
	v.Merge(checkID("category_id", categoryID))
	f.Price, f.Stock, f.CategoryID = Cents(price), int(stock), categoryID
	return f, v.Err()
}

// Apply validates the patch against current and returns the updated fields.
func (p ProductPatch) Apply(current Product) (ProductFields, error) {
	f := ProductFields{
		Name: current.Name, Description: current.Description, Price: current.Price,
		Stock: current.Stock, CategoryID: current.Category.ID,
	}
	var v ValidationError
	if p.Name != nil {
		n, err := ParseName("name", *p.Name, MaxProductNameChars)
		v.Merge(err)
		f.Name = n
	}
	if p.Description != nil {
		v.Merge(checkDescription(*p.Description))
		f.Description = *p.Description
	}
	if p.Price != nil {
		v.Merge(checkPrice(int64(*p.Price)))
		f.Price = *p.Price
	}
	if p.Stock != nil {
		v.Merge(checkStock(*p.Stock))
		f.Stock = int(*p.Stock)
	}
	if p.CategoryID != nil {
		v.Merge(checkID("category_id", *p.CategoryID))
		f.CategoryID = *p.CategoryID
	}
	return f, v.Err()
}

func checkDescription(s string) error {
	if !utf8.ValidString(s) {
		return Invalid("description", "must be valid UTF-8 text")
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		return Invalid("description", "must not contain control characters other than newlines and tabs")
	}
	if utf8.RuneCountInString(s) > MaxDescriptionChars {
		return Invalid("description", fmt.Sprintf("must be at most %d characters", MaxDescriptionChars))
	}
	return nil
}

func checkPrice(p int64) error {
	if p < MinPriceCents || p > MaxPriceCents {
		return Invalid("price_cents", "must be an integer from 1 to 1000000000")
	}
	return nil
}

func checkStock(s int64) error {
	if s < 0 || s > MaxStock {
		return Invalid("stock", "must be an integer from 0 to 1000000")
	}
	return nil
}

func checkID(field string, id int64) error {
	if id <= 0 {
		return Invalid(field, "must be a positive integer id")
	}
	return nil
}

// InsufficientStock is the conflict error for a product that has fewer items than asked for.
func InsufficientStock(p Product, requested int) error {
	return &Error{Kind: KindConflict, Code: "insufficient_stock",
		Detail: fmt.Sprintf("not enough stock for %q (product %d): %d requested, %d available", p.Name, p.ID, requested, p.Stock)}
}

// ErrInsufficientStock matches every InsufficientStock error with errors.Is.
var ErrInsufficientStock = &Error{Kind: KindConflict, Code: "insufficient_stock", Detail: "not enough stock"}

// The catalog's lists: by id.
var (
	CursorCategories = NewCursorKind('c', IDAscending)
	CursorProducts   = NewCursorKind('p', IDAscending)
)

// Cursor is the position after c in the category list.
func (c Category) Cursor() Cursor { return AfterID(CursorCategories, c.ID) }

// Cursor is the position after p in the product list.
func (p Product) Cursor() Cursor { return AfterID(CursorProducts, p.ID) }
