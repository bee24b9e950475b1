package usecase_test

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// mail returns the mails in the outbox not yet read by this helper (marking them sent).
func (f fixture) mail(t *testing.T) []domain.Mail {
	t.Helper()
	msgs, err := f.outbox.Claim(ctx, f.clock.Now(), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.Mail
	for _, m := range msgs {
		out = append(out, m.Mail)
		if err := f.outbox.MarkSent(ctx, m.ID, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

var tokenLine = regexp.MustCompile(`(?m)^  ([A-Za-z0-9_-]{43})\r?$`)

// tokenIn returns the bare token of a token mail.
func tokenIn(t *testing.T, m domain.Mail) domain.MailToken {
	t.Helper()
	found := tokenLine.FindStringSubmatch(m.Body)
	if found == nil {
		t.Fatalf("no token in %q", m.Body)
	}
	return domain.MailToken(found[1])
}

func (f fixture) register(t *testing.T, name, email string) domain.User {
	t.Helper()
	u, err := f.users.Register(ctx, ports.RegisterInput{Name: name, Email: email, Password: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

func TestPasswordReset(t *testing.T) {
	f := newFixture(t)
	ann := f.register(t, "Ann", "ann@x.org")
	f.mail(t) // the verification mail
	old := f.signIn(t, "ann@x.org")

	// An unknown address: the same answer, and nothing is sent.
	if err := f.recovery.RequestPasswordReset(ctx, ports.ResetRequestInput{Email: "nobody@x.org", ClientAddr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if m := f.mail(t); len(m) != 0 {
		t.Fatalf("a reset for an unknown address sent %+v", m)
	}
	// The address in another spelling finds the account.
	if err := f.recovery.RequestPasswordReset(ctx, ports.ResetRequestInput{Email: " ANN@x.org", ClientAddr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	mails := f.mail(t)
	if len(mails) != 1 || mails[0].To != ann.Email || !strings.Contains(mails[0].Body, "https://shop.example/reset-password#token=") {
		t.Fatalf("reset mails = %+v", mails)
	}
	token := tokenIn(t, mails[0])

	// A weak password is refused and spends nothing.
	var de *domain.Error
	if err := f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: token, Password: "short"}); !errors.As(err, &de) || de.Kind != domain.KindInvalid {
		t.Fatalf("a weak password: %v", err)
	}
	// A wrong token, an empty one: the same refusal.
	for _, bad := range []domain.MailToken{"", domain.NewRefreshToken(), token[:len(token)-1]} {
		wantCode(t, f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: bad, Password: "second-password"}), "invalid_reset_token")
	}
	if err := f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: token, Password: "second-password"}); err != nil {
		t.Fatal(err)
	}
	// Spent: the token works once. Every session ended; the old password is gone.
	wantCode(t, f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: token, Password: "third-password"}), "invalid_reset_token")
	if f.works(t, old.Access.Value) {
		t.Error("a session from before the reset still works")
	}
	if err := f.login("ann@x.org", "12345678", "192.0.2.9"); err == nil {
		t.Error("the old password still logs in")
	}
	if err := f.login("ann@x.org", "second-password", "192.0.2.9"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	notice := f.mail(t)
	if len(notice) != 1 || !strings.Contains(notice[0].Subject, "password was reset") || tokenLine.MatchString(notice[0].Body) {
		t.Fatalf("after the reset, mails = %+v (want one notice without a token)", notice)
	}
}

func TestResetTokensExpireAndSupersede(t *testing.T) {
	f := newFixture(t)
	f.register(t, "Ann", "ann@x.org")
	f.mail(t)
	ask := func() domain.MailToken {
		t.Helper()
		if err := f.recovery.RequestPasswordReset(ctx, ports.ResetRequestInput{Email: "ann@x.org"}); err != nil {
			t.Fatal(err)
		}
		m := f.mail(t)
		if len(m) != 1 {
			t.Fatalf("mails = %+v", m)
		}
		return tokenIn(t, m[0])
	}
	first := ask()
	second := ask()
	wantCode(t, f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: first, Password: "second-password"}), "invalid_reset_token")
	f.clock.Advance(31 * time.Minute)
	wantCode(t, f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: second, Password: "second-password"}), "invalid_reset_token")
	// The sweep takes the expired reset token, not the verification token (24 h).
	if n, err := f.tokens.Sweep(ctx, f.clock.Now()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want 1", n, err)
	}
}

