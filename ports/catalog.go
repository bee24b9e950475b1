package ports

// The product catalog.

import (
	"context"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// Catalog is the product catalog: reads are public, writes admin-only (ErrForbidden).
type Catalog interface {
	ListCategories(ctx context.Context, page domain.PageRequest) (domain.Page[domain.Category], error)
	GetCategory(ctx context.Context, id int64) (domain.Category, error)
	CreateCategory(ctx context.Context, actor domain.User, name string) (domain.Category, error)
	DeleteCategory(ctx context.Context, actor domain.User, id int64, pre Precondition[domain.Category]) error

	ListProducts(ctx context.Context, filter ProductFilter, page domain.PageRequest) (domain.Page[domain.Product], error)
	GetProduct(ctx context.Context, id int64) (domain.Product, error)
	CreateProduct(ctx context.Context, actor domain.User, in NewProductInput) (domain.Product, error)
	UpdateProduct(ctx context.Context, actor domain.User, id int64, patch domain.ProductPatch, pre Precondition[domain.Product]) (domain.Product, error)
	DeleteProduct(ctx context.Context, actor domain.User, id int64, pre Precondition[domain.Product]) error
}

// NewProductInput is a product to create, as a client sent it (nil: not given).
type NewProductInput struct {
	Name        string
	Description string
	PriceCents  *int64
	Stock       *int64
	CategoryID  *int64
}

// CategoryRepository stores product categories.
type CategoryRepository interface {
	// Create returns domain.ErrCategoryNameTaken when the name exists in any letter case.
	Create(ctx context.Context, name string) (domain.Category, error)
	ByID(ctx context.Context, id int64) (domain.Category, error)
	// List returns categories ordered by id.
	List(ctx context.Context, page domain.PageRequest) (domain.Page[domain.Category], error)
	// Delete returns domain.ErrCategoryInUse while a catalog product belongs to it.
	Delete(ctx context.Context, id int64) error
}

// ProductFilter narrows a product list.
type ProductFilter struct {
	CategoryID int64 // 0: every category
}

// ProductRepository stores the catalog. A deleted product leaves the catalog (and every
// cart) but its row stays for the order history.
type ProductRepository interface {
	// Create returns domain.UnknownCategory for a missing category.
	Create(ctx context.Context, f domain.ProductFields, createdAt time.Time) (domain.Product, error)
	ByID(ctx context.Context, id int64) (domain.Product, error)
	// Lock reads the live product and holds it until the transaction in ctx ends, so a
	// check of its current state and the write that follows see no change in between.
	Lock(ctx context.Context, id int64) (domain.Product, error)
	// List returns catalog products ordered by id.
	List(ctx context.Context, filter ProductFilter, page domain.PageRequest) (domain.Page[domain.Product], error)
	// Update overwrites the fields of product id (domain.UnknownCategory as for Create).
	Update(ctx context.Context, id int64, f domain.ProductFields) (domain.Product, error)
	// Delete takes the product out of the catalog and out of every cart.
	Delete(ctx context.Context, id int64) error
	// TakeStock removes quantity items from the stock of product id if it has that many,
	// atomically under any concurrency, and returns the product as it is after the
	// change. It returns domain.ErrInsufficientStock when the stock is short (and changes
	// nothing), domain.ErrNotFound when the product left the catalog.
	TakeStock(ctx context.Context, id int64, quantity int) (domain.Product, error)
}

// CatalogReader answers the public catalog reads: browsing, not deciding. An
// implementation may answer from a read replica or a cache, so an answer may be older
// than the latest committed write by a bounded time (docs/operations.md). Whatever
// decides a write (a price at checkout, a product before it is patched) reads through
// ProductRepository and CategoryRepository inside the writing transaction instead.
type CatalogReader interface {
	// Category returns category id, or domain.ErrNotFound.
	Category(ctx context.Context, id int64) (domain.Category, error)
	// Categories returns categories ordered by id.
	Categories(ctx context.Context, page domain.PageRequest) (domain.Page[domain.Category], error)
	// Product returns catalog product id, or domain.ErrNotFound.
	Product(ctx context.Context, id int64) (domain.Product, error)
	// Products returns catalog products ordered by id.
	Products(ctx context.Context, filter ProductFilter, page domain.PageRequest) (domain.Page[domain.Product], error)
}

// A Precondition is the caller's condition on the current state of what it changes
// (HTTP's If-Match): the use case checks it on the current value, inside the writing
// transaction, and changes nothing when it is false (domain.ErrPreconditionFailed). Nil
// is no condition.
type Precondition[T any] func(current T) bool
