package wiring

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hexashop/hexashop/adapters/jwt"
	"github.com/hexashop/hexashop/core/domain"
)

// tokenAudience is the aud of every access token: fixed, since only this service's API
// accepts them.
const tokenAudience = domain.ServiceName + "-api"

// loadTokenConfig reads the signing configuration. Keys (JWT_KEYS_FILE or JWT_KEYS) sign;
// JWT_SECRET, the former HS256 scheme, verifies and signs until a key's sign_from comes.
// serve needs one of them with DATABASE_URL; demo mode generates a key; the commands that
// issue no tokens get a throwaway secret.
func (cfg *Config) loadTokenConfig(getenv func(string) string, issuesTokens bool) []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	var err error
	if cfg.JWKSMaxAge, err = duration(getenv, "JWKS_MAX_AGE", 10*time.Minute); err != nil {
		errs = append(errs, err)
	}
	cfg.JWTLeeway = 30 * time.Second
	if v := getenv("JWT_LEEWAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > jwt.MaxLeeway {
			bad("JWT_LEEWAY", "must be a duration from 0s to %s, got %q", jwt.MaxLeeway, v)
		}
		cfg.JWTLeeway = d
	}
	ttl, _ := duration(getenv, "ACCESS_TOKEN_TTL", 15*time.Minute)
	cfg.JWTVerifyCache = 10000
	if v := getenv("JWT_VERIFY_CACHE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10_000_000 {
			bad("JWT_VERIFY_CACHE", "must be a number of tokens from 0 (off) to 10000000, got %q", v)
		}
		cfg.JWTVerifyCache = n
	}
	cfg.JWTAlg = orDefault(getenv("JWT_ALG"), jwt.ES256)
	if cfg.JWTAlg != jwt.ES256 && cfg.JWTAlg != jwt.RS256 {
		bad("JWT_ALG", "must be ES256 or RS256, got %q", cfg.JWTAlg)
	}
	cfg.JWTClientID = orDefault(getenv("JWT_CLIENT_ID"), domain.ServiceName)
	if !domain.ValidClientID(cfg.JWTClientID) {
		bad("JWT_CLIENT_ID", "must be 1..64 characters of letters, digits and ._:-, got %q", cfg.JWTClientID)
	}
	if v := getenv("JWT_ISSUER"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			bad("JWT_ISSUER", "must be the service's public https (or http) URL like https://shop.example.com, got %q", v)
		}
		cfg.JWTIssuer = strings.TrimSuffix(v, "/")
	} else {
		cfg.JWTIssuer = issuerFromAddr(cfg.HTTPAddr)
		if !cfg.DemoMode() && issuesTokens {
			cfg.Warnings = append(cfg.Warnings, "JWT_ISSUER is unset: tokens name "+cfg.JWTIssuer+
				" as issuer; set it to the service's public URL so other services can discover its keys")
		}
	}

	if secret := getenv("JWT_SECRET"); secret != "" {
		if len(secret) < jwt.MinSecretBytes {
			bad("JWT_SECRET", "must be at least %d bytes, got %d", jwt.MinSecretBytes, len(secret))
		}
		cfg.JWTSecret = []byte(secret)
	}
	file, inline := getenv("JWT_KEYS_FILE"), getenv("JWT_KEYS")
	keysVar := ""
	switch {
	case file != "" && inline != "":
		bad("JWT_KEYS", "set JWT_KEYS_FILE or JWT_KEYS, not both")
	case file != "":
		cfg.TokenKeys, keysVar = jwt.KeysFromFile(file), "JWT_KEYS_FILE"
	case inline != "":
		cfg.TokenKeys, keysVar = jwt.KeysFromDocument([]byte(inline)), "JWT_KEYS"
	}
	if keysVar != "" {
		keys, err := cfg.TokenKeys.Load(context.Background())
		if err == nil {
			err = jwt.CheckKeySet(keys, time.Now(), jwt.Lifetime{TokenTTL: ttl, Leeway: cfg.JWTLeeway, JWKSMaxAge: cfg.JWKSMaxAge},
				len(cfg.JWTSecret) > 0)
		}
		if err != nil {
			bad(keysVar, "%v", err)
		}
		return errs
	}
	switch {
	case cfg.DemoMode() && len(cfg.JWTSecret) == 0:
		k, err := jwt.GenerateKey(cfg.JWTAlg, 2048, time.Now().Add(-time.Second))
		if err != nil {
			bad("JWT_ALG", "%v", err)
			break
		}
		cfg.TokenKeys, cfg.KeysGenerated = jwt.KeysOf(k), true
	case len(cfg.JWTSecret) > 0:
	case !issuesTokens:
		cfg.JWTSecret = make([]byte, 32)
		_, _ = rand.Read(cfg.JWTSecret) // crypto/rand.Read never fails (Go >= 1.24)
		cfg.JWTGenerated = true
	default:
		bad("JWT_KEYS_FILE", "signing keys are required when DATABASE_URL is set: "+
			"`hexashop keys generate --file keys.json` makes a key set (or, the former scheme, set JWT_SECRET)")
	}
	return errs
}

// issuerFromAddr is http://<host>:<port> of a listen address, with localhost for an
// address on every interface.
func issuerFromAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
