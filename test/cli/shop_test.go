package cli_test

import (
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hexashop/hexashop/test/pgtest"
	"github.com/hexashop/hexashop/test/smtptest"
)

// TestDispatchCommandDeliversOutbox runs `hexashop dispatch` on its own, beside no
// server, against an outbox filled by an earlier `serve`.
func TestDispatchCommandDeliversOutbox(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	mailSrv.Refuse(true)
	dbURL := pgtest.NewDatabase(t)
	environ := env("DATABASE_URL="+dbURL, "JWT_SECRET="+secret, "SMTP_URL=smtp://"+mailSrv.Addr)
	if out, err := run(t, "boss-password\n", environ, "admin", "create", "--email", "boss@example.com"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	p := serve(t, environ)
	// serve listens for catalog changes (its cache); the other commands do not.
	for deadline := time.Now().Add(10 * time.Second); pgtest.CountSessions(t, dbURL, "catalog-listener") != 1; {
		if time.Now().After(deadline) {
			t.Fatal("serve has no catalog-listener session")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, boss := p.token(t, "boss@example.com", "boss-password")
	must(t, 201)(p.call(t, boss, "POST", "/products/category", `{"name":"C"}`))
	must(t, 201)(p.call(t, boss, "POST", "/products", `{"name":"Pen","price_cents":199,"stock":3,"category_id":1}`))
	must(t, 201)(p.call(t, boss, "POST", "/cart/items", `{"product_id":1,"quantity":1}`))
	must(t, 201)(p.call(t, boss, "POST", "/orders", ""))
	p.stop(t)

	mailSrv.Refuse(false)
	d := exec.Command(binary, "dispatch")
	d.Env = environ
	out := &syncBuffer{}
	d.Stdout, d.Stderr = out, out
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-mailSrv.Arrived():
	case <-time.After(60 * time.Second):
		_ = d.Process.Kill()
		t.Fatalf("dispatch delivered nothing within 60s:\n%s", out.String())
	}
	if n := pgtest.CountSessions(t, dbURL, "catalog-listener"); n != 0 {
		t.Errorf("dispatch holds %d catalog-listener sessions: only serve has a catalog cache to keep fresh", n)
	}
	_ = d.Process.Signal(syscall.SIGTERM)
	if err := d.Wait(); err != nil {
		t.Fatalf("dispatch after SIGTERM: %v\n%s", err, out.String())
	}
	if msgs := mailSrv.Messages(); len(msgs) != 1 || msgs[0].To[0] != "boss@example.com" {
		t.Fatalf("messages = %+v", msgs)
	}
}

// TestServeLeavesMigrationAndMailToOthers is the Kubernetes split: a migration job runs
// `hexashop migrate`; `serve` with MIGRATE_ON_START=false refuses a schema behind it and
// with SERVE_DISPATCH=false sends no mail; `hexashop dispatch` sends it, answering its
// probes on the private listener.
func TestServeLeavesMigrationAndMailToOthers(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	db := pgtest.NewEmptyDatabase(t)
	environ := env("DATABASE_URL="+db, "JWT_SECRET="+secret, "SMTP_URL=smtp://"+mailSrv.Addr,
		"MIGRATE_ON_START=false", "SERVE_DISPATCH=false")
	out, err := run(t, "", append(environ, "HTTP_ADDR="+freeAddr(t)), "serve")
	if err == nil || !strings.Contains(out, "hexashop migrate") {
		t.Fatalf("serve on an unmigrated database with MIGRATE_ON_START=false: %v\n%s", err, out)
	}
	// A migration job needs the database URL only: no signing secret.
	if out, err := run(t, "", env("DATABASE_URL="+db), "migrate"); err != nil {
		t.Fatalf("migrate without JWT_SECRET: %v\n%s", err, out)
	}
	if out, err := run(t, "boss-password\n", environ, "admin", "create", "--email", "boss@example.com"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	p := serve(t, environ)
	_, boss := p.token(t, "boss@example.com", "boss-password")
	must(t, 201)(p.call(t, boss, "POST", "/products/category", `{"name":"C"}`))
	must(t, 201)(p.call(t, boss, "POST", "/products", `{"name":"Pen","price_cents":199,"stock":3,"category_id":1}`))
	must(t, 201)(p.call(t, boss, "POST", "/cart/items", `{"product_id":1,"quantity":1}`))
	must(t, 201)(p.call(t, boss, "POST", "/orders", ""))
	time.Sleep(time.Second)
	if n := len(mailSrv.Messages()); n != 0 {
		t.Fatalf("serve with SERVE_DISPATCH=false sent %d mails", n)
	}

	private := freeAddr(t)
	d := exec.Command(binary, "dispatch")
	d.Env = env("DATABASE_URL="+db, "SMTP_URL=smtp://"+mailSrv.Addr, "METRICS_ADDR="+private) // no JWT_SECRET either
	dout := &syncBuffer{}
	d.Stdout, d.Stderr = dout, dout
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Process.Kill(); _ = d.Wait() }()
	select {
	case <-mailSrv.Arrived():
	case <-time.After(60 * time.Second):
		t.Fatalf("dispatch delivered nothing within 60s:\n%s", dout.String())
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		res, err := http.Get("http://" + private + path)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("dispatch's private listener %s: %v %v", path, res, err)
		}
		res.Body.Close()
	}
	p.stop(t)
}
