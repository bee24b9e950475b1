// Package cli tests the hexashop binary as an operator runs it: built with go build,
// configured by environment, stopped by signals.
package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/test/pgtest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hexashop-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "hexashop")
	build := exec.Command("go", "build", "-race", "-o", binary, "github.com/hexashop/hexashop/cmd/hexashop")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hexashop:", err)
		os.Exit(1)
	}
	code := pgtest.Main(m)
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

const secret = "cli-test-secret-0123456789abcdefghijkl"

// syncBuffer collects a process's output while tests read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func env(kv ...string) []string {
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "BCRYPT_COST=4"}
	return append(base, kv...)
}

// run runs the binary to completion.
func run(t *testing.T, stdin string, environ []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = environ
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	base string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve starts `hexashop serve` and waits until it answers /healthz.
func serve(t *testing.T, environ []string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := &process{cmd: exec.Command(binary, "serve"), out: &syncBuffer{}, base: "http://" + addr}
	p.cmd.Env = append(environ, "HTTP_ADDR="+addr)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _, _ = p.cmd.Process.Wait() })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(p.base + "/healthz"); err == nil {
			res.Body.Close()
			return p
		}
	}
	t.Fatalf("serve did not answer within 30s; output:\n%s", p.out.String())
	return nil
}

// stop sends SIGTERM and expects a clean exit 0.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v; output:\n%s", err, p.out.String())
	}
}

