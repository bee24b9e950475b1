package wiring

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hexashop/hexashop/adapters/bcrypt"
	"github.com/hexashop/hexashop/adapters/jwt"
	"github.com/hexashop/hexashop/adapters/smtp"
	"github.com/hexashop/hexashop/adapters/tracing"
	"github.com/hexashop/hexashop/core/usecase"
)

// Config is the whole configuration of the service, read from environment variables.
type Config struct {
	HTTPAddr       string        // HTTP_ADDR
	DatabaseURL    string        // DATABASE_URL; empty means demo mode (in memory)
	JWTSecret      []byte        // JWT_SECRET: HS256, the former scheme (verifies; signs while no key is active)
	JWTGenerated   bool          // a throwaway secret (commands that issue no tokens)
	TokenKeys      jwt.KeySource // JWT_KEYS_FILE or JWT_KEYS; generated in demo mode
	KeysGenerated  bool          // the signing key was generated (demo mode)
	JWTAlg         string        // JWT_ALG: of generated keys
	JWTIssuer      string        // JWT_ISSUER: iss, and the base of the discovery URLs
	JWTClientID    string        // JWT_CLIENT_ID: client_id of logins that name none
	JWKSMaxAge     time.Duration // JWKS_MAX_AGE
	JWTLeeway      time.Duration // JWT_LEEWAY
	JWTVerifyCache int           // JWT_VERIFY_CACHE: verified tokens remembered
	TokenTTL       time.Duration // ACCESS_TOKEN_TTL
	BcryptCost     int           // BCRYPT_COST
	AdminPassword  string        // ADMIN_PASSWORD
	SMTP           *smtp.Config  // SMTP_URL (with MAIL_FROM); nil: mail goes to the log
	MailFrom       string        // MAIL_FROM
	Currency       string        // CURRENCY
	Dispatch       usecase.DispatcherConfig
	// HousekeepingEvery is how often serve sweeps expired state (0: the default, a
	// minute). Not an environment variable: tests shorten it.
	HousekeepingEvery time.Duration
	ShutdownTimeout   time.Duration // SHUTDOWN_TIMEOUT
	ServeDispatch     bool          // SERVE_DISPATCH: serve runs the outbox dispatcher too
	MigrateOnStart    bool          // MIGRATE_ON_START: serve migrates (else it only checks)
	Warnings          []string      // things worth logging at start-up

	PasswordWorkers       int           // PASSWORD_CONCURRENCY
	PasswordQueueTimeout  time.Duration // PASSWORD_QUEUE_TIMEOUT
	PasswordNice          int           // PASSWORD_NICE
	RequestTimeout        time.Duration // REQUEST_TIMEOUT
	CatalogMaxAge         time.Duration // CATALOG_MAX_AGE; 0: shared caches must revalidate // shop
	CatalogStale          time.Duration // CATALOG_STALE_WHILE_REVALIDATE // shop
	CatalogRequireIfMatch bool          // CATALOG_REQUIRE_IF_MATCH // shop
	CatalogCacheEntries   int           // CATALOG_CACHE_ENTRIES; 0: no in-process cache // shop
	CatalogCacheTTL       time.Duration // CATALOG_CACHE_TTL // shop
	CatalogCacheMiB       int           // CATALOG_CACHE_MIB: the bound on the cache's estimated size // shop
	DBConnectTimeout      time.Duration // DB_CONNECT_TIMEOUT
	DBAcquireTimeout      time.Duration // DB_ACQUIRE_TIMEOUT
	DBMaxConns            int           // DB_MAX_CONNS; 0: pgx's default
	DBPooler              string        // DB_POOLER: "" (direct) or "transaction"
	DatabaseDirectURL     string        // DATABASE_DIRECT_URL: the primary itself, for migrations
	DatabaseReadURL       string        // DATABASE_READ_URL: read replicas for public catalog reads
	DBReadTimeout         time.Duration // DB_READ_TIMEOUT
	TrustedProxies        []string      // TRUSTED_PROXIES
	CORSOrigins           []string      // CORS_ALLOWED_ORIGINS
	Throttle              usecase.ThrottleConfig
	Sessions              usecase.SessionConfig  // SESSION_IDLE_TIMEOUT, SESSION_MAX_LIFETIME, REFRESH_REUSE_GRACE
	Recovery              usecase.RecoveryConfig // PASSWORD_RESET_TTL, EMAIL_VERIFICATION_TTL, ACCOUNT_LINK_URL, PASSWORD_RESET_ANSWER_TIME
	// CHECKOUT_REQUIRES_VERIFIED_EMAIL: checkout is 403 email_unverified until the buyer
	// verified their address.
	CheckoutRequiresVerifiedEmail bool       // shop
	MetricsAddr                   string     // METRICS_ADDR; "" disables the private listener
	TracesEndpoint                string     // from OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT; "" disables tracing
	LogJSON                       bool       // LOG_FORMAT=json (else text)
	LogLevel                      slog.Level // LOG_LEVEL
}

