package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/test/pgtest"
)

func (s *server) category(admin account, name string) int64 {
	s.t.Helper()
	res := s.authed(admin.Token, http.MethodPost, "/products/category", map[string]any{"name": name})
	if res.Status != http.StatusCreated {
		s.t.Fatalf("create category: %d %s", res.Status, res.Body)
	}
	return id(s.t, res)
}

func (s *server) product(admin account, name string, price, stock, cat int64) int64 {
	s.t.Helper()
	res := s.authed(admin.Token, http.MethodPost, "/products", map[string]any{
		"name": name, "description": "a fine " + name, "price_cents": price, "stock": stock, "category_id": cat,
	})
	if res.Status != http.StatusCreated {
		s.t.Fatalf("create product: %d %s", res.Status, res.Body)
	}
	return id(s.t, res)
}

func TestCategoryEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin, cust := s.admin(), s.register("Cus", "cus@example.com")

	wantProblem(t, s.json(http.MethodPost, "/products/category", map[string]any{"name": "X"}), http.StatusUnauthorized, "unauthorized")
	wantProblem(t, s.authed(cust.Token, http.MethodPost, "/products/category", map[string]any{"name": "X"}), http.StatusForbidden, "forbidden")

	res := s.authed(admin.Token, http.MethodPost, "/products/category", map[string]any{"name": "  Books "})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	books := res.JSON(t)
	if books["name"] != "Books" || len(books) != 2 {
		t.Fatalf("category = %v, want exactly {id, name}", books)
	}
	wantProblem(t, s.authed(admin.Token, http.MethodPost, "/products/category", map[string]any{"name": "bOOKS"}), http.StatusConflict, "category_name_taken")
	wantProblem(t, s.authed(admin.Token, http.MethodPost, "/products/category", map[string]any{"name": ""}), http.StatusUnprocessableEntity, "validation_failed")
	wantProblem(t, s.authed(admin.Token, http.MethodPost, "/products/category", map[string]any{"name": strings.Repeat("c", 101)}), http.StatusUnprocessableEntity, "validation_failed")
	toolsID := s.category(admin, "Tools")

	// Reads are public.
	list := s.request(http.MethodGet, "/products/category", "")
	if page := list.JSON(t); list.Status != http.StatusOK || len(page["items"].([]any)) != 2 || page["next_cursor"] != nil {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	bookPath := fmt.Sprintf("/products/category/%v", books["id"])
	if got := s.request(http.MethodGet, bookPath, ""); got.Status != http.StatusOK || got.JSON(t)["name"] != "Books" {
		t.Fatalf("get: %d %s", got.Status, got.Body)
	}
	wantProblem(t, s.request(http.MethodGet, "/products/category/999999", ""), http.StatusNotFound, "not_found")
	wantProblem(t, s.request(http.MethodGet, "/products/category/abc", ""), http.StatusBadRequest, "invalid_id")

	// In use: 409 and nothing cascades; after the product leaves the catalog: 204.
	pid := s.product(admin, "Hammer", 1500, 3, toolsID)
	toolsPath := fmt.Sprintf("/products/category/%d", toolsID)
	wantProblem(t, s.authed(cust.Token, http.MethodDelete, toolsPath, nil), http.StatusForbidden, "forbidden")
	wantProblem(t, s.authed(admin.Token, http.MethodDelete, toolsPath, nil), http.StatusConflict, "category_in_use")
	if res := s.request(http.MethodGet, fmt.Sprintf("/products/%d", pid), ""); res.Status != http.StatusOK {
		t.Fatalf("product after refused category delete: %d", res.Status)
	}
	if res := s.authed(admin.Token, http.MethodDelete, fmt.Sprintf("/products/%d", pid), nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete product: %d %s", res.Status, res.Body)
	}
	if res := s.authed(admin.Token, http.MethodDelete, toolsPath, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete unused category: %d %s", res.Status, res.Body)
	}
	wantProblem(t, s.authed(admin.Token, http.MethodDelete, toolsPath, nil), http.StatusNotFound, "not_found")
}

func TestProductEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin, cust := s.admin(), s.register("Cus", "cus@example.com")
	books, tools := s.category(admin, "Books"), s.category(admin, "Tools")

	res := s.authed(admin.Token, http.MethodPost, "/products", map[string]any{
		"name": "Go Book", "description": "Learn Go", "price_cents": 3999, "stock": 7, "category_id": books,
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	p := res.JSON(t)
	cat := p["category"].(map[string]any)
	if p["name"] != "Go Book" || p["description"] != "Learn Go" || p["price_cents"] != float64(3999) || p["stock"] != float64(7) ||
		cat["id"] != float64(books) || cat["name"] != "Books" || p["created_at"] == nil {
		t.Fatalf("product = %v", p)
	}
	if !strings.Contains(string(res.Body), `"price_cents":3999,`) {
		t.Errorf("price is not an integer in the JSON: %s", res.Body)
	}
	goID := int64(p["id"].(float64))
	hammer := s.product(admin, "Hammer", 1500, 3, tools)
	s.product(admin, "Rust Book", 4200, 2, books)

	valid := map[string]any{"name": "N", "price_cents": 100, "stock": 1, "category_id": books}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range valid {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for name, body := range map[string]map[string]any{
		"empty name":        with("name", ""),
		"long name":         with("name", strings.Repeat("n", 201)),
		"zero price":        with("price_cents", 0),
		"price too high":    with("price_cents", 1_000_000_001),
		"fractional price":  with("price_cents", 12.5),
		"price as a string": with("price_cents", "100"),
		"negative stock":    with("stock", -1),
		"stock too high":    with("stock", 1_000_001),
		"unknown category":  with("category_id", 999999),
		"missing price":     with("price_cents", nil),
		"missing stock":     with("stock", nil),
		"missing category":  with("category_id", nil),
		"unknown field":     with("color", "red"),
	} {
		t.Run(name, func(t *testing.T) {
			wantProblem(t, s.authed(admin.Token, http.MethodPost, "/products", body), http.StatusUnprocessableEntity, "validation_failed")
		})
	}
	wantProblem(t, s.authed(cust.Token, http.MethodPost, "/products", valid), http.StatusForbidden, "forbidden")
	wantProblem(t, s.json(http.MethodPost, "/products", valid), http.StatusUnauthorized, "unauthorized")

	// Public reads, filter, pagination.
	all := s.request(http.MethodGet, "/products", "").JSON(t)
	if len(all["items"].([]any)) != 3 || all["next_cursor"] != nil {
		t.Fatalf("products = %v", all)
	}
	onlyBooks := s.request(http.MethodGet, fmt.Sprintf("/products?category_id=%d&limit=1", books), "").JSON(t)
	next, _ := onlyBooks["next_cursor"].(string)
	if next == "" {
		t.Fatalf("books page 1 has no next_cursor: %v", onlyBooks)
	}
	onlyBooks = s.request(http.MethodGet, fmt.Sprintf("/products?category_id=%d&limit=1&cursor=%s", books, next), "").JSON(t)
	items := onlyBooks["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["name"] != "Rust Book" || onlyBooks["next_cursor"] != nil {
		t.Fatalf("books page 2 = %v", onlyBooks)
	}
	if none := s.request(http.MethodGet, "/products?category_id=999999", "").JSON(t); len(none["items"].([]any)) != 0 {
		t.Fatalf("unknown category filter = %v", none)
	}
	for _, q := range []string{"category_id=abc", "category_id=0", "category_id=-3", "limit=0", "offset=x", "offset=0", "category_id=1&category_id=2", "cursor=a&cursor=b"} {
		wantProblem(t, s.request(http.MethodGet, "/products?"+q, ""), http.StatusBadRequest, "invalid_query")
	}
	goPath := fmt.Sprintf("/products/%d", goID)
	if got := s.request(http.MethodGet, goPath, ""); got.Status != http.StatusOK || got.JSON(t)["name"] != "Go Book" {
		t.Fatalf("get: %d %s", got.Status, got.Body)
	}
	wantProblem(t, s.request(http.MethodGet, "/products/999999", ""), http.StatusNotFound, "not_found")
	wantProblem(t, s.request(http.MethodGet, "/products/1.5", ""), http.StatusBadRequest, "invalid_id")

	// PATCH: any subset; null or bad values are 422 and change nothing.
	up := s.authed(admin.Token, http.MethodPatch, goPath, map[string]any{"price_cents": 3499, "category_id": tools})
	if body := up.JSON(t); up.Status != http.StatusOK || body["price_cents"] != float64(3499) || body["name"] != "Go Book" ||
		body["category"].(map[string]any)["name"] != "Tools" || body["stock"] != float64(7) {
		t.Fatalf("patch: %d %s", up.Status, up.Body)
	}
	for name, body := range map[string]any{
		"null name":        map[string]any{"name": nil},
		"bad stock":        map[string]any{"stock": -2},
		"unknown category": map[string]any{"category_id": 424242},
		"unknown field":    map[string]any{"colour": "blue"},
	} {
		t.Run("patch "+name, func(t *testing.T) {
			wantProblem(t, s.authed(admin.Token, http.MethodPatch, goPath, body), http.StatusUnprocessableEntity, "validation_failed")
		})
	}
	if got := s.request(http.MethodGet, goPath, "").JSON(t); got["price_cents"] != float64(3499) || got["stock"] != float64(7) {
		t.Fatalf("a refused patch changed the product: %v", got)
	}
	if res := s.authed(admin.Token, http.MethodPatch, goPath, map[string]any{}); res.Status != http.StatusOK {
		t.Fatalf("empty patch: %d", res.Status)
	}
	wantProblem(t, s.authed(admin.Token, http.MethodPatch, "/products/999999", map[string]any{"stock": 1}), http.StatusNotFound, "not_found")
	wantProblem(t, s.authed(cust.Token, http.MethodPatch, goPath, map[string]any{"stock": 1}), http.StatusForbidden, "forbidden")

	// DELETE.
	hammerPath := fmt.Sprintf("/products/%d", hammer)
	wantProblem(t, s.authed(cust.Token, http.MethodDelete, hammerPath, nil), http.StatusForbidden, "forbidden")
	if res := s.authed(admin.Token, http.MethodDelete, hammerPath, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d", res.Status)
	}
	wantProblem(t, s.request(http.MethodGet, hammerPath, ""), http.StatusNotFound, "not_found")
	wantProblem(t, s.authed(admin.Token, http.MethodDelete, hammerPath, nil), http.StatusNotFound, "not_found")
	wantProblem(t, s.authed(admin.Token, http.MethodPatch, hammerPath, map[string]any{"stock": 1}), http.StatusNotFound, "not_found")
}

// TestCatalogReadsAreConditionalAndCacheable: public catalog reads carry a strong ETag
// and a shared-cache lifetime; the same ETag in If-None-Match answers 304 with no body
// until the catalog changes; everything authenticated stays no-store.
func TestCatalogReadsAreConditionalAndCacheable(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	cat := s.category(admin, "C")
	pen := s.product(admin, "Pen", 100, 5, cat)
	for _, path := range []string{"/products", fmt.Sprintf("/products/%d", pen), "/products/category",
		fmt.Sprintf("/products/category/%d", cat), fmt.Sprintf("/products?category_id=%d&limit=5", cat)} {
		first := s.request(http.MethodGet, path, "")
		etag := first.Header.Get("ETag")
		if first.Status != http.StatusOK || !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
			t.Fatalf("GET %s: %d, ETag %q; want 200 with a strong ETag", path, first.Status, etag)
		}
		if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=5, stale-while-revalidate=30" {
			t.Errorf("GET %s: Cache-Control %q", path, cc)
		}
		again := s.request(http.MethodGet, path, "", "If-None-Match: "+etag)
		if again.Status != http.StatusNotModified || len(again.Body) != 0 || again.Header.Get("ETag") != etag {
			t.Errorf("GET %s with its ETag: %d, %d bytes, ETag %q; want 304, no body, the same tag",
				path, again.Status, len(again.Body), again.Header.Get("ETag"))
		}
		if other := s.request(http.MethodGet, path, "", `If-None-Match: "stale", W/"older"`); other.Status != http.StatusOK {
			t.Errorf("GET %s with other tags: %d, want 200", path, other.Status)
		}
	}
	// A change gives a new tag; the old one no longer matches.
	path := fmt.Sprintf("/products/%d", pen)
	old := s.request(http.MethodGet, path, "").Header.Get("ETag")
	list := s.request(http.MethodGet, "/products", "").Header.Get("ETag")
	if res := s.authed(admin.Token, http.MethodPatch, path, map[string]any{"price_cents": 150}); res.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	changed := s.request(http.MethodGet, path, "", "If-None-Match: "+old)
	if changed.Status != http.StatusOK || changed.Header.Get("ETag") == old || changed.JSON(t)["price_cents"] != float64(150) {
		t.Errorf("after a price change: %d, ETag %q (was %q)", changed.Status, changed.Header.Get("ETag"), old)
	}
	if s.request(http.MethodGet, "/products", "", "If-None-Match: "+list).Status != http.StatusOK {
		t.Error("the product list still answers 304 to its tag from before the change")
	}
	// Not cacheable: what needs a token, and answers of other kinds.
	ann := s.register("Ann", "ann@example.com")
	if cc := s.authed(ann.Token, http.MethodGet, "/cart", nil).Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET /cart: Cache-Control %q, want no-store", cc)
	}
	if res := s.request(http.MethodGet, "/products/999999", ""); res.Header.Get("ETag") != "" {
		t.Errorf("a 404 has an ETag: %v", res.Header)
	}

	// CATALOG_MAX_AGE=0: caches revalidate every time, the ETag still saves the body.
	off := startServer(t, withEnv("CATALOG_MAX_AGE", "0"))
	res := off.request(http.MethodGet, "/products", "")
	if cc := res.Header.Get("Cache-Control"); cc != "public, no-cache" {
		t.Errorf("CATALOG_MAX_AGE=0: Cache-Control %q", cc)
	}
	if off.request(http.MethodGet, "/products", "", "If-None-Match: "+res.Header.Get("ETag")).Status != http.StatusNotModified {
		t.Error("CATALOG_MAX_AGE=0: no 304 for the current tag")
	}
}

