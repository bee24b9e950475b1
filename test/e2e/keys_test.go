package e2e_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"
)

// The test servers' signing key: one ES256 key made once per test binary, with the
// standard library only (an implementation independent of the service's go-jose), so
// that tests can mint the tokens the service must accept or refuse.
var (
	testKeyOnce sync.Once
	testKey     *ecdsa.PrivateKey
	testKeyDoc  string
	testKid     string
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// fixed is n as a big-endian byte string of exactly size bytes.
func fixed(n *big.Int, size int) []byte { return n.FillBytes(make([]byte, size)) }

// ecXY are the coordinates of a P-256 public key, 32 bytes each.
func ecXY(pub *ecdsa.PublicKey) (x, y []byte) {
	b, err := pub.Bytes() // 0x04 || X || Y
	if err != nil {
		panic(err)
	}
	return b[1:33], b[33:]
}

// ecThumbprint is the RFC 7638 thumbprint of a P-256 public key.
func ecThumbprint(pub *ecdsa.PublicKey) string {
	x, y := ecXY(pub)
	canon := fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}`, b64(x), b64(y))
	sum := sha256.Sum256([]byte(canon))
	return b64(sum[:])
}

// ecJWK is a private JWK of key, with the key set's lifecycle members.
func ecJWK(key *ecdsa.PrivateKey, signFrom time.Time, retireAt *time.Time) map[string]any {
	x, y := ecXY(&key.PublicKey)
	d, err := key.Bytes()
	if err != nil {
		panic(err)
	}
	m := map[string]any{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": ecThumbprint(&key.PublicKey),
		"x": b64(x), "y": b64(y), "d": b64(d),
		"sign_from": signFrom.UTC().Format(time.RFC3339),
	}
	if retireAt != nil {
		m["retire_at"] = retireAt.UTC().Format(time.RFC3339)
	}
	return m
}

func keySetDoc(t testing.TB, jwks ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": jwks})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newECKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testKeySet is the JWT_KEYS of test servers.
func testKeySet(t testing.TB) string {
	testKeyOnce.Do(func() {
		testKey = newECKey(t)
		testKid = ecThumbprint(&testKey.PublicKey)
		testKeyDoc = keySetDoc(t, ecJWK(testKey, time.Now().Add(-24*time.Hour), nil))
	})
	return testKeyDoc
}

// mintES256 signs header.claims with key (JWS ES256: r and s, 32 bytes each).
func mintES256(t testing.TB, header, claims map[string]any, key *ecdsa.PrivateKey) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b64(b)
	}
	signing := enc(header) + "." + enc(claims)
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64(append(fixed(r, 32), fixed(s, 32)...))
}
