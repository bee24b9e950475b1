package memory

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// The tables and id sequences of this file's repositories (see store.go).
var (
	categoryRows = newTable[int64, domain.Category]("categories")
	productRows  = newTable[int64, productRow]("products")
	categoryIDs  = sequence("category")
	productIDs   = sequence("product")
)

// CategoryRepository implements ports.CategoryRepository.
type CategoryRepository struct{ s *Store }

var _ ports.CategoryRepository = CategoryRepository{}

// NewCategoryRepository returns the store's category repository.
func NewCategoryRepository(s *Store) CategoryRepository { return CategoryRepository{s: s} }

// Create implements ports.CategoryRepository.
func (r CategoryRepository) Create(ctx context.Context, name string) (domain.Category, error) {
	defer r.s.lock(ctx)()
	for _, c := range categoryRows.of(r.s) {
		if strings.EqualFold(c.Name, name) {
			return domain.Category{}, domain.ErrCategoryNameTaken
		}
	}
	c := domain.Category{ID: categoryIDs.next(r.s), Name: name}
	put(r.s, categoryRows.of(r.s), c.ID, c)
	return c, nil
}

// ByID implements ports.CategoryRepository.
func (r CategoryRepository) ByID(ctx context.Context, id int64) (domain.Category, error) {
	defer r.s.lock(ctx)()
	c, ok := categoryRows.of(r.s)[id]
	if !ok {
		return c, domain.ErrNotFound
	}
	return c, nil
}

// List implements ports.CategoryRepository.
func (r CategoryRepository) List(ctx context.Context, p domain.PageRequest) (domain.Page[domain.Category], error) {
	defer r.s.lock(ctx)()
	all := slices.SortedFunc(maps.Values(categoryRows.of(r.s)), func(a, b domain.Category) int { return cmp.Compare(a.ID, b.ID) })
	return pageOf(all, p, domain.Category.Cursor), nil
}

// Delete implements ports.CategoryRepository.
func (r CategoryRepository) Delete(ctx context.Context, id int64) error {
	defer r.s.lock(ctx)()
	if _, ok := categoryRows.of(r.s)[id]; !ok {
		return domain.ErrNotFound
	}
	for _, p := range productRows.of(r.s) {
		if !p.deleted && p.CategoryID == id {
			return domain.ErrCategoryInUse
		}
	}
	del(r.s, categoryRows.of(r.s), id)
	return nil
}

type productRow struct {
	domain.ProductFields
	id        int64
	createdAt time.Time
	deleted   bool
}

// ProductRepository implements ports.ProductRepository.
type ProductRepository struct{ s *Store }

var _ ports.ProductRepository = ProductRepository{}

// NewProductRepository returns the store's product repository.
func NewProductRepository(s *Store) ProductRepository { return ProductRepository{s: s} }

func (r ProductRepository) product(row productRow) domain.Product {
	return domain.Product{
		ID: row.id, Name: row.Name, Description: row.Description, Price: row.Price, Stock: row.Stock,
		Category: categoryRows.of(r.s)[row.CategoryID], CreatedAt: row.createdAt,
	}
}

// live returns the catalog product id.
func (r ProductRepository) live(id int64) (productRow, bool) {
	row, ok := productRows.of(r.s)[id]
	return row, ok && !row.deleted
}

// Create implements ports.ProductRepository.
func (r ProductRepository) Create(ctx context.Context, f domain.ProductFields, createdAt time.Time) (domain.Product, error) {
	defer r.s.lock(ctx)()
	if _, ok := categoryRows.of(r.s)[f.CategoryID]; !ok {
		return domain.Product{}, domain.UnknownCategory()
	}
	row := productRow{ProductFields: f, id: productIDs.next(r.s), createdAt: createdAt}
	put(r.s, productRows.of(r.s), row.id, row)
	return r.product(row), nil
}

