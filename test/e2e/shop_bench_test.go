package e2e_test

import (
	"net/http"
	"testing"
)

// Load benchmarks against the wired Postgres application on a real listener, one client
// goroutine per P (go test -run X -bench . -benchtime 500x ./test/e2e). Each includes the
// response validation against docs/openapi.yaml that every e2e request does.

// BenchmarkCheckoutHTTP: add a line to the cart and place the order, per iteration.
func BenchmarkCheckoutHTTP(b *testing.B) {
	s := startServer(b)
	admin := s.admin()
	pen := s.product(admin, "Pen", 199, 1_000_000, s.category(admin, "C"))
	b.ResetTimer()
	for b.Loop() {
		s.addToCart(admin, pen, 1)
		if res := s.authed(admin.Token, http.MethodPost, "/orders", nil); res.Status != http.StatusCreated {
			b.Fatalf("place: %d %s", res.Status, res.Body)
		}
	}
}

// BenchmarkListProductsHTTP: the public catalog page, 20 products.
func BenchmarkListProductsHTTP(b *testing.B) {
	s := startServer(b)
	admin := s.admin()
	cat := s.category(admin, "C")
	for range 20 {
		s.product(admin, "P", 100, 1, cat)
	}
	b.ResetTimer()
	for b.Loop() {
		if res := s.request(http.MethodGet, "/products", ""); res.Status != http.StatusOK {
			b.Fatal(res.Status)
		}
	}
}
