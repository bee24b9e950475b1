package e2e_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/test/pgtest"
)

func TestRegisterLoginMe(t *testing.T) {
	t.Parallel()
	s := startServer(t)

	res := s.json(http.MethodPost, "/user", map[string]string{
		"name": "  Ann  ", "email": "  Ann@Example.ORG ", "password": "correct horse",
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	u := res.JSON(t)
	if u["name"] != "Ann" || u["email"] != "ann@example.org" || u["role"] != "customer" || u["id"].(float64) <= 0 {
		t.Fatalf("registered user = %v", u)
	}
	for _, secret := range []string{"password", "password_hash", "hash"} {
		if _, ok := u[secret]; ok {
			t.Errorf("response carries %q", secret)
		}
	}
	if strings.Contains(string(res.Body), "correct horse") {
		t.Error("response echoes the password")
	}

	// Exactly what Swagger UI's Authorize dialog sends, extras included.
	login := s.form("/login", url.Values{
		"grant_type": {"password"}, "username": {"ANN@example.org "}, "password": {"correct horse"},
		"client_id": {""}, "client_secret": {""}, "scope": {""},
	}, "Authorization: Basic Og==")
	if login.Status != http.StatusOK {
		t.Fatalf("login: %d %s", login.Status, login.Body)
	}
	if login.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("login Cache-Control = %q, want no-store", login.Header.Get("Cache-Control"))
	}
	tok := login.JSON(t)
	if tok["token_type"] != "bearer" || tok["expires_in"] != float64(900) || tok["access_token"] == "" {
		t.Fatalf("token response = %v", tok)
	}

	me := s.request(http.MethodGet, "/user/me", "", "Authorization: Bearer "+tok["access_token"].(string))
	if me.Status != http.StatusOK {
		t.Fatalf("me: %d %s", me.Status, me.Body)
	}
	if got := me.JSON(t); got["id"] != u["id"] || got["email"] != "ann@example.org" || got["created_at"] != u["created_at"] {
		t.Fatalf("me = %v, want %v", got, u)
	}
	// grant_type may be omitted, as the original app accepted.
	s.login("ann@example.org", "correct horse")
}

func TestRegisterRejectsBadInput(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	valid := map[string]any{"name": "Bo", "email": "bo@example.com", "password": "12345678"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range valid {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"empty name", with("name", "   "), "name"},
		{"long name", with("name", strings.Repeat("é", 101)), "name"},
		{"bad email", with("email", "not-an-email"), "email"},
		{"email with display name", with("email", "Bo <bo@example.com>"), "email"},
		{"short password", with("password", "1234567"), "password"},
		{"73-byte password", with("password", strings.Repeat("a", 73)), "password"},
		{"37 two-byte runes are 74 bytes", with("password", strings.Repeat("é", 37)), "password"},
		{"role is not a registration field", with("role", "admin"), "role"},
		{"name of the wrong type", with("name", 5), "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, s.json(http.MethodPost, "/user", tc.body), http.StatusUnprocessableEntity, "validation_failed")
			errs, _ := p["errors"].([]any)
			if len(errs) == 0 || errs[0].(map[string]any)["field"] != tc.field {
				t.Fatalf("errors = %v, want one for %q", p["errors"], tc.field)
			}
		})
	}
	t.Run("every invalid field is reported at once", func(t *testing.T) {
		p := wantProblem(t, s.json(http.MethodPost, "/user", map[string]any{}), http.StatusUnprocessableEntity, "validation_failed")
		if n := len(p["errors"].([]any)); n != 3 {
			t.Fatalf("%d errors, want 3 (name, email, password): %v", n, p["errors"])
		}
	})
	t.Run("72 bytes of UTF-8 is accepted", func(t *testing.T) {
		res := s.json(http.MethodPost, "/user", with("password", strings.Repeat("é", 36)))
		if res.Status != http.StatusCreated {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
	})
	wantProblem(t, s.request(http.MethodPost, "/user", `{"name":"x"}`, "Content-Type: text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type")
	wantProblem(t, s.request(http.MethodPost, "/user", `{"name":"x"}`), http.StatusUnsupportedMediaType, "unsupported_media_type")
	wantProblem(t, s.json(http.MethodPost, "/user", `{"name": "x",`), http.StatusBadRequest, "malformed_json")
	wantProblem(t, s.json(http.MethodPost, "/user", `[1,2]`), http.StatusBadRequest, "malformed_json")
	wantProblem(t, s.json(http.MethodPost, "/user", `{} {}`), http.StatusBadRequest, "malformed_json")
	wantProblem(t, s.json(http.MethodPost, "/user", ``), http.StatusBadRequest, "malformed_json")
	big := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`
	wantProblem(t, s.json(http.MethodPost, "/user", big), http.StatusRequestEntityTooLarge, "body_too_large")

	// Nothing of the above created an account, except the 72-byte case.
	admin := s.admin()
	list := s.authed(admin.Token, http.MethodGet, "/user", nil).JSON(t)
	if len(list["items"].([]any)) != 2 {
		t.Fatalf("users after bad input = %v, want the 72-byte one and the admin", list)
	}
}

func TestRegisterDuplicateEmailAnyCase(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.register("Cy", "cy@example.com")
	res := s.json(http.MethodPost, "/user", map[string]string{"name": "Cy2", "email": " CY@Example.com", "password": "12345678"})
	wantProblem(t, res, http.StatusConflict, "email_taken")
}

func TestLoginFailuresAreIndistinguishable(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	dee := s.register("Dee", "dee@example.com")
	gone := s.register("Gone", "gone@example.com")
	if res := s.authed(gone.Token, http.MethodDelete, fmt.Sprintf("/user/%d", gone.ID), nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	var bodies []string
	for _, creds := range [][2]string{
		{"nobody@example.com", "whatever-password"},
		{dee.Email, "wrong-password"},
		{gone.Email, gone.Password},
		{dee.Email, dee.Password + "x"},
	} {
		res := s.form("/login", url.Values{"username": {creds[0]}, "password": {creds[1]}})
		if res.Status != http.StatusBadRequest {
			t.Fatalf("login %v: %d %s", creds, res.Status, res.Body)
		}
		if res.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("login failure sends WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
		}
		bodies = append(bodies, string(res.Body))
	}
	want := `{"error":"invalid_grant","error_description":"invalid username or password"}`
	for i, b := range bodies {
		if b != want {
			t.Errorf("failure %d body = %s, want %s", i, b, want)
		}
	}
}

func TestLoginRequestErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.register("Eve", "eve@example.com")
	for _, tc := range []struct {
		name, body, contentType string
		status                  int
		code                    string
	}{
		{"missing password", "username=eve%40example.com", "application/x-www-form-urlencoded", 400, "invalid_request"},
		{"missing username", "password=x", "application/x-www-form-urlencoded", 400, "invalid_request"},
		{"json body", `{"username":"eve@example.com","password":"password-of-Eve"}`, "application/json", 400, "invalid_request"},
		{"duplicated parameter", "username=eve%40example.com&password=a&password=password-of-Eve", "application/x-www-form-urlencoded", 400, "invalid_request"},
		{"bad encoding", "username=%zz&password=x", "application/x-www-form-urlencoded", 400, "invalid_request"},
		{"other grant", "grant_type=client_credentials&username=eve%40example.com&password=password-of-Eve", "application/x-www-form-urlencoded", 400, "unsupported_grant_type"},
		{"over 8 KiB", "username=eve%40example.com&password=" + strings.Repeat("a", 8<<10), "application/x-www-form-urlencoded", 413, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := s.request(http.MethodPost, "/login", tc.body, "Content-Type: "+tc.contentType, "Authorization: Basic Og==")
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type = %q, want JSON", res.Header.Get("Content-Type"))
			}
			if res.Header.Get("WWW-Authenticate") != "" {
				t.Errorf("WWW-Authenticate = %q on /login", res.Header.Get("WWW-Authenticate"))
			}
			if got := res.JSON(t)["error"]; got != tc.code {
				t.Fatalf("error = %v, want %s", got, tc.code)
			}
		})
	}
	res := s.request(http.MethodGet, "/login", "")
	if res.Status != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
		t.Fatalf("GET /login: %d Allow=%q", res.Status, res.Header.Get("Allow"))
	}
}

func TestUserAccessRules(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	a := s.register("Al", "al@example.com")
	b := s.register("Bea", "bea@example.com")
	admin := s.admin()
	pathA, pathB := fmt.Sprintf("/user/%d", a.ID), fmt.Sprintf("/user/%d", b.ID)

	if res := s.authed(a.Token, http.MethodGet, pathA, nil); res.Status != http.StatusOK {
		t.Fatalf("own user: %d", res.Status)
	}
	// Someone else's id looks exactly like a missing one.
	other := wantProblem(t, s.authed(a.Token, http.MethodGet, pathB, nil), http.StatusNotFound, "not_found")
	missing := wantProblem(t, s.authed(a.Token, http.MethodGet, "/user/999999", nil), http.StatusNotFound, "not_found")
	delete(other, "request_id") // the one member that differs for any two requests
	delete(missing, "request_id")
	if fmt.Sprint(other) != fmt.Sprint(missing) {
		t.Errorf("someone else's user %v differs from a missing one %v", other, missing)
	}
	wantProblem(t, s.authed(a.Token, http.MethodDelete, pathB, nil), http.StatusNotFound, "not_found")
	if res := s.authed(b.Token, http.MethodGet, "/user/me", nil); res.Status != http.StatusOK {
		t.Fatalf("B was deleted by A: %d", res.Status)
	}

	wantProblem(t, s.authed(a.Token, http.MethodGet, "/user", nil), http.StatusForbidden, "forbidden")
	first := s.authed(admin.Token, http.MethodGet, "/user?limit=1", nil).JSON(t)
	list := s.authed(admin.Token, http.MethodGet, "/user?limit=2&cursor="+first["next_cursor"].(string), nil)
	if list.Status != http.StatusOK {
		t.Fatalf("admin list: %d %s", list.Status, list.Body)
	}
	page := list.JSON(t)
	items := page["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != float64(b.ID) || page["next_cursor"] != nil {
		t.Fatalf("admin list page 2 = %v", page)
	}
	if res := s.authed(admin.Token, http.MethodGet, pathA, nil); res.Status != http.StatusOK {
		t.Fatalf("admin get: %d", res.Status)
	}

	// An admin may delete anyone; the deleted user's live token stops working at once.
	if res := s.authed(admin.Token, http.MethodDelete, pathA, nil); res.Status != http.StatusNoContent || len(res.Body) != 0 {
		t.Fatalf("admin delete: %d %s", res.Status, res.Body)
	}
	res := s.authed(a.Token, http.MethodGet, "/user/me", nil)
	wantProblem(t, res, http.StatusUnauthorized, "invalid_token")
	if got := res.Header.Get("WWW-Authenticate"); got != `Bearer realm="`+domain.ServiceName+`", error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	wantProblem(t, s.authed(admin.Token, http.MethodGet, pathA, nil), http.StatusNotFound, "not_found")
	wantProblem(t, s.authed(admin.Token, http.MethodDelete, pathA, nil), http.StatusNotFound, "not_found")

	// Self-delete.
	if res := s.authed(b.Token, http.MethodDelete, pathB+"/", nil); res.Status != http.StatusNoContent {
		t.Fatalf("self delete: %d %s", res.Status, res.Body)
	}
	wantProblem(t, s.authed(b.Token, http.MethodGet, "/user/me", nil), http.StatusUnauthorized, "invalid_token")
}

func TestPathAndQueryValidation(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	for _, id := range []string{"abc", "-1", "0", "1.5", "99999999999999999999", "%20"} {
		wantProblem(t, s.authed(admin.Token, http.MethodGet, "/user/"+id, nil), http.StatusBadRequest, "invalid_id")
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=abc", "offset=-1", "offset=0", "limit=1&limit=2", "offset=99999999999999999999"} {
		wantProblem(t, s.authed(admin.Token, http.MethodGet, "/user?"+q, nil), http.StatusBadRequest, "invalid_query")
	}
	if res := s.authed(admin.Token, http.MethodGet, "/user?limit=100", nil); res.Status != http.StatusOK {
		t.Fatalf("limit=100: %d", res.Status)
	}
}

func TestRoutingEdges(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	a := s.register("Flo", "flo@example.com")
	for _, path := range []string{"/user/me/", "/user/me//"} {
		res := s.authed(a.Token, http.MethodGet, path, nil)
		if res.Status != http.StatusOK {
			t.Errorf("GET %s: %d, want 200 without redirect", path, res.Status)
		}
	}
	wantProblem(t, s.request(http.MethodGet, "/nope", ""), http.StatusNotFound, "not_found")
	res := s.request(http.MethodPut, "/user", "")
	wantProblem(t, res, http.StatusMethodNotAllowed, "method_not_allowed")
	if allow := res.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q, want GET and POST", allow)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/healthz/": "ok"} {
		res := s.request(http.MethodGet, path, "")
		if res.Status != http.StatusOK || res.JSON(t)["status"] != want {
			t.Errorf("GET %s: %d %s", path, res.Status, res.Body)
		}
	}
}

func TestReadyzFailsWhenDatabaseIsGone(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	pgtest.DropDatabase(t, s.dbURL)
	wantProblem(t, s.request(http.MethodGet, "/readyz", ""), http.StatusServiceUnavailable, "not_ready")
	if res := s.request(http.MethodGet, "/healthz", ""); res.Status != http.StatusOK {
		t.Errorf("healthz depends on the database: %d", res.Status)
	}
}

// TestBytesStorageCannotHoldAreClientErrors: Postgres text cannot hold NUL or invalid
// UTF-8; such input must be refused as bad input, never reach the database as a 500.
func TestBytesStorageCannotHoldAreClientErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, username := range []string{"ann\x00@example.com", "ann\xff@example.com", "not an email"} {
		res := s.form("/login", url.Values{"username": {username}, "password": {"whatever-password"}})
		if res.Status != http.StatusBadRequest || res.JSON(t)["error"] != "invalid_grant" {
			t.Errorf("login as %q: %d %s", username, res.Status, res.Body)
		}
	}
	wantProblem(t, s.json(http.MethodPost, "/user", map[string]string{"name": "N", "email": "a\u0000b@example.com", "password": "12345678"}),
		http.StatusUnprocessableEntity, "validation_failed")
	// shop:begin
	admin := s.admin()
	cat := s.category(admin, "C")
	wantProblem(t, s.authed(admin.Token, http.MethodPost, "/products", map[string]any{
		"name": "P", "description": "nul \u0000 inside", "price_cents": 1, "stock": 1, "category_id": cat,
	}), http.StatusUnprocessableEntity, "validation_failed")
	wantProblem(t, s.authed(admin.Token, http.MethodPost, "/products/category", map[string]any{"name": "C\u0000"}),
		http.StatusUnprocessableEntity, "validation_failed")
	ok := s.authed(admin.Token, http.MethodPost, "/products", map[string]any{
		"name": "Tabbed", "description": "line one\n\tline two", "price_cents": 1, "stock": 1, "category_id": cat,
	})
	if ok.Status != http.StatusCreated {
		t.Fatalf("newlines and tabs in a description: %d %s", ok.Status, ok.Body)
	}
	// shop:end
}
