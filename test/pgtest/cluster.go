package pgtest

// Real Postgres topologies for the tests of "past one database machine": a primary with
// streaming standbys made by pg_basebackup, and PgBouncer in front of a server. They run
// as processes of this machine, from the PostgreSQL server binaries (Debian: package
// postgresql) and Debian's pgbouncer. A missing binary FAILS the test with what to
// install: these tests are never skipped.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	osexec "os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Instance is one Postgres server process started for a test.
type Instance struct {
	t    testing.TB
	Port int
	dir  string // data directory
	bin  string
	name string // application_name of a standby; "" for a primary

	mu      sync.Mutex
	stopped bool
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// serverBinaries finds the directory of initdb, pg_ctl and pg_basebackup.
func serverBinaries() (string, error) {
	binOnce.Do(func() {
		var candidates []string
		if d := os.Getenv("PG_BINDIR"); d != "" {
			candidates = append(candidates, d)
		}
		if out, err := osexec.Command("pg_config", "--bindir").Output(); err == nil {
			candidates = append(candidates, strings.TrimSpace(string(out)))
		}
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		for i := len(found) - 1; i >= 0; i-- { // newest version first
			candidates = append(candidates, found[i])
		}
		for _, d := range candidates {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				if _, err := os.Stat(filepath.Join(d, "pg_basebackup")); err == nil {
					binDir = d
					return
				}
			}
		}
		binErr = fmt.Errorf("no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) found in PG_BINDIR, " +
			"pg_config --bindir or /usr/lib/postgresql/*/bin: install them (Debian: apt-get install postgresql; " +
			"or run make test, which installs what the tests need)")
	})
	return binDir, binErr
}

// asServerUser runs name with args as the user that owns server files: postgres when
// this process is root (Postgres refuses to run as root), else this user.
func asServerUser(name string, args ...string) *osexec.Cmd {
	if os.Geteuid() == 0 {
		return osexec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return osexec.Command(name, args...)
}

// serverDir makes a directory the server user owns, removed when the test ends.
func serverDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("pgtest: running as root needs the postgres user to run servers as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// query runs sql on the database at dbURL and scans its one row into dest.
func query(dbURL string, dest any, sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, sql, args...).Scan(dest)
}

func run(t testing.TB, cmd *osexec.Cmd) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("pgtest: %s: %v\n%s", strings.Join(cmd.Args, " "), err, out.String())
	}
}

