package e2e_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/test/smtptest"
)

var mailedToken = regexp.MustCompile(`(?m)^  ([A-Za-z0-9_-]{43})\r?$`)

// tokenOf is the bare token in a token mail.
func tokenOf(t *testing.T, m smtptest.Message) string {
	t.Helper()
	found := mailedToken.FindStringSubmatch(m.Body())
	if found == nil {
		t.Fatalf("no token in the mail:\n%s", m.Body())
	}
	return found[1]
}

// sameAnswer compares two answers a client could tell apart by: status, body and the
// headers other than the per-request ones.
func sameAnswer(t *testing.T, a, b response) {
	t.Helper()
	if a.Status != b.Status || string(a.Body) != string(b.Body) {
		t.Fatalf("answers differ: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	for _, h := range []http.Header{a.Header, b.Header} {
		h.Del("Date")
		h.Del("X-Request-Id")
	}
	for name := range a.Header {
		if a.Header.Get(name) != b.Header.Get(name) {
			t.Fatalf("header %s differs: %q / %q", name, a.Header.Get(name), b.Header.Get(name))
		}
	}
	if len(a.Header) != len(b.Header) {
		t.Fatalf("headers differ: %v / %v", a.Header, b.Header)
	}
}

// TestPasswordResetByMail is the whole flow as a customer meets it, through a real SMTP
// sink and two replicas on one database: the request on one, the confirmation on the
// other.
func TestPasswordResetByMail(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	one := startServer(t, withSMTP(mailSrv.Addr), withEnv("ACCOUNT_LINK_URL", "https://shop.example.com/"))
	other := startServer(t, withSMTP(mailSrv.Addr), onDatabase(one.dbURL))
	ann := one.register("Ann", "ann@example.com")

	known := one.json(http.MethodPost, "/password-reset", map[string]string{"email": "Ann@Example.com"})
	unknown := one.json(http.MethodPost, "/password-reset", map[string]string{"email": "nobody@example.com"})
	if known.Status != http.StatusAccepted {
		t.Fatalf("reset request: %d %s", known.Status, known.Body)
	}
	sameAnswer(t, known, unknown)

	mails := waitMailAbout(t, mailSrv, "Reset your", 1)
	if len(mails) != 1 || mails[0].To[0] != "ann@example.com" {
		t.Fatalf("reset mails: %+v", mails)
	}
	if !strings.Contains(mails[0].Body(), "https://shop.example.com/reset-password#token=") {
		t.Errorf("no link in the mail:\n%s", mails[0].Body())
	}
	token := tokenOf(t, mails[0])

	// Confirmed on the other replica.
	if res := other.json(http.MethodPost, "/password-reset/confirm", map[string]string{"token": token, "password": "a-new-password"}); res.Status != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	wantProblem(t, one.authed(ann.Token, http.MethodGet, "/user/me", nil), http.StatusUnauthorized, "invalid_token")
	if res := one.loginAs(ann.Email, ann.Password); res.Status != http.StatusBadRequest {
		t.Errorf("the old password: %d %s", res.Status, res.Body)
	}
	one.login(ann.Email, "a-new-password")
	wantProblem(t, one.json(http.MethodPost, "/password-reset/confirm", map[string]string{"token": token, "password": "third-password"}),
		http.StatusBadRequest, "invalid_reset_token")
	wantProblem(t, one.json(http.MethodPost, "/password-reset/confirm", map[string]string{"token": "made-up", "password": "third-password"}),
		http.StatusBadRequest, "invalid_reset_token")

	notice := waitMailAbout(t, mailSrv, "password was reset", 1)
	if strings.Contains(notice[0].Body(), token) {
		t.Error("the notice carries the token")
	}
	for _, m := range mailSrv.Messages() {
		if m.To[0] == "nobody@example.com" {
			t.Errorf("a mail went to the unknown address: %s", m.Header("Subject"))
		}
	}
}

// TestPasswordResetRequestsAreThrottled: past the budget of one address asked for, 429
// with Retry-After, for an existing and an unknown address alike.
func TestPasswordResetRequestsAreThrottled(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.register("Ann", "ann@example.com")
	for _, email := range []string{"ann@example.com", "nobody@example.com"} {
		for range 3 {
			if res := s.json(http.MethodPost, "/password-reset", map[string]string{"email": email}); res.Status != http.StatusAccepted {
				t.Fatalf("%s: %d %s", email, res.Status, res.Body)
			}
		}
		res := s.json(http.MethodPost, "/password-reset", map[string]string{"email": email})
		wantProblem(t, res, http.StatusTooManyRequests, "too_many_attempts")
		if res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", email)
		}
	}
	wantProblem(t, s.json(http.MethodPost, "/password-reset", map[string]string{}), http.StatusUnprocessableEntity, "validation_failed")
}

