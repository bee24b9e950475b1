package e2e_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// walkPages follows next_cursor from path (which may have a query) with the given limit
// and returns every item id, checking each page's size.
func (s *server) walkPages(t *testing.T, token, path string, limit int) []int64 {
	t.Helper()
	var ids []int64
	sep := "?"
	if u, _ := url.Parse(path); u.RawQuery != "" {
		sep = "&"
	}
	next := ""
	for range 100 {
		p := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if next != "" {
			p += "&cursor=" + url.QueryEscape(next)
		}
		res := s.authed(token, http.MethodGet, p, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, res.Status, res.Body)
		}
		page := res.JSON(t)
		items := page["items"].([]any)
		for _, it := range items {
			ids = append(ids, int64(it.(map[string]any)["id"].(float64)))
		}
		if page["next_cursor"] == nil {
			return ids
		}
		if len(items) != limit {
			t.Fatalf("GET %s: %d items and a next_cursor; want a full page", p, len(items))
		}
		next = page["next_cursor"].(string)
	}
	t.Fatalf("walking %s does not end", path)
	return nil
}

func TestEveryListPagesByCursor(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	ann := s.register("Ann", "ann@example.com")
	for i := range 6 {
		s.register(fmt.Sprintf("U%d", i), fmt.Sprintf("u%d@example.com", i))
		s.login(ann.Email, ann.Password) // six more sessions of Ann's
	}
	got := s.walkPages(t, admin.Token, "/user", 3)
	if len(got) != 8 {
		t.Errorf("/user: walked %d accounts, want 8: %v", len(got), got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Errorf("/user: ids out of order: %v", got)
		}
	}
	sessions := s.walkPages(t, ann.Token, "/user/me/sessions", 2)
	if len(sessions) != 7 {
		t.Errorf("/user/me/sessions: walked %d sessions, want 7: %v", len(sessions), sessions)
	}
	for i := 1; i < len(sessions); i++ {
		if sessions[i] >= sessions[i-1] {
			t.Errorf("/user/me/sessions: not newest first: %v", sessions)
		}
	}
	// The last page ends the walk even when it is exactly full.
	if page := s.authed(admin.Token, http.MethodGet, "/user?limit=8", nil).JSON(t); page["next_cursor"] != nil {
		t.Errorf("a page holding the whole list has next_cursor %v", page["next_cursor"])
	}
}

func TestBadCursorsAndOffsetAre400(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	for i := range 3 {
		s.register(fmt.Sprintf("U%d", i), fmt.Sprintf("u%d@example.com", i))
	}
	cursor := s.authed(admin.Token, http.MethodGet, "/user?limit=1", nil).JSON(t)["next_cursor"].(string)
	for _, q := range []string{
		"cursor=" + cursor[:len(cursor)-2], "cursor=" + cursor + "AA", "cursor=!!!", "cursor=" + url.QueryEscape("é"),
	} {
		wantProblem(t, s.authed(admin.Token, http.MethodGet, "/user?"+q, nil), http.StatusBadRequest, "invalid_cursor")
	}
	// A users cursor is not a sessions cursor.
	wantProblem(t, s.authed(admin.Token, http.MethodGet, "/user/me/sessions?cursor="+cursor, nil), http.StatusBadRequest, "invalid_cursor")
	p := wantProblem(t, s.authed(admin.Token, http.MethodGet, "/user?offset=20", nil), http.StatusBadRequest, "invalid_query")
	if d, _ := p["detail"].(string); d == "" || !strings.Contains(d, "cursor") {
		t.Errorf("offset answer does not point to cursor: %q", d)
	}
}
