// Package cli tests the hexashop binary as an operator runs it: built with go build,
// configured by environment, stopped by signals.
package cli_test

import (
	"bytes"
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
	os.RemoveAll(dir)
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
	status, _ := p.post(t, "/login", "application/x-www-form-urlencoded",
		url.Values{"username": {user}, "password": {password}}.Encode())
	return status
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
		t.Fatalf("admin login: %d", s)
	}
	p.stop(t)

	p = serve(t, environ)
	if s := p.login(t, "ann@example.com", "ann-password"); s != http.StatusOK {
		t.Fatalf("login after restart: %d; the account did not persist", s)
	}
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
	} {
		out, err := run(t, "", tc.environ, "serve")
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("%s: err=%v, want a failure naming %s; output:\n%s", name, err, tc.want, out)
		}
	}
}

func TestDemoModePrintsAdminCredentials(t *testing.T) {
	t.Parallel()
	p := serve(t, env())
	m := regexp.MustCompile(`username=(\S+) password=(\S+)`).FindStringSubmatch(p.out.String())
	if m == nil {
		t.Fatalf("no demo admin credentials in the log:\n%s", p.out.String())
	}
	if s := p.login(t, m[1], m[2]); s != http.StatusOK {
		t.Fatalf("demo admin login with logged credentials: %d", s)
	}
	p.stop(t)
}
