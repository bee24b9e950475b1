package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// CategoryRepository implements ports.CategoryRepository.
type CategoryRepository struct{ db *DB }

var _ ports.CategoryRepository = CategoryRepository{}

// NewCategoryRepository returns a CategoryRepository on db.
func NewCategoryRepository(db *DB) CategoryRepository { return CategoryRepository{db: db} }

func scanCategory(row pgx.Row) (domain.Category, error) {
	var c domain.Category
	err := row.Scan(&c.ID, &c.Name)
	return c, err
}

// Create implements ports.CategoryRepository.
func (r CategoryRepository) Create(ctx context.Context, name string) (domain.Category, error) {
	return withCatalogNotice(ctx, r.db, func(ctx context.Context) (domain.Category, error) { return r.create(ctx, name) })
}

// create is Create without the notice.
func (r CategoryRepository) create(ctx context.Context, name string) (domain.Category, error) {
	c, err := scanCategory(r.db.q(ctx).QueryRow(ctx, `INSERT INTO categories (name) VALUES ($1) RETURNING id, name`, name))
	if pgCode(err) == uniqueViolation {
		return c, domain.ErrCategoryNameTaken
	}
	if err != nil {
		return c, fmt.Errorf("insert category: %w", err)
	}
	return c, nil
}

// ByID implements ports.CategoryRepository.
func (r CategoryRepository) ByID(ctx context.Context, id int64) (domain.Category, error) {
	return one(scanCategory(r.db.q(ctx).QueryRow(ctx, `SELECT id, name FROM categories WHERE id = $1`, id)))
}

// List implements ports.CategoryRepository.
func (r CategoryRepository) List(ctx context.Context, p domain.PageRequest) (domain.Page[domain.Category], error) {
	return page(ctx, r.db.q(ctx), p, scanCategory, domain.Category.Cursor,
		listCategoriesSQL, p.After.ID())
}

// Delete implements ports.CategoryRepository. Deleted products let go of the category
// first; a live product keeps the foreign key, which makes the delete fail as in use.
func (r CategoryRepository) Delete(ctx context.Context, id int64) error {
	_, err := withCatalogNotice(ctx, r.db, func(ctx context.Context) (struct{}, error) { return struct{}{}, r.delete(ctx, id) })
	return err
}