// TestIfMatchStopsLostUpdates: two admins edit one product from the same read; the
// second, holding the older ETag, gets 412 and changes nothing. With
// CATALOG_REQUIRE_IF_MATCH a change without If-Match is 428.
func TestIfMatchStopsLostUpdates(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	cat := s.category(admin, "C")
	pen := s.product(admin, "Pen", 100, 5, cat)
	path := fmt.Sprintf("/products/%d", pen)
	read := s.request(http.MethodGet, path, "").Header.Get("ETag")

	first := s.request(http.MethodPatch, path, `{"price_cents":150}`, "Authorization: Bearer "+admin.Token,
		"Content-Type: application/json", "If-Match: "+read)
	if first.Status != http.StatusOK || first.Header.Get("ETag") == "" || first.Header.Get("ETag") == read {
		t.Fatalf("first edit: %d, ETag %q (read %q)", first.Status, first.Header.Get("ETag"), read)
	}
	if now := s.request(http.MethodGet, path, "").Header.Get("ETag"); now != first.Header.Get("ETag") {
		t.Errorf("the PATCH answer's ETag %q is not what GET gives now, %q", first.Header.Get("ETag"), now)
	}
	second := s.request(http.MethodPatch, path, `{"stock":99}`, "Authorization: Bearer "+admin.Token,
		"Content-Type: application/json", "If-Match: "+read)
	wantProblem(t, second, http.StatusPreconditionFailed, "precondition_failed")
	if p := s.request(http.MethodGet, path, "").JSON(t); p["stock"] != float64(5) || p["price_cents"] != float64(150) {
		t.Errorf("after the refused edit: %v, want the first edit only", p)
	}
	for _, tag := range []string{"W/" + first.Header.Get("ETag"), `"nope"`} {
		wantProblem(t, s.request(http.MethodDelete, path, "", "Authorization: Bearer "+admin.Token, "If-Match: "+tag),
			http.StatusPreconditionFailed, "precondition_failed")
	}
	wantProblem(t, s.request(http.MethodDelete, fmt.Sprintf("/products/category/%d", cat), "",
		"Authorization: Bearer "+admin.Token, `If-Match: "nope"`), http.StatusPreconditionFailed, "precondition_failed")
	if res := s.request(http.MethodDelete, path, "", "Authorization: Bearer "+admin.Token, "If-Match: *"); res.Status != http.StatusNoContent {
		t.Fatalf("delete with If-Match *: %d %s", res.Status, res.Body)
	}

	strict := startServer(t, withEnv("CATALOG_REQUIRE_IF_MATCH", "true"))
	boss := strict.admin()
	ink := strict.product(boss, "Ink", 100, 5, strict.category(boss, "C"))
	inkPath := fmt.Sprintf("/products/%d", ink)
	wantProblem(t, strict.authed(boss.Token, http.MethodPatch, inkPath, map[string]any{"stock": 1}),
		http.StatusPreconditionRequired, "precondition_required")
	wantProblem(t, strict.authed(boss.Token, http.MethodDelete, inkPath, nil), http.StatusPreconditionRequired, "precondition_required")
	tag := strict.request(http.MethodGet, inkPath, "").Header.Get("ETag")
	if res := strict.request(http.MethodPatch, inkPath, `{"stock":1}`, "Authorization: Bearer "+boss.Token,
		"Content-Type: application/json", "If-Match: "+tag); res.Status != http.StatusOK {
		t.Fatalf("strict edit with the current tag: %d %s", res.Status, res.Body)
	}
}