// ByID implements ports.ProductRepository.
func (r ProductRepository) ByID(ctx context.Context, id int64) (domain.Product, error) {
	defer r.s.lock(ctx)()
	row, ok := r.live(id)
	if !ok {
		return domain.Product{}, domain.ErrNotFound
	}
	return r.product(row), nil
}

// Lock implements ports.ProductRepository: a transaction holds the whole store already.
func (r ProductRepository) Lock(ctx context.Context, id int64) (domain.Product, error) {
	return r.ByID(ctx, id)
}

// List implements ports.ProductRepository.
func (r ProductRepository) List(ctx context.Context, f ports.ProductFilter, p domain.PageRequest) (domain.Page[domain.Product], error) {
	defer r.s.lock(ctx)()
	var all []domain.Product
	for _, row := range productRows.of(r.s) {
		if !row.deleted && (f.CategoryID == 0 || row.CategoryID == f.CategoryID) {
			all = append(all, r.product(row))
		}
	}
	slices.SortFunc(all, func(a, b domain.Product) int { return cmp.Compare(a.ID, b.ID) })
	return pageOf(all, p, domain.Product.Cursor), nil
}

// Update implements ports.ProductRepository.
func (r ProductRepository) Update(ctx context.Context, id int64, f domain.ProductFields) (domain.Product, error) {
	defer r.s.lock(ctx)()
	row, ok := r.live(id)
	if !ok {
		return domain.Product{}, domain.ErrNotFound
	}
	if _, ok := categoryRows.of(r.s)[f.CategoryID]; !ok {
		return domain.Product{}, domain.UnknownCategory()
	}
	row.ProductFields = f
	put(r.s, productRows.of(r.s), id, row)
	return r.product(row), nil
}

// Delete implements ports.ProductRepository.
func (r ProductRepository) Delete(ctx context.Context, id int64) error {
	defer r.s.lock(ctx)()
	row, ok := r.live(id)
	if !ok {
		return domain.ErrNotFound
	}
	row.deleted = true
	put(r.s, productRows.of(r.s), id, row)
	for lineID, l := range cartLineRows.of(r.s) {
		if l.productID == id {
			del(r.s, cartLineRows.of(r.s), lineID)
		}
	}
	return nil
}

// TakeStock implements ports.ProductRepository.
func (r ProductRepository) TakeStock(ctx context.Context, id int64, quantity int) (domain.Product, error) {
	defer r.s.lock(ctx)()
	row, ok := r.live(id)
	if !ok {
		return domain.Product{}, domain.ErrNotFound
	}
	if row.Stock < quantity {
		return domain.Product{}, domain.ErrInsufficientStock
	}
	row.Stock -= quantity
	put(r.s, productRows.of(r.s), id, row)
	return r.product(row), nil
}

// CatalogReader implements ports.CatalogReader with the repositories' reads: memory has
// no replica, so the answers are always current.
type CatalogReader struct {
	categories CategoryRepository
	products   ProductRepository
}

var _ ports.CatalogReader = CatalogReader{}

// NewCatalogReader returns the store's catalog reads.
func NewCatalogReader(s *Store) CatalogReader {
	return CatalogReader{categories: NewCategoryRepository(s), products: NewProductRepository(s)}
}

// Category implements ports.CatalogReader.
func (r CatalogReader) Category(ctx context.Context, id int64) (domain.Category, error) {
	return r.categories.ByID(ctx, id)
}

// Categories implements ports.CatalogReader.
func (r CatalogReader) Categories(ctx context.Context, p domain.PageRequest) (domain.Page[domain.Category], error) {
	return r.categories.List(ctx, p)
}

// Product implements ports.CatalogReader.
func (r CatalogReader) Product(ctx context.Context, id int64) (domain.Product, error) {
	return r.products.ByID(ctx, id)
}

// Products implements ports.CatalogReader.
func (r CatalogReader) Products(ctx context.Context, f ports.ProductFilter, p domain.PageRequest) (domain.Page[domain.Product], error) {
	return r.products.List(ctx, f, p)
}