// FreePort is a TCP port on 127.0.0.1 nothing listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StartPrimary initialises and starts a new server on a free port of 127.0.0.1 (user
// postgres, trust authentication, replication allowed from loopback). It is stopped and
// removed when the test ends.
func StartPrimary(t testing.TB) *Instance {
	t.Helper()
	bin, err := serverBinaries()
	if err != nil {
		t.Fatal(err)
	}
	base := serverDir(t, "pgtest-primary-")
	dir := filepath.Join(base, "data")
	run(t, asServerUser(filepath.Join(bin, "initdb"), "-D", dir, "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C.UTF-8"))
	in := &Instance{t: t, Port: FreePort(t), dir: dir, bin: bin}
	in.appendConf(t, fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
max_connections = 100
fsync = off
full_page_writes = off
shared_buffers = 32MB
`, in.Port, base))
	hba := filepath.Join(dir, "pg_hba.conf")
	f, err := os.OpenFile(hba, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("host replication all 127.0.0.1/32 trust\n")
	_ = f.Close()
	in.start(t)
	return in
}

// fsync off is safe here: the tests kill server processes, never the machine, so the
// operating system keeps every write a killed server made.

// appendConf adds settings to postgresql.auto.conf, which is read last (pg_basebackup
// -R writes primary_conninfo there, so a setting in postgresql.conf would lose to it).
func (in *Instance) appendConf(t testing.TB, text string) {
	t.Helper()
	conf := filepath.Join(in.dir, "postgresql.auto.conf")
	cmd := asServerUser("sh", "-c", "cat >> "+conf)
	cmd.Stdin = strings.NewReader(text)
	run(t, cmd)
}

func (in *Instance) start(t testing.TB) {
	t.Helper()
	run(t, asServerUser(filepath.Join(in.bin, "pg_ctl"), "-D", in.dir, "-l", filepath.Join(filepath.Dir(in.dir), "log"),
		"-w", "-t", "60", "start"))
	t.Cleanup(func() { in.Stop(t) })
}

// StartStandby makes a streaming standby of in with pg_basebackup and starts it on a
// free port. With sync, in waits for the standby to confirm every commit
// (synchronous_commit on, synchronous_standby_names naming it), so a commit the primary
// reported is on the standby too.
func (in *Instance) StartStandby(t testing.TB, name string, sync bool) *Instance {
	t.Helper()
	base := serverDir(t, "pgtest-standby-")
	dir := filepath.Join(base, "data")
	run(t, asServerUser(filepath.Join(in.bin, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(in.Port),
		"-U", "postgres", "-D", dir, "-X", "stream", "-R", "--no-sync", "-c", "fast"))
	st := &Instance{t: t, Port: FreePort(t), dir: dir, bin: in.bin, name: name}
	st.appendConf(t, fmt.Sprintf(`
port = %d
unix_socket_directories = '%s'
primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=%s'
`, st.Port, base, in.Port, name))
	st.start(t)
	if sync {
		in.Exec(t, fmt.Sprintf("ALTER SYSTEM SET synchronous_standby_names = '%s'", name))
		in.Exec(t, "SELECT pg_reload_conf()")
	}
	in.WaitStreaming(t, name, sync)
	return st
}

// WaitStreaming waits until the standby called name streams from in (and is
// synchronous, with sync).
func (in *Instance) WaitStreaming(t testing.TB, name string, sync bool) {
	t.Helper()
	want := "async"
	if sync {
		want = "sync"
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var state string
		if err := query(in.URL("postgres"), &state,
			`SELECT state || '/' || sync_state FROM pg_stat_replication WHERE application_name = $1`, name); err == nil &&
			state == "streaming/"+want {
			return
		}
	}
	t.Fatalf("pgtest: standby %s does not stream (%s) from port %d", name, want, in.Port)
}

// URL is a connection URL for database db on this instance.
func (in *Instance) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", in.Port, db)
}

// Addr is the instance's host:port.
func (in *Instance) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(in.Port)) }

// Exec runs sql on database postgres.
func (in *Instance) Exec(t testing.TB, sql string) {
	t.Helper()
	if err := exec(context.Background(), in.URL("postgres"), sql); err != nil {
		t.Fatalf("pgtest: port %d: %s: %v", in.Port, sql, err)
	}
}

// CreateDatabase creates database name on the instance.
func (in *Instance) CreateDatabase(t testing.TB, name string) string {
	t.Helper()
	in.Exec(t, "CREATE DATABASE "+name)
	return in.URL(name)
}

// Kill stops the server at once (pg_ctl -m immediate: no checkpoint, clients cut off),
// as a crash of its machine would, but with the operating system keeping its writes.
func (in *Instance) Kill(t testing.TB) {
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped {
		return
	}
	run(t, asServerUser(filepath.Join(in.bin, "pg_ctl"), "-D", in.dir, "-m", "immediate", "-w", "stop"))
	in.stopped = true
}

// Stop stops the server if it runs (at the end of the test).
func (in *Instance) Stop(t testing.TB) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped {
		return
	}
	in.stopped = true
	_ = asServerUser(filepath.Join(in.bin, "pg_ctl"), "-D", in.dir, "-m", "immediate", "-w", "stop").Run()
}

// Promote makes a standby the primary and waits until it accepts writes.
func (in *Instance) Promote(t testing.TB) {
	t.Helper()
	run(t, asServerUser(filepath.Join(in.bin, "pg_ctl"), "-D", in.dir, "-w", "-t", "60", "promote"))
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var recovering bool
		if err := query(in.URL("postgres"), &recovering, "SELECT pg_is_in_recovery()"); err == nil && !recovering {
			return
		}
	}
	t.Fatalf("pgtest: port %d still in recovery after promote", in.Port)
}

// PauseReplay stops a standby from applying the primary's changes (it keeps answering
// reads, with what it had), as a lagging replica does; ResumeReplay catches it up.
func (in *Instance) PauseReplay(t testing.TB) { t.Helper(); in.Exec(t, "SELECT pg_wal_replay_pause()") }

// ResumeReplay resumes a paused standby.
func (in *Instance) ResumeReplay(t testing.TB) {
	t.Helper()
	in.Exec(t, "SELECT pg_wal_replay_resume()")
}

// QueryInt runs a query returning one integer on database db of the instance.
func (in *Instance) QueryInt(t testing.TB, db, sql string, args ...any) int64 {
	t.Helper()
	return QueryInt(t, in.URL(db), sql, args...)
}
