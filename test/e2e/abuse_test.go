package e2e_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/test/netfault"
	"github.com/hexashop/hexashop/test/pgtest"
)

// loginAs posts a password login with extra headers ("Name: value").
func (s *server) loginAs(user, password string, headers ...string) response {
	s.t.Helper()
	return s.form("/login", url.Values{"username": {user}, "password": {password}}, headers...)
}

// wantSlowDown checks a throttled login: 429, OAuth2 body, Retry-After, no-store.
func wantSlowDown(t *testing.T, res response) {
	t.Helper()
	if res.Status != http.StatusTooManyRequests || res.JSON(t)["error"] != "slow_down" {
		t.Fatalf("status %d %s, want 429 slow_down", res.Status, res.Body)
	}
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After = %q, want whole seconds >= 1", res.Header.Get("Retry-After"))
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q on a token endpoint answer", res.Header.Get("Cache-Control"))
	}
}

func TestPasswordGuessingMeets429(t *testing.T) {
	t.Parallel()
	// A minute's delay, so that a slow CI machine cannot outwait the first one (1 s by
	// default) between the last failure and the right password.
	s := startServer(t, withEnv("LOGIN_BASE_DELAY", "1m"))
	ann := s.register("Ann", "ann@example.com")
	for _, user := range []string{ann.Email, "nobody@example.com"} { // same answers either way
		for i := range 5 {
			if res := s.loginAs(user, "wrong-password"); res.Status != http.StatusBadRequest {
				t.Fatalf("%s failure %d: %d %s", user, i+1, res.Status, res.Body)
			}
		}
		wantSlowDown(t, s.loginAs(user, "wrong-password"))
	}
	// Even the right password must wait: the throttle answers before any password work.
	wantSlowDown(t, s.loginAs(ann.Email, ann.Password))
	wantSlowDown(t, s.loginAs("  ANN@Example.com", ann.Password)) // one account, any spelling
	// Other accounts are not affected.
	s.register("Bob", "bob@example.com")
}

func TestThrottleIsSharedByProcessesOnOneDatabase(t *testing.T) {
	t.Parallel()
	one := startServer(t)
	two := startServer(t, onDatabase(one.dbURL))
	cy := one.register("Cy", "cy@example.com")
	for i, s := range []*server{one, two, one, two, two} {
		if res := s.loginAs(cy.Email, "wrong-password"); res.Status != http.StatusBadRequest {
			t.Fatalf("failure %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	wantSlowDown(t, one.loginAs(cy.Email, cy.Password))
	wantSlowDown(t, two.loginAs(cy.Email, cy.Password))
}

func TestClientAddressComesFromTrustedProxiesOnly(t *testing.T) {
	t.Parallel()
	const budget = "3"
	guess := func(s *server, i int, forwardedFor string) response {
		return s.loginAs(fmt.Sprintf("user%d@example.com", i), "guess", "X-Forwarded-For: "+forwardedFor)
	}
	t.Run("untrusted peer: X-Forwarded-For changes nothing", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withEnv("LOGIN_FAILURES_PER_ADDRESS", budget))
		for i := range 3 {
			if res := guess(s, i, fmt.Sprintf("203.0.113.%d", i)); res.Status != http.StatusBadRequest {
				t.Fatalf("guess %d: %d %s", i+1, res.Status, res.Body)
			}
		}
		wantSlowDown(t, guess(s, 99, "198.51.100.99"))
	})
	t.Run("trusted proxy: each forwarded client has its own budget", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withEnv("LOGIN_FAILURES_PER_ADDRESS", budget, "TRUSTED_PROXIES", "127.0.0.1/32"))
		for i := range 6 {
			if res := guess(s, i, fmt.Sprintf("203.0.113.%d", i)); res.Status != http.StatusBadRequest {
				t.Fatalf("guess %d from its own address: %d %s", i+1, res.Status, res.Body)
			}
		}
		for i := range 3 {
			if res := guess(s, 100+i, "192.0.2.7"); res.Status != http.StatusBadRequest {
				t.Fatalf("guess %d: %d %s", i+1, res.Status, res.Body)
			}
		}
		wantSlowDown(t, guess(s, 200, "192.0.2.7"))
		// A client cannot escape by prepending addresses: the proxy appends the real one.
		wantSlowDown(t, guess(s, 201, "10.9.9.9, 192.0.2.7"))
	})
}