// TestEmailVerification: registration mails a token; the account shows verified once it
// is confirmed; a new link replaces the last.
func TestEmailVerification(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	s := startServer(t, withSMTP(mailSrv.Addr))
	admin := s.admin()
	if me := s.authed(admin.Token, http.MethodGet, "/user/me", nil).JSON(t); me["email_verified"] != true || me["email_verified_at"] == nil {
		t.Errorf("an operator's admin is not verified: %v", me)
	}
	ann := s.register("Ann", "ann@example.com")
	if me := s.authed(ann.Token, http.MethodGet, "/user/me", nil).JSON(t); me["email_verified"] != false || me["email_verified_at"] != nil {
		t.Fatalf("a new account: %v", me)
	}
	first := tokenOf(t, waitMailAbout(t, mailSrv, "Verify your email", 1)[0])

	// A new link replaces the first.
	if res := s.authed(ann.Token, http.MethodPost, "/user/me/email/verification", nil); res.Status != http.StatusAccepted {
		t.Fatalf("resend: %d %s", res.Status, res.Body)
	}
	second := tokenOf(t, waitMailAbout(t, mailSrv, "Verify your email", 2)[1])
	wantProblem(t, s.json(http.MethodPost, "/email-verification/confirm", map[string]string{"token": first}),
		http.StatusBadRequest, "invalid_verification_token")
	if res := s.json(http.MethodPost, "/email-verification/confirm", map[string]string{"token": second}); res.Status != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	if me := s.authed(ann.Token, http.MethodGet, "/user/me", nil).JSON(t); me["email_verified"] != true || me["email_verified_at"] == nil {
		t.Fatalf("after confirming: %v", me)
	}
	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/user/me/email/verification", nil), http.StatusConflict, "already_verified")
}

// TestSecurityEventsAreMailed: a password change and a detected refresh-token reuse each
// mail the account a notice with no secret in it.
func TestSecurityEventsAreMailed(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	s := startServer(t, withSMTP(mailSrv.Addr), withEnv("REFRESH_REUSE_GRACE", "0s"))
	ann := s.register("Ann", "ann@example.com")
	if res := s.authed(ann.Token, http.MethodPut, "/user/me/password", map[string]string{
		"current_password": ann.Password, "new_password": "another-password"}); res.Status != http.StatusNoContent {
		t.Fatalf("password change: %d %s", res.Status, res.Body)
	}
	if m := waitMailAbout(t, mailSrv, "password was changed", 1)[0]; strings.Contains(m.Body(), "another-password") {
		t.Error("the notice carries the password")
	}
	ann.Password = "another-password"
	first := s.signIn(t, ann, "agent")
	if _, res := s.refresh(t, first.refresh); res.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	if _, res := s.refresh(t, first.refresh); res.Status != http.StatusBadRequest {
		t.Fatalf("reuse: %d %s", res.Status, res.Body)
	}
	if m := waitMailAbout(t, mailSrv, "session of yours was ended", 1)[0]; strings.Contains(m.Body(), first.refresh) {
		t.Error("the notice carries the token")
	}
}
