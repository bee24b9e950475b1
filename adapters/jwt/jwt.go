// Package jwt adapts golang-jwt/jwt/v5 (signing and verification) and go-jose v4 (JWK
// encoding) to ports.Tokens: RFC 9068 access tokens (`typ: at+jwt`) signed with
// asymmetric keys (ES256 by default, RS256 as an option) that carry their RFC 7638
// thumbprint as `kid`, and a published JWK Set so that other services verify them
// without any secret. Keys come from a ports.TokenKeys and change by the times in the
// set (keys.go). A shared HS256 secret, the former scheme, still verifies and signs
// until a key takes over, so a deployment moves to keys without logging anyone out.
package jwt

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// MinSecretBytes is the shortest HS256 key accepted: 256 bits, the size of the hash.
const MinSecretBytes = 32

// MaxLeeway bounds the clock skew tolerated when checking exp, iat and nbf.
const MaxLeeway = 60 * time.Second

// tokenType is RFC 9068's media type of a JWT access token, in the typ header.
const tokenType = "at+jwt"

// Config sets up an Issuer.
type Config struct {
	// Keys are the asymmetric signing keys (nil or empty: Secret only).
	Keys ports.TokenKeys
	// Secret, when set, verifies HS256 tokens and signs while no key is active: the
	// scheme of releases before signing keys.
	Secret   []byte
	Issuer   string        // iss claim, checked on verification
	Audience string        // aud claim, checked on verification
	TTL      time.Duration // lifetime of a token
	Leeway   time.Duration // clock skew tolerated, at most MaxLeeway
	// JWKSMaxAge is how long verifiers may cache the published key set; retirements must
	// leave room for it.
	JWKSMaxAge time.Duration
	// CacheSize bounds the cache of verified tokens (0: no cache). A hit skips the
	// signature check, not the claims' expiry.
	CacheSize int
	// Now is the clock; nil means time.Now. Tests set it to make expired tokens.
	Now func() time.Time
}

// Issuer issues and verifies tokens.
type Issuer struct {
	cfg    Config
	keys   []ports.TokenKey
	byID   map[string]*ports.TokenKey
	parser *jwt.Parser
	cache  *tokenCache

	mu       sync.Mutex
	jwksDoc  []byte
	jwksTag  string
	jwksKids string // the kids the cached document was made of
}

var _ ports.Tokens = (*Issuer)(nil)

// New loads the keys, checks cfg and returns an Issuer.
func New(ctx context.Context, cfg Config) (*Issuer, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.Keys == nil && len(cfg.Secret) == 0:
		return nil, errors.New("jwt: no signing keys and no secret")
	case len(cfg.Secret) > 0 && len(cfg.Secret) < MinSecretBytes:
		return nil, fmt.Errorf("jwt secret must be at least %d bytes, got %d", MinSecretBytes, len(cfg.Secret))
	case cfg.Issuer == "" || cfg.Audience == "":
		return nil, errors.New("jwt issuer and audience must be set")
	case cfg.TTL <= 0:
		return nil, errors.New("jwt ttl must be positive")
	case cfg.Leeway < 0 || cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("jwt leeway must be within 0..%s", MaxLeeway)
	}
	var keys []ports.TokenKey
	if cfg.Keys != nil {
		var err error
		if keys, err = cfg.Keys.Load(ctx); err != nil {
			return nil, err
		}
		for _, k := range keys {
			if err := checkKey(k); err != nil {
				return nil, err
			}
		}
		if err := CheckKeySet(keys, cfg.Now(), Lifetime{TokenTTL: cfg.TTL, Leeway: cfg.Leeway, JWKSMaxAge: cfg.JWKSMaxAge},
			len(cfg.Secret) > 0); err != nil {
			return nil, err
		}
	}
	i := &Issuer{cfg: cfg, keys: keys, byID: map[string]*ports.TokenKey{}}
	for n := range i.keys {
		i.byID[i.keys[n].ID] = &i.keys[n]
	}
	i.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg(), jwt.SigningMethodRS256.Alg(), jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(cfg.Now),
	)
	if cfg.CacheSize > 0 {
		i.cache = newTokenCache(cfg.CacheSize)
	}
	return i, nil
}

// claims are RFC 9068's plus the session id.
type claims struct {
	jwt.RegisteredClaims
	ClientID  string `json:"client_id,omitempty"`
	SessionID string `json:"sid"`
}

// Issue implements ports.Tokens: signed by the active key, or by the secret while no key
// is active.
func (i *Issuer) Issue(c ports.TokenClaims) (ports.AccessToken, error) {
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return ports.AccessToken{}, fmt.Errorf("jwt id: %w", err)
	}
	now := i.cfg.Now()
	cl := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.cfg.Issuer,
			Subject:   strconv.FormatInt(c.UserID, 10),
			Audience:  jwt.ClaimStrings{i.cfg.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(i.cfg.TTL)),
			ID:        base64.RawURLEncoding.EncodeToString(jti[:]),
		},
		ClientID:  c.ClientID,
		SessionID: strconv.FormatInt(c.SessionID, 10),
	}
	var (
		tok *jwt.Token
		key any
	)
	if k := activeKey(i.keys, now); k != nil {
		tok = jwt.NewWithClaims(signingMethod(k.Algorithm), cl)
		tok.Header["kid"] = k.ID
		key = k.Private
	} else {
		tok = jwt.NewWithClaims(jwt.SigningMethodHS256, cl)
		key = i.cfg.Secret
	}
	tok.Header["typ"] = tokenType
	s, err := tok.SignedString(key)
	if err != nil {
		return ports.AccessToken{}, fmt.Errorf("jwt sign: %w", err)
	}
	return ports.AccessToken{Value: s, ExpiresIn: i.cfg.TTL}, nil
}

