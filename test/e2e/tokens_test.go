package e2e_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// mint builds a JWT by hand (standard library only), so tests can make tokens the
// service must refuse: other algorithms, claims, keys, encodings.
func mint(t *testing.T, header, claims map[string]any, key string, newHash func() hash.Hash) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(header) + "." + enc(claims)
	if newHash == nil {
		return signing + "."
	}
	mac := hmac.New(newHash, []byte(key))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestBearerTokenRules(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	u := s.register("Gil", "gil@example.com")
	sid := sessionOf(t, u.Token)
	now := time.Now().Unix()
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{
			"iss": testIssuer, "aud": []string{domain.ServiceName + "-api"}, "sub": fmt.Sprint(u.ID),
			"iat": now, "exp": now + 600, "jti": "test-jti", "sid": sid,
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	testKeySet(t)
	es256 := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": testKid}
	hs256 := map[string]any{"alg": "HS256", "typ": "JWT"}
	sign := func(c map[string]any) string { return mintES256(t, es256, c, testKey) }

	good := sign(claims(nil))
	for _, h := range []string{"Bearer " + good, "bearer " + good, "BEARER   " + good + "  "} {
		if res := s.request(http.MethodGet, "/user/me", "", "Authorization: "+h); res.Status != http.StatusOK {
			t.Fatalf("hand-made valid token with header %.12q: %d %s", h, res.Status, res.Body)
		}
	}

	t.Run("no credentials", func(t *testing.T) {
		for _, h := range []string{"", "Basic Og==", "Token " + good, "Bearer", "Bearer a b"} {
			var res response
			if h == "" {
				res = s.request(http.MethodGet, "/user/me", "")
			} else {
				res = s.request(http.MethodGet, "/user/me", "", "Authorization: "+h)
			}
			wantProblem(t, res, http.StatusUnauthorized, "unauthorized")
			if got := res.Header.Get("WWW-Authenticate"); got != `Bearer realm="`+domain.ServiceName+`"` {
				t.Errorf("%q: WWW-Authenticate = %q", h, got)
			}
		}
		res := s.request(http.MethodGet, "/user/me?access_token="+good, "")
		wantProblem(t, res, http.StatusUnauthorized, "unauthorized")
	})

	otherKey := newECKey(t)
	withHeader := func(edit func(map[string]any)) map[string]any {
		h := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": testKid}
		edit(h)
		return h
	}
	bad := map[string]string{
		"garbage":                           "not.a.token",
		"expired":                           sign(claims(func(c map[string]any) { c["exp"] = now - 61; c["iat"] = now - 700 })),
		"no exp":                            sign(claims(func(c map[string]any) { delete(c, "exp") })),
		"wrong issuer":                      sign(claims(func(c map[string]any) { c["iss"] = "https://evil.example" })),
		"old issuer":                        sign(claims(func(c map[string]any) { c["iss"] = domain.ServiceName })),
		"wrong audience":                    sign(claims(func(c map[string]any) { c["aud"] = "other-api" })),
		"wrong key":                         mintES256(t, es256, claims(nil), otherKey),
		"unknown kid":                       mintES256(t, withHeader(func(h map[string]any) { h["kid"] = ecThumbprint(&otherKey.PublicKey) }), claims(nil), otherKey),
		"no kid":                            mintES256(t, withHeader(func(h map[string]any) { delete(h, "kid") }), claims(nil), testKey),
		"embedded jwk":                      mintES256(t, withHeader(func(h map[string]any) { h["jwk"] = map[string]any{"kty": "EC"} }), claims(nil), testKey),
		"jku":                               mintES256(t, withHeader(func(h map[string]any) { h["jku"] = "https://evil.example/jwks.json" }), claims(nil), testKey),
		"typ JWT":                           mintES256(t, withHeader(func(h map[string]any) { h["typ"] = "JWT" }), claims(nil), testKey),
		"no typ":                            mintES256(t, withHeader(func(h map[string]any) { delete(h, "typ") }), claims(nil), testKey),
		"alg none":                          mint(t, map[string]any{"alg": "none", "typ": "at+jwt", "kid": testKid}, claims(nil), "", nil),
		"HS256 without a secret configured": mint(t, hs256, claims(nil), testSecret, sha256.New),
		"HS256 keyed with the public key":   mint(t, map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": testKid}, claims(nil), testKeySet(t), sha256.New),
		"alg HS512":                         mint(t, map[string]any{"alg": "HS512", "typ": "JWT"}, claims(nil), testSecret, sha512.New),
		"email as sub":                      sign(claims(func(c map[string]any) { c["sub"] = u.Email })),
		"unknown user":                      sign(claims(func(c map[string]any) { c["sub"] = "987654" })),
		"issued tomorrow":                   sign(claims(func(c map[string]any) { c["iat"] = now + 86400 })),
		"padded base64":                     strings.Replace(good, ".", "=.", 1),
		"no session":                        sign(claims(func(c map[string]any) { delete(c, "sid") })),
		"another session":                   sign(claims(func(c map[string]any) { c["sid"] = "987654" })),
	}
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			res := s.request(http.MethodGet, "/user/me", "", "Authorization: Bearer "+tok)
			wantProblem(t, res, http.StatusUnauthorized, "invalid_token")
			if got := res.Header.Get("WWW-Authenticate"); got != `Bearer realm="`+domain.ServiceName+`", error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
		})
	}
	// Within the 60 s leeway an expired token still works (clock skew between hosts).
	skewed := sign(claims(func(c map[string]any) { c["exp"] = now - 5 }))
	if res := s.request(http.MethodGet, "/user/me", "", "Authorization: Bearer "+skewed); res.Status != http.StatusOK {
		t.Errorf("token 5 s past exp: %d, want 200 (leeway)", res.Status)
	}
}

// sessionOf reads the sid claim of an access token the server issued.
func sessionOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.SID == "" {
		t.Fatalf("token without sid: %s (%v)", payload, err)
	}
	return c.SID
}
