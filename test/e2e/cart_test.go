package e2e_test

import (
	"fmt"
	"net/http"
	"testing"
)

func TestCartEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	ann, bob := s.register("Ann", "ann@example.com"), s.register("Bob", "bob@example.com")
	cat := s.category(admin, "C")
	pen, ink := s.product(admin, "Pen", 199, 5, cat), s.product(admin, "Ink", 1250, 50, cat)

	wantProblem(t, s.request(http.MethodGet, "/cart", ""), http.StatusUnauthorized, "unauthorized")
	empty := s.authed(ann.Token, http.MethodGet, "/cart", nil)
	if empty.Status != http.StatusOK || string(empty.Body) != `{"items":[],"total_cents":0}` {
		t.Fatalf("empty cart: %d %s", empty.Status, empty.Body)
	}

	add := s.authed(ann.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": pen, "quantity": 2})
	if add.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", add.Status, add.Body)
	}
	line := add.JSON(t)
	lineID := int64(line["id"].(float64))
	prod := line["product"].(map[string]any)
	if line["quantity"] != float64(2) || line["line_total_cents"] != float64(398) || prod["id"] != float64(pen) ||
		prod["name"] != "Pen" || prod["price_cents"] != float64(199) {
		t.Fatalf("line = %v", line)
	}
	again := s.authed(ann.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": pen, "quantity": 3})
	if got := again.JSON(t); again.Status != http.StatusCreated || int64(got["id"].(float64)) != lineID || got["quantity"] != float64(5) {
		t.Fatalf("adding the same product: %d %s", again.Status, again.Body)
	}
	// More than the stock (5) in the cart: 409, and the line stays at 5.
	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": pen, "quantity": 1}), http.StatusConflict, "insufficient_stock")
	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": 999999, "quantity": 1}), http.StatusNotFound, "not_found")
	for name, q := range map[string]any{"zero": 0, "negative": -1, "over 1000": 1001, "fraction": 1.5, "string": "2", "null": nil} {
		t.Run("quantity "+name, func(t *testing.T) {
			wantProblem(t, s.authed(ann.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": ink, "quantity": q}),
				http.StatusUnprocessableEntity, "validation_failed")
		})
	}
	s.authed(ann.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": ink, "quantity": 1})
	cart := s.authed(ann.Token, http.MethodGet, "/cart", nil).JSON(t)
	if items := cart["items"].([]any); len(items) != 2 || cart["total_cents"] != float64(5*199+1250) {
		t.Fatalf("cart = %v", cart)
	}

	linePath := fmt.Sprintf("/cart/items/%d", lineID)
	patched := s.authed(ann.Token, http.MethodPatch, linePath, map[string]any{"quantity": 4})
	if got := patched.JSON(t); patched.Status != http.StatusOK || got["quantity"] != float64(4) || got["line_total_cents"] != float64(796) {
		t.Fatalf("patch: %d %s", patched.Status, patched.Body)
	}
	wantProblem(t, s.authed(ann.Token, http.MethodPatch, linePath, map[string]any{"quantity": 6}), http.StatusConflict, "insufficient_stock")
	wantProblem(t, s.authed(ann.Token, http.MethodPatch, linePath, map[string]any{"quantity": 0}), http.StatusUnprocessableEntity, "validation_failed")
	wantProblem(t, s.authed(ann.Token, http.MethodPatch, "/cart/items/999999", map[string]any{"quantity": 1}), http.StatusNotFound, "not_found")

	// Bob can neither see, change nor delete Ann's line; it stays in her cart.
	wantProblem(t, s.authed(bob.Token, http.MethodPatch, linePath, map[string]any{"quantity": 1}), http.StatusNotFound, "not_found")
	wantProblem(t, s.authed(bob.Token, http.MethodDelete, linePath, nil), http.StatusNotFound, "not_found")
	if b := s.authed(bob.Token, http.MethodGet, "/cart", nil); string(b.Body) != `{"items":[],"total_cents":0}` {
		t.Fatalf("Bob's cart = %s", b.Body)
	}
	annCart := s.authed(ann.Token, http.MethodGet, "/cart", nil).JSON(t)
	if first := annCart["items"].([]any)[0].(map[string]any); first["quantity"] != float64(4) {
		t.Fatalf("Ann's line after Bob's attempts = %v", first)
	}

	if res := s.authed(ann.Token, http.MethodDelete, linePath, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d", res.Status)
	}
	wantProblem(t, s.authed(ann.Token, http.MethodDelete, linePath, nil), http.StatusNotFound, "not_found")

	// A product deleted from the catalog leaves every cart.
	s.authed(admin.Token, http.MethodDelete, fmt.Sprintf("/products/%d", ink), nil)
	if c := s.authed(ann.Token, http.MethodGet, "/cart", nil); string(c.Body) != `{"items":[],"total_cents":0}` {
		t.Fatalf("cart after the product was deleted = %s", c.Body)
	}
}