func (p *process) post(t *testing.T, path, contentType, body string) (int, string) {
	t.Helper()
	res, err := http.Post(p.base+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (p *process) login(t *testing.T, user, password string) int {
	t.Helper()
	status, _ := p.token(t, user, password)
	return status
}

// token logs in and returns the status and the access token.
func (p *process) token(t *testing.T, user, password string) (int, string) {
	t.Helper()
	status, body := p.post(t, "/login", "application/x-www-form-urlencoded",
		url.Values{"username": {user}, "password": {password}}.Encode())
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(body), &tok)
	return status, tok.AccessToken
}

// call sends an authenticated JSON request and returns status and body.
func (p *process) call(t *testing.T, token, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// must fails the test unless status is want.
func must(t *testing.T, want int) func(int, string) string {
	return func(status int, body string) string {
		t.Helper()
		if status != want {
			t.Fatalf("status %d, want %d: %s", status, want, body)
		}
		return body
	}
}

func TestPostgresDataSurvivesRestartAndAdminCreate(t *testing.T) {
	t.Parallel()
	environ := env("DATABASE_URL="+pgtest.NewDatabase(t), "JWT_SECRET="+secret)

	if out, err := run(t, "", environ, "migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	out, err := run(t, "admin-password-1\n", environ, "admin", "create", "--email", "Boss@Example.com", "--name", "Boss")
	if err != nil || !strings.Contains(out, "admin created") {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	if strings.Contains(out, "admin-password-1") {
		t.Error("admin create printed the password")
	}

	p := serve(t, environ)
	if status, body := p.post(t, "/user", "application/json",
		`{"name":"Ann","email":"ann@example.com","password":"ann-password"}`); status != http.StatusCreated {
		t.Fatalf("register: %d %s", status, body)
	}
	if s := p.login(t, "boss@example.com", "admin-password-1"); s != http.StatusOK {
		t.Fatalf("login as the admin admin create made: %d", s)
	}
	// shop:begin
	_, boss := p.token(t, "boss@example.com", "admin-password-1")
	must(t, 201)(p.call(t, boss, "POST", "/products/category", `{"name":"Lamps"}`))
	must(t, 201)(p.call(t, boss, "POST", "/products", `{"name":"Lamp","price_cents":4999,"stock":3,"category_id":1}`))
	_, ann := p.token(t, "ann@example.com", "ann-password")
	must(t, 201)(p.call(t, ann, "POST", "/cart/items", `{"product_id":1,"quantity":2}`))
	order := must(t, 201)(p.call(t, ann, "POST", "/orders", `{"shipping_address":"1 Main St"}`))
	// shop:end
	p.stop(t)

	p = serve(t, environ)
	status, ann := p.token(t, "ann@example.com", "ann-password")
	if status != http.StatusOK {
		t.Fatalf("login after restart: %d; the account did not persist", status)
	}
	if me := must(t, 200)(p.call(t, ann, "GET", "/user/me", "")); !strings.Contains(me, `"email":"ann@example.com"`) {
		t.Fatalf("GET /user/me after restart = %s", me)
	}
	// shop:begin
	var placed struct{ ID int64 }
	_ = json.Unmarshal([]byte(order), &placed)
	if orders := must(t, 200)(p.call(t, ann, "GET", "/orders", "")); !strings.Contains(orders, fmt.Sprintf(`"id":%d,`, placed.ID)) ||
		!strings.Contains(orders, `"total_cents":9998`) {
		t.Fatalf("orders after restart = %s; want the order %s", orders, order)
	}
	// shop:end
	// Promote Ann; the password comes from ADMIN_PASSWORD this time.
	out, err = run(t, "", append(environ, "ADMIN_PASSWORD=ann-new-password"), "admin", "create", "--email", "ann@example.com")
	if err != nil || !strings.Contains(out, "admin promoted") {
		t.Fatalf("promote: %v\n%s", err, out)
	}
	if s := p.login(t, "ann@example.com", "ann-new-password"); s != http.StatusOK {
		t.Fatalf("login with the promoted password: %d", s)
	}
	p.stop(t)
}

func TestAdminCreateRefusesPasswordInArgv(t *testing.T) {
	t.Parallel()
	environ := env("DATABASE_URL="+pgtest.NewDatabase(t), "JWT_SECRET="+secret)
	for _, args := range [][]string{
		{"admin", "create", "--email", "x@example.com", "--password", "p4ssw0rd!"},
		{"admin", "create", "--email", "x@example.com", "p4ssw0rd!"},
		{"admin", "create", "--email", "x@example.com"}, // no stdin, no ADMIN_PASSWORD
	} {
		if out, err := run(t, "", environ, args...); err == nil {
			t.Errorf("%v succeeded:\n%s", args, out)
		}
	}
}

func TestStartupRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		environ []string
		want    string
	}{
		"postgres without JWT_SECRET": {env("DATABASE_URL=postgres://postgres@127.0.0.1:1/x"), "JWT_SECRET"},
		"weak JWT_SECRET":             {env("JWT_SECRET=tooshort"), "JWT_SECRET"},
		"bad BCRYPT_COST":             {append(env(), "BCRYPT_COST=99"), "BCRYPT_COST"},
		"unreachable database":        {env("DATABASE_URL=postgres://postgres@127.0.0.1:1/x", "JWT_SECRET="+secret), "postgres"},
		"wildcard CORS origin":        {env("CORS_ALLOWED_ORIGINS=https://shop.example.com,https://*.example.com"), "CORS_ALLOWED_ORIGINS"},
		"wildcard CORS scheme":        {env("CORS_ALLOWED_ORIGINS=https://*"), "CORS_ALLOWED_ORIGINS"},
		"pooler without a direct URL": {env("DATABASE_URL=postgres://postgres@127.0.0.1:1/x", "JWT_SECRET="+secret, "DB_POOLER=transaction"), "DATABASE_DIRECT_URL"},
	} {
		out, err := run(t, "", tc.environ, "serve")
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("%s: err=%v, want a failure naming %s; output:\n%s", name, err, tc.want, out)
		}
	}
}

// TestPrivateListenersDefaultToLoopback: METRICS_ADDR with no host (":port") serves
// metrics and profiles on loopback only, and demo mode (which logs a working admin
// password) listens on 127.0.0.1 unless HTTP_ADDR says otherwise.
func TestPrivateListenersDefaultToLoopback(t *testing.T) {
	t.Parallel()
	_, port, _ := net.SplitHostPort(freeAddr(t))
	p := serve(t, env("METRICS_ADDR=:"+port))
	want := "addr=127.0.0.1:" + port
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.out.String(), want); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("METRICS_ADDR=:%s: no listener on %s in the log:\n%s", port, want, p.out.String())
		}
	}
	res, err := http.Get("http://127.0.0.1:" + port + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// Not on any other address of this machine.
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || ipnet.IP.IsLoopback() || ipnet.IP.IsLinkLocalUnicast() {
			continue
		}
		if c, err := net.DialTimeout("tcp", net.JoinHostPort(ipnet.IP.String(), port), time.Second); err == nil {
			c.Close()
			t.Errorf("metrics answer on %s, an address other than loopback", ipnet.IP)
		}
	}
	p.stop(t)

	// Demo mode without HTTP_ADDR: the listener it opens (or tries to, should something
	// else hold the port) is 127.0.0.1:8080.
	cmd := exec.Command(binary, "serve")
	cmd.Env = env()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s := out.String()
		if strings.Contains(s, `listening" addr=127.0.0.1:8080`) || strings.Contains(s, "listen on 127.0.0.1:8080") {
			break
		}
		if strings.Contains(s, `listening" addr=`) || strings.Contains(s, "listen on") || time.Now().After(deadline) {
			t.Fatalf("demo mode without HTTP_ADDR does not listen on 127.0.0.1:8080:\n%s", s)
		}
	}
}