// TestCatalogCacheIsFreshOnEveryReplica: two serve processes on one database, each with
// its catalog cache. A price change made through one is read through the other within a
// second (LISTEN/NOTIFY), though the cache would keep it for a minute; after the other's
// listening connection is cut, a change is still read within the cache TTL, and the
// listener comes back by itself.
func TestCatalogCacheIsFreshOnEveryReplica(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	one := startServer(t, onDatabase(db), withEnv("CATALOG_CACHE_TTL", "60s"))
	admin := one.admin()
	pen := one.product(admin, "Pen", 100, 5, one.category(admin, "C"))
	path := fmt.Sprintf("/products/%d", pen)
	price := func(s *server) float64 { return s.request(http.MethodGet, path, "").JSON(t)["price_cents"].(float64) }
	within := func(what string, bound time.Duration, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(bound); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %v", what, bound)
			}
		}
	}

	other := startServer(t, onDatabase(db), withEnv("CATALOG_CACHE_TTL", "60s"))
	for range 2 { // read twice: the second is a cache hit
		if price(other) != 100 {
			t.Fatal("the other server does not see the product")
		}
	}
	if res := one.authed(admin.Token, http.MethodPatch, path, map[string]any{"price_cents": 150}); res.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	within("the other server reads the new price (notice)", time.Second, func() bool { return price(other) == 150 })

	// A rolled-back write notifies nobody, and a checkout never prices from the cache:
	// the order's price is the one the primary has.
	ann := other.register("Ann", "ann@example.com")
	other.addToCart(ann, pen, 1)
	if res := other.authed(ann.Token, http.MethodPost, "/orders", map[string]any{}); res.Status != http.StatusCreated ||
		res.JSON(t)["total_cents"] != float64(150) {
		t.Fatalf("checkout on the other server: %d %s", res.Status, res.Body)
	}

	// Cut the other server's listener: with a short TTL, a change still shows.
	third := startServer(t, onDatabase(db), withEnv("CATALOG_CACHE_TTL", "2s"))
	if price(third) != 150 {
		t.Fatal("the third server does not see the price")
	}
	within("the listeners are connected", 5*time.Second, func() bool {
		return pgtest.CountSessions(t, db, postgresListener) >= 3
	})
	if n := pgtest.TerminateSessions(t, db, postgresListener); n < 3 {
		t.Fatalf("cut %d listeners, want 3", n)
	}
	if res := one.authed(admin.Token, http.MethodPatch, path, map[string]any{"price_cents": 175}); res.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	within("the third server reads the new price with its listener cut", 3*time.Second, func() bool { return price(third) == 175 })
	within("the listeners reconnect by themselves", 10*time.Second, func() bool {
		return pgtest.CountSessions(t, db, postgresListener) >= 3
	})
}

// postgresListener is the application_name of a server's catalog listener.
const postgresListener = "catalog-listener"
