package e2e_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hexashop/hexashop/test/pgtest"
)

// TestRequestCutByItsDeadlineChangesNothing holds a lock on the product a checkout needs,
// so the checkout's transaction is still open when the request's deadline passes.
func TestRequestCutByItsDeadlineChangesNothing(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("REQUEST_TIMEOUT", "1s"))
	admin := s.admin()
	pen := s.product(admin, "Pen", 250, 5, s.category(admin, "Office"))
	fay := s.register("Fay", "fay@example.com")
	if res := s.authed(fay.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": pen, "quantity": 2}); res.Status != http.StatusCreated {
		t.Fatalf("add to cart: %d %s", res.Status, res.Body)
	}
	release := pgtest.HoldLock(t, s.dbURL, `SELECT 1 FROM products WHERE id = $1 FOR UPDATE`, pen)
	checkout := func() response {
		return s.json(http.MethodPost, "/orders", map[string]string{"shipping_address": "1 Main St"},
			"Authorization: Bearer "+fay.Token, "Idempotency-Key: cut-by-deadline")
	}
	wantProblem(t, checkout(), http.StatusServiceUnavailable, "unavailable")
	release()

	cart := s.authed(fay.Token, http.MethodGet, "/cart", nil).JSON(t)
	if items := cart["items"].([]any); len(items) != 1 {
		t.Fatalf("cart after the cut checkout: %v", cart)
	}
	if stock := s.request(http.MethodGet, fmt.Sprintf("/products/%d", pen), "").JSON(t)["stock"]; stock != float64(5) {
		t.Fatalf("stock after the cut checkout = %v, want 5", stock)
	}
	if orders := s.authed(fay.Token, http.MethodGet, "/orders", nil).JSON(t); len(orders["items"].([]any)) != 0 {
		t.Fatalf("orders after the cut checkout: %v", orders)
	}
	if n := pgtest.QueryInt(t, s.dbURL, `SELECT count(*) FROM outbox WHERE subject LIKE '%order #%'`); n != 0 {
		t.Fatalf("%d outbox mails after the cut checkout", n)
	}
	// The Idempotency-Key was not used up: the retry places the order.
	if res := checkout(); res.Status != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry: %d %s", res.Status, res.Body)
	}
}