func TestRegistrationsPerAddressAreLimited(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("REGISTRATIONS_PER_ADDRESS", "2"))
	s.register("One", "one@example.com")
	s.register("Two", "two@example.com")
	res := s.json(http.MethodPost, "/user", map[string]string{"name": "Three", "email": "three@example.com", "password": "12345678"})
	wantProblem(t, res, http.StatusTooManyRequests, "too_many_attempts")
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Refused input does not count: it never costs a hash.
	s2 := startServer(t, withEnv("REGISTRATIONS_PER_ADDRESS", "1"))
	for range 3 {
		wantProblem(t, s2.json(http.MethodPost, "/user", map[string]string{"name": "X", "email": "bad", "password": "12345678"}),
			http.StatusUnprocessableEntity, "validation_failed")
	}
	s2.register("Ok", "ok@example.com")
}

func TestLookAlikeEmailsAreOneAccount(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	kate := s.register("Kate", "kate@example.com")
	for _, email := range []string{"ｋate@example.com", "ＫＡＴＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "KATE@example.com"} {
		wantProblem(t, s.json(http.MethodPost, "/user", map[string]string{"name": "Fake", "email": email, "password": "12345678"}),
			http.StatusConflict, "email_taken")
	}
	if res := s.loginAs("ｋate@example.com", kate.Password); res.Status != http.StatusOK {
		t.Fatalf("login with the fullwidth spelling: %d %s", res.Status, res.Body)
	}
	res := s.request(http.MethodPost, "/user", `{"name":"Bad","email":"k`+"\xff"+`te@example.com","password":"12345678"}`,
		"Content-Type: application/json")
	p := wantProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
	if !strings.Contains(fmt.Sprint(p["errors"]), "email") {
		t.Errorf("invalid UTF-8 problem does not name the email field: %v", p["errors"])
	}
	if n := pgtest.QueryInt(t, s.dbURL, `SELECT count(*) FROM users WHERE email LIKE '%'||chr(65533)||'%'`); n != 0 {
		t.Errorf("%d emails stored with U+FFFD", n)
	}
}

func TestOldHashesAreUpgradedOnLogin(t *testing.T) {
	t.Parallel()
	old := startServer(t, withEnv("BCRYPT_COST", "4"))
	dee := old.register("Dee", "dee@example.com")
	now := startServer(t, onDatabase(old.dbURL), withEnv("BCRYPT_COST", "5"))
	cost := func() int64 {
		return pgtest.QueryInt(t, old.dbURL, `SELECT substring(convert_from(password_hash, 'UTF8') from 5 for 2)::int FROM users WHERE email = $1`, dee.Email)
	}
	if c := cost(); c != 4 {
		t.Fatalf("stored cost %d, want 4", c)
	}
	if res := now.loginAs(dee.Email, "wrong-password"); res.Status != http.StatusBadRequest {
		t.Fatalf("wrong password: %d", res.Status)
	}
	if c := cost(); c != 4 {
		t.Fatalf("a failed login changed the stored cost to %d", c)
	}
	now.login(dee.Email, dee.Password)
	if c := cost(); c != 5 {
		t.Fatalf("stored cost after login %d, want 5 (BCRYPT_COST)", c)
	}
	now.login(dee.Email, dee.Password)
	old.login(dee.Email, dee.Password) // a hash of another cost still verifies
}

