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
	if !cfg.DemoMode() || cfg.HTTPAddr != ":8080" || cfg.BcryptCost != 12 || cfg.TokenTTL != 15*time.Minute ||
		len(cfg.JWTSecret) < 32 || !cfg.JWTGenerated {
		t.Fatalf("demo config = %+v", cfg)
	}
	other, _ := load(nil)
	if string(other.JWTSecret) == string(cfg.JWTSecret) {
		t.Error("generated JWT secrets repeat")
	}
	if !strings.Contains(strings.Join(cfg.Warnings, "\n"), "JWT_SECRET") {
		t.Errorf("no warning about the generated secret: %v", cfg.Warnings)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"postgres without secret": {map[string]string{"DATABASE_URL": "postgres://x"}, "JWT_SECRET"},
		"weak secret in demo":     {map[string]string{"JWT_SECRET": "short"}, "JWT_SECRET"},
		"weak secret":             {map[string]string{"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("k", 31)}, "JWT_SECRET"},
		"bcrypt not a number":     {map[string]string{"BCRYPT_COST": "high"}, "BCRYPT_COST"},
		"bcrypt too low":          {map[string]string{"BCRYPT_COST": "3"}, "BCRYPT_COST"},
		"bcrypt too high":         {map[string]string{"BCRYPT_COST": "32"}, "BCRYPT_COST"},
		"ttl":                     {map[string]string{"ACCESS_TOKEN_TTL": "soon"}, "ACCESS_TOKEN_TTL"},
		"shutdown":                {map[string]string{"SHUTDOWN_TIMEOUT": "-1s"}, "SHUTDOWN_TIMEOUT"},
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
}
