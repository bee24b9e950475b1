package jwt

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hexashop/hexashop/ports"
)

// The key set format (JWT_KEYS_FILE, JWT_KEYS): a private JWK Set (RFC 7517) whose keys
// carry two more members, RFC 3339 times that drive the key's life:
//
//	{"keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…", "d": "…",
//	           "kid": "<RFC 7638 thumbprint>", "alg": "ES256", "use": "sig",
//	           "sign_from": "2026-12-01T00:00:00Z", "retire_at": "2027-01-01T00:00:00Z"}]}
//
// `hexashop keys generate` writes it; `hexashop keys list` shows each key's state.

// Algorithms a key may have.
const (
	ES256 = "ES256"
	RS256 = "RS256"
)

// MinRSABits is the smallest RSA key accepted.
const MinRSABits = 2048

type keyTimes struct {
	SignFrom time.Time  `json:"sign_from"`
	RetireAt *time.Time `json:"retire_at,omitempty"`
}

// ParseKeySet decodes a private key set document: the JWK Set above, or a PEM bundle of
// private keys (PKCS #8, SEC 1 or PKCS #1 blocks), where each block may carry the
// headers `Sign-From` and `Retire-At` (RFC 3339); a key without Sign-From signs from
// the Unix epoch. The algorithm follows the key (EC P-256: ES256, RSA: RS256) and the kid
// is its thumbprint. PEM is what `openssl genpkey` or Helm's genPrivateKey make.
func ParseKeySet(doc []byte) ([]ports.TokenKey, error) {
	if trimmed := bytes.TrimSpace(doc); bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		return parsePEMBundle(trimmed)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&set); err != nil {
		return nil, fmt.Errorf("key set: not a JWK Set: %w", err)
	}
	out := make([]ports.TokenKey, 0, len(set.Keys))
	for i, raw := range set.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("key set: key %d: %w", i, err)
		}
		var times keyTimes
		if err := json.Unmarshal(raw, &times); err != nil {
			return nil, fmt.Errorf("key set: key %d: sign_from and retire_at must be RFC 3339 times: %w", i, err)
		}
		signer, ok := jwk.Key.(crypto.Signer)
		if !ok || jwk.IsPublic() {
			return nil, fmt.Errorf("key set: key %d (%s) is not a private EC or RSA key", i, jwk.KeyID)
		}
		if times.SignFrom.IsZero() {
			return nil, fmt.Errorf("key set: key %d (%s) has no sign_from", i, jwk.KeyID)
		}
		k := ports.TokenKey{ID: jwk.KeyID, Algorithm: jwk.Algorithm, Private: signer, SignFrom: times.SignFrom.UTC()}
		if times.RetireAt != nil {
			k.RetireAt = times.RetireAt.UTC()
		}
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("key set: key %d: %w", i, err)
		}
		out = append(out, k)
	}
	return out, nil
}

func parsePEMBundle(doc []byte) ([]ports.TokenKey, error) {
	var out []ports.TokenKey
	for rest := doc; len(bytes.TrimSpace(rest)) > 0; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("key set: PEM bundle: a block does not decode")
		}
		var (
			priv any
			err  error
		)
		switch block.Type {
		case "PRIVATE KEY":
			priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			priv, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			return nil, fmt.Errorf("key set: PEM block %q is not a private key", block.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("key set: PEM block %d: %w", len(out), err)
		}
		signer, ok := priv.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("key set: PEM block %d: unsupported key %T", len(out), priv)
		}
		k := ports.TokenKey{Private: signer, SignFrom: time.Unix(0, 0).UTC()}
		switch signer.(type) {
		case *ecdsa.PrivateKey:
			k.Algorithm = ES256
		case *rsa.PrivateKey:
			k.Algorithm = RS256
		}
		if k.ID, err = Thumbprint(signer.Public()); err != nil {
			return nil, err
		}
		for h, dst := range map[string]*time.Time{"Sign-From": &k.SignFrom, "Retire-At": &k.RetireAt} {
			if v, ok := block.Headers[h]; ok {
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					return nil, fmt.Errorf("key set: PEM block %d: %s: %w", len(out), h, err)
				}
				*dst = t.UTC()
			}
		}
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("key set: PEM block %d: %w", len(out), err)
		}
		out = append(out, k)
	}
	return out, nil
}