func signingMethod(alg string) jwt.SigningMethod {
	if alg == RS256 {
		return jwt.SigningMethodRS256
	}
	return jwt.SigningMethodES256
}

// Verify implements ports.Tokens. Every failure is domain.ErrInvalidToken: a caller never
// learns which check failed. The key is the one the kid names (never one the token
// carries or points to: jku, x5u, jwk and x5c are refused), and its algorithm must be the
// token's.
func (i *Issuer) Verify(token string) (ports.TokenClaims, error) {
	now := i.cfg.Now()
	if c, ok := i.cache.get(token, now); ok {
		return c, nil
	}
	var cl claims
	_, err := i.parser.ParseWithClaims(token, &cl, func(t *jwt.Token) (any, error) { return i.keyFor(t, now) })
	if err != nil || cl.ID == "" {
		return ports.TokenClaims{}, domain.ErrInvalidToken
	}
	user, err := strconv.ParseInt(cl.Subject, 10, 64)
	if err != nil || user <= 0 {
		return ports.TokenClaims{}, domain.ErrInvalidToken
	}
	session, err := strconv.ParseInt(cl.SessionID, 10, 64)
	if err != nil || session <= 0 {
		return ports.TokenClaims{}, domain.ErrInvalidToken // tokens from before sessions, too
	}
	c := ports.TokenClaims{UserID: user, SessionID: session, ClientID: cl.ClientID}
	i.cache.put(token, c, cl.ExpiresAt.Add(i.cfg.Leeway))
	return c, nil
}

func (i *Issuer) keyFor(t *jwt.Token, now time.Time) (any, error) {
	for _, h := range []string{"jku", "x5u", "jwk", "x5c", "crit"} {
		if _, ok := t.Header[h]; ok {
			return nil, fmt.Errorf("header %s is not accepted", h)
		}
	}
	typ, _ := t.Header["typ"].(string)
	alg := t.Method.Alg()
	if alg == jwt.SigningMethodHS256.Alg() {
		// The former scheme: the shared secret, while it is configured. Tokens from
		// before signing keys have typ JWT.
		if len(i.cfg.Secret) == 0 || (typ != tokenType && typ != "JWT") {
			return nil, errors.New("HS256 is not accepted")
		}
		return i.cfg.Secret, nil
	}
	if typ != tokenType {
		return nil, errors.New("unexpected typ header")
	}
	kid, _ := t.Header["kid"].(string)
	k, ok := i.byID[kid]
	if !ok || (!k.RetireAt.IsZero() && !now.Before(k.RetireAt)) {
		return nil, errors.New("unknown or retired kid")
	}
	if k.Algorithm != alg {
		return nil, errors.New("algorithm is not the key's")
	}
	return k.Private.Public(), nil
}

// PublishedKeys implements ports.Tokens: the public halves of every key that is not gone
// (next keys too: verifiers must have them before they sign), as a JWK Set, and a strong
// ETag of its bytes.
func (i *Issuer) PublishedKeys() ([]byte, string, error) {
	now := i.cfg.Now()
	var pub []jose.JSONWebKey
	kids := ""
	for _, k := range i.keys {
		if !k.RetireAt.IsZero() && !now.Before(k.RetireAt) {
			continue
		}
		pub = append(pub, jose.JSONWebKey{Key: k.Private.Public(), KeyID: k.ID, Algorithm: k.Algorithm, Use: "sig"})
		kids += k.ID + " "
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.jwksDoc != nil && i.jwksKids == kids {
		return i.jwksDoc, i.jwksTag, nil
	}
	if pub == nil {
		pub = []jose.JSONWebKey{}
	}
	doc, err := json.Marshal(jose.JSONWebKeySet{Keys: pub})
	if err != nil {
		return nil, "", fmt.Errorf("jwks: %w", err)
	}
	sum := sha256.Sum256(doc)
	i.jwksDoc, i.jwksTag, i.jwksKids = doc, `"`+base64.RawURLEncoding.EncodeToString(sum[:16])+`"`, kids
	return doc, i.jwksTag, nil
}

// Keys are the issuer's signing keys (for `hexashop keys list`).
func (i *Issuer) Keys() []ports.TokenKey { return i.keys }

// tokenCache remembers verified tokens until they expire, by the SHA-256 of the token,
// so that a client sending the same token on every request pays the signature check
// (65–99 µs for ES256 here) once. It holds at most max entries; when full, an entry is
// dropped at random (map order), expired ones first when found.
type tokenCache struct {
	mu      sync.Mutex
	max     int
	entries map[[32]byte]cached
}

type cached struct {
	claims ports.TokenClaims
	until  time.Time
}

func newTokenCache(size int) *tokenCache {
	return &tokenCache{max: size, entries: make(map[[32]byte]cached, size)}
}

func (c *tokenCache) get(token string, now time.Time) (ports.TokenClaims, bool) {
	if c == nil {
		return ports.TokenClaims{}, false
	}
	h := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[h]
	if !ok {
		return ports.TokenClaims{}, false
	}
	if !now.Before(e.until) {
		delete(c.entries, h)
		return ports.TokenClaims{}, false
	}
	return e.claims, true
}

func (c *tokenCache) put(token string, cl ports.TokenClaims, until time.Time) {
	if c == nil {
		return
	}
	h := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k := range c.entries { // one random victim
			delete(c.entries, k)
			break
		}
	}
	c.entries[h] = cached{claims: cl, until: until}
}
