package usecase_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// signIn registers (once) and logs in, returning the tokens.
func (f fixture) signIn(t *testing.T, email string) ports.TokenPair {
	t.Helper()
	if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "U", Email: email, Password: "12345678"}); err != nil &&
		!errors.Is(err, domain.ErrEmailTaken) {
		t.Fatal(err)
	}
	p, err := f.auth.Login(ctx, ports.LoginInput{Username: email, Password: "12345678", UserAgent: "test\x00agent"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Refresh) < 43 {
		t.Fatalf("refresh token %d characters: under 256 bits", len(p.Refresh))
	}
	return p
}

func (f fixture) works(t *testing.T, access string) bool {
	t.Helper()
	_, err := f.auth.Authenticate(ctx, access)
	if err != nil && !errors.Is(err, domain.ErrInvalidToken) {
		t.Fatal(err)
	}
	return err == nil
}

func TestRefreshRotatesAndReuseEndsTheSession(t *testing.T) {
	f := newFixture(t)
	first := f.signIn(t, "ann@x.org")
	f.clock.Advance(time.Minute)
	second, err := f.auth.Refresh(ctx, first.Refresh)
	if err != nil || second.Refresh == first.Refresh || second.Access.Value != first.Access.Value {
		// fakeTokens: the same user and session give the same access token text
		t.Fatalf("refresh = %+v, %v", second, err)
	}
	if !f.works(t, second.Access.Value) {
		t.Fatal("the rotated session's access token is refused")
	}
	// Within the grace, the previous token is refused but the session lives on.
	if _, err := f.auth.Refresh(ctx, first.Refresh); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Fatalf("previous token within the grace: %v, want ErrInvalidGrant", err)
	}
	if !f.works(t, second.Access.Value) {
		t.Fatal("a retry within the grace ended the session")
	}
	// Later, presenting it again is reuse: the whole session ends.
	f.clock.Advance(usecase.DefaultSessionConfig.ReuseGrace + time.Second)
	if _, err := f.auth.Refresh(ctx, first.Refresh); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Fatalf("spent token: %v", err)
	}
	if f.works(t, second.Access.Value) {
		t.Fatal("access token of a session whose refresh token was reused still works")
	}
	if _, err := f.auth.Refresh(ctx, second.Refresh); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Fatalf("current refresh token after reuse: %v, want ErrInvalidGrant", err)
	}
}

func TestOlderSpentTokensGetNoGrace(t *testing.T) {
	f := newFixture(t)
	t0 := f.signIn(t, "ann@x.org")
	t1, err := f.auth.Refresh(ctx, t0.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := f.auth.Refresh(ctx, t1.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	// t0 is two rotations old: reuse at once, grace or not.
	if _, err := f.auth.Refresh(ctx, t0.Refresh); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Fatal(err)
	}
	if f.works(t, t2.Access.Value) {
		t.Fatal("an old spent token did not end the session")
	}
}

func TestConcurrentRefreshesWithOneTokenGiveOneSuccess(t *testing.T) {
	f := newFixture(t)
	p := f.signIn(t, "ann@x.org")
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		won []ports.TokenPair
	)
	for range 8 {
		wg.Go(func() {
			if np, err := f.auth.Refresh(ctx, p.Refresh); err == nil {
				mu.Lock()
				won = append(won, np)
				mu.Unlock()
			} else if !errors.Is(err, domain.ErrInvalidGrant) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d successful refreshes with one token, want 1", len(won))
	}
	if !f.works(t, won[0].Access.Value) {
		t.Fatal("the losers (within the grace) ended the winner's session")
	}
}

func TestSessionsExpire(t *testing.T) {
	f := newFixture(t)
	idle := f.signIn(t, "idle@x.org")
	f.clock.Advance(7*24*time.Hour + time.Second)
	if f.works(t, idle.Access.Value) {
		t.Error("a session idle for 7 days still authenticates")
	}
	if _, err := f.auth.Refresh(ctx, idle.Refresh); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Errorf("refresh of an idle session: %v", err)
	}

	busy := f.signIn(t, "busy@x.org")
	tok := busy.Refresh
	for day := 0; day < 29; day++ { // refreshed every day: never idle...
		f.clock.Advance(24 * time.Hour)
		next, err := f.auth.Refresh(ctx, tok)
		if err != nil {
			t.Fatalf("day %d: %v", day+1, err)
		}
		tok = next.Refresh
	}
	f.clock.Advance(24*time.Hour + time.Second) // ...but 30 days after the login it ends
	if _, err := f.auth.Refresh(ctx, tok); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Fatalf("refresh after 30 days: %v", err)
	}
}