// checkKey refuses a key whose algorithm, size or id is wrong.
func checkKey(k ports.TokenKey) error {
	switch key := k.Private.(type) {
	case *ecdsa.PrivateKey:
		if k.Algorithm != ES256 || key.Curve != elliptic.P256() {
			return fmt.Errorf("%s: an EC key must be P-256 with alg ES256, got alg %q", k.ID, k.Algorithm)
		}
	case *rsa.PrivateKey:
		if k.Algorithm != RS256 {
			return fmt.Errorf("%s: an RSA key must have alg RS256, got %q", k.ID, k.Algorithm)
		}
		if key.N.BitLen() < MinRSABits {
			return fmt.Errorf("%s: RSA key of %d bits, want at least %d", k.ID, key.N.BitLen(), MinRSABits)
		}
	default:
		return fmt.Errorf("%s: unsupported key type %T", k.ID, k.Private)
	}
	want, err := Thumbprint(k.Private.Public())
	if err != nil {
		return err
	}
	if k.ID != want {
		return fmt.Errorf("kid %q is not the key's RFC 7638 thumbprint %q", k.ID, want)
	}
	if !k.RetireAt.IsZero() && !k.RetireAt.After(k.SignFrom) {
		return fmt.Errorf("%s: retire_at is not after sign_from", k.ID)
	}
	return nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, base64url: the key id.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// GenerateKey makes a new private key for alg (ES256: P-256; RS256: bits, at least
// 2048), with its thumbprint as id, signing from signFrom.
func GenerateKey(alg string, bits int, signFrom time.Time) (ports.TokenKey, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		if bits < MinRSABits {
			return ports.TokenKey{}, fmt.Errorf("RSA keys need at least %d bits, got %d", MinRSABits, bits)
		}
		priv, err = rsa.GenerateKey(rand.Reader, bits)
	default:
		return ports.TokenKey{}, fmt.Errorf("algorithm %q: use ES256 or RS256", alg)
	}
	if err != nil {
		return ports.TokenKey{}, err
	}
	kid, err := Thumbprint(priv.Public())
	if err != nil {
		return ports.TokenKey{}, err
	}
	return ports.TokenKey{ID: kid, Algorithm: alg, Private: priv, SignFrom: signFrom.UTC().Truncate(time.Second)}, nil
}

