package usecase_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// plainHasher is a fast stand-in for bcrypt that counts comparisons, so tests can see
// that a failed login always costs one comparison. Its hashes are "h<version>:password";
// a hash of another version needs a rehash. busy makes every call fail as an overloaded
// hasher does.
type plainHasher struct {
	compares, hashes atomic.Int32
	version          string
	busy             atomic.Bool
}

func (h *plainHasher) Hash(_ context.Context, p domain.Password) ([]byte, error) {
	if h.busy.Load() {
		return nil, domain.Busy(time.Second)
	}
	h.hashes.Add(1)
	return []byte("h" + h.version + ":" + string(p)), nil
}

func (h *plainHasher) Matches(_ context.Context, hash []byte, pw string) (bool, error) {
	if h.busy.Load() {
		return false, domain.Busy(time.Second)
	}
	h.compares.Add(1)
	_, plain, _ := strings.Cut(string(hash), ":")
	return hash != nil && plain == pw, nil
}

func (h *plainHasher) NeedsRehash(hash []byte) bool {
	return !strings.HasPrefix(string(hash), "h"+h.version+":")
}

// fakeTokens issues "tok-<user>-<session>" and verifies it back.
type fakeTokens struct{}

func (fakeTokens) PublishedKeys() ([]byte, string, error) {
	return []byte(`{"keys":[]}`), `"fake"`, nil
}

func (fakeTokens) Issue(c ports.TokenClaims) (ports.AccessToken, error) {
	return ports.AccessToken{Value: fmt.Sprintf("tok-%d-%d", c.UserID, c.SessionID), ExpiresIn: time.Minute}, nil
}

func (fakeTokens) Verify(tok string) (ports.TokenClaims, error) {
	var c ports.TokenClaims
	if n, err := fmt.Sscanf(tok, "tok-%d-%d", &c.UserID, &c.SessionID); err != nil || n != 2 {
		return c, domain.ErrInvalidToken
	}
	return c, nil
}

var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is every use case on one in-memory store.
type fixture struct {
	users    *usecase.Users
	auth     *usecase.Auth
	outbox   memory.Outbox
	hasher   *plainHasher
	clock    *testClock
	userDB   memory.UserRepository
	sessions *usecase.Sessions
	recovery *usecase.Recovery
	tokens   memory.AccountTokenRepository
	store    *memory.Store
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	store := memory.NewStore()
	users := memory.NewUserRepository(store)
	outbox := memory.NewOutbox(store)
	h := &plainHasher{}
	clock := &testClock{t: fixedNow}
	throttle := usecase.NewThrottle(memory.NewAttemptCounter(store), clock, usecase.DefaultThrottleConfig)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	sessions := memory.NewSessionRepository(store)
	tokens := memory.NewAccountTokenRepository(store)
	recovery := usecase.NewRecovery(users, sessions, tokens, outbox, h, lookAlikes{}, throttle, clock, store,
		usecase.RecoveryConfig{LinkBase: "https://shop.example"}, ports.NoTelemetry{})
	return fixture{
		users: usecase.NewUsers(users, sessions, nil, h, lookAlikes{}, throttle, clock, store, recovery),
		auth: usecase.NewAuth(users, sessions, h, fakeTokens{}, lookAlikes{}, throttle, clock, store,
			usecase.DefaultSessionConfig, ports.NoTelemetry{}, log, recovery),
		sessions: usecase.NewSessions(sessions, clock),
		recovery: recovery,
		tokens:   tokens,
		store:    store,
		outbox:   outbox,
		hasher:   h,
		clock:    clock,
		userDB:   users,
	}
}

// lookAlikes stands in for the Unicode normaliser: it folds the fullwidth letters the
// tests use, and lower-cases.
type lookAlikes struct{}

func (lookAlikes) NormalizeEmail(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToLower(strings.NewReplacer("ｋ", "k", "Ｋ", "k").Replace(s))
}

var ctx = context.Background()