func TestRevokeAndSessionList(t *testing.T) {
	f := newFixture(t)
	a := f.signIn(t, "ann@x.org")
	f.clock.Advance(time.Second)
	b := f.signIn(t, "ann@x.org")
	other := f.signIn(t, "bob@x.org")
	pb, err := f.auth.Authenticate(ctx, b.Access.Value)
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.sessions.List(ctx, pb, domain.PageRequest{Limit: 10})
	list := page.Items
	if err != nil || len(list) != 2 || list[0].ID != pb.SessionID || list[0].UserAgent != "testagent" {
		t.Fatalf("sessions = %+v, %v; want 2, newest (current) first, user agent cleaned", list, err)
	}
	if err := f.auth.Revoke(ctx, a.Refresh); err != nil {
		t.Fatal(err)
	}
	if f.works(t, a.Access.Value) || !f.works(t, b.Access.Value) {
		t.Fatal("revoke must end that session only")
	}
	if err := f.auth.Revoke(ctx, "never-issued"); err != nil {
		t.Fatalf("revoking an unknown token: %v", err)
	}
	po, _ := f.auth.Authenticate(ctx, other.Access.Value)
	if err := f.sessions.End(ctx, pb, po.SessionID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("ending another user's session: %v, want ErrNotFound", err)
	}
	if err := f.sessions.EndAll(ctx, pb); err != nil {
		t.Fatal(err)
	}
	if f.works(t, b.Access.Value) || !f.works(t, other.Access.Value) {
		t.Fatal("end all must end all of the caller's sessions and nobody else's")
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	f := newFixture(t)
	phone := f.signIn(t, "ann@x.org")
	laptop := f.signIn(t, "ann@x.org")
	p, _ := f.auth.Authenticate(ctx, laptop.Access.Value)
	change := func(current, next string) error {
		return f.users.ChangePassword(ctx, p, ports.ChangePasswordInput{Current: current, New: next, ClientAddr: "192.0.2.1"})
	}
	var de *domain.Error
	if err := change("12345678", "short"); !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields[0].Field != "new_password" {
		t.Fatalf("short new password: %v", err)
	}
	compares := f.hasher.compares.Load()
	if err := change("wrong-password", "a-new-password"); !errors.Is(err, domain.ErrWrongPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	if f.hasher.compares.Load() != compares+1 {
		t.Fatal("the current password was not checked")
	}
	if err := change("12345678", "a-new-password"); err != nil {
		t.Fatal(err)
	}
	if f.works(t, phone.Access.Value) || !f.works(t, laptop.Access.Value) {
		t.Fatal("a password change must end every other session and keep the current one")
	}
	if _, err := f.auth.Login(ctx, ports.LoginInput{Username: "ann@x.org", Password: "a-new-password"}); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	// Wrong current passwords count as failed logins: the sixth attempt waits.
	for range 5 {
		_ = change("guess", "another-password")
	}
	if err := change("guess", "another-password"); !errors.Is(err, domain.ErrThrottled) {
		t.Fatalf("guessing the current password: %v, want ErrThrottled", err)
	}
}

func TestAdminResetAndDeletionEndSessions(t *testing.T) {
	f := newFixture(t)
	s := f.signIn(t, "cy@x.org")
	if _, _, err := f.users.EnsureAdmin(ctx, "Cy", "cy@x.org", "reset-password"); err != nil {
		t.Fatal(err)
	}
	if f.works(t, s.Access.Value) {
		t.Fatal("a password reset by admin create left a session alive")
	}
	s = f.signIn(t, "dee@x.org")
	p, _ := f.auth.Authenticate(ctx, s.Access.Value)
	if err := f.users.Delete(ctx, p.User, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.Refresh(ctx, s.Refresh); !errors.Is(err, domain.ErrInvalidGrant) {
		t.Fatalf("refresh of a deleted user: %v", err)
	}
}