// MarshalKeySet encodes keys as a private key set document (keep it secret).
func MarshalKeySet(keys []ports.TokenKey) ([]byte, error) {
	var out struct {
		Keys []json.RawMessage `json:"keys"`
	}
	for _, k := range keys {
		raw, err := (&jose.JSONWebKey{Key: k.Private, KeyID: k.ID, Algorithm: k.Algorithm, Use: "sig"}).MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k.ID, err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		m["sign_from"] = k.SignFrom.UTC().Format(time.RFC3339)
		if !k.RetireAt.IsZero() {
			m["retire_at"] = k.RetireAt.UTC().Format(time.RFC3339)
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out.Keys = append(out.Keys, b)
	}
	return json.MarshalIndent(out, "", "  ")
}

// KeyState is where a key is in its life at some moment.
type KeyState string

// The states of a key.
const (
	StateNext    KeyState = "next"    // published, not signing yet
	StateActive  KeyState = "active"  // signs (exactly one key)
	StateRetired KeyState = "retired" // published and verifying, not signing
	StateGone    KeyState = "gone"    // neither
)

// States tells each key's state at now.
func States(keys []ports.TokenKey, now time.Time) map[string]KeyState {
	out := make(map[string]KeyState, len(keys))
	active := activeKey(keys, now)
	for _, k := range keys {
		switch {
		case !k.RetireAt.IsZero() && !now.Before(k.RetireAt):
			out[k.ID] = StateGone
		case k.SignFrom.After(now):
			out[k.ID] = StateNext
		case active != nil && k.ID == active.ID:
			out[k.ID] = StateActive
		default:
			out[k.ID] = StateRetired
		}
	}
	return out
}

// activeKey is the key that signs at now: of those not gone whose SignFrom has come, the
// latest. nil when there is none.
func activeKey(keys []ports.TokenKey, now time.Time) *ports.TokenKey {
	var best *ports.TokenKey
	for i := range keys {
		k := &keys[i]
		if k.SignFrom.After(now) || (!k.RetireAt.IsZero() && !now.Before(k.RetireAt)) {
			continue
		}
		if best == nil || k.SignFrom.After(best.SignFrom) {
			best = k
		}
	}
	return best
}

// Lifetime is what a retirement must leave room for: every token a key signed must have
// expired (TTL, plus the leeway verifiers allow) and every verifier must have fetched
// the key set without the key's successor missing (the JWKS max-age) before the key goes.
type Lifetime struct {
	TokenTTL, Leeway, JWKSMaxAge time.Duration
}

// Min is the shortest time a key must verify after its successor starts signing.
func (l Lifetime) Min() time.Duration { return l.TokenTTL + l.Leeway + l.JWKSMaxAge }

// CheckKeySet refuses a set that cannot work at now: duplicate ids, two keys that would
// both sign from the same moment, no key signing now (unless allowHMAC: a shared secret
// signs until a key starts), or a key that retires sooner than l.Min() after its
// successor starts signing (tokens it signed would be refused before they expire).
func CheckKeySet(keys []ports.TokenKey, now time.Time, l Lifetime, allowHMAC bool) error {
	var errs []error
	seen := map[string]bool{}
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b ports.TokenKey) int { return a.SignFrom.Compare(b.SignFrom) })
	for i, k := range sorted {
		if seen[k.ID] {
			errs = append(errs, fmt.Errorf("key %s is in the set twice", k.ID))
		}
		seen[k.ID] = true
		if i > 0 && k.SignFrom.Equal(sorted[i-1].SignFrom) {
			errs = append(errs, fmt.Errorf("keys %s and %s both sign from %s: exactly one key may be active", sorted[i-1].ID, k.ID, k.SignFrom.Format(time.RFC3339)))
		}
		if i+1 < len(sorted) && !k.RetireAt.IsZero() {
			next := sorted[i+1]
			if got := k.RetireAt.Sub(next.SignFrom); got < l.Min() {
				errs = append(errs, fmt.Errorf("key %s retires %s after %s starts signing, want at least %s (token lifetime %s + leeway %s + JWKS max-age %s)",
					k.ID, got, next.ID, l.Min(), l.TokenTTL, l.Leeway, l.JWKSMaxAge))
			}
		}
	}
	if len(sorted) > 0 && !sorted[len(sorted)-1].RetireAt.IsZero() {
		errs = append(errs, fmt.Errorf("key %s, the newest, has a retire_at: the newest key must stay until a newer one replaces it", sorted[len(sorted)-1].ID))
	}
	if activeKey(keys, now) == nil && !allowHMAC {
		errs = append(errs, errors.New("no key signs now: one key's sign_from must have come (and it must not be retired)"))
	}
	return errors.Join(errs...)
}

// KeySource implements ports.TokenKeys from a key set document in a file (JWT_KEYS_FILE)
// or in memory (JWT_KEYS, or keys generated for demo mode).
type KeySource struct {
	path string
	doc  []byte
	keys []ports.TokenKey
}

var _ ports.TokenKeys = KeySource{}

// KeysFromFile reads the key set at path on each Load.
func KeysFromFile(path string) KeySource { return KeySource{path: path} }

// KeysFromDocument parses doc on each Load.
func KeysFromDocument(doc []byte) KeySource { return KeySource{doc: doc} }

// KeysOf serves keys as they are.
func KeysOf(keys ...ports.TokenKey) KeySource { return KeySource{keys: keys} }

// Load implements ports.TokenKeys.
func (s KeySource) Load(context.Context) ([]ports.TokenKey, error) {
	switch {
	case s.path != "":
		doc, err := os.ReadFile(s.path)
		if err != nil {
			return nil, fmt.Errorf("key set: %w", err)
		}
		return ParseKeySet(doc)
	case s.doc != nil:
		return ParseKeySet(s.doc)
	}
	return s.keys, nil
}

// IsZero reports whether s names no keys at all.
func (s KeySource) IsZero() bool { return s.path == "" && s.doc == nil && s.keys == nil }