// TestHungDatabaseAnswers503 puts a proxy between the service and Postgres and stops it
// forwarding: the database neither answers nor refuses, as when its processes are
// stopped. Every request must still get an answer, 503 with Retry-After, and the service
// must recover by itself once the database answers again.
func TestHungDatabaseAnswers503(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	proxy := netfault.Start(t, pgtest.HostPort(dbURL))
	s := startServer(t, onDatabase(pgtest.Via(dbURL, proxy.Addr())), withEnv("REQUEST_TIMEOUT", "1s", "DB_ACQUIRE_TIMEOUT", "500ms"))
	eve := s.register("Eve", "eve@example.com")

	unavailable := func(when string) {
		t.Helper()
		for _, path := range []string{"/user/me", "/user/me/sessions"} {
			res := s.authed(eve.Token, http.MethodGet, path, nil)
			wantProblem(t, res, http.StatusServiceUnavailable, "unavailable")
			if res.Header.Get("Retry-After") == "" {
				t.Errorf("%s: GET %s: 503 without Retry-After", when, path)
			}
		}
		wantProblem(t, s.request(http.MethodGet, "/readyz", ""), http.StatusServiceUnavailable, "not_ready")
		res := s.loginAs(eve.Email, eve.Password)
		if res.Status != http.StatusServiceUnavailable || res.JSON(t)["error"] != "temporarily_unavailable" {
			t.Errorf("%s: login: %d %s, want 503 temporarily_unavailable", when, res.Status, res.Body)
		}
		if res := s.request(http.MethodGet, "/healthz", ""); res.Status != http.StatusOK {
			t.Errorf("%s: /healthz depends on the database: %d", when, res.Status)
		}
	}
	recovered := func(when string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for s.request(http.MethodGet, "/readyz", "").Status != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz did not come back", when)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if res := s.authed(eve.Token, http.MethodGet, "/user/me", nil); res.Status != http.StatusOK {
			t.Fatalf("%s: /user/me after recovery: %d %s", when, res.Status, res.Body)
		}
	}

	proxy.Pause()
	unavailable("paused")
	proxy.Resume()
	recovered("after the pause")

	proxy.Refuse()
	unavailable("refused")
	proxy.Resume()
	recovered("after the refusal")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	gus := s.register("Gus", "gus@example.com")
	for _, tc := range []struct {
		name    string
		res     response
		noStore bool
		csp     string // a part the Content-Security-Policy must have
	}{
		{"health", s.request(http.MethodGet, "/healthz", ""), false, "default-src 'none'"},
		{"public API", s.request(http.MethodGet, "/.well-known/oauth-authorization-server", ""), false, "default-src 'none'"},
		{"not found", s.request(http.MethodGet, "/nothing-here", ""), false, "default-src 'none'"},
		{"authenticated", s.authed(gus.Token, http.MethodGet, "/user/me", nil), true, "default-src 'none'"},
		{"authenticated list", s.authed(gus.Token, http.MethodGet, "/user/me/sessions", nil), true, "default-src 'none'"},
		{"refused token", s.authed("nonsense", http.MethodGet, "/user/me", nil), true, "default-src 'none'"},
		{"token", s.loginAs(gus.Email, gus.Password), true, "default-src 'none'"},
		{"document", s.request(http.MethodGet, "/openapi.yaml", ""), false, "default-src 'none'"},
		{"Swagger UI", s.request(http.MethodGet, "/docs", ""), false, "script-src 'self'"},
		{"Swagger UI asset", s.request(http.MethodGet, "/docs/swagger-ui-bundle.js", ""), false, "script-src 'self'"},
	} {
		h := tc.res.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: nosniff=%q frame=%q referrer=%q", tc.name, h.Get("X-Content-Type-Options"),
				h.Get("X-Frame-Options"), h.Get("Referrer-Policy"))
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, tc.csp) || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q, want %q and frame-ancestors 'none'", tc.name, csp, tc.csp)
		}
		if tc.noStore && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tc.name, h.Get("Cache-Control"))
		}
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: CORS header without CORS_ALLOWED_ORIGINS", tc.name)
		}
	}
}

func TestCORSAllowlist(t *testing.T) {
	t.Parallel()
	preflight := func(s *server, origin string) (int, http.Header) {
		req, _ := http.NewRequest(http.MethodOptions, s.base+"/user", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode, res.Header
	}
	off := startServer(t)
	if _, h := preflight(off, "https://shop.example"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS is on by default: %v", h)
	}
	on := startServer(t, withEnv("CORS_ALLOWED_ORIGINS", "https://shop.example, http://localhost:3000"))
	status, h := preflight(on, "https://shop.example")
	if status/100 != 2 || h.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") ||
		h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight from an allowed origin: %d %v", status, h)
	}
	if _, h := preflight(on, "https://evil.example"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin allowed: %v", h)
	}
	got := on.request(http.MethodGet, "/.well-known/jwks.json", "", "Origin: https://shop.example")
	if got.Status != http.StatusOK || got.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(got.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("GET from an allowed origin: %d %v", got.Status, got.Header)
	}
	other := on.request(http.MethodGet, "/.well-known/jwks.json", "", "Origin: https://evil.example")
	if other.Status != http.StatusOK || other.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET from another origin: %d %v", other.Status, other.Header)
	}
}
