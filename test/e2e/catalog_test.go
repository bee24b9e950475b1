package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
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
