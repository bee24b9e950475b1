// Package pgtest gives integration tests a real PostgreSQL, one fresh database per test.
//
// A test package calls Main from its TestMain. Main finds a server, in this order:
//
//  1. TEST_DATABASE_URL, if set (any database on the server; the user must be allowed to
//     CREATE DATABASE);
//  2. a testcontainers-go Postgres, when a Docker-compatible engine answers; the image is
//     TEST_POSTGRES_IMAGE, or DefaultImage;
//  3. a server on localhost:5432 (user postgres, no password), if one answers;
//  4. otherwise the package FAILS, with a message saying how to provide one. The tests
//     are never skipped for want of a database.
//
// It then migrates a template database once, and NewDatabase gives each test its own
// database copied from that template (CREATE DATABASE ... TEMPLATE), dropped when the test
// ends. Tests of one package can therefore run in parallel.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/core/domain"
)

// DefaultImage is the container image used when TEST_POSTGRES_IMAGE is unset.
const DefaultImage = "postgres:17-alpine"

const localURL = "postgres://postgres@localhost:5432/postgres?sslmode=disable&connect_timeout=3"

var (
	serverURL string // an admin connection to the chosen server
	template  string // the migrated template database
	createMu  sync.Mutex
)

// Main runs the tests and cleans up after them. Use it as
// `func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }`. The server is found, and
// the template migrated, when a test first asks for a database (NewDatabase,
// ServerURL): a run of only the package's tests that need none (make test-unit) needs
// no Postgres, and a run that does need one fails in that test, saying how to provide
// it.
func Main(m *testing.M) int {
	code := m.Run()
	if setup.done {
		if setup.template != "" {
			_ = exec(context.Background(), serverURL, "DROP DATABASE IF EXISTS "+ident(setup.template)+" WITH (FORCE)")
		}
		if setup.stop != nil {
			setup.stop()
		}
	}
	return code
}

var setup struct {
	once     sync.Once
	done     bool
	err      error
	template string // set once made, so Main drops it
	stop     func()
}

// ensure finds the server and prepares the template, once per test binary; it fails t
// with the way to provide a server when there is none.
func ensure(t testing.TB) {
	t.Helper()
	setup.once.Do(func() {
		setup.done = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		url, how, stop, err := findServer(ctx)
		if err != nil {
			setup.err = fmt.Errorf("%w\n%s", err, help)
			return
		}
		setup.stop = stop
		fmt.Fprintf(os.Stderr, "pgtest: using %s\n", how)
		serverURL = url
		sweepStale(ctx)
		template = dbPrefix + "tmpl_" + suffix()
		setup.template = template // dropped by Main even when the migration below fails
		if err := createTemplate(ctx); err != nil {
			setup.err = fmt.Errorf("prepare template database: %w", err)
		}
	})
	if setup.err != nil {
		t.Fatalf("pgtest: FAIL: %v", setup.err)
	}
}

// staleAfter is the age past which a database this harness made is an orphan: no test
// run lasts that long. A run that panics (the process dies before Main's cleanup) or is
// killed leaves its template behind; the next run on the server drops it.
const staleAfter = time.Hour

// sweepStale drops the databases of earlier runs that are older than staleAfter (their
// names carry their creation time; names without one are from before it did). It never
// forces: a database still in use is left alone.
func sweepStale(ctx context.Context) {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, dbPrefix)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	swept := 0
	for _, name := range names {
		rest := strings.TrimPrefix(name, dbPrefix)
		if !strings.HasPrefix(rest, "tmpl_") && !strings.HasPrefix(rest, "t_") {
			continue // not one of ours: a developer's own database, say
		}
		if made, ok := madeAt(name); ok && time.Since(made) < staleAfter {
			continue
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)); err == nil {
			swept++
		}
	}
	if swept > 0 {
		fmt.Fprintf(os.Stderr, "pgtest: dropped %d databases that earlier runs left behind\n", swept)
	}
}

