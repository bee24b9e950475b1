package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/hexashop/hexashop/test/pgtest"
)

// tokens are what a password or refresh grant answered.
type tokens struct{ access, refresh string }

func (s *server) grant(t *testing.T, values url.Values, headers ...string) (tokens, response) {
	t.Helper()
	res := s.form("/login", values, headers...)
	if res.Status != http.StatusOK {
		return tokens{}, res
	}
	m := res.JSON(t)
	return tokens{access: m["access_token"].(string), refresh: m["refresh_token"].(string)}, res
}

func (s *server) signIn(t *testing.T, a account, agent string) tokens {
	t.Helper()
	tk, res := s.grant(t, url.Values{"username": {a.Email}, "password": {a.Password}}, "User-Agent: "+agent)
	if res.Status != http.StatusOK {
		t.Fatalf("login: %d %s", res.Status, res.Body)
	}
	if len(tk.refresh) < 43 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("refresh token %q (under 256 bits?), Cache-Control %q", tk.refresh, res.Header.Get("Cache-Control"))
	}
	return tk
}

func (s *server) refresh(t *testing.T, refresh string) (tokens, response) {
	t.Helper()
	return s.grant(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
}

func wantInvalidGrant(t *testing.T, res response) {
	t.Helper()
	if res.Status != http.StatusBadRequest || res.JSON(t)["error"] != "invalid_grant" {
		t.Fatalf("status %d %s, want 400 invalid_grant", res.Status, res.Body)
	}
}

// live reports whether an access token still authenticates.
func (s *server) live(t *testing.T, access string) bool {
	t.Helper()
	switch res := s.authed(access, http.MethodGet, "/user/me", nil); res.Status {
	case http.StatusOK:
		return true
	case http.StatusUnauthorized:
		return false
	default:
		t.Fatalf("GET /user/me: %d %s", res.Status, res.Body)
		return false
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("REFRESH_REUSE_GRACE", "0s")) // strict: any spent token is reuse
	ann := s.register("Ann", "ann@example.com")
	first := s.signIn(t, ann, "phone")
	second, res := s.refresh(t, first.refresh)
	if res.Status != http.StatusOK || second.refresh == first.refresh {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	if sessionOf(t, second.access) != sessionOf(t, first.access) {
		t.Fatal("refresh started another session")
	}
	if !s.live(t, second.access) || !s.live(t, first.access) {
		t.Fatal("tokens of a live session are refused")
	}
	// The spent token again: refused, and the whole session ends.
	_, res = s.refresh(t, first.refresh)
	wantInvalidGrant(t, res)
	if s.live(t, second.access) {
		t.Fatal("access token of a session whose refresh token was reused still works")
	}
	_, res = s.refresh(t, second.refresh)
	wantInvalidGrant(t, res)
	_, res = s.refresh(t, "never-issued-token")
	wantInvalidGrant(t, res)
	res = s.form("/login", url.Values{"grant_type": {"refresh_token"}})
	if res.Status != http.StatusBadRequest || res.JSON(t)["error"] != "invalid_request" {
		t.Fatalf("refresh without a token: %d %s", res.Status, res.Body)
	}
}

func TestConcurrentRefreshesGiveOneSuccess(t *testing.T) {
	t.Parallel()
	s := startServer(t) // default grace: the losers are refused, the session survives
	ben := s.register("Ben", "ben@example.com")
	tk := s.signIn(t, ben, "tab")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []tokens
	)
	for range 6 {
		wg.Go(func() {
			got, res := s.refresh(t, tk.refresh)
			switch res.Status {
			case http.StatusOK:
				mu.Lock()
				wins = append(wins, got)
				mu.Unlock()
			case http.StatusBadRequest:
			default:
				t.Errorf("concurrent refresh: %d %s", res.Status, res.Body)
			}
		})
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Fatalf("%d refreshes succeeded with one token, want exactly 1", len(wins))
	}
	if !s.live(t, wins[0].access) {
		t.Fatal("the retries within the grace ended the winner's session")
	}
	if _, res := s.refresh(t, wins[0].refresh); res.Status != http.StatusOK {
		t.Fatalf("the winner's refresh token: %d %s", res.Status, res.Body)
	}
}

func TestRevokeEndsTheSession(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	cy := s.register("Cy", "cy@example.com")
	phone, laptop := s.signIn(t, cy, "phone"), s.signIn(t, cy, "laptop")
	for _, body := range []url.Values{
		{"token": {phone.refresh}, "token_type_hint": {"refresh_token"}},
		{"token": {phone.refresh}},           // again: still 200
		{"token": {"not-a-token-we-issued"}}, // unknown: 200 (RFC 7009 §2.2)
	} {
		if res := s.form("/revoke", body); res.Status != http.StatusOK {
			t.Fatalf("revoke %v: %d %s", body, res.Status, res.Body)
		}
	}
	if s.live(t, phone.access) || !s.live(t, laptop.access) {
		t.Fatal("revoke must end that session only")
	}
	_, res := s.refresh(t, phone.refresh)
	wantInvalidGrant(t, res)
	if res := s.form("/revoke", url.Values{}); res.Status != http.StatusBadRequest || res.JSON(t)["error"] != "invalid_request" {
		t.Fatalf("revoke without token: %d %s", res.Status, res.Body)
	}
}

func TestYourSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	dee := s.register("Dee", "dee@example.com")
	eve := s.register("Eve", "eve@example.com")
	phone := s.signIn(t, dee, "Phone/1.0")
	laptop := s.signIn(t, dee, "Laptop/2.0\t(X11)")
	list := s.authed(laptop.access, http.MethodGet, "/user/me/sessions", nil)
	if list.Status != http.StatusOK || list.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	items := list.JSON(t)["items"].([]any)
	if len(items) != 3 { // register logged in too
		t.Fatalf("sessions = %v, want 3", items)
	}
	newest := items[0].(map[string]any)
	if newest["current"] != true || newest["user_agent"] != "Laptop/2.0(X11)" || items[1].(map[string]any)["current"] != false {
		t.Fatalf("sessions = %v: want the current (laptop) first, user agent without control characters", items)
	}
	phoneID := items[1].(map[string]any)["id"]
	eveSessions := s.authed(eve.Token, http.MethodGet, "/user/me/sessions", nil).JSON(t)["items"].([]any)
	eveID := eveSessions[0].(map[string]any)["id"]
	wantProblem(t, s.authed(laptop.access, http.MethodDelete, fmt.Sprintf("/user/me/sessions/%v", eveID), nil), http.StatusNotFound, "not_found")
	if res := s.authed(laptop.access, http.MethodDelete, fmt.Sprintf("/user/me/sessions/%v", phoneID), nil); res.Status != http.StatusNoContent {
		t.Fatalf("end phone: %d %s", res.Status, res.Body)
	}
	if s.live(t, phone.access) || !s.live(t, laptop.access) || !s.live(t, eve.Token) {
		t.Fatal("ending one session ended the wrong ones")
	}
	if res := s.authed(laptop.access, http.MethodDelete, "/user/me/sessions", nil); res.Status != http.StatusNoContent {
		t.Fatalf("end all: %d %s", res.Status, res.Body)
	}
	if s.live(t, laptop.access) || s.live(t, dee.Token) || !s.live(t, eve.Token) {
		t.Fatal("end all must end every session of the caller, the current one too, and nobody else's")
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	fay := s.register("Fay", "fay@example.com")
	other := s.signIn(t, fay, "other")
	change := func(current, next string) response {
		return s.authed(fay.Token, http.MethodPut, "/user/me/password",
			map[string]string{"current_password": current, "new_password": next})
	}
	wantProblem(t, change(fay.Password, "short"), http.StatusUnprocessableEntity, "validation_failed")
	wantProblem(t, change("wrong-password", "a-new-password"), http.StatusForbidden, "wrong_password")
	if res := change(fay.Password, "a-new-password"); res.Status != http.StatusNoContent {
		t.Fatalf("change: %d %s", res.Status, res.Body)
	}
	if s.live(t, other.access) || !s.live(t, fay.Token) {
		t.Fatal("a password change must end the other sessions and keep this one")
	}
	_, res := s.refresh(t, other.refresh)
	wantInvalidGrant(t, res)
	if res := s.loginAs(fay.Email, fay.Password); res.Status != http.StatusBadRequest {
		t.Fatalf("old password: %d", res.Status)
	}
	s.login(fay.Email, "a-new-password")
	// Guessing the current password meets the login throttle.
	for range 5 {
		wantProblem(t, change("guess", "another-password"), http.StatusForbidden, "wrong_password")
	}
	wantProblem(t, change("guess", "another-password"), http.StatusTooManyRequests, "too_many_attempts")
}

func TestAdminResetAndDeletionEndSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	gus := s.register("Gus", "gus@example.com")
	if _, _, err := s.app.Users.EnsureAdmin(context.Background(), "Gus", gus.Email, "reset-by-operator"); err != nil {
		t.Fatal(err)
	}
	if s.live(t, gus.Token) {
		t.Fatal("a password reset by admin create left the old token working")
	}
	hal := s.register("Hal", "hal@example.com")
	tk := s.signIn(t, hal, "x")
	if res := s.authed(hal.Token, http.MethodDelete, fmt.Sprintf("/user/%d", hal.ID), nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d", res.Status)
	}
	_, res := s.refresh(t, tk.refresh)
	wantInvalidGrant(t, res)
	if n := pgtest.QueryInt(t, s.dbURL, `SELECT count(*) FROM sessions WHERE user_id = $1`, hal.ID); n != 0 {
		t.Fatalf("%d sessions left for a deleted user", n)
	}
}

