package usecase_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func (f fixture) login(user, password, addr string) error {
	_, err := f.auth.Login(ctx, ports.LoginInput{Username: user, Password: password, ClientAddr: addr})
	return err
}

// fail makes n counted failed logins, waiting out each delay as a patient guesser would.
func (f fixture) fail(t *testing.T, n int, user, addr string) {
	t.Helper()
	for i := 0; i < n; {
		err := f.login(user, "wrong-guess", addr)
		var de *domain.Error
		switch {
		case errors.Is(err, domain.ErrInvalidCredentials):
			i++
		case errors.As(err, &de) && de.Kind == domain.KindThrottled:
			f.clock.Advance(de.RetryAfter)
		default:
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
}

// wantThrottled checks err is ErrThrottled advising a wait of want.
func wantThrottled(t *testing.T, err error, want time.Duration) {
	t.Helper()
	var de *domain.Error
	if !errors.Is(err, domain.ErrThrottled) || !errors.As(err, &de) || de.RetryAfter != want {
		t.Fatalf("err = %v (%+v), want ErrThrottled with RetryAfter %v", err, de, want)
	}
}

func TestFailedLoginsMeetGrowingDelays(t *testing.T) {
	for _, account := range []string{"ann@x.org", "nobody@x.org"} { // the same whether or not it exists
		t.Run(account, func(t *testing.T) {
			f := newFixture(t)
			if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "Ann", Email: "ann@x.org", Password: "12345678"}); err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				if err := f.login(account, "wrong-password", "192.0.2.1"); !errors.Is(err, domain.ErrInvalidCredentials) {
					t.Fatalf("failure %d: %v, want ErrInvalidCredentials", i+1, err)
				}
			}
			compares := f.hasher.compares.Load()
			// The 6th attempt must wait 1 s: refused before any password work, even with
			// the right password, from any address.
			wantThrottled(t, f.login(account, "12345678", "198.51.100.7"), time.Second)
			wantThrottled(t, f.login(" "+account, "wrong-password", "192.0.2.1"), time.Second)
			if n := f.hasher.compares.Load() - compares; n != 0 {
				t.Fatalf("throttled attempts made %d password comparisons", n)
			}
			f.clock.Advance(400 * time.Millisecond)
			wantThrottled(t, f.login(account, "wrong-password", "192.0.2.1"), 600*time.Millisecond)
			// Each further failure doubles the wait.
			for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
				f.clock.Advance(wait)
				if err := f.login(account, "wrong-password", "192.0.2.1"); !errors.Is(err, domain.ErrInvalidCredentials) {
					t.Fatalf("after waiting %v: %v", wait, err)
				}
				wantThrottled(t, f.login(account, "wrong-password", "192.0.2.1"), 2*wait)
			}
			// Another account is not affected.
			if err := f.login("other@x.org", "wrong-password", "192.0.2.1"); !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("other account: %v", err)
			}
			if account != "ann@x.org" {
				return
			}
			// After the wait the right password works and clears the account's failures.
			f.clock.Advance(8 * time.Second)
			if err := f.login(account, "12345678", "192.0.2.1"); err != nil {
				t.Fatalf("right password after the wait: %v", err)
			}
			for i := range 5 {
				if err := f.login(account, "wrong-password", "203.0.113.9"); !errors.Is(err, domain.ErrInvalidCredentials) {
					t.Fatalf("failure %d after the success: %v (the success must reset the count)", i+1, err)
				}
			}
		})
	}
}

func TestDelaysCapAndFailuresAreForgotten(t *testing.T) {
	f := newFixture(t)
	f.fail(t, 30, "ann@x.org", "192.0.2.1")
	// 30 failures: the delay has long reached its 15-minute cap, and the count is kept
	// past it, so a patient guesser gets one guess per 15 minutes, not a fresh budget.
	wantThrottled(t, f.login("ann@x.org", "x", "192.0.2.1"), 15*time.Minute)
	f.clock.Advance(15 * time.Minute)
	f.fail(t, 1, "ann@x.org", "192.0.2.1")
	wantThrottled(t, f.login("ann@x.org", "x", "192.0.2.1"), 15*time.Minute)
	// An hour without a failure forgets them: 5 free failures again.
	f.clock.Advance(time.Hour)
	for i := range 5 {
		if err := f.login("ann@x.org", "wrong-password", "192.0.2.1"); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("failure %d after the window: %v", i+1, err)
		}
	}
	wantThrottled(t, f.login("ann@x.org", "x", "192.0.2.1"), time.Second)
}