func TestResetRequestsAreThrottledBeforeAnyLookup(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		if err := f.recovery.RequestPasswordReset(ctx, ports.ResetRequestInput{Email: "nobody@x.org", ClientAddr: "192.0.2.1"}); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	err := f.recovery.RequestPasswordReset(ctx, ports.ResetRequestInput{Email: "nobody@x.org", ClientAddr: "192.0.2.2"})
	if !errors.Is(err, domain.ErrThrottled) {
		t.Fatalf("4th request for one address: %v, want throttled", err)
	}
	// Confirmations: 30 per address.
	for range 30 {
		_ = f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: domain.NewRefreshToken(), Password: "second-password", ClientAddr: "192.0.2.3"})
	}
	err = f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: domain.NewRefreshToken(), Password: "second-password", ClientAddr: "192.0.2.3"})
	if !errors.Is(err, domain.ErrThrottled) {
		t.Fatalf("31st confirmation from one address: %v, want throttled", err)
	}
}

func TestConcurrentResetsWithOneTokenSetOnePassword(t *testing.T) {
	f := newFixture(t)
	f.register(t, "Ann", "ann@x.org")
	f.mail(t)
	if err := f.recovery.RequestPasswordReset(ctx, ports.ResetRequestInput{Email: "ann@x.org"}); err != nil {
		t.Fatal(err)
	}
	token := tokenIn(t, f.mail(t)[0])
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			errs[i] = f.recovery.ResetPassword(ctx, ports.ResetPasswordInput{Token: token, Password: "password-" + string(rune('a'+i)) + "123"})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, domain.ErrInvalidResetToken) {
			t.Fatalf("unexpected: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 6 concurrent resets with one token succeeded, want 1", ok)
	}
}

func TestEmailVerification(t *testing.T) {
	f := newFixture(t)
	ann := f.register(t, "Ann", "ann@x.org")
	if ann.EmailVerified() {
		t.Fatal("a new customer is verified")
	}
	first := tokenIn(t, f.mail(t)[0])
	p := ports.Principal{User: ann}
	// A new mail supersedes the first.
	if err := f.recovery.ResendVerification(ctx, p); err != nil {
		t.Fatal(err)
	}
	m := f.mail(t)
	if len(m) != 1 || !strings.Contains(m[0].Body, "https://shop.example/verify-email#token=") {
		t.Fatalf("mails = %+v", m)
	}
	second := tokenIn(t, m[0])
	wantCode(t, f.recovery.VerifyEmail(ctx, first, ""), "invalid_verification_token")
	if err := f.recovery.VerifyEmail(ctx, second, ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.recovery.VerifyEmail(ctx, second, ""), "invalid_verification_token")
	got, _ := f.userDB.ByID(ctx, ann.ID)
	if !got.EmailVerified() || !got.EmailVerifiedAt.Equal(fixedNow) {
		t.Fatalf("after verifying: %+v", got)
	}
	wantCode(t, f.recovery.ResendVerification(ctx, ports.Principal{User: got}), "already_verified")

	// Resends are throttled per account.
	bob := f.register(t, "Bob", "bob@x.org")
	for range 3 {
		if err := f.recovery.ResendVerification(ctx, ports.Principal{User: bob}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.recovery.ResendVerification(ctx, ports.Principal{User: bob}); !errors.Is(err, domain.ErrThrottled) {
		t.Fatalf("4th resend: %v", err)
	}
	// Admins made by an operator are verified.
	admin, _, err := f.users.EnsureAdmin(ctx, "Root", "root@x.org", "rootpassword")
	if err != nil || !admin.EmailVerified() {
		t.Fatalf("admin: %+v, %v", admin, err)
	}
}

func TestSecurityNotices(t *testing.T) {
	f := newFixture(t)
	f.register(t, "Ann", "ann@x.org")
	f.mail(t)
	pair := f.signIn(t, "ann@x.org")
	p, err := f.auth.Authenticate(ctx, pair.Access.Value)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.users.ChangePassword(ctx, p, ports.ChangePasswordInput{Current: "12345678", New: "second-password"}); err != nil {
		t.Fatal(err)
	}
	m := f.mail(t)
	if len(m) != 1 || !strings.Contains(m[0].Subject, "password was changed") || strings.Contains(m[0].Body, "second-password") {
		t.Fatalf("after a password change: %+v", m)
	}
	// A spent refresh token presented again (past the grace) ends the session and tells.
	next, err := f.auth.Refresh(ctx, pair.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.auth.Refresh(ctx, pair.Refresh); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Fatalf("reuse: %v", err)
	}
	m = f.mail(t)
	if len(m) != 1 || !strings.Contains(m[0].Subject, "session of yours was ended") || strings.Contains(m[0].Body, string(next.Refresh)) {
		t.Fatalf("after a reuse: %+v", m)
	}
}