// madeAt reads the creation time suffix() put in a database name.
func madeAt(name string) (time.Time, bool) {
	_, tail, ok := strings.Cut(strings.TrimPrefix(name, dbPrefix), "_")
	if !ok {
		return time.Time{}, false
	}
	stamp, _, ok := strings.Cut(tail, "_")
	if !ok {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(stamp, 36, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

const help = `Integration tests need PostgreSQL. Provide one of:
  - TEST_DATABASE_URL=postgres://user:pass@host:5432/db (user may CREATE DATABASE)
  - a Docker-compatible engine (DOCKER_HOST), for testcontainers; image from TEST_POSTGRES_IMAGE
    (on this project's CI machines, as root: eval "$(.ci/container-engine.sh)")
  - a server on localhost:5432 accepting user postgres without a password
`

func findServer(ctx context.Context) (url, how string, stop func(), err error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		if err := exec(ctx, u, "SELECT 1"); err != nil {
			return "", "", nil, fmt.Errorf("TEST_DATABASE_URL is set but does not answer: %w", err)
		}
		return u, "TEST_DATABASE_URL (" + redact(u) + ")", func() {}, nil
	}
	u, stop, dockerErr := startContainer(ctx)
	if dockerErr == nil {
		return u, "testcontainers Postgres (" + redact(u) + ")", stop, nil
	}
	if err := exec(ctx, localURL, "SELECT 1"); err == nil {
		return localURL, "local server on localhost:5432 (no Docker engine: " + dockerErr.Error() + ")", func() {}, nil
	}
	return "", "", nil, fmt.Errorf("no PostgreSQL found: TEST_DATABASE_URL unset; Docker: %w; nothing answers on localhost:5432", dockerErr)
}

func startContainer(ctx context.Context) (string, func(), error) {
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return "", nil, err
	}
	defer p.Close()
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Health(hctx); err != nil {
		return "", nil, fmt.Errorf("engine does not answer: %w", err)
	}
	image := os.Getenv("TEST_POSTGRES_IMAGE")
	if image == "" {
		image = DefaultImage
	}
	ctr, err := tcpostgres.Run(ctx, image,
		tcpostgres.WithDatabase("postgres"), tcpostgres.WithUsername("postgres"), tcpostgres.WithPassword("postgres"),
		tcpostgres.BasicWaitStrategies())
	stop := func() {
		if ctr != nil {
			_ = testcontainers.TerminateContainer(ctr)
		}
	}
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("start %s: %w", image, err)
	}
	u, err := ctr.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		stop()
		return "", nil, err
	}
	return u, stop, nil
}

func createTemplate(ctx context.Context) error {
	if err := exec(ctx, serverURL, "CREATE DATABASE "+ident(template)); err != nil {
		return err
	}
	db, closeDB, err := postgres.Open(ctx, withDatabase(serverURL, template), postgres.Options{})
	if err != nil {
		return err
	}
	defer closeDB()
	return db.Migrate(ctx)
}

// NewDatabase creates an empty, migrated database for t and returns its URL. The
// database is dropped when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ensure(t) // makes the template
	return newDatabase(t, template)
}

// NewEmptyDatabase creates a database without any schema for t (for tests of the
// migrations themselves) and returns its URL. It is dropped when t ends.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "template0")
}

func newDatabase(t testing.TB, from string) string {
	t.Helper()
	ensure(t)
	name := dbPrefix + "t_" + suffix()
	createMu.Lock() // a template may feed one CREATE DATABASE at a time
	err := exec(context.Background(), serverURL, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(from))
	createMu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(context.Background(), serverURL, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(serverURL, name)
}

func exec(ctx context.Context, url, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("pgtest: bad server URL: %v", err))
	}
	u.Path = "/" + db
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "unparsable URL"
	}
	return u.Redacted()
}

// dbPrefix starts the names of the databases the tests make, so that a leftover one says
// whose it is.
var dbPrefix = domain.Identifier() + "_"

// ident quotes a database name for SQL: a renamed fork's name may hold any character.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// suffix makes a database name unique and dated: the creation time (Unix seconds, base
// 36), then random letters, so that sweepStale can tell an orphan's age.
func suffix() string {
	return strconv.FormatInt(time.Now().Unix(), 36) + "_" + strings.ToLower(rand.Text()[:8])
}

// ServerURL is an admin URL of the server the harness chose (database postgres, or the one
// TEST_DATABASE_URL names).
func ServerURL(t testing.TB) string {
	t.Helper()
	ensure(t)
	return serverURL
}

// DropDatabase drops the database at dbURL now (to test what happens when it is gone).
func DropDatabase(t testing.TB, dbURL string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()
	if err := exec(context.Background(), serverURL, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		t.Fatalf("pgtest: drop %s: %v", name, err)
	}
}

// CountSessions counts the sessions on dbURL's database whose application_name is app.
func CountSessions(t testing.TB, dbURL, app string) int {
	t.Helper()
	return sessions(t, dbURL, app, "count(*)")
}

// TerminateSessions ends every session on dbURL's database whose application_name is
// app (as a failover or a network cut would), and returns how many it ended.
func TerminateSessions(t testing.TB, dbURL, app string) int {
	t.Helper()
	return sessions(t, dbURL, app, "count(pg_terminate_backend(pid))")
}

// sessions runs what (an aggregate over pid) on the sessions of dbURL's database named app.
func sessions(t testing.TB, dbURL, app, what string) int {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(ctx, `SELECT `+what+` FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
		strings.TrimPrefix(u.Path, "/"), app).Scan(&n)
	if err != nil {
		t.Fatalf("pgtest: sessions %s: %v", app, err)
	}
	return n
}

// Via returns dbURL with its host and port replaced by addr (a proxy in front of it).
func Via(dbURL, addr string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: bad URL: %v", err))
	}
	u.Host = addr
	return u.String()
}

// HostPort is the host:port of dbURL.
func HostPort(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: bad URL: %v", err))
	}
	return u.Host
}

// HoldLock runs sql (typically SELECT ... FOR UPDATE) in a transaction on the database at
// dbURL and keeps the transaction, and so its locks, open until release is called or the
// test ends.
func HoldLock(t testing.TB, dbURL, sql string, args ...any) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback(ctx)
			_ = conn.Close(ctx)
		})
	}
	t.Cleanup(release)
	return release
}

// QueryInt runs a query returning one integer on the database at dbURL.
func QueryInt(t testing.TB, dbURL, sql string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