// DemoMode reports whether the service runs on the in-memory store with demo data.
func (c Config) DemoMode() bool { return c.DatabaseURL == "" }

// LoadConfig reads and validates the configuration. getenv is os.Getenv in production and
// a map lookup in tests. Every problem is reported, each naming its variable.
func LoadConfig(getenv func(string) string) (Config, error) { return loadConfig(getenv, true) }

// LoadToolConfig is LoadConfig for the commands that issue no tokens (migrate, dispatch,
// admin create): without JWT_SECRET they get a throwaway one, so a migration job or a
// dispatcher needs no signing secret at all.
func LoadToolConfig(getenv func(string) string) (Config, error) { return loadConfig(getenv, false) }

func loadConfig(getenv func(string) string, issuesTokens bool) (Config, error) {
	cfg := Config{
		DatabaseURL:   getenv("DATABASE_URL"),
		AdminPassword: getenv("ADMIN_PASSWORD"),
		MailFrom:      orDefault(getenv("MAIL_FROM"), "shop@localhost"),
		Currency:      orDefault(getenv("CURRENCY"), "EUR"),
		Dispatch:      usecase.DefaultDispatcherConfig,
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	// Demo mode logs a working admin password: by default it listens on loopback only.
	// With a database, the usual :8080 (every interface, as a container needs).
	cfg.HTTPAddr = getenv("HTTP_ADDR")
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = ":8080"
		if cfg.DemoMode() {
			cfg.HTTPAddr = "127.0.0.1:8080"
		}
	}

	var err error
	errs = append(errs, cfg.loadTokenConfig(getenv, issuesTokens)...)

	cfg.BcryptCost = bcrypt.DefaultCost
	if v := getenv("BCRYPT_COST"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < bcrypt.MinCost || n > bcrypt.MaxCost:
			bad("BCRYPT_COST", "must be an integer from %d to %d, got %q", bcrypt.MinCost, bcrypt.MaxCost, v)
		case n < 10:
			cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("BCRYPT_COST=%d is below 10: fine for tests, too weak for production", n))
		}
		cfg.BcryptCost = n
	}

	if _, err := mail.ParseAddress(cfg.MailFrom); err != nil || strings.ContainsAny(cfg.MailFrom, "<> ") {
		bad("MAIL_FROM", "must be a plain email address like shop@example.com, got %q", cfg.MailFrom)
	}
	if v := getenv("SMTP_URL"); v != "" {
		sc, err := smtp.ParseURL(v, cfg.MailFrom)
		if err != nil {
			bad("SMTP_URL", "%v", err) // never echo the URL: it may hold a password
		} else {
			cfg.SMTP = &sc
		}
	}
	if !currencyCode.MatchString(cfg.Currency) {
		bad("CURRENCY", "must be a three-letter ISO 4217 code like EUR, got %q", cfg.Currency)
	}

	if cfg.TokenTTL, err = duration(getenv, "ACCESS_TOKEN_TTL", 15*time.Minute); err != nil {
		errs = append(errs, err)
	}
	if cfg.ShutdownTimeout, err = duration(getenv, "SHUTDOWN_TIMEOUT", 30*time.Second); err != nil {
		errs = append(errs, err)
	}
	// shop:begin
	if cfg.CatalogMaxAge, err = optionalDuration(getenv, "CATALOG_MAX_AGE", 5*time.Second); err != nil {
		errs = append(errs, err)
	}
	if cfg.CatalogStale, err = optionalDuration(getenv, "CATALOG_STALE_WHILE_REVALIDATE", 30*time.Second); err != nil {
		errs = append(errs, err)
	}
	if cfg.CatalogCacheTTL, err = duration(getenv, "CATALOG_CACHE_TTL", 30*time.Second); err != nil {
		errs = append(errs, err)
	}
	// shop:end
	if cfg.RequestTimeout, err = duration(getenv, "REQUEST_TIMEOUT", 5*time.Second); err != nil {
		errs = append(errs, err)
	}
	if cfg.DBConnectTimeout, err = duration(getenv, "DB_CONNECT_TIMEOUT", 3*time.Second); err != nil {
		errs = append(errs, err)
	}
	if cfg.DBAcquireTimeout, err = duration(getenv, "DB_ACQUIRE_TIMEOUT", 2*time.Second); err != nil {
		errs = append(errs, err)
	}
	if cfg.PasswordQueueTimeout, err = duration(getenv, "PASSWORD_QUEUE_TIMEOUT", 2*time.Second); err != nil {
		errs = append(errs, err)
	}
	if cfg.DBReadTimeout, err = duration(getenv, "DB_READ_TIMEOUT", 500*time.Millisecond); err != nil {
		errs = append(errs, err)
	}
	cfg.DatabaseDirectURL, cfg.DatabaseReadURL = getenv("DATABASE_DIRECT_URL"), getenv("DATABASE_READ_URL")
	switch cfg.DBPooler = getenv("DB_POOLER"); cfg.DBPooler {
	case "", "transaction":
	default:
		bad("DB_POOLER", "must be transaction (a pooler such as PgBouncer in transaction mode) or unset (a direct connection), got %q", cfg.DBPooler)
	}
	if cfg.DBPooler == "transaction" && cfg.DatabaseDirectURL == "" {
		bad("DATABASE_DIRECT_URL", "is required with DB_POOLER=transaction: the primary's own URL, bypassing the pooler, for migrations (their lock needs a session)")
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"SERVE_DISPATCH", &cfg.ServeDispatch}, {"MIGRATE_ON_START", &cfg.MigrateOnStart}} {
		switch v := getenv(b.name); v {
		case "", "true", "1":
			*b.dst = true
		case "false", "0":
			if cfg.DemoMode() {
				bad(b.name, "can be false only with DATABASE_URL (demo mode's memory store lives in one process)")
			}
		default:
			bad(b.name, "must be true or false, got %q", v)
		}
	}
	// shop:begin
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"CHECKOUT_REQUIRES_VERIFIED_EMAIL", &cfg.CheckoutRequiresVerifiedEmail}, {"CATALOG_REQUIRE_IF_MATCH", &cfg.CatalogRequireIfMatch}} {
		switch v := getenv(b.name); v {
		case "", "false", "0":
		case "true", "1":
			*b.dst = true
		default:
			bad(b.name, "must be true or false, got %q", v)
		}
	}
	// shop:end
	if cfg.DemoMode() {
		for _, v := range []string{"DATABASE_DIRECT_URL", "DATABASE_READ_URL", "DB_POOLER"} {
			if getenv(v) != "" {
				bad(v, "needs DATABASE_URL (demo mode keeps everything in memory)")
			}
		}
	}
	ints := []struct {
		name     string
		dst      *int
		def, min int
		max      int
	}{
		{"PASSWORD_CONCURRENCY", &cfg.PasswordWorkers, runtime.NumCPU(), 1, 1024},
		{"DB_MAX_CONNS", &cfg.DBMaxConns, 0, 1, 10000},
		{"PASSWORD_NICE", &cfg.PasswordNice, 10, 0, 19},
		{"LOGIN_FAILURES_PER_ACCOUNT", &cfg.Throttle.AccountFailures, usecase.DefaultThrottleConfig.AccountFailures, 1, 1 << 20},
		{"LOGIN_FAILURES_PER_ADDRESS", &cfg.Throttle.AddressFailures, usecase.DefaultThrottleConfig.AddressFailures, 1, 1 << 20},
		{"REGISTRATIONS_PER_ADDRESS", &cfg.Throttle.Registrations, usecase.DefaultThrottleConfig.Registrations, 1, 1 << 20},
		{"THROTTLE_IPV6_PREFIX", &cfg.Throttle.IPv6Prefix, usecase.DefaultThrottleConfig.IPv6Prefix, 32, 128},
		{"SESSIONS_PER_ACCOUNT", &cfg.Sessions.PerAccount, usecase.DefaultSessionConfig.PerAccount, 1, 10000},
		{"REFRESH_REUSE_HISTORY", &cfg.Sessions.ReuseHistory, usecase.DefaultSessionConfig.ReuseHistory, 1, 10000},
		{"MAIL_REQUESTS_PER_ACCOUNT", &cfg.Throttle.MailRequests, usecase.DefaultThrottleConfig.MailRequests, 1, 1 << 20},
		{"MAIL_REQUESTS_PER_ADDRESS", &cfg.Throttle.MailRequestsPerAddress, usecase.DefaultThrottleConfig.MailRequestsPerAddress, 1, 1 << 20},
		{"TOKEN_ATTEMPTS_PER_ADDRESS", &cfg.Throttle.TokenAttempts, usecase.DefaultThrottleConfig.TokenAttempts, 1, 1 << 20},
		{"CATALOG_CACHE_ENTRIES", &cfg.CatalogCacheEntries, 10000, 0, 10_000_000}, // shop
		{"CATALOG_CACHE_MIB", &cfg.CatalogCacheMiB, 32, 1, 1 << 20},               // shop
	}
	cfg.Throttle = usecase.DefaultThrottleConfig
	for _, v := range ints {
		*v.dst = v.def
		raw := getenv(v.name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < v.min || n > v.max {
			bad(v.name, "must be an integer from %d to %d, got %q", v.min, v.max, raw)
			continue
		}
		*v.dst = n
	}
	if cfg.Throttle.BaseDelay, err = duration(getenv, "LOGIN_BASE_DELAY", usecase.DefaultThrottleConfig.BaseDelay); err != nil {
		errs = append(errs, err)
	}
	if cfg.Throttle.MaxDelay, err = duration(getenv, "LOGIN_MAX_DELAY", usecase.DefaultThrottleConfig.MaxDelay); err != nil {
		errs = append(errs, err)
	}
	rdef := usecase.DefaultRecoveryConfig
	if cfg.Recovery.ResetTTL, err = duration(getenv, "PASSWORD_RESET_TTL", rdef.ResetTTL); err != nil {
		errs = append(errs, err)
	}
	if cfg.Recovery.VerificationTTL, err = duration(getenv, "EMAIL_VERIFICATION_TTL", rdef.VerificationTTL); err != nil {
		errs = append(errs, err)
	}
	if cfg.Recovery.ResetAnswerTime, err = durationUpTo(getenv, "PASSWORD_RESET_ANSWER_TIME", rdef.ResetAnswerTime, 5*time.Second, "no floor"); err != nil {
		errs = append(errs, err)
	}
	if v := getenv("ACCOUNT_LINK_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("ACCOUNT_LINK_URL", "must be an http(s) URL without query or fragment, like https://shop.example.com, got %q", v)
		}
		cfg.Recovery.LinkBase = strings.TrimRight(v, "/")
	}
	def := usecase.DefaultSessionConfig
	if cfg.Sessions.IdleTimeout, err = duration(getenv, "SESSION_IDLE_TIMEOUT", def.IdleTimeout); err != nil {
		errs = append(errs, err)
	}
	if cfg.Sessions.MaxLifetime, err = duration(getenv, "SESSION_MAX_LIFETIME", def.MaxLifetime); err != nil {
		errs = append(errs, err)
	}
	if cfg.Sessions.ReuseGrace, err = durationUpTo(getenv, "REFRESH_REUSE_GRACE", def.ReuseGrace, time.Minute, "strict"); err != nil {
		errs = append(errs, err)
	}
	for _, p := range list(getenv("TRUSTED_PROXIES")) {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				bad("TRUSTED_PROXIES", "%q is neither a CIDR like 10.0.0.0/8 nor an IP address", p)
				continue
			}
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, p)
	}
	for _, o := range list(getenv("CORS_ALLOWED_ORIGINS")) {
		if strings.Contains(o, "*") {
			bad("CORS_ALLOWED_ORIGINS", "%q has a wildcard: list each origin exactly, like https://shop.example.com", o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			bad("CORS_ALLOWED_ORIGINS", "%q is not an origin like https://shop.example.com (\"*\" is not accepted)", o)
			continue
		}
		cfg.CORSOrigins = append(cfg.CORSOrigins, o)
	}
	// METRICS_ADDR: host:port; a bare port or an empty host (:9090) means loopback, the
	// safe default for metrics and profiles. Every interface only when asked for by name
	// (0.0.0.0:9090 or [::]:9090). Unset or empty: no private listener.
	if v := getenv("METRICS_ADDR"); v != "" {
		if _, err := strconv.Atoi(v); err == nil {
			v = ":" + v
		}
		host, port, err := net.SplitHostPort(v)
		if err != nil || port == "" {
			bad("METRICS_ADDR", "must be host:port, :port or a port (both loopback), got %q", v)
		} else if host == "" {
			v = net.JoinHostPort("127.0.0.1", port)
		}
		cfg.MetricsAddr = v
	}
	if cfg.TracesEndpoint, err = tracing.Endpoint(getenv); err != nil {
		errs = append(errs, err)
	}
	switch f := getenv("LOG_FORMAT"); f {
	case "", "text":
	case "json":
		cfg.LogJSON = true
	default:
		bad("LOG_FORMAT", "must be json or text, got %q", f)
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			bad("LOG_LEVEL", "must be debug, info, warn or error, got %q", v)
		}
	}
	if cfg.KeysGenerated && issuesTokens {
		cfg.Warnings = append(cfg.Warnings, "JWT_KEYS_FILE is unset: demo mode generated an "+cfg.JWTAlg+" signing key; tokens end with the process")
	}
	return cfg, errors.Join(errs...)
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// list splits a comma-separated variable, dropping blanks.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// shop:begin
// optionalDuration is a duration that may be 0 (off), in whole seconds as HTTP caching
// counts them.
func optionalDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d%time.Second != 0 {
		return def, fmt.Errorf("%s: must be 0 or a whole number of seconds like 5s or 1m, got %q", name, v)
	}
	return d, nil
}

// shop:end

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return def, fmt.Errorf("%s: must be a positive duration like 15m or 30s, got %q", name, v)
	}
	return d, nil
}

// durationUpTo reads a duration from 0 (what zero means) to max, or def when unset.
func durationUpTo(getenv func(string) string, name string, def, max time.Duration, zero string) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > max {
		return def, fmt.Errorf("%s: must be a duration from 0s (%s) to %s, got %q", name, zero, max, v)
	}
	return d, nil
}
