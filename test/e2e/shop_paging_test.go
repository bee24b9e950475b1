package e2e_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestShopListsPageByCursor(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	cat := s.category(admin, "Paged")
	other := s.category(admin, "Other")
	var inCat []int64
	for i := range 7 {
		inCat = append(inCat, s.product(admin, fmt.Sprintf("P%d", i), 100, 100, cat))
		s.product(admin, fmt.Sprintf("O%d", i), 100, 1, other)
	}
	for i := range 3 {
		s.category(admin, fmt.Sprintf("C%d", i))
	}
	ann := s.register("Ann", "ann@example.com")
	var orders []int64
	for range 5 {
		s.addToCart(ann, inCat[0], 1)
		orders = append([]int64{id(t, s.authed(ann.Token, http.MethodPost, "/orders", map[string]any{}))}, orders...)
	}
	for path, want := range map[string]int{
		"/products": 14, fmt.Sprintf("/products?category_id=%d", cat): 7, "/products/category": 5, "/user": 2,
	} {
		got := s.walkPages(t, admin.Token, path, 3)
		if len(got) != want {
			t.Errorf("%s: walked %d items, want %d: %v", path, len(got), want, got)
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Errorf("%s: ids out of order: %v", path, got)
			}
		}
	}
	if got := s.walkPages(t, admin.Token, fmt.Sprintf("/products?category_id=%d", cat), 2); fmt.Sprint(got) != fmt.Sprint(inCat) {
		t.Errorf("category walk = %v, want %v", got, inCat)
	}
	if got := s.walkPages(t, ann.Token, "/orders", 2); fmt.Sprint(got) != fmt.Sprint(orders) {
		t.Errorf("orders walk = %v, want newest first %v", got, orders)
	}
	// The last page ends the walk even when it is exactly full.
	if page := s.request(http.MethodGet, "/products?limit=14", "").JSON(t); page["next_cursor"] != nil {
		t.Errorf("a page holding the whole list has next_cursor %v", page["next_cursor"])
	}
}

func TestShopCursorsAreRefusedByOtherLists(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	for i := range 3 {
		s.category(admin, fmt.Sprintf("C%d", i))
	}
	cursor := s.request(http.MethodGet, "/products/category?limit=1", "").JSON(t)["next_cursor"].(string)
	for _, q := range []string{
		"cursor=" + cursor[:len(cursor)-2], "cursor=" + cursor + "AA", "cursor=!!!", "cursor=" + url.QueryEscape("é"),
	} {
		wantProblem(t, s.request(http.MethodGet, "/products/category?"+q, ""), http.StatusBadRequest, "invalid_cursor")
	}
	// A categories cursor is not a products, users or orders cursor.
	wantProblem(t, s.request(http.MethodGet, "/products?cursor="+cursor, ""), http.StatusBadRequest, "invalid_cursor")
	wantProblem(t, s.authed(admin.Token, http.MethodGet, "/user?cursor="+cursor, nil), http.StatusBadRequest, "invalid_cursor")
	wantProblem(t, s.authed(admin.Token, http.MethodGet, "/orders?cursor="+cursor, nil), http.StatusBadRequest, "invalid_cursor")
	p := wantProblem(t, s.request(http.MethodGet, "/products?offset=20", ""), http.StatusBadRequest, "invalid_query")
	if d, _ := p["detail"].(string); d == "" || !strings.Contains(d, "cursor") {
		t.Errorf("offset answer does not point to cursor: %q", d)
	}
}
