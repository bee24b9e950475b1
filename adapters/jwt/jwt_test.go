package jwt_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/adapters/jwt"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func issuer(t *testing.T, edit func(*jwt.Config)) *jwt.Issuer {
	t.Helper()
	cfg := jwt.Config{Secret: secret, Issuer: "hexashop", Audience: "api", TTL: 15 * time.Minute, Leeway: 30 * time.Second}
	if edit != nil {
		edit(&cfg)
	}
	i, err := jwt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestRoundTrip(t *testing.T) {
	i := issuer(t, nil)
	want := ports.TokenClaims{UserID: 42, SessionID: 9}
	tok, err := i.Issue(want)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresIn != 15*time.Minute {
		t.Errorf("ExpiresIn = %v", tok.ExpiresIn)
	}
	got, err := i.Verify(tok.Value)
	if err != nil || got != want {
		t.Fatalf("Verify = %+v, %v; want %+v", got, err, want)
	}
	other, _ := i.Issue(want)
	if other.Value == tok.Value {
		t.Error("two tokens for one user are identical: jti is not unique")
	}
}

func TestVerifyRefuses(t *testing.T) {
	good := issuer(t, nil)
	past := func(d time.Duration) func(*jwt.Config) {
		return func(c *jwt.Config) { c.Now = func() time.Time { return time.Now().Add(-d) } }
	}
	for name, tok := range map[string]string{
		"other secret":        mustIssue(t, issuer(t, func(c *jwt.Config) { c.Secret = []byte(strings.Repeat("z", 32)) })),
		"other issuer":        mustIssue(t, issuer(t, func(c *jwt.Config) { c.Issuer = "evil" })),
		"other audience":      mustIssue(t, issuer(t, func(c *jwt.Config) { c.Audience = "web" })),
		"expired past leeway": mustIssue(t, issuer(t, past(15*time.Minute+31*time.Second))),
		"empty":               "",
		"tampered":            tamper(mustIssue(t, good)),
		"no session":          noSession(t, good),
	} {
		if _, err := good.Verify(tok); !errors.Is(err, domain.ErrInvalidToken) {
			t.Errorf("%s: err = %v, want ErrInvalidToken", name, err)
		}
	}
	if _, err := good.Verify(mustIssue(t, issuer(t, past(15*time.Minute+20*time.Second)))); err != nil {
		t.Errorf("expired within leeway: %v, want accepted", err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	for name, edit := range map[string]func(*jwt.Config){
		"short secret": func(c *jwt.Config) { c.Secret = secret[:31] },
		"no issuer":    func(c *jwt.Config) { c.Issuer = "" },
		"zero ttl":     func(c *jwt.Config) { c.TTL = 0 },
		"big leeway":   func(c *jwt.Config) { c.Leeway = 61 * time.Second },
	} {
		cfg := jwt.Config{Secret: secret, Issuer: "i", Audience: "a", TTL: time.Minute}
		edit(&cfg)
		if _, err := jwt.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func mustIssue(t *testing.T, i *jwt.Issuer) string {
	t.Helper()
	tok, err := i.Issue(ports.TokenClaims{UserID: 7, SessionID: 3})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Value
}

// tamper flips one character of the payload.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	b := []byte(parts[1])
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	parts[1] = string(b)
	return strings.Join(parts, ".")
}

// noSession issues a well-signed token whose sid is 0, as no session has.
func noSession(t *testing.T, i *jwt.Issuer) string {
	t.Helper()
	tok, err := i.Issue(ports.TokenClaims{UserID: 7})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Value
}
