package usecase

import (
	"context"
	"fmt"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Catalog implements ports.Catalog.
// The public reads go through reader (which may be a replica or a cache); the admin
// writes, and the reads that decide them, through the repositories.
type Catalog struct {
	reader     ports.CatalogReader
	categories ports.CategoryRepository
	products   ports.ProductRepository
	clock      ports.Clock
	tx         ports.Transactor
}

var _ ports.Catalog = (*Catalog)(nil)

// NewCatalog builds the catalog use cases.
func NewCatalog(reader ports.CatalogReader, categories ports.CategoryRepository, products ports.ProductRepository,
	clock ports.Clock, tx ports.Transactor) *Catalog {
	return &Catalog{reader: reader, categories: categories, products: products, clock: clock, tx: tx}
}

func requireAdmin(actor domain.User) error {
	if !actor.IsAdmin() {
		return domain.ErrForbidden
	}
	return nil
}

// ListCategories is public.
func (c *Catalog) ListCategories(ctx context.Context, page domain.PageRequest) (domain.Page[domain.Category], error) {
	p, err := c.reader.Categories(ctx, page)
	if err != nil {
		return p, fmt.Errorf("list categories: %w", err)
	}
	return p, nil
}

// GetCategory is public.
func (c *Catalog) GetCategory(ctx context.Context, id int64) (domain.Category, error) {
	cat, err := c.reader.Category(ctx, id)
	if err != nil {
		return cat, fmt.Errorf("get category %d: %w", id, err)
	}
	return cat, nil
}

// CreateCategory is admin-only.
func (c *Catalog) CreateCategory(ctx context.Context, actor domain.User, name string) (domain.Category, error) {
	if err := requireAdmin(actor); err != nil {
		return domain.Category{}, err
	}
	n, err := domain.ParseCategoryName(name)
	if err != nil {
		return domain.Category{}, err
	}
	cat, err := c.categories.Create(ctx, n)
	if err != nil {
		return cat, fmt.Errorf("create category: %w", err)
	}
	return cat, nil
}

// DeleteCategory is admin-only; a category in use stays.
func (c *Catalog) DeleteCategory(ctx context.Context, actor domain.User, id int64, pre ports.Precondition[domain.Category]) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	err := c.tx.InTx(ctx, func(ctx context.Context) error {
		if pre != nil { // a category never changes, it only goes: reading it is enough
			current, err := c.categories.ByID(ctx, id)
			if err != nil {
				return err
			}
			if !pre(current) {
				return domain.ErrPreconditionFailed
			}
		}
		return c.categories.Delete(ctx, id)
	})
	if err != nil {
		return fmt.Errorf("delete category %d: %w", id, err)
	}
	return nil
}

// ListProducts is public.
func (c *Catalog) ListProducts(ctx context.Context, filter ports.ProductFilter, page domain.PageRequest) (domain.Page[domain.Product], error) {
	p, err := c.reader.Products(ctx, filter, page)
	if err != nil {
		return p, fmt.Errorf("list products: %w", err)
	}
	return p, nil
}

// GetProduct is public.
func (c *Catalog) GetProduct(ctx context.Context, id int64) (domain.Product, error) {
	p, err := c.reader.Product(ctx, id)
	if err != nil {
		return p, fmt.Errorf("get product %d: %w", id, err)
	}
	return p, nil
}

// CreateProduct is admin-only.
func (c *Catalog) CreateProduct(ctx context.Context, actor domain.User, in ports.NewProductInput) (domain.Product, error) {
	if err := requireAdmin(actor); err != nil {
		return domain.Product{}, err
	}
	var missing domain.ValidationError
	for field, v := range map[string]*int64{"price_cents": in.PriceCents, "stock": in.Stock, "category_id": in.CategoryID} {
		if v == nil {
			missing.Add(field, "is required")
		}
	}
	if err := missing.Err(); err != nil {
		return domain.Product{}, err
	}
	f, err := domain.NewProductFields(in.Name, in.Description, *in.PriceCents, *in.Stock, *in.CategoryID)
	if err != nil {
		return domain.Product{}, err
	}
	p, err := c.products.Create(ctx, f, c.clock.Now())
	if err != nil {
		return p, fmt.Errorf("create product: %w", err)
	}
	return p, nil
}

// UpdateProduct is admin-only.
func (c *Catalog) UpdateProduct(ctx context.Context, actor domain.User, id int64, patch domain.ProductPatch,
	pre ports.Precondition[domain.Product]) (domain.Product, error) {
	if err := requireAdmin(actor); err != nil {
		return domain.Product{}, err
	}
	var updated domain.Product
	err := c.tx.InTx(ctx, func(ctx context.Context) error {
		// Locked: two admins' patches run one after the other, each on the other's result,
		// and the precondition sees what the write will change.
		current, err := c.products.Lock(ctx, id)
		if err != nil {
			return err
		}
		if pre != nil && !pre(current) {
			return domain.ErrPreconditionFailed
		}
		f, err := patch.Apply(current)
		if err != nil {
			return err
		}
		updated, err = c.products.Update(ctx, id, f)
		return err
	})
	if err != nil {
		return domain.Product{}, fmt.Errorf("update product %d: %w", id, err)
	}
	return updated, nil
}

// DeleteProduct is admin-only; past orders keep what they bought.
func (c *Catalog) DeleteProduct(ctx context.Context, actor domain.User, id int64, pre ports.Precondition[domain.Product]) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	err := c.tx.InTx(ctx, func(ctx context.Context) error {
		if pre != nil {
			current, err := c.products.Lock(ctx, id)
			if err != nil {
				return err
			}
			if !pre(current) {
				return domain.ErrPreconditionFailed
			}
		}
		return c.products.Delete(ctx, id)
	})
	if err != nil {
		return fmt.Errorf("delete product %d: %w", id, err)
	}
	return nil
}
