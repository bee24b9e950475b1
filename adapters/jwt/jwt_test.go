package jwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	golangjwt "github.com/golang-jwt/jwt/v5"

	"github.com/hexashop/hexashop/adapters/jwt"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	t0     = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ctx    = context.Background()
)

func key(t *testing.T, alg string, signFrom time.Time) ports.TokenKey {
	t.Helper()
	k, err := jwt.GenerateKey(alg, 2048, signFrom)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issuer(t *testing.T, edit func(*jwt.Config)) *jwt.Issuer {
	t.Helper()
	cfg := jwt.Config{Keys: jwt.KeysOf(key(t, jwt.ES256, t0.Add(-time.Hour))), Issuer: "https://shop.example", Audience: "api",
		TTL: 15 * time.Minute, Leeway: 30 * time.Second, JWKSMaxAge: 10 * time.Minute, Now: func() time.Time { return t0 }}
	if edit != nil {
		edit(&cfg)
	}
	i, err := jwt.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func at(tm time.Time) func() time.Time { return func() time.Time { return tm } }

// header decodes a token's header.
func header(t *testing.T, tok string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestRoundTripWithEachAlgorithm(t *testing.T) {
	for _, alg := range []string{jwt.ES256, jwt.RS256} {
		k := key(t, alg, t0.Add(-time.Minute))
		i := issuer(t, func(c *jwt.Config) { c.Keys = jwt.KeysOf(k) })
		want := ports.TokenClaims{UserID: 42, SessionID: 9, ClientID: "web-shop"}
		tok, err := i.Issue(want)
		if err != nil {
			t.Fatal(err)
		}
		if h := header(t, tok.Value); h["alg"] != alg || h["kid"] != k.ID || h["typ"] != "at+jwt" {
			t.Fatalf("%s header = %v, want alg, the thumbprint as kid and typ at+jwt", alg, h)
		}
		if got, err := i.Verify(tok.Value); err != nil || got != want {
			t.Fatalf("%s: Verify = %+v, %v; want %+v", alg, got, err, want)
		}
		if other, _ := i.Issue(want); other.Value == tok.Value {
			t.Error("two tokens for one user are identical: jti is not unique")
		}
	}
}

func TestKeysSwitchByTheirTimes(t *testing.T) {
	l := jwt.Lifetime{TokenTTL: 15 * time.Minute, Leeway: 30 * time.Second, JWKSMaxAge: 10 * time.Minute}
	old := key(t, jwt.ES256, t0.Add(-24*time.Hour))
	next := key(t, jwt.ES256, t0.Add(time.Hour))
	old.RetireAt = next.SignFrom.Add(l.Min())
	keys := jwt.KeysOf(old, next)
	edit := func(now time.Time) func(*jwt.Config) {
		return func(c *jwt.Config) { c.Keys, c.Now = keys, at(now) }
	}
	before := issuer(t, edit(t0))
	tok := mustIssue(t, before)
	if header(t, tok)["kid"] != old.ID {
		t.Fatal("before the switch, the old key must sign")
	}
	doc, _, _ := before.PublishedKeys()
	if !strings.Contains(string(doc), old.ID) || !strings.Contains(string(doc), next.ID) {
		t.Fatal("the next key must be published before it signs")
	}
	// The same set, an hour later: the new key signs, the old one still verifies.
	after := issuer(t, edit(next.SignFrom.Add(time.Minute)))
	if header(t, mustIssue(t, after))["kid"] != next.ID {
		t.Fatal("after its sign_from, the next key must sign")
	}
	if states := jwt.States([]ports.TokenKey{old, next}, next.SignFrom.Add(time.Minute)); states[old.ID] != jwt.StateRetired || states[next.ID] != jwt.StateActive {
		t.Fatalf("states = %v", states)
	}
	if _, err := issuer(t, edit(t0.Add(10*time.Minute))).Verify(tok); err != nil {
		t.Fatalf("a token of the retiring key, before expiry: %v", err)
	}
	// Gone: unpublished and refused.
	gone := issuer(t, edit(old.RetireAt))
	if doc, _, _ := gone.PublishedKeys(); strings.Contains(string(doc), old.ID) {
		t.Fatal("a gone key is still published")
	}
	if _, err := gone.Verify(tok); !errors.Is(err, domain.ErrInvalidToken) {
		t.Fatal("a gone key's token is accepted")
	}
}

func TestKeySetsThatCannotWorkAreRefused(t *testing.T) {
	l := jwt.Lifetime{TokenTTL: 15 * time.Minute, Leeway: 30 * time.Second, JWKSMaxAge: 10 * time.Minute}
	a, b := key(t, jwt.ES256, t0.Add(-time.Hour)), key(t, jwt.ES256, t0.Add(-time.Hour))
	future := key(t, jwt.ES256, t0.Add(time.Hour))
	shortRetire := key(t, jwt.ES256, t0.Add(-2*time.Hour))
	shortRetire.RetireAt = a.SignFrom.Add(l.Min() - time.Second)
	for name, tc := range map[string]struct {
		keys []ports.TokenKey
		want string
	}{
		"none":               {nil, "no key signs now"},
		"only a future key":  {[]ports.TokenKey{future}, "no key signs now"},
		"two active":         {[]ports.TokenKey{a, b}, "exactly one key"},
		"twice the same key": {[]ports.TokenKey{a, a}, "twice"},
		"short retirement":   {[]ports.TokenKey{shortRetire, a}, "want at least"},
	} {
		err := jwt.CheckKeySet(tc.keys, t0, l, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
	// A future key alone is fine while the shared secret signs (the migration's first step).
	if err := jwt.CheckKeySet([]ports.TokenKey{future}, t0, l, true); err != nil {
		t.Errorf("a future key with the secret signing: %v", err)
	}
	// Small RSA, a kid that is not the thumbprint, a curve that is not P-256.
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	kidOf := func(k any) string { tp, _ := jwt.Thumbprint(k); return tp }
	for name, k := range map[string]ports.TokenKey{
		"RSA 1024":    {ID: kidOf(&small.PublicKey), Algorithm: jwt.RS256, Private: small, SignFrom: t0},
		"wrong kid":   {ID: "my-key", Algorithm: jwt.ES256, Private: a.Private, SignFrom: t0},
		"P-384":       {ID: kidOf(&p384.PublicKey), Algorithm: jwt.ES256, Private: p384, SignFrom: t0},
		"EC as RS256": {ID: a.ID, Algorithm: jwt.RS256, Private: a.Private, SignFrom: t0},
	} {
		doc, err := jwt.MarshalKeySet([]ports.TokenKey{k})
		if err == nil {
			_, err = jwt.ParseKeySet(doc)
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestKeySetFileRoundTrip(t *testing.T) {
	a := key(t, jwt.ES256, t0)
	b := key(t, jwt.RS256, t0.Add(time.Hour))
	a.RetireAt = t0.Add(3 * time.Hour)
	doc, err := jwt.MarshalKeySet([]ports.TokenKey{a, b})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := jwt.ParseKeySet(doc)
	if err != nil || len(keys) != 2 || keys[0].ID != a.ID || !keys[0].RetireAt.Equal(a.RetireAt) ||
		keys[1].Algorithm != jwt.RS256 || !keys[1].SignFrom.Equal(b.SignFrom) || !keys[1].RetireAt.IsZero() {
		t.Fatalf("round trip = %+v, %v", keys, err)
	}
	if !strings.Contains(string(doc), `"d"`) {
		t.Fatal("the key set file lacks the private part")
	}
}

func TestPublishedKeysArePublicOnly(t *testing.T) {
	i := issuer(t, func(c *jwt.Config) {
		c.Keys = jwt.KeysOf(key(t, jwt.ES256, t0.Add(-time.Hour)), key(t, jwt.RS256, t0.Add(time.Hour)))
	})
	doc, etag, err := i.PublishedKeys()
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(doc, &set); err != nil || len(set.Keys) != 2 {
		t.Fatalf("JWKS = %s, %v", doc, err)
	}
	for _, k := range set.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := k[private]; ok {
				t.Fatalf("the published key %v has private member %s", k["kid"], private)
			}
		}
		if k["use"] != "sig" || k["alg"] == nil || k["kid"] == nil {
			t.Errorf("published key lacks use, alg or kid: %v", k)
		}
	}
	if _, again, _ := i.PublishedKeys(); again != etag || !strings.HasPrefix(etag, `"`) {
		t.Errorf("ETag %q then %q: want one strong tag for one document", etag, again)
	}
}

func TestTheSharedSecretVerifiesUntilItIsRemoved(t *testing.T) {
	legacy := issuer(t, func(c *jwt.Config) { c.Keys, c.Secret = nil, secret })
	tok := mustIssue(t, legacy)
	if h := header(t, tok); h["alg"] != "HS256" || h["kid"] != nil {
		t.Fatalf("the secret alone signs HS256 without kid: %v", h)
	}
	// Step 1: a key that signs later; the secret still signs, both verify.
	k := key(t, jwt.ES256, t0.Add(time.Hour))
	both := issuer(t, func(c *jwt.Config) { c.Keys, c.Secret = jwt.KeysOf(k), secret })
	if header(t, mustIssue(t, both))["alg"] != "HS256" {
		t.Fatal("before the key's sign_from, the secret signs")
	}
	if _, err := both.Verify(tok); err != nil {
		t.Fatal(err)
	}
	// Step 2: the key signs; HS256 tokens still verify.
	switched := issuer(t, func(c *jwt.Config) { c.Keys, c.Secret, c.Now = jwt.KeysOf(k), secret, at(k.SignFrom) })
	if header(t, mustIssue(t, switched))["alg"] != "ES256" {
		t.Fatal("after the key's sign_from, the key signs")
	}
	if _, err := switched.Verify(mustIssue(t, issuer(t, func(c *jwt.Config) { c.Keys, c.Secret, c.Now = nil, secret, at(k.SignFrom) }))); err != nil {
		t.Fatalf("an HS256 token during the switch: %v", err)
	}
	// Step 3: no secret: HS256 is refused.
	keysOnly := issuer(t, func(c *jwt.Config) { c.Keys, c.Now = jwt.KeysOf(k), at(k.SignFrom) })
	if _, err := keysOnly.Verify(tok); !errors.Is(err, domain.ErrInvalidToken) {
		t.Fatal("an HS256 token is accepted without the secret")
	}
}

func TestVerifyRefuses(t *testing.T) {
	k := key(t, jwt.ES256, t0.Add(-time.Hour))
	good := issuer(t, func(c *jwt.Config) { c.Keys = jwt.KeysOf(k) })
	other := key(t, jwt.ES256, t0.Add(-time.Hour))
	rsaKey := key(t, jwt.RS256, t0.Add(-time.Hour))
	now := t0.Unix()
	claims := golangjwt.MapClaims{"iss": "https://shop.example", "aud": []string{"api"}, "sub": "7", "sid": "3",
		"iat": now, "exp": now + 600, "jti": "x"}
	sign := func(method golangjwt.SigningMethod, hdr map[string]any, key any) string {
		tok := golangjwt.NewWithClaims(method, claims)
		for h, v := range hdr {
			tok.Header[h] = v
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pubJWK := map[string]any{"kty": "EC", "crv": "P-256"}
	for name, tok := range map[string]string{
		"other key, same kid":        sign(golangjwt.SigningMethodES256, map[string]any{"kid": k.ID, "typ": "at+jwt"}, other.Private),
		"unknown kid":                sign(golangjwt.SigningMethodES256, map[string]any{"kid": other.ID, "typ": "at+jwt"}, other.Private),
		"no kid":                     sign(golangjwt.SigningMethodES256, map[string]any{"typ": "at+jwt"}, k.Private),
		"typ JWT":                    sign(golangjwt.SigningMethodES256, map[string]any{"kid": k.ID, "typ": "JWT"}, k.Private),
		"jku":                        sign(golangjwt.SigningMethodES256, map[string]any{"kid": k.ID, "typ": "at+jwt", "jku": "https://evil.example/jwks"}, k.Private),
		"jwk":                        sign(golangjwt.SigningMethodES256, map[string]any{"kid": k.ID, "typ": "at+jwt", "jwk": pubJWK}, k.Private),
		"x5u":                        sign(golangjwt.SigningMethodES256, map[string]any{"kid": k.ID, "typ": "at+jwt", "x5u": "https://evil.example/c"}, k.Private),
		"RS256 with an EC key's kid": sign(golangjwt.SigningMethodRS256, map[string]any{"kid": k.ID, "typ": "at+jwt"}, rsaKey.Private),
		"HS256 with no secret":       sign(golangjwt.SigningMethodHS256, map[string]any{"typ": "at+jwt"}, secret),
		"other issuer":               mustIssue(t, issuer(t, func(c *jwt.Config) { c.Keys, c.Issuer = jwt.KeysOf(k), "https://evil.example" })),
		"other audience":             mustIssue(t, issuer(t, func(c *jwt.Config) { c.Keys, c.Audience = jwt.KeysOf(k), "web" })),
		"expired past leeway":        mustIssue(t, issuer(t, func(c *jwt.Config) { c.Keys, c.Now = jwt.KeysOf(k), at(t0.Add(-15*time.Minute-31*time.Second)) })),
		"alg none":                   strings.Join(strings.Split(sign(golangjwt.SigningMethodES256, map[string]any{"kid": k.ID}, k.Private), ".")[:2], ".") + ".",
		"empty":                      "",
		"tampered":                   tamper(mustIssue(t, good)),
		"no session":                 noSession(t, good),
	} {
		if _, err := good.Verify(tok); !errors.Is(err, domain.ErrInvalidToken) {
			t.Errorf("%s: err = %v, want ErrInvalidToken", name, err)
		}
	}
	within := issuer(t, func(c *jwt.Config) { c.Keys, c.Now = jwt.KeysOf(k), at(t0.Add(-15*time.Minute-20*time.Second)) })
	if _, err := good.Verify(mustIssue(t, within)); err != nil {
		t.Errorf("expired within leeway: %v, want accepted", err)
	}
}

func TestVerifiedTokensAreCachedUntilTheyExpire(t *testing.T) {
	now := t0
	k := key(t, jwt.ES256, t0.Add(-time.Hour))
	i := issuer(t, func(c *jwt.Config) {
		c.Keys, c.CacheSize, c.Now, c.Leeway = jwt.KeysOf(k), 2, func() time.Time { return now }, 0
	})
	tok := mustIssue(t, i)
	for range 3 {
		if _, err := i.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	// A cached token is still refused once it has expired.
	now = t0.Add(16 * time.Minute)
	if _, err := i.Verify(tok); !errors.Is(err, domain.ErrInvalidToken) {
		t.Fatal("a cached token is accepted after its expiry")
	}
	// The cache is keyed by the whole token: a tampered one is checked, and refused.
	now = t0
	if _, err := i.Verify(tamper(tok)); !errors.Is(err, domain.ErrInvalidToken) {
		t.Fatal("a tampered token passed through the cache")
	}
	// More tokens than the bound: every one still verifies.
	for range 10 {
		if _, err := i.Verify(mustIssue(t, i)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	for name, edit := range map[string]func(*jwt.Config){
		"nothing to sign with": func(c *jwt.Config) { c.Keys, c.Secret = nil, nil },
		"short secret":         func(c *jwt.Config) { c.Secret = secret[:31] },
		"no issuer":            func(c *jwt.Config) { c.Issuer = "" },
		"zero ttl":             func(c *jwt.Config) { c.TTL = 0 },
		"big leeway":           func(c *jwt.Config) { c.Leeway = 61 * time.Second },
	} {
		cfg := jwt.Config{Keys: jwt.KeysOf(key(t, jwt.ES256, t0.Add(-time.Hour))), Issuer: "i", Audience: "a", TTL: time.Minute, Now: at(t0)}
		edit(&cfg)
		if _, err := jwt.New(ctx, cfg); err == nil {
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

func TestPEMBundles(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(ec)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	doc := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der,
		Headers: map[string]string{"Retire-At": "2026-12-01T14:00:00Z"}})
	doc = append(doc, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey),
		Headers: map[string]string{"Sign-From": "2026-12-01T13:00:00Z"}})...)
	keys, err := jwt.ParseKeySet(doc)
	if err != nil || len(keys) != 2 {
		t.Fatalf("PEM bundle = %+v, %v", keys, err)
	}
	want, _ := jwt.Thumbprint(&ec.PublicKey)
	if keys[0].ID != want || keys[0].Algorithm != jwt.ES256 || !keys[0].SignFrom.Equal(time.Unix(0, 0)) ||
		keys[1].Algorithm != jwt.RS256 || !keys[1].SignFrom.Equal(t0.Add(time.Hour)) {
		t.Fatalf("keys = %+v", keys)
	}
	if err := jwt.CheckKeySet(keys, t0, jwt.Lifetime{TokenTTL: time.Minute}, false); err != nil {
		t.Fatalf("a PEM bundle that rotates: %v", err)
	}
	if _, err := jwt.ParseKeySet([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")); err == nil {
		t.Fatal("a public key was accepted as a signing key")
	}
}
