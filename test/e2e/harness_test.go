package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/test/apispec"
	"github.com/hexashop/hexashop/test/pgtest"
	"github.com/hexashop/hexashop/wiring"
)

// spec checks every response of these tests against docs/openapi.yaml.
var spec *apispec.Validator

func TestMain(m *testing.M) {
	var err error
	if spec, err = apispec.NewValidator(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(pgtest.Main(m))
}

// testSecret is the HS256 secret of the former token scheme, for the tests of the move to
// signing keys; by default test servers have none.
const testSecret = "e2e-test-secret-0123456789abcdefghijkl"

// testIssuer is the JWT_ISSUER of every test server.
const testIssuer = "https://shop.test"

// server is one running Hexashop on a real listener and its own Postgres database.
type server struct {
	t     testing.TB
	base  string
	dbURL string
	app   *wiring.App
	stop  func() // shuts the server down as SIGTERM would
}

// fastDispatch makes the outbox dispatcher poll and retry in milliseconds.
var fastDispatch = usecase.DispatcherConfig{
	Poll: 10 * time.Millisecond, Batch: 10, Lease: 5 * time.Second,
	BaseBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, MaxAttempts: 1000,
}

// option adjusts a test server's environment before it starts.
type option func(env map[string]string)

// withEnv sets environment variables of the server (name, value, name, value, ...).
func withEnv(kv ...string) option {
	return func(env map[string]string) {
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
	}
}

// client is every test's HTTP client; its timeout turns a hung server into a failure.
var client = &http.Client{Timeout: 30 * time.Second}

// onDatabase reuses the database of an earlier server (a restart).
func onDatabase(url string) option { return func(env map[string]string) { env["DATABASE_URL"] = url } }

// inMemory runs the server in demo mode: the in-memory store and its demo data.
func inMemory() option { return func(env map[string]string) { env[memoryMode] = "1" } }

// memoryMode is the harness's own marker in a test server's environment.
const memoryMode = "_E2E_IN_MEMORY"

const housekeepingKey = "_E2E_HOUSEKEEPING"

// startServer wires the Postgres application exactly as `hexashop serve` does and serves
// it on 127.0.0.1 until the test ends (or until stop is called).
func startServer(t testing.TB, opts ...option) *server {
	t.Helper()
	return startServerLogging(t, nil, opts...)
}

// startServerLogging is startServer with every log line of the server, at debug level and
// in JSON, written to logs (nil: warnings and errors to the test's output).
func startServerLogging(t testing.TB, logs io.Writer, opts ...option) *server {
	t.Helper()
	env := map[string]string{"JWT_KEYS": testKeySet(t), "JWT_ISSUER": testIssuer, "BCRYPT_COST": "4"}
	for _, o := range opts {
		o(env)
	}
	switch {
	case env[memoryMode] != "":
		delete(env, "DATABASE_URL")
	case env["DATABASE_URL"] == "":
		env["DATABASE_URL"] = pgtest.NewDatabase(t)
	}
	dbURL := env["DATABASE_URL"]
	cfg, err := wiring.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dispatch = fastDispatch
	if d, err := time.ParseDuration(env[housekeepingKey]); err == nil {
		cfg.HousekeepingEvery = d
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	if logs != nil {
		cfg.LogJSON, cfg.LogLevel = true, slog.LevelDebug
		log = wiring.NewLogger(cfg, logs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, cleanup, err := wiring.Build(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			cleanup()
		})
	}
	t.Cleanup(stop)
	s := &server{t: t, base: "http://" + ln.Addr().String(), dbURL: dbURL, app: app, stop: stop}
	s.waitServing(done)
	return s
}

// waitServing returns once the server answers /healthz (Serve migrates before it serves).
func (s *server) waitServing(done chan error) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			done <- err
			s.t.Fatalf("server stopped before serving: %v", err)
		default:
		}
		if res, err := http.Get(s.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatal("server did not start serving within 30s")
}

// response is what a test inspects of an answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map (or fails the test).
func (r response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// request sends method path with body (sent as is) and headers given as "Name: value".
func (s *server) request(method, path string, body string, headers ...string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	res, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := spec.Check(req, []byte(body), res.StatusCode, res.Header, b); err != nil {
		s.t.Errorf("response does not match docs/openapi.yaml: %v\nbody: %.300s", err, b)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// json sends a JSON body (v is marshalled unless it is already a string).
func (s *server) json(method, path string, v any, headers ...string) response {
	s.t.Helper()
	body, ok := v.(string)
	if !ok && v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			s.t.Fatal(err)
		}
		body = string(b)
	}
	return s.request(method, path, body, append([]string{"Content-Type: application/json"}, headers...)...)
}

// authed sends a request with a bearer token.
func (s *server) authed(token, method, path string, v any) response {
	s.t.Helper()
	if v == nil {
		return s.request(method, path, "", "Authorization: Bearer "+token)
	}
	return s.json(method, path, v, "Authorization: Bearer "+token)
}

// form posts a form body to path, the way Swagger UI's Authorize dialog does.
func (s *server) form(path string, values url.Values, headers ...string) response {
	s.t.Helper()
	return s.request(http.MethodPost, path, values.Encode(),
		append([]string{"Content-Type: application/x-www-form-urlencoded"}, headers...)...)
}

type account struct {
	ID       int64
	Email    string
	Password string
	Token    string
}

// register creates a customer and logs in.
func (s *server) register(name, email string) account {
	s.t.Helper()
	a := account{Email: email, Password: "password-of-" + name}
	res := s.json(http.MethodPost, "/user", map[string]string{"name": name, "email": email, "password": a.Password})
	if res.Status != http.StatusCreated {
		s.t.Fatalf("register %s: %d %s", email, res.Status, res.Body)
	}
	a.ID = int64(res.JSON(s.t)["id"].(float64))
	a.Token = s.login(email, a.Password)
	return a
}

// login returns an access token or fails the test.
func (s *server) login(username, password string) string {
	s.t.Helper()
	res := s.form("/login", url.Values{"username": {username}, "password": {password}})
	if res.Status != http.StatusOK {
		s.t.Fatalf("login %s: %d %s", username, res.Status, res.Body)
	}
	return res.JSON(s.t)["access_token"].(string)
}

// admin creates an admin account through the same use case as `hexashop admin create`.
func (s *server) admin() account {
	s.t.Helper()
	a := account{Email: "root@example.com", Password: "root-password"}
	u, _, err := s.app.Users.EnsureAdmin(context.Background(), "Root", a.Email, a.Password)
	if err != nil {
		s.t.Fatal(err)
	}
	a.ID, a.Token = u.ID, s.login(a.Email, a.Password)
	return a
}

// wantProblem checks a problem+json answer's status and code.
func wantProblem(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	p := r.JSON(t)
	if p["code"] != code || p["status"] != float64(status) || p["title"] == "" || p["type"] == "" {
		t.Fatalf("problem = %v, want code %q status %d with title and type", p, code, status)
	}
	return p
}