// delete is Delete without the notice.
func (r CategoryRepository) delete(ctx context.Context, id int64) error {
	return r.db.InTx(ctx, func(ctx context.Context) error {
		q := r.db.q(ctx)
		if _, err := q.Exec(ctx, `UPDATE products SET category_id = NULL WHERE category_id = $1 AND deleted_at IS NOT NULL`, id); err != nil {
			return fmt.Errorf("detach deleted products: %w", err)
		}
		tag, err := q.Exec(ctx, `DELETE FROM categories WHERE id = $1`, id)
		if pgCode(err) == foreignKeyViolation {
			return domain.ErrCategoryInUse
		}
		if err != nil {
			return fmt.Errorf("delete category: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		return nil
	})
}

// ProductRepository implements ports.ProductRepository.
type ProductRepository struct{ db *DB }

var _ ports.ProductRepository = ProductRepository{}

// NewProductRepository returns a ProductRepository on db.
func NewProductRepository(db *DB) ProductRepository { return ProductRepository{db: db} }

const productSelect = `SELECT p.id, p.name, p.description, p.price_cents, p.stock, c.id, c.name, p.created_at
	FROM products p JOIN categories c ON c.id = p.category_id`

func scanProduct(row pgx.Row) (domain.Product, error) {
	var p domain.Product
	err := row.Scan(&p.ID, &p.Name, &p.Description, &p.Price, &p.Stock, &p.Category.ID, &p.Category.Name, &p.CreatedAt)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// Create implements ports.ProductRepository.
func (r ProductRepository) Create(ctx context.Context, f domain.ProductFields, createdAt time.Time) (domain.Product, error) {
	return withCatalogNotice(ctx, r.db, func(ctx context.Context) (domain.Product, error) { return r.create(ctx, f, createdAt) })
}

// create is Create without the notice.
func (r ProductRepository) create(ctx context.Context, f domain.ProductFields, createdAt time.Time) (domain.Product, error) {
	var id int64
	err := r.db.q(ctx).QueryRow(ctx, `INSERT INTO products (name, description, price_cents, stock, category_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		f.Name, f.Description, f.Price, f.Stock, f.CategoryID, createdAt).Scan(&id)
	if pgCode(err) == foreignKeyViolation {
		return domain.Product{}, domain.UnknownCategory()
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("insert product: %w", err)
	}
	return r.ByID(ctx, id)
}

// ByID implements ports.ProductRepository.
func (r ProductRepository) ByID(ctx context.Context, id int64) (domain.Product, error) {
	return one(scanProduct(r.db.q(ctx).QueryRow(ctx, productSelect+` WHERE p.id = $1 AND p.deleted_at IS NULL`, id)))
}

// Lock implements ports.ProductRepository: the row stays locked (FOR UPDATE) until the
// caller's transaction ends.
func (r ProductRepository) Lock(ctx context.Context, id int64) (domain.Product, error) {
	return one(scanProduct(r.db.q(ctx).QueryRow(ctx, productSelect+` WHERE p.id = $1 AND p.deleted_at IS NULL FOR UPDATE OF p`, id)))
}

// List implements ports.ProductRepository.
func (r ProductRepository) List(ctx context.Context, f ports.ProductFilter, p domain.PageRequest) (domain.Page[domain.Product], error) {
	if f.CategoryID == 0 {
		return page(ctx, r.db.q(ctx), p, scanProduct, domain.Product.Cursor, listProductsSQL, p.After.ID())
	}
	return page(ctx, r.db.q(ctx), p, scanProduct, domain.Product.Cursor, listProductsInCategorySQL,
		f.CategoryID, p.After.ID())
}

// Update implements ports.ProductRepository.
func (r ProductRepository) Update(ctx context.Context, id int64, f domain.ProductFields) (domain.Product, error) {
	return withCatalogNotice(ctx, r.db, func(ctx context.Context) (domain.Product, error) { return r.update(ctx, id, f) })
}

// update is Update without the notice.
func (r ProductRepository) update(ctx context.Context, id int64, f domain.ProductFields) (domain.Product, error) {
	tag, err := r.db.q(ctx).Exec(ctx, `UPDATE products SET name = $2, description = $3, price_cents = $4, stock = $5,
		category_id = $6 WHERE id = $1 AND deleted_at IS NULL`, id, f.Name, f.Description, f.Price, f.Stock, f.CategoryID)
	if pgCode(err) == foreignKeyViolation {
		return domain.Product{}, domain.UnknownCategory()
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("update product: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Product{}, domain.ErrNotFound
	}
	return r.ByID(ctx, id)
}

// Delete implements ports.ProductRepository.
func (r ProductRepository) Delete(ctx context.Context, id int64) error {
	_, err := withCatalogNotice(ctx, r.db, func(ctx context.Context) (struct{}, error) { return struct{}{}, r.delete(ctx, id) })
	return err
}

// delete is Delete without the notice.
func (r ProductRepository) delete(ctx context.Context, id int64) error {
	return r.db.InTx(ctx, func(ctx context.Context) error {
		q := r.db.q(ctx)
		tag, err := q.Exec(ctx, `UPDATE products SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id)
		if err != nil {
			return fmt.Errorf("delete product: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		if _, err := q.Exec(ctx, `DELETE FROM cart_items WHERE product_id = $1`, id); err != nil {
			return fmt.Errorf("remove deleted product from carts: %w", err)
		}
		return nil
	})
}

// TakeStock implements ports.ProductRepository: one conditional UPDATE, so the stock can
// never go below zero whatever runs concurrently (the row lock serialises writers, and
// the WHERE is re-checked on the newest row version). It returns the updated product in
// the same round trip; only a refusal costs a second query, to tell short from gone.
func (r ProductRepository) TakeStock(ctx context.Context, id int64, quantity int) (domain.Product, error) {
	return withCatalogNotice(ctx, r.db, func(ctx context.Context) (domain.Product, error) { return r.takeStock(ctx, id, quantity) })
}

// takeStock is TakeStock without the notice.
func (r ProductRepository) takeStock(ctx context.Context, id int64, quantity int) (domain.Product, error) {
	q := r.db.q(ctx)
	p, err := scanProduct(q.QueryRow(ctx, `WITH p AS (
			UPDATE products SET stock = stock - $2 WHERE id = $1 AND deleted_at IS NULL AND stock >= $2
			RETURNING id, name, description, price_cents, stock, category_id, created_at)
		SELECT p.id, p.name, p.description, p.price_cents, p.stock, c.id, c.name, p.created_at
		FROM p JOIN categories c ON c.id = p.category_id`, id, quantity))
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := r.ByID(ctx, id); err != nil {
			return domain.Product{}, err
		}
		return domain.Product{}, domain.ErrInsufficientStock
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("take stock: %w", err)
	}
	return p, nil
}

// CatalogReader implements ports.CatalogReader: the repositories' reads, run on the read
// replicas when DATABASE_READ_URL is set (see DB.Read), else on the primary. Replicas lag
// the primary by their replication delay: what this returns may be that old.
type CatalogReader struct{ db *DB }

var _ ports.CatalogReader = CatalogReader{}

// NewCatalogReader returns the catalog reads of db.
func NewCatalogReader(db *DB) CatalogReader { return CatalogReader{db: db} }

// Category implements ports.CatalogReader.
func (r CatalogReader) Category(ctx context.Context, id int64) (c domain.Category, err error) {
	err = r.db.Read(ctx, func(ctx context.Context, db *DB) error {
		c, err = CategoryRepository{db: db}.ByID(ctx, id)
		return err
	})
	return c, err
}

// Categories implements ports.CatalogReader.
func (r CatalogReader) Categories(ctx context.Context, p domain.PageRequest) (page domain.Page[domain.Category], err error) {
	err = r.db.Read(ctx, func(ctx context.Context, db *DB) error {
		page, err = CategoryRepository{db: db}.List(ctx, p)
		return err
	})
	return page, err
}

// Product implements ports.CatalogReader.
func (r CatalogReader) Product(ctx context.Context, id int64) (p domain.Product, err error) {
	err = r.db.Read(ctx, func(ctx context.Context, db *DB) error {
		p, err = ProductRepository{db: db}.ByID(ctx, id)
		return err
	})
	return p, err
}

// Products implements ports.CatalogReader.
func (r CatalogReader) Products(ctx context.Context, f ports.ProductFilter, p domain.PageRequest) (page domain.Page[domain.Product], err error) {
	err = r.db.Read(ctx, func(ctx context.Context, db *DB) error {
		page, err = ProductRepository{db: db}.List(ctx, f, p)
		return err
	})
	return page, err
}

// The keyset list statements of this file (see lists.go).
const (
	listCategoriesSQL = `SELECT id, name FROM categories WHERE id > $1 ORDER BY id`

	// Two statements rather than "($1 = 0 OR category_id = $1)", so that each gets a plan
	// of its own: products_live (id), or products_category_live (category_id, id).
	listProductsSQL = productSelect + `
		WHERE p.deleted_at IS NULL AND p.id > $1 ORDER BY p.id`
	listProductsInCategorySQL = productSelect + `
		WHERE p.deleted_at IS NULL AND p.category_id = $1 AND p.id > $2 ORDER BY p.id`
)

// withCatalogNotice runs a catalog write and its NOTIFY in one transaction (the caller's,
// when it has one): the notice goes out when the write commits, and never without it.
func withCatalogNotice[T any](ctx context.Context, db *DB, write func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = write(ctx); err != nil {
			return err
		}
		return db.notifyCatalog(ctx)
	})
	return out, err
}
