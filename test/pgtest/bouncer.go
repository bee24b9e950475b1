package pgtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Bouncer is a PgBouncer process in front of one server.
type Bouncer struct {
	Port int
}

// pgbouncerBinary finds Debian's pgbouncer.
func pgbouncerBinary() (string, error) {
	for _, p := range []string{os.Getenv("PGBOUNCER"), "/usr/sbin/pgbouncer"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	if p, err := osexec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("pgbouncer not found (PGBOUNCER, /usr/sbin/pgbouncer or PATH): install it " +
		"(Debian: apt-get install pgbouncer; or run make test, which installs what the tests need)")
}

// StartPgBouncer runs PgBouncer in pool_mode (transaction, session) on a free port of
// 127.0.0.1, forwarding every database name to the server of serverURL and logging in
// there with serverURL's user and password. Clients connect without a password. It is
// stopped when the test ends.
func StartPgBouncer(t testing.TB, serverURL, poolMode string, poolSize int) *Bouncer {
	t.Helper()
	bin, err := pgbouncerBinary()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	password, _ := u.User.Password()
	dir := serverDir(t, "pgtest-pgbouncer-")
	b := &Bouncer{Port: FreePort(t)}
	target := fmt.Sprintf("host=%s port=%s user=%s", host, port, u.User.Username())
	if password != "" {
		target += " password=" + password
	}
	ini := fmt.Sprintf(`[databases]
* = %s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = %s
default_pool_size = %d
max_client_conn = 1000
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = %s
pidfile = %s
`, target, b.Port, poolMode, poolSize, filepath.Join(dir, "pgbouncer.log"), filepath.Join(dir, "pgbouncer.pid"))
	conf := filepath.Join(dir, "pgbouncer.ini")
	write := asServerUser("sh", "-c", "cat > "+conf)
	write.Stdin = strings.NewReader(ini)
	run(t, write)
	run(t, asServerUser(bin, "-d", conf))
	t.Cleanup(func() {
		if pid, err := os.ReadFile(filepath.Join(dir, "pgbouncer.pid")); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(pid))); err == nil {
				if p, err := os.FindProcess(n); err == nil {
					_ = p.Kill()
				}
			}
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", b.Addr()); err == nil {
			c.Close()
			return b
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
	t.Fatalf("pgtest: pgbouncer did not listen on %s:\n%s", b.Addr(), log)
	return nil
}

// Addr is PgBouncer's host:port.
func (b *Bouncer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.Port)) }

// URL is dbURL (a database on the server behind the pooler) reached through the pooler.
func (b *Bouncer) URL(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: bad URL: %v", err))
	}
	u.Host = b.Addr()
	u.User = url.User(u.User.Username())
	return u.String()
}