func TestOwnerAtUsualAddressIsNotLockedOut(t *testing.T) {
	f := newFixture(t)
	if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "Vi", Email: "vi@x.org", Password: "12345678"}); err != nil {
		t.Fatal(err)
	}
	if err := f.login("vi@x.org", "12345678", "192.0.2.50"); err != nil {
		t.Fatal(err)
	}
	// An attacker elsewhere guesses until the account is throttled for everyone else.
	f.fail(t, 8, "vi@x.org", "203.0.113.66")
	wantThrottled(t, f.login("vi@x.org", "12345678", "203.0.113.66"), 8*time.Second)
	wantThrottled(t, f.login("vi@x.org", "12345678", "198.51.100.1"), 8*time.Second)
	// The owner, from the address they logged in from before, still gets in...
	if err := f.login("vi@x.org", "12345678", "192.0.2.50"); err != nil {
		t.Fatalf("owner at the known address: %v", err)
	}
	// ...but guessing from that address is throttled by its own count.
	for range 5 {
		if err := f.login("vi@x.org", "typo", "192.0.2.50"); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("owner's typo: %v", err)
		}
	}
	wantThrottled(t, f.login("vi@x.org", "12345678", "192.0.2.50"), time.Second)
}

func TestOneAddressGuessingManyAccountsIsThrottled(t *testing.T) {
	f := newFixture(t)
	for i := range 100 {
		if err := f.login(fmt.Sprintf("user%d@x.org", i), "guess", "192.0.2.9"); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	wantThrottled(t, f.login("fresh@x.org", "guess", "192.0.2.9"), time.Second)
	if err := f.login("fresh@x.org", "guess", "192.0.2.10"); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("another address: %v", err)
	}
}

func TestRegistrationsPerAddress(t *testing.T) {
	f := newFixture(t)
	reg := func(i int, addr string) error {
		_, err := f.users.Register(ctx, ports.RegisterInput{
			Name: "U", Email: fmt.Sprintf("u%d@x.org", i), Password: "12345678", ClientAddr: addr,
		})
		return err
	}
	for i := range 20 {
		if err := reg(i, "192.0.2.1"); err != nil {
			t.Fatalf("registration %d: %v", i+1, err)
		}
		f.clock.Advance(time.Minute)
	}
	hashes := f.hasher.hashes.Load()
	wantThrottled(t, reg(100, "192.0.2.1"), 59*time.Minute) // an hour after the latest
	if f.hasher.hashes.Load() != hashes {
		t.Error("a refused registration hashed its password")
	}
	if err := reg(101, "192.0.2.2"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	f.clock.Advance(time.Hour)
	if err := reg(102, "192.0.2.1"); err != nil {
		t.Fatalf("after an hour: %v", err)
	}
}

func TestLoginUpgradesOldHashes(t *testing.T) {
	f := newFixture(t)
	f.hasher.version = "4"
	u, err := f.users.Register(ctx, ports.RegisterInput{Name: "Old", Email: "old@x.org", Password: "12345678"})
	if err != nil || string(u.PasswordHash) != "h4:12345678" {
		t.Fatalf("register: %+v %v", u, err)
	}
	f.hasher.version = "12" // BCRYPT_COST raised
	if err := f.login("old@x.org", "wrong-password", ""); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatal(err)
	}
	if got, _ := f.userDB.ByID(ctx, u.ID); string(got.PasswordHash) != "h4:12345678" {
		t.Fatalf("a failed login changed the hash to %q", got.PasswordHash)
	}
	if err := f.login("old@x.org", "12345678", ""); err != nil {
		t.Fatal(err)
	}
	got, _ := f.userDB.ByID(ctx, u.ID)
	if string(got.PasswordHash) != "h12:12345678" {
		t.Fatalf("hash after login = %q, want it upgraded", got.PasswordHash)
	}
	if err := f.login("old@x.org", "12345678", ""); err != nil {
		t.Fatalf("login with the upgraded hash: %v", err)
	}
}

func TestOverloadedHasherIsNotAFailedLogin(t *testing.T) {
	f := newFixture(t)
	if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "Ann", Email: "ann@x.org", Password: "12345678"}); err != nil {
		t.Fatal(err)
	}
	f.hasher.busy.Store(true)
	for range 10 {
		if err := f.login("ann@x.org", "12345678", "192.0.2.1"); !errors.Is(err, domain.ErrBusy) {
			t.Fatalf("busy hasher: %v, want ErrBusy", err)
		}
	}
	if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "B", Email: "b@x.org", Password: "12345678"}); !errors.Is(err, domain.ErrBusy) {
		t.Fatalf("register with a busy hasher: %v, want ErrBusy", err)
	}
	f.hasher.busy.Store(false)
	if err := f.login("ann@x.org", "12345678", "192.0.2.1"); err != nil {
		t.Fatalf("10 overloaded attempts counted as failures: %v", err)
	}
}

func TestLookAlikeEmailsAreOneAccount(t *testing.T) {
	f := newFixture(t)
	if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "Kate", Email: "kate@x.org", Password: "12345678"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "Fake", Email: "ｋate@x.org", Password: "12345678"}); !errors.Is(err, domain.ErrEmailTaken) {
		t.Fatalf("fullwidth look-alike: %v, want ErrEmailTaken", err)
	}
	if err := f.login("ｋate@x.org", "12345678", ""); err != nil {
		t.Fatalf("login with the look-alike spelling: %v", err)
	}
	_, err := f.users.Register(ctx, ports.RegisterInput{Name: "Bad", Email: "k\xffte@x.org", Password: "12345678"})
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields[0].Field != "email" {
		t.Fatalf("invalid UTF-8 email: %v, want a validation error on email", err)
	}
}
