package e2e_test

import (
	"fmt"
	"net/http"
	"sync"
)

// The shop's operations in the garbage test: ids of things that exist, and the cart
// filled before every checkout.
func init() {
	garbageQueries = append(garbageQueries, "?category_id=%00", "?category_id=-1")
	garbageBodies = append(garbageBodies,
		`{"product_id":9223372036854775807,"quantity":1}`, `{"product_id":1,"quantity":99999999999999999999}`,
		`{"price_cents":-9223372036854775808,"stock":1e300,"category_id":0,"name":"x"}`, `{"quantity":"1"}`)

	// One category and one product well stocked, made once per server.
	var mu sync.Mutex
	made := map[*server][2]int64{}
	catalog := func(s *server, admin account) (cat, product int64) {
		mu.Lock()
		defer mu.Unlock()
		if m, ok := made[s]; ok {
			return m[0], m[1]
		}
		cat = s.category(admin, "Garbage")
		product = s.product(admin, "Stocked", 100, 1_000_000, cat)
		made[s] = [2]int64{cat, product}
		return cat, product
	}
	// A product of its own for each operation: PATCH and DELETE change it.
	product := func(s *server, admin account) (string, func()) {
		c, _ := catalog(s, admin)
		return fmt.Sprint(s.product(admin, fmt.Sprintf("Target %d", garbageVictims.Add(1)), 100, 5, c)), nil
	}
	for _, op := range []string{"GET /products/{id}", "PATCH /products/{id}", "DELETE /products/{id}"} {
		garbageSetupFor(op, product)
	}
	category := func(s *server, admin account) (string, func()) {
		return fmt.Sprint(s.category(admin, fmt.Sprintf("Garbage %d", garbageVictims.Add(1)))), nil
	}
	garbageSetupFor("GET /products/category/{id}", category)
	garbageSetupFor("DELETE /products/category/{id}", category)
	fill := func(s *server, admin account) {
		_, p := catalog(s, admin)
		s.authed(admin.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": p, "quantity": 1})
	}
	line := func(s *server, admin account) (string, func()) {
		fill(s, admin)
		cart := s.authed(admin.Token, http.MethodGet, "/cart", nil).JSON(s.t)
		lines := cart["items"].([]any)
		return fmt.Sprint(int64(lines[0].(map[string]any)["id"].(float64))), func() { fill(s, admin) }
	}
	garbageSetupFor("PATCH /cart/items/{id}", line)
	garbageSetupFor("DELETE /cart/items/{id}", line)
	garbageSetupFor("POST /orders", func(s *server, admin account) (string, func()) {
		return "1", func() { fill(s, admin) }
	})
	garbageSetupFor("GET /orders/{id}", func(s *server, admin account) (string, func()) {
		fill(s, admin)
		res := s.authed(admin.Token, http.MethodPost, "/orders", map[string]any{"shipping_address": "1 Main St"})
		return fmt.Sprint(id(s.t, res)), nil
	})
}
