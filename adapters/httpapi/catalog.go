package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// catalogAPI serves the catalog: reads public, writes for admins (the use cases answer
// 403 to customers).
type catalogAPI struct {
	*api
	catalog ports.Catalog
}

// CatalogRoutes are the catalog feature: categories and products.
func CatalogRoutes(catalog ports.Catalog) Feature {
	return Feature{name: "catalog", mount: func(base *api, r routes) {
		a := catalogAPI{api: base, catalog: catalog}
		r.public.GET("/products/category", a.listCategories)
		r.public.GET("/products/category/:id", a.getCategory)
		r.signedIn.POST("/products/category", a.createCategory)
		r.signedIn.DELETE("/products/category/:id", a.deleteCategory)
		r.public.GET("/products", a.listProducts)
		r.public.GET("/products/:id", a.getProduct)
		r.signedIn.POST("/products", a.createProduct)
		r.signedIn.PATCH("/products/:id", a.patchProduct)
		r.signedIn.DELETE("/products/:id", a.deleteProduct)
	}}
}

type categoryResponse struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func toCategoryResponse(c domain.Category) categoryResponse {
	return categoryResponse{ID: c.ID, Name: c.Name}
}

type productResponse struct {
	ID          int64            `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	PriceCents  int64            `json:"price_cents"`
	Stock       int              `json:"stock"`
	Category    categoryResponse `json:"category"`
	CreatedAt   time.Time        `json:"created_at"`
}

func toProductResponse(p domain.Product) productResponse {
	return productResponse{
		ID: p.ID, Name: p.Name, Description: p.Description, PriceCents: int64(p.Price), Stock: p.Stock,
		Category: toCategoryResponse(p.Category), CreatedAt: p.CreatedAt.UTC(),
	}
}

func (a catalogAPI) listCategories(c *gin.Context) {
	p, ok := pageRequest(c, domain.CursorCategories)
	if !ok {
		return
	}
	ctx, memo := ports.WithMemo(c.Request.Context())
	page, err := a.catalog.ListCategories(ctx, p)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.publicRead(c, memo, fmt.Sprintf("categories/%d/%s", p.Limit, p.After), func() any { return toPage(page, toCategoryResponse) })
}

func (a catalogAPI) getCategory(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx, memo := ports.WithMemo(c.Request.Context())
	cat, err := a.catalog.GetCategory(ctx, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.publicRead(c, memo, "category/"+itoa(id), func() any { return toCategoryResponse(cat) })
}

func (a catalogAPI) createCategory(c *gin.Context) {
	var req struct {
		Name string `json:"name"`
	}
	if !bindJSON(c, &req) {
		return
	}
	cat, err := a.catalog.CreateCategory(c.Request.Context(), currentUser(c), req.Name)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Location", "/products/category/"+itoa(cat.ID))
	c.JSON(http.StatusCreated, toCategoryResponse(cat))
}

func (a catalogAPI) deleteCategory(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	pre, ok := ifMatch(a, c, toCategoryResponse)
	if !ok {
		return
	}
	if err := a.catalog.DeleteCategory(c.Request.Context(), currentUser(c), id, pre); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a catalogAPI) listProducts(c *gin.Context) {
	p, ok := pageRequest(c, domain.CursorProducts)
	if !ok {
		return
	}
	var filter ports.ProductFilter
	if _, given := c.GetQuery("category_id"); given {
		id, ok := queryID(c, "category_id")
		if !ok {
			return
		}
		filter.CategoryID = id
	}
	ctx, memo := ports.WithMemo(c.Request.Context())
	page, err := a.catalog.ListProducts(ctx, filter, p)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.publicRead(c, memo, fmt.Sprintf("products/%d/%d/%s", filter.CategoryID, p.Limit, p.After),
		func() any { return toPage(page, toProductResponse) })
}

func (a catalogAPI) getProduct(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx, memo := ports.WithMemo(c.Request.Context())
	p, err := a.catalog.GetProduct(ctx, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.publicRead(c, memo, "product/"+itoa(id), func() any { return toProductResponse(p) })
}

type createProductRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	PriceCents  *int64 `json:"price_cents"`
	Stock       *int64 `json:"stock"`
	CategoryID  *int64 `json:"category_id"`
}

func (a catalogAPI) createProduct(c *gin.Context) {
	var req createProductRequest
	if !bindJSON(c, &req) {
		return
	}
	p, err := a.catalog.CreateProduct(c.Request.Context(), currentUser(c), ports.NewProductInput{
		Name: req.Name, Description: req.Description, PriceCents: req.PriceCents, Stock: req.Stock, CategoryID: req.CategoryID,
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Location", "/products/"+itoa(p.ID))
	c.JSON(http.StatusCreated, toProductResponse(p))
}

type patchProductRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	PriceCents  *int64  `json:"price_cents"`
	Stock       *int64  `json:"stock"`
	CategoryID  *int64  `json:"category_id"`
}

func (a catalogAPI) patchProduct(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req patchProductRequest
	body, ok := bindJSONBody(c, &req)
	if !ok {
		return
	}
	// A pointer field cannot tell null from absent; every product field has a value,
	// so an explicit null is refused rather than read as "unchanged".
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(body, &fields) // already decoded once: cannot fail
	var v domain.ValidationError
	for _, name := range []string{"name", "description", "price_cents", "stock", "category_id"} {
		if bytes.Equal(fields[name], []byte("null")) {
			v.Add(name, "must not be null")
		}
	}
	if err := v.Err(); err != nil {
		a.fail(c, err)
		return
	}
	patch := domain.ProductPatch{Name: req.Name, Description: req.Description, Stock: req.Stock, CategoryID: req.CategoryID}
	if req.PriceCents != nil {
		price := domain.Cents(*req.PriceCents)
		patch.Price = &price
	}
	pre, ok := ifMatch(a, c, toProductResponse)
	if !ok {
		return
	}
	p, err := a.catalog.UpdateProduct(c.Request.Context(), currentUser(c), id, patch, pre)
	if err != nil {
		a.fail(c, err)
		return
	}
	out, err := json.Marshal(toProductResponse(p))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("ETag", etagOf(out)) // the new version's, as GET /products/{id} will give it
	c.Data(http.StatusOK, "application/json; charset=utf-8", out)
}

func (a catalogAPI) deleteProduct(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	pre, ok := ifMatch(a, c, toProductResponse)
	if !ok {
		return
	}
	if err := a.catalog.DeleteProduct(c.Request.Context(), currentUser(c), id, pre); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// queryID reads a positive id from an optional query parameter given at most once.
func queryID(c *gin.Context, name string) (int64, bool) {
	vals := c.QueryArray(name)
	if len(vals) != 1 {
		writeProblem(c, http.StatusBadRequest, "invalid_query", name+" must be given at most once")
		return 0, false
	}
	id, err := strconv.ParseInt(vals[0], 10, 64)
	if err != nil || id <= 0 {
		writeProblem(c, http.StatusBadRequest, "invalid_query", name+" must be a positive integer")
		return 0, false
	}
	return id, true
}

// representation is an encoded public read and its ETag, as kept in the memo of the cache
// entry that answered (ports.Memo): of names what was read, for the check on the way out.
type representation struct {
	of         string
	body       []byte
	etag, size string
}

// publicRead answers a public catalog read with the encoded body, a strong ETag (a hash
// of exactly those bytes) and how long shared caches may keep it; a client or cache that
// already holds this representation (If-None-Match) gets 304 and no body. of names the
// read (its kind and parameters): when the answer came from a cache entry that already
// holds its representation (memo), nothing is encoded or hashed again.
func (a catalogAPI) publicRead(c *gin.Context, memo *ports.MemoRequest, of string, v func() any) {
	rep := memoized(memo, of)
	if rep == nil {
		body, err := json.Marshal(v())
		if err != nil {
			a.fail(c, err)
			return
		}
		rep = &representation{of: of, body: body, etag: etagOf(body), size: strconv.Itoa(len(body))}
		if memo.Bound != nil {
			memo.Bound.Store(rep)
		}
	}
	body, etag := rep.body, rep.etag
	c.Header("ETag", etag)
	c.Header("Cache-Control", a.catalogCacheControl())
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("Content-Length", rep.size)
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// memoized returns the representation kept in the bound memo if it is of's, else nil.
func memoized(memo *ports.MemoRequest, of string) *representation {
	if memo.Bound == nil {
		return nil
	}
	if rep, ok := memo.Bound.Load().(*representation); ok && rep.of == of {
		return rep
	}
	return nil
}

// catalogCacheControl is the Cache-Control of public catalog reads.
func (a catalogAPI) catalogCacheControl() string {
	if a.opts.CatalogMaxAge <= 0 {
		return "public, no-cache"
	}
	cc := fmt.Sprintf("public, max-age=%d", int(a.opts.CatalogMaxAge.Seconds()))
	if a.opts.CatalogStale > 0 {
		cc += fmt.Sprintf(", stale-while-revalidate=%d", int(a.opts.CatalogStale.Seconds()))
	}
	return cc
}

// etagOf is the strong ETag of an encoded representation: a hash of exactly its bytes, so
// any change to what a client would read changes it.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// ifMatch turns the request's If-Match into a precondition on the current value, compared
// as its public representation's ETag (strong comparison, RFC 9110 §13.1.1: a weak tag
// never matches; "*" matches whatever exists). Without If-Match there is no condition,
// unless CATALOG_REQUIRE_IF_MATCH makes one required: then 428, and false.
func ifMatch[T, R any](a catalogAPI, c *gin.Context, represent func(T) R) (ports.Precondition[T], bool) {
	header := c.GetHeader("If-Match")
	if header == "" {
		if a.opts.CatalogRequireIfMatch {
			writeProblem(c, http.StatusPreconditionRequired, "precondition_required",
				"send If-Match with the ETag of the version you change (from a GET)")
			return nil, false
		}
		return nil, true
	}
	return func(current T) bool {
		body, err := json.Marshal(represent(current))
		if err != nil {
			return false
		}
		tag := etagOf(body)
		for _, t := range strings.Split(header, ",") {
			if t = strings.TrimSpace(t); t == "*" || t == tag {
				return true
			}
		}
		return false
	}, true
}
