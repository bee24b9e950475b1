package e2e_test

// Tokens other services can verify: discovery documents, a key rotation checked by
// another implementation (go-jose v4, from outside the server), and the move from the
// shared HS256 secret to signing keys without logging anyone out.

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// fetchJWKS reads the served key set, as a verifier would.
func (s *server) fetchJWKS(t *testing.T) (jose.JSONWebKeySet, response) {
	t.Helper()
	res := s.request(http.MethodGet, "/.well-known/jwks.json", "")
	if res.Status != http.StatusOK {
		t.Fatalf("jwks: %d %s", res.Status, res.Body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(res.Body, &set); err != nil {
		t.Fatalf("jwks is not a JWK Set: %v", err)
	}
	return set, res
}

// verifyElsewhere verifies an access token the way another service would, with go-jose
// and the served key set only: the kid picks the key, the key's alg must be the token's.
func verifyElsewhere(set jose.JSONWebKeySet, token string) (map[string]any, string, error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		return nil, "", err
	}
	h := jws.Signatures[0].Header
	keys := set.Key(h.KeyID)
	if len(keys) != 1 || keys[0].Algorithm != h.Algorithm {
		return nil, h.KeyID, errNoKey
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return nil, h.KeyID, err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, h.KeyID, err
	}
	if typ, _ := h.ExtraHeaders["typ"].(string); typ != "at+jwt" {
		return nil, h.KeyID, errNoKey
	}
	return claims, h.KeyID, nil
}

var errNoKey = jose.ErrCryptoFailure

func TestDiscoveryDocuments(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	md := s.request(http.MethodGet, "/.well-known/oauth-authorization-server", "").JSON(t)
	if md["issuer"] != testIssuer || md["token_endpoint"] != testIssuer+"/login" ||
		md["jwks_uri"] != testIssuer+"/.well-known/jwks.json" || md["revocation_endpoint"] != testIssuer+"/revoke" {
		t.Fatalf("metadata = %v", md)
	}
	set, res := s.fetchJWKS(t)
	etag := res.Header.Get("ETag")
	if len(set.Keys) != 1 || set.Keys[0].KeyID != testKid || !set.Keys[0].IsPublic() || !strings.HasPrefix(etag, `"`) ||
		res.Header.Get("Cache-Control") != "public, max-age=600" {
		t.Fatalf("jwks = %s, ETag %q, Cache-Control %q", res.Body, etag, res.Header.Get("Cache-Control"))
	}
	again := s.request(http.MethodGet, "/.well-known/jwks.json", "", "If-None-Match: "+etag)
	if again.Status != http.StatusNotModified || len(again.Body) != 0 || again.Header.Get("ETag") != etag {
		t.Fatalf("revalidation: %d %q", again.Status, again.Body)
	}
	if res := s.request(http.MethodGet, "/.well-known/jwks.json", "", `If-None-Match: "other"`); res.Status != http.StatusOK {
		t.Fatalf("another tag: %d", res.Status)
	}

	// A token the server issues verifies elsewhere and says what RFC 9068 asks.
	ann := s.register("Ann", "ann@example.com")
	claims, kid, err := verifyElsewhere(set, ann.Token)
	if err != nil || kid != testKid {
		t.Fatalf("go-jose does not verify the server's token: %v (kid %q)", err, kid)
	}
	for _, c := range []string{"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "sid"} {
		if claims[c] == nil {
			t.Errorf("claim %s missing: %v", c, claims)
		}
	}
	if claims["iss"] != testIssuer || claims["client_id"] != "hexashop" {
		t.Errorf("iss %v, client_id %v (the default)", claims["iss"], claims["client_id"])
	}
	// client_id from the form, kept through a refresh.
	tk, res := s.grant(t, url.Values{"username": {ann.Email}, "password": {ann.Password}, "client_id": {"mobile-app"}})
	if res.Status != http.StatusOK {
		t.Fatalf("login with client_id: %d %s", res.Status, res.Body)
	}
	refreshed, res := s.refresh(t, tk.refresh)
	if res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	for _, tok := range []string{tk.access, refreshed.access} {
		if c, _, err := verifyElsewhere(set, tok); err != nil || c["client_id"] != "mobile-app" {
			t.Errorf("client_id = %v (%v), want the form's", c["client_id"], err)
		}
	}
	if res := s.form("/login", url.Values{"username": {ann.Email}, "password": {ann.Password}, "client_id": {"no spaces"}}); res.Status != http.StatusBadRequest {
		t.Errorf("a malformed client_id: %d", res.Status)
	}
}

func TestKeyRotationVerifiedElsewhere(t *testing.T) {
	t.Parallel()
	// Short lifetimes so that a rotation fits in a test: tokens live 5 s, verifiers may
	// cache the set 1 s, clocks may differ 1 s; so the old key must verify 7 s past the
	// switch.
	const ttl, leeway, maxAge = 5 * time.Second, time.Second, time.Second
	switchAt := time.Now().Add(6 * time.Second).Truncate(time.Second)
	retireAt := switchAt.Add(ttl + leeway + maxAge + time.Second)
	oldKey, newKey := newECKey(t), newECKey(t)
	oldKid, newKid := ecThumbprint(&oldKey.PublicKey), ecThumbprint(&newKey.PublicKey)
	keys := keySetDoc(t, ecJWK(oldKey, time.Now().Add(-time.Hour), &retireAt), ecJWK(newKey, switchAt, nil))
	s := startServer(t, withEnv("JWT_KEYS", keys, "ACCESS_TOKEN_TTL", ttl.String(), "JWT_LEEWAY", leeway.String(),
		"JWKS_MAX_AGE", maxAge.String()))
	a := account{Email: "rot@example.com", Password: "rotation-password"}
	if res := s.json(http.MethodPost, "/user", map[string]string{"name": "Rot", "email": a.Email, "password": a.Password}); res.Status != http.StatusCreated {
		t.Fatal(res.Status)
	}

	// Before the switch: the old key signs; both keys are published (the new one ahead).
	set, _ := s.fetchJWKS(t)
	if len(set.Key(oldKid)) != 1 || len(set.Key(newKid)) != 1 {
		t.Fatalf("before the switch the set must hold both keys: %d keys", len(set.Keys))
	}
	time.Sleep(time.Until(switchAt.Add(-2 * time.Second)))
	before := s.login(a.Email, a.Password)
	if _, kid, err := verifyElsewhere(set, before); err != nil || kid != oldKid {
		t.Fatalf("before the switch: kid %q, %v", kid, err)
	}

	// After: the new key signs; the token from before still verifies, here and elsewhere.
	time.Sleep(time.Until(switchAt.Add(200 * time.Millisecond)))
	after := s.login(a.Email, a.Password)
	set, _ = s.fetchJWKS(t)
	if _, kid, err := verifyElsewhere(set, after); err != nil || kid != newKid {
		t.Fatalf("after the switch: kid %q, %v", kid, err)
	}
	if _, _, err := verifyElsewhere(set, before); err != nil {
		t.Fatalf("a token of the old key, after the switch: %v", err)
	}
	if !s.live(t, before) {
		t.Fatal("the server refuses a token of the retiring key before it expired")
	}

	// After retirement: the old key is gone from the set, its token refused.
	time.Sleep(time.Until(retireAt.Add(200 * time.Millisecond)))
	set, _ = s.fetchJWKS(t)
	if len(set.Key(oldKid)) != 0 || len(set.Key(newKid)) != 1 {
		t.Fatalf("after retirement the set must hold only the new key: %d keys", len(set.Keys))
	}
	if _, _, err := verifyElsewhere(set, before); err == nil {
		t.Fatal("go-jose verifies a token of a retired key with the served set")
	}
	res := s.request(http.MethodGet, "/user/me", "", "Authorization: Bearer "+before)
	wantProblem(t, res, http.StatusUnauthorized, "invalid_token")
}

// algOf is the alg of a JWT's header.
func algOf(t *testing.T, token string) string {
	t.Helper()
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	var h struct{ Alg string }
	_ = json.Unmarshal(b, &h)
	return h.Alg
}

func TestMovingFromTheSharedSecretLogsNobodyOut(t *testing.T) {
	t.Parallel()
	// Release 0, the former scheme: HS256 with JWT_SECRET.
	r0 := startServer(t, withEnv("JWT_KEYS", "", "JWT_SECRET", testSecret))
	u := r0.register("Mo", "mo@example.com")
	tk := r0.signIn(t, u, "agent")
	if algOf(t, tk.access) != "HS256" {
		t.Fatal("release 0 must sign HS256")
	}
	r0.stop()

	// Release 1: verify both, sign HS256. The key is published, starting to sign in 3 s
	// on every replica at once.
	key := newECKey(t)
	signFrom := time.Now().Add(3 * time.Second).Truncate(time.Second).Add(time.Second)
	keys := keySetDoc(t, ecJWK(key, signFrom, nil))
	r1 := startServer(t, onDatabase(r0.dbURL), withEnv("JWT_KEYS", keys, "JWT_SECRET", testSecret))
	if !r1.live(t, tk.access) {
		t.Fatal("release 1 refuses a token of release 0")
	}
	if algOf(t, r1.login(u.Email, u.Password)) != "HS256" {
		t.Fatal("release 1 must still sign HS256 before the key's sign_from")
	}
	if set, _ := r1.fetchJWKS(t); len(set.Key(ecThumbprint(&key.PublicKey))) != 1 {
		t.Fatal("release 1 must publish the key before it signs")
	}

	// Release 2 (or release 1 after sign_from): sign with the key, HS256 still verifies.
	time.Sleep(time.Until(signFrom.Add(100 * time.Millisecond)))
	es := r1.login(u.Email, u.Password)
	if algOf(t, es) != "ES256" || !r1.live(t, tk.access) || !r1.live(t, es) {
		t.Fatal("after sign_from: new tokens ES256, old HS256 ones still good")
	}
	r1.stop()

	// Release 3: JWT_SECRET dropped. HS256 tokens are refused; the client refreshes once
	// (refresh tokens are opaque rows) and carries on with an ES256 token.
	r3 := startServer(t, onDatabase(r0.dbURL), withEnv("JWT_KEYS", keys))
	res := r3.request(http.MethodGet, "/user/me", "", "Authorization: Bearer "+tk.access)
	wantProblem(t, res, http.StatusUnauthorized, "invalid_token")
	next, res := r3.refresh(t, tk.refresh)
	if res.Status != http.StatusOK || algOf(t, next.access) != "ES256" || !r3.live(t, next.access) || !r3.live(t, es) {
		t.Fatalf("release 3: refresh %d %s", res.Status, res.Body)
	}
}