// TestStandardOAuth2ClientRefreshes drives the service with golang.org/x/oauth2: the
// password grant, then its TokenSource refreshing an expired access token by itself.
func TestStandardOAuth2ClientRefreshes(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("ACCESS_TOKEN_TTL", "2s"))
	ivy := s.register("Ivy", "ivy@example.com")
	cfg := &oauth2.Config{ClientID: "any", Endpoint: oauth2.Endpoint{TokenURL: s.base + "/login", AuthStyle: oauth2.AuthStyleInParams}}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, client)
	tok, err := cfg.PasswordCredentialsToken(ctx, ivy.Email, ivy.Password)
	if err != nil || tok.RefreshToken == "" || tok.AccessToken == "" {
		t.Fatalf("password grant through x/oauth2: %+v, %v", tok, err)
	}
	// One token source, as a real client keeps: it refreshes when the access token is
	// about to expire (x/oauth2 counts 10 s ahead, so a 2 s token is refreshed at once).
	src := cfg.TokenSource(ctx, tok)
	httpc := oauth2.NewClient(ctx, src)
	for i := range 3 {
		res, err := httpc.Get(s.base + "/user/me")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /user/me #%d with the x/oauth2 client: %d", i+1, res.StatusCode)
		}
	}
	fresh, err := src.Token()
	if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
		t.Fatalf("x/oauth2 did not rotate the tokens: %+v, %v", fresh, err)
	}
	if sessionOf(t, fresh.AccessToken) != sessionOf(t, tok.AccessToken) {
		t.Fatal("the refreshes started another session")
	}
}

func TestSessionsExpireAndAreSwept(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("SESSION_IDLE_TIMEOUT", "1s", "SESSION_MAX_LIFETIME", "1h"))
	jo := s.register("Jo", "jo@example.com")
	tk := s.signIn(t, jo, "x")
	time.Sleep(1100 * time.Millisecond)
	if s.live(t, tk.access) || s.live(t, jo.Token) {
		t.Fatal("an idle session still authenticates")
	}
	_, res := s.refresh(t, tk.refresh)
	wantInvalidGrant(t, res)
	// The refresh ended its session; the other one waits for the sweep.
	if n := pgtest.QueryInt(t, s.dbURL, `SELECT count(*) FROM sessions`); n != 1 {
		t.Fatalf("%d session rows before the sweep, want 1", n)
	}
	if err := s.app.Housekeeping.SweepOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := pgtest.QueryInt(t, s.dbURL, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatalf("%d expired sessions after the sweep", n)
	}
}
