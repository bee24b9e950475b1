package wiring

import (
	"strings"
	"testing"
	"time"
)

func load(env map[string]string) (Config, error) {
	return LoadConfig(func(k string) string { return env[k] })
}

func TestDemoDefaults(t *testing.T) {
	cfg, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.DemoMode() || cfg.HTTPAddr != "127.0.0.1:8080" || cfg.BcryptCost != 12 || cfg.TokenTTL != 15*time.Minute ||
		len(cfg.JWTSecret) != 0 || !cfg.KeysGenerated || cfg.JWTAlg != "ES256" || cfg.JWTIssuer != "http://127.0.0.1:8080" {
		t.Fatalf("demo config = %+v", cfg)
	}
	keys, _ := cfg.TokenKeys.Load(t.Context())
	other, _ := load(nil)
	otherKeys, _ := other.TokenKeys.Load(t.Context())
	if len(keys) != 1 || len(otherKeys) != 1 || keys[0].ID == otherKeys[0].ID {
		t.Error("demo mode's generated signing keys repeat")
	}
	if !strings.Contains(strings.Join(cfg.Warnings, "\n"), "JWT_KEYS_FILE") {
		t.Errorf("no warning about the generated key: %v", cfg.Warnings)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"postgres without keys":    {map[string]string{"DATABASE_URL": "postgres://x"}, "JWT_KEYS_FILE"},
		"keys file missing":        {map[string]string{"DATABASE_URL": "postgres://x", "JWT_KEYS_FILE": "/nonexistent/keys.json"}, "JWT_KEYS_FILE"},
		"keys not a key set":       {map[string]string{"DATABASE_URL": "postgres://x", "JWT_KEYS": "{"}, "JWT_KEYS"},
		"keys file and inline":     {map[string]string{"JWT_KEYS_FILE": "/k", "JWT_KEYS": "{}"}, "JWT_KEYS"},
		"issuer not a URL":         {map[string]string{"JWT_ISSUER": "hexashop"}, "JWT_ISSUER"},
		"client id":                {map[string]string{"JWT_CLIENT_ID": "a b"}, "JWT_CLIENT_ID"},
		"alg":                      {map[string]string{"JWT_ALG": "HS256"}, "JWT_ALG"},
		"jwks max age":             {map[string]string{"JWKS_MAX_AGE": "-1m"}, "JWKS_MAX_AGE"},
		"catalog max age":          {map[string]string{"CATALOG_MAX_AGE": "1.5s"}, "CATALOG_MAX_AGE"},                              // shop
		"catalog stale":            {map[string]string{"CATALOG_STALE_WHILE_REVALIDATE": "-1s"}, "CATALOG_STALE_WHILE_REVALIDATE"}, // shop
		"catalog if-match":         {map[string]string{"CATALOG_REQUIRE_IF_MATCH": "yes"}, "CATALOG_REQUIRE_IF_MATCH"},             // shop
		"catalog cache entries":    {map[string]string{"CATALOG_CACHE_ENTRIES": "-1"}, "CATALOG_CACHE_ENTRIES"},                    // shop
		"catalog cache ttl":        {map[string]string{"CATALOG_CACHE_TTL": "0s"}, "CATALOG_CACHE_TTL"},                            // shop
		"catalog cache size":       {map[string]string{"CATALOG_CACHE_MIB": "0"}, "CATALOG_CACHE_MIB"},                             // shop
		"reset ttl":                {map[string]string{"PASSWORD_RESET_TTL": "soon"}, "PASSWORD_RESET_TTL"},
		"verification ttl":         {map[string]string{"EMAIL_VERIFICATION_TTL": "-1h"}, "EMAIL_VERIFICATION_TTL"},
		"reset answer time":        {map[string]string{"PASSWORD_RESET_ANSWER_TIME": "1m"}, "PASSWORD_RESET_ANSWER_TIME"},
		"link url":                 {map[string]string{"ACCOUNT_LINK_URL": "shop.example.com"}, "ACCOUNT_LINK_URL"},
		"link url with a query":    {map[string]string{"ACCOUNT_LINK_URL": "https://shop.example.com/?a=1"}, "ACCOUNT_LINK_URL"},
		"mail requests":            {map[string]string{"MAIL_REQUESTS_PER_ACCOUNT": "0"}, "MAIL_REQUESTS_PER_ACCOUNT"},
		"token attempts":           {map[string]string{"TOKEN_ATTEMPTS_PER_ADDRESS": "x"}, "TOKEN_ATTEMPTS_PER_ADDRESS"},
		"verified checkout":        {map[string]string{"CHECKOUT_REQUIRES_VERIFIED_EMAIL": "yes"}, "CHECKOUT_REQUIRES_VERIFIED_EMAIL"}, // shop
		"leeway":                   {map[string]string{"JWT_LEEWAY": "2m"}, "JWT_LEEWAY"},
		"verify cache":             {map[string]string{"JWT_VERIFY_CACHE": "-1"}, "JWT_VERIFY_CACHE"},
		"weak secret in demo":      {map[string]string{"JWT_SECRET": "short"}, "JWT_SECRET"},
		"weak secret":              {map[string]string{"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("k", 31)}, "JWT_SECRET"},
		"bcrypt not a number":      {map[string]string{"BCRYPT_COST": "high"}, "BCRYPT_COST"},
		"bcrypt too low":           {map[string]string{"BCRYPT_COST": "3"}, "BCRYPT_COST"},
		"bcrypt too high":          {map[string]string{"BCRYPT_COST": "32"}, "BCRYPT_COST"},
		"ttl":                      {map[string]string{"ACCESS_TOKEN_TTL": "soon"}, "ACCESS_TOKEN_TTL"},
		"shutdown":                 {map[string]string{"SHUTDOWN_TIMEOUT": "-1s"}, "SHUTDOWN_TIMEOUT"},
		"request timeout":          {map[string]string{"REQUEST_TIMEOUT": "0s"}, "REQUEST_TIMEOUT"},
		"acquire timeout":          {map[string]string{"DB_ACQUIRE_TIMEOUT": "x"}, "DB_ACQUIRE_TIMEOUT"},
		"connect timeout":          {map[string]string{"DB_CONNECT_TIMEOUT": "-3s"}, "DB_CONNECT_TIMEOUT"},
		"queue timeout":            {map[string]string{"PASSWORD_QUEUE_TIMEOUT": "soon"}, "PASSWORD_QUEUE_TIMEOUT"},
		"concurrency":              {map[string]string{"PASSWORD_CONCURRENCY": "0"}, "PASSWORD_CONCURRENCY"},
		"nice":                     {map[string]string{"PASSWORD_NICE": "20"}, "PASSWORD_NICE"},
		"account failures":         {map[string]string{"LOGIN_FAILURES_PER_ACCOUNT": "five"}, "LOGIN_FAILURES_PER_ACCOUNT"},
		"address failures":         {map[string]string{"LOGIN_FAILURES_PER_ADDRESS": "0"}, "LOGIN_FAILURES_PER_ADDRESS"},
		"registrations":            {map[string]string{"REGISTRATIONS_PER_ADDRESS": "-1"}, "REGISTRATIONS_PER_ADDRESS"},
		"max delay":                {map[string]string{"LOGIN_MAX_DELAY": "forever"}, "LOGIN_MAX_DELAY"},
		"base delay":               {map[string]string{"LOGIN_BASE_DELAY": "soon"}, "LOGIN_BASE_DELAY"},
		"proxies":                  {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, example.com"}, "TRUSTED_PROXIES"},
		"cors wildcard":            {map[string]string{"CORS_ALLOWED_ORIGINS": "*"}, "CORS_ALLOWED_ORIGINS"},
		"cors scheme wildcard":     {map[string]string{"CORS_ALLOWED_ORIGINS": "https://ok.example, https://*"}, "CORS_ALLOWED_ORIGINS"},
		"cors subdomain wildcard":  {map[string]string{"CORS_ALLOWED_ORIGINS": "https://*.example.com"}, "CORS_ALLOWED_ORIGINS"},
		"cors port wildcard":       {map[string]string{"CORS_ALLOWED_ORIGINS": "http://localhost:*"}, "CORS_ALLOWED_ORIGINS"},
		"ipv6 prefix":              {map[string]string{"THROTTLE_IPV6_PREFIX": "16"}, "THROTTLE_IPV6_PREFIX"},
		"sessions per account":     {map[string]string{"SESSIONS_PER_ACCOUNT": "0"}, "SESSIONS_PER_ACCOUNT"},
		"reuse history":            {map[string]string{"REFRESH_REUSE_HISTORY": "many"}, "REFRESH_REUSE_HISTORY"},
		"metrics without port":     {map[string]string{"METRICS_ADDR": "127.0.0.1:"}, "METRICS_ADDR"},
		"pooler mode":              {map[string]string{"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("k", 32), "DB_POOLER": "session"}, "DB_POOLER"},
		"pooler without direct":    {map[string]string{"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("k", 32), "DB_POOLER": "transaction"}, "DATABASE_DIRECT_URL"},
		"read url in demo":         {map[string]string{"DATABASE_READ_URL": "postgres://r"}, "DATABASE_READ_URL"},
		"read timeout":             {map[string]string{"DB_READ_TIMEOUT": "0s"}, "DB_READ_TIMEOUT"},
		"max conns":                {map[string]string{"DB_MAX_CONNS": "0"}, "DB_MAX_CONNS"},
		"serve dispatch":           {map[string]string{"SERVE_DISPATCH": "maybe"}, "SERVE_DISPATCH"},
		"migrate on start in demo": {map[string]string{"MIGRATE_ON_START": "false"}, "MIGRATE_ON_START"},
		"otlp grpc":                {map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTEL_EXPORTER_OTLP_PROTOCOL"},
		"metrics addr":             {map[string]string{"METRICS_ADDR": "nonsense"}, "METRICS_ADDR"},
		"log format":               {map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		"log level":                {map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		"reuse grace":              {map[string]string{"REFRESH_REUSE_GRACE": "2h"}, "REFRESH_REUSE_GRACE"},
		"idle timeout":             {map[string]string{"SESSION_IDLE_TIMEOUT": "0"}, "SESSION_IDLE_TIMEOUT"},
		"cors with path":           {map[string]string{"CORS_ALLOWED_ORIGINS": "https://a.example/app"}, "CORS_ALLOWED_ORIGINS"},
	} {
		_, err := load(tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %s", name, err, tc.want)
		}
	}
}

func TestLowBcryptCostWarns(t *testing.T) {
	cfg, err := load(map[string]string{"BCRYPT_COST": "4"})
	if err != nil || cfg.BcryptCost != 4 || !strings.Contains(strings.Join(cfg.Warnings, "\n"), "BCRYPT_COST") {
		t.Fatalf("cfg = %+v, err = %v", cfg, err)
	}
}

func TestPostgresConfig(t *testing.T) {
	secret := strings.Repeat("s", 32)
	cfg, err := load(map[string]string{"DATABASE_URL": "postgres://db", "JWT_SECRET": secret, "HTTP_ADDR": "127.0.0.1:9"})
	if err != nil || cfg.DemoMode() || string(cfg.JWTSecret) != secret || cfg.JWTGenerated || cfg.HTTPAddr != "127.0.0.1:9" {
		t.Fatalf("cfg = %+v, err = %v", cfg, err)
	}
	// With a database, the default listens on every interface (a container's port).
	if cfg, _ := load(map[string]string{"DATABASE_URL": "postgres://db", "JWT_SECRET": secret}); cfg.HTTPAddr != ":8080" {
		t.Fatalf("HTTP_ADDR default with a database = %q, want :8080", cfg.HTTPAddr)
	}
	// Demo mode listens wherever it is told to.
	if cfg, _ := load(map[string]string{"HTTP_ADDR": ":8081"}); cfg.HTTPAddr != ":8081" {
		t.Fatalf("explicit HTTP_ADDR in demo mode = %q", cfg.HTTPAddr)
	}
}

func TestToolsNeedNoSigningSecret(t *testing.T) {
	cfg, err := LoadToolConfig(func(k string) string { return map[string]string{"DATABASE_URL": "postgres://db"}[k] })
	if err != nil || len(cfg.JWTSecret) < 32 || cfg.DemoMode() {
		t.Fatalf("tool config without JWT_SECRET = %+v, %v", cfg, err)
	}
	if _, err := load(map[string]string{"DATABASE_URL": "postgres://db"}); err == nil {
		t.Fatal("serve's config without JWT_SECRET was accepted")
	}
}

func TestTopologySettings(t *testing.T) {
	cfg, err := load(map[string]string{
		"DATABASE_URL": "postgres://pooler/db", "JWT_SECRET": strings.Repeat("s", 32), "DB_POOLER": "transaction",
		"DATABASE_DIRECT_URL": "postgres://primary/db", "DATABASE_READ_URL": "postgres://r1,r2/db", "DB_MAX_CONNS": "12",
	})
	if err != nil || cfg.DBPooler != "transaction" || cfg.DatabaseDirectURL != "postgres://primary/db" ||
		cfg.DatabaseReadURL != "postgres://r1,r2/db" || cfg.DBMaxConns != 12 || cfg.DBReadTimeout != 500*time.Millisecond {
		t.Fatalf("cfg = %+v, %v", cfg, err)
	}
}

func TestAbuseSettings(t *testing.T) {
	cfg, err := load(map[string]string{
		"TRUSTED_PROXIES": " 10.0.0.0/8, 192.0.2.1 ,", "CORS_ALLOWED_ORIGINS": "https://shop.example,http://localhost:3000",
		"LOGIN_FAILURES_PER_ACCOUNT": "3", "REQUEST_TIMEOUT": "2s", "PASSWORD_NICE": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.TrustedProxies, " ") != "10.0.0.0/8 192.0.2.1" ||
		strings.Join(cfg.CORSOrigins, " ") != "https://shop.example http://localhost:3000" ||
		cfg.Throttle.AccountFailures != 3 || cfg.Throttle.AddressFailures != 100 ||
		cfg.RequestTimeout != 2*time.Second || cfg.PasswordNice != 0 || cfg.PasswordWorkers < 1 {
		t.Fatalf("cfg = %+v", cfg)
	}
	def, _ := load(nil)
	if def.TrustedProxies != nil || def.CORSOrigins != nil || def.PasswordNice != 10 ||
		def.PasswordQueueTimeout != 2*time.Second || def.RequestTimeout != 5*time.Second {
		t.Fatalf("defaults = %+v", def)
	}
}

func TestObservabilitySettings(t *testing.T) {
	cfg, err := load(map[string]string{"METRICS_ADDR": "9090", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"})
	if err != nil || cfg.MetricsAddr != "127.0.0.1:9090" || cfg.TracesEndpoint != "http://collector:4318/v1/traces" {
		t.Fatalf("cfg = %+v, %v", cfg, err)
	}
	for in, want := range map[string]string{
		":9090": "127.0.0.1:9090", "0.0.0.0:9090": "0.0.0.0:9090", "[::]:9090": "[::]:9090",
		"10.1.2.3:9090": "10.1.2.3:9090", "localhost:9": "localhost:9",
	} {
		if cfg, err := load(map[string]string{"METRICS_ADDR": in}); err != nil || cfg.MetricsAddr != want {
			t.Errorf("METRICS_ADDR=%s: %q, %v; want %s", in, cfg.MetricsAddr, err, want)
		}
	}
	off, _ := load(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"})
	if off.TracesEndpoint != "" || off.MetricsAddr != "" {
		t.Fatalf("tracing or metrics on: %+v", off)
	}
}
