// Package jwt adapts golang-jwt/jwt/v5 to ports.Tokens: HS256 access tokens that carry the
// user id as subject and the session id as sid.
package jwt

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// MinSecretBytes is the shortest HS256 key accepted: 256 bits, the size of the hash.
const MinSecretBytes = 32

// MaxLeeway bounds the clock skew tolerated when checking exp, iat and nbf.
const MaxLeeway = 60 * time.Second

// Config sets up an Issuer.
type Config struct {
	Secret   []byte
	Issuer   string        // iss claim, checked on verification
	Audience string        // aud claim, checked on verification
	TTL      time.Duration // lifetime of a token
	Leeway   time.Duration // clock skew tolerated, at most MaxLeeway
	// Now is the clock; nil means time.Now. Tests set it to make expired tokens.
	Now func() time.Time
}

// Issuer issues and verifies tokens.
type Issuer struct {
	cfg    Config
	parser *jwt.Parser
}

var _ ports.Tokens = (*Issuer)(nil)

// New checks cfg and returns an Issuer.
func New(cfg Config) (*Issuer, error) {
	switch {
	case len(cfg.Secret) < MinSecretBytes:
		return nil, fmt.Errorf("jwt secret must be at least %d bytes, got %d", MinSecretBytes, len(cfg.Secret))
	case cfg.Issuer == "" || cfg.Audience == "":
		return nil, errors.New("jwt issuer and audience must be set")
	case cfg.TTL <= 0:
		return nil, errors.New("jwt ttl must be positive")
	case cfg.Leeway < 0 || cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("jwt leeway must be within 0..%s", MaxLeeway)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(cfg.Now),
	)
	return &Issuer{cfg: cfg, parser: parser}, nil
}

// claims are the registered claims plus the session id.
type claims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// Issue implements ports.Tokens.
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
		SessionID: strconv.FormatInt(c.SessionID, 10),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, cl) // sets header typ "JWT"
	s, err := tok.SignedString(i.cfg.Secret)
	if err != nil {
		return ports.AccessToken{}, fmt.Errorf("jwt sign: %w", err)
	}
	return ports.AccessToken{Value: s, ExpiresIn: i.cfg.TTL}, nil
}

// Verify implements ports.Tokens. Every failure is domain.ErrInvalidToken: a caller never
// learns which check failed.
func (i *Issuer) Verify(token string) (ports.TokenClaims, error) {
	var cl claims
	_, err := i.parser.ParseWithClaims(token, &cl, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != "JWT" {
			return nil, errors.New("unexpected typ header")
		}
		return i.cfg.Secret, nil
	})
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
	return ports.TokenClaims{UserID: user, SessionID: session}, nil
}