// TestDemoModeWalkthrough is the newcomer's first minute: `make run`, then as a
// customer register, log in, browse, add two products, order, list orders, and see the
// confirmation mail in the log.
func TestDemoModeWalkthrough(t *testing.T) {
	t.Parallel()
	p := serve(t, env())
	creds := regexp.MustCompile(`username=(\S+) password=(\S+)`)
	m := creds.FindStringSubmatch(p.out.String())
	for i := 0; m == nil && i < 100; i++ { // the log reaches us through a pipe, maybe after /healthz
		time.Sleep(20 * time.Millisecond)
		m = creds.FindStringSubmatch(p.out.String())
	}
	if m == nil {
		t.Fatalf("no demo admin credentials in the log:\n%s", p.out.String())
	}
	if s := p.login(t, m[1], m[2]); s != http.StatusOK {
		t.Fatalf("demo admin login with logged credentials: %d", s)
	}

	must(t, 201)(p.post(t, "/user", "application/json", `{"name":"Newcomer","email":"new@example.com","password":"new-password"}`))
	_, tok := p.token(t, "new@example.com", "new-password")
	if me := must(t, 200)(p.call(t, tok, "GET", "/user/me", "")); !strings.Contains(me, `"email":"new@example.com"`) {
		t.Fatalf("GET /user/me = %s", me)
	}
	// shop:begin
	var products struct {
		Items []struct {
			ID         int64  `json:"id"`
			Name       string `json:"name"`
			PriceCents int64  `json:"price_cents"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(must(t, 200)(p.call(t, tok, "GET", "/products", ""))), &products); err != nil || len(products.Items) < 2 {
		t.Fatalf("demo catalog: %v %+v", err, products)
	}
	a, b := products.Items[0], products.Items[1]
	must(t, 201)(p.call(t, tok, "POST", "/cart/items", fmt.Sprintf(`{"product_id":%d,"quantity":1}`, a.ID)))
	must(t, 201)(p.call(t, tok, "POST", "/cart/items", fmt.Sprintf(`{"product_id":%d,"quantity":2}`, b.ID)))
	var order struct {
		ID         int64 `json:"id"`
		TotalCents int64 `json:"total_cents"`
	}
	_ = json.Unmarshal([]byte(must(t, 201)(p.call(t, tok, "POST", "/orders", ""))), &order)
	if order.TotalCents != a.PriceCents+2*b.PriceCents {
		t.Fatalf("order total %d, want %d", order.TotalCents, a.PriceCents+2*b.PriceCents)
	}
	if list := must(t, 200)(p.call(t, tok, "GET", "/orders", "")); !strings.Contains(list, fmt.Sprintf(`"id":%d`, order.ID)) {
		t.Fatalf("orders = %s", list)
	}
	want := fmt.Sprintf("Your %s order #%d", domain.DisplayName, order.ID)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.out.String(), want); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no confirmation mail %q in the log:\n%s", want, p.out.String())
		}
	}
	// shop:end
	p.stop(t)
}

// TestKeysCommands: `hexashop keys` writes a key set serve starts with, lists the states,
// adds the next key with the old one's retirement, prunes gone keys; serve refuses a set
// that cannot work.
func TestKeysCommands(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "keys.json")
	out, err := run(t, "", env(), "keys", "generate", "--file", file)
	if err != nil || !strings.Contains(out, "added ES256") {
		t.Fatalf("keys generate: %v\n%s", err, out)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key set file mode: %v %v", st, err)
	}
	if out, err = run(t, "", env(), "keys", "generate", "--file", file, "--alg", "RS256", "--bits", "2048", "--sign-in", "2h"); err != nil {
		t.Fatalf("keys generate (next): %v\n%s", err, out)
	}
	out, err = run(t, "", env(), "keys", "list", "--file", file)
	if err != nil || strings.Count(out, " active ") != 1 || strings.Count(out, " next ") != 1 || !strings.Contains(out, "RS256") {
		t.Fatalf("keys list: %v\n%s", err, out)
	}
	pub, err := run(t, "", env(), "keys", "public", "--file", file)
	if err != nil || strings.Contains(pub, `"d"`) || strings.Count(pub, `"kid"`) != 2 {
		t.Fatalf("keys public: %v\n%s", err, pub)
	}
	if out, err := run(t, "", env(), "keys", "prune", "--file", file); err != nil || !strings.Contains(out, "removed 0") {
		t.Fatalf("keys prune: %v\n%s", err, out)
	}

	// serve with the file.
	environ := env("DATABASE_URL="+pgtest.NewDatabase(t), "JWT_KEYS_FILE="+file, "JWT_ISSUER=https://shop.example.com")
	p := serve(t, environ)
	must(t, 201)(p.post(t, "/user", "application/json", `{"name":"K","email":"k@example.com","password":"k-password"}`))
	if status, tok := p.token(t, "k@example.com", "k-password"); status != 200 || !strings.HasPrefix(tok, "eyJ") {
		t.Fatalf("login with the key set: %d", status)
	}
	p.stop(t)

	// Two keys that would sign from the same moment: refused at start, naming the variable.
	both := filepath.Join(t.TempDir(), "both.json")
	for range 2 {
		if out, err := run(t, "", env(), "keys", "generate", "--file", both, "--sign-from", "2026-01-01T00:00:00Z"); err != nil && !strings.Contains(out, "after the newest") {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	doc, _ := os.ReadFile(both)
	var set struct{ Keys []map[string]any }
	_ = json.Unmarshal(doc, &set)
	other := filepath.Join(t.TempDir(), "other.json")
	if out, err := run(t, "", env(), "keys", "generate", "--file", other, "--sign-from", "2026-01-01T00:00:00Z"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	odoc, _ := os.ReadFile(other)
	var oset struct{ Keys []map[string]any }
	_ = json.Unmarshal(odoc, &oset)
	twoActive, _ := json.Marshal(map[string]any{"keys": append(set.Keys, oset.Keys...)})
	out, err = run(t, "", env("DATABASE_URL=postgres://postgres@127.0.0.1:1/x", "JWT_KEYS="+string(twoActive)), "serve")
	if err == nil || !strings.Contains(out, "JWT_KEYS") || !strings.Contains(out, "exactly one key") {
		t.Fatalf("serve with two active keys: %v\n%s", err, out)
	}
}