func TestRegisterCanonicalisesAndHashes(t *testing.T) {
	f := newFixture(t)
	u, err := f.users.Register(ctx, ports.RegisterInput{Name: " Ann ", Email: " Ann@X.org ", Password: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ann@x.org" || u.Role != domain.RoleCustomer || string(u.PasswordHash) != "h:12345678" ||
		!u.CreatedAt.Equal(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("registered %+v", u)
	}
	if _, err := f.users.Register(ctx, ports.RegisterInput{Name: "Ann2", Email: "ANN@x.ORG", Password: "12345678"}); !errors.Is(err, domain.ErrEmailTaken) {
		t.Fatalf("same email in other case: %v, want ErrEmailTaken", err)
	}
}

func TestLoginAndAuthenticate(t *testing.T) {
	f := newFixture(t)
	u, _ := f.users.Register(ctx, ports.RegisterInput{Name: "Ann", Email: "ann@x.org", Password: "12345678"})

	tok, err := f.auth.Login(ctx, ports.LoginInput{Username: "  ANN@x.org", Password: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.auth.Authenticate(ctx, tok.Access.Value)
	if err != nil || got.User.ID != u.ID || got.SessionID <= 0 {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}

	before := f.hasher.compares.Load()
	for _, c := range [][2]string{{"ann@x.org", "wrong-password"}, {"nobody@x.org", "12345678"}} {
		if _, err := f.auth.Login(ctx, ports.LoginInput{Username: c[0], Password: c[1]}); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Errorf("Login(%v) = %v, want ErrInvalidCredentials", c, err)
		}
	}
	if n := f.hasher.compares.Load() - before; n != 2 {
		t.Errorf("%d password comparisons for 2 failed logins; an unknown email must cost one too", n)
	}

	if err := f.users.Delete(ctx, u, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.Authenticate(ctx, tok.Access.Value); !errors.Is(err, domain.ErrInvalidToken) {
		t.Errorf("token of deleted user: %v, want ErrInvalidToken", err)
	}
	if _, err := f.auth.Login(ctx, ports.LoginInput{Username: "ann@x.org", Password: "12345678"}); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Errorf("login of deleted user: %v, want ErrInvalidCredentials", err)
	}
}

func TestUsersAuthorization(t *testing.T) {
	f := newFixture(t)
	a, _ := f.users.Register(ctx, ports.RegisterInput{Name: "A", Email: "a@x.org", Password: "12345678"})
	b, _ := f.users.Register(ctx, ports.RegisterInput{Name: "B", Email: "b@x.org", Password: "12345678"})
	admin, created, err := f.users.EnsureAdmin(ctx, "Root", "root@x.org", "rootpassword")
	if err != nil || !created || admin.Role != domain.RoleAdmin {
		t.Fatalf("EnsureAdmin = %+v %v %v", admin, created, err)
	}

	if _, err := f.users.Get(ctx, a, b.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("A reads B: %v, want ErrNotFound", err)
	}
	if err := f.users.Delete(ctx, a, b.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("A deletes B: %v, want ErrNotFound", err)
	}
	if _, err := f.users.Get(ctx, b, b.ID); err != nil {
		t.Errorf("B after A's attempt: %v", err)
	}
	if _, err := f.users.List(ctx, a, domain.PageRequest{Limit: 10}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("customer lists users: %v, want ErrForbidden", err)
	}
	p, err := f.users.List(ctx, admin, domain.PageRequest{Limit: 10})
	if err != nil || len(p.Items) != 3 {
		t.Errorf("admin list: %+v %v", p, err)
	}
	if _, err := f.users.Get(ctx, admin, a.ID); err != nil {
		t.Errorf("admin reads A: %v", err)
	}
}

func TestEnsureAdminPromotesAndResetsPassword(t *testing.T) {
	f := newFixture(t)
	u, _ := f.users.Register(ctx, ports.RegisterInput{Name: "Cy", Email: "cy@x.org", Password: "old-password"})
	promoted, created, err := f.users.EnsureAdmin(ctx, "ignored", "CY@x.org", "new-password")
	if err != nil || created || promoted.ID != u.ID || promoted.Role != domain.RoleAdmin || promoted.Name != "Cy" {
		t.Fatalf("EnsureAdmin on existing = %+v created=%v err=%v", promoted, created, err)
	}
	if _, err := f.auth.Login(ctx, ports.LoginInput{Username: "cy@x.org", Password: "new-password"}); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if _, err := f.auth.Login(ctx, ports.LoginInput{Username: "cy@x.org", Password: "old-password"}); err == nil {
		t.Error("old password still works after promotion")
	}
	if _, _, err := f.users.EnsureAdmin(ctx, "X", "x@x.org", "short"); err == nil {
		t.Error("EnsureAdmin accepted a short password")
	}
}
