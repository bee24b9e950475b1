package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// logBuffer collects a server's JSON log lines; safe for the server's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the decoded log lines.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func TestRequestIDs(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	s := startServerLogging(t, &logs)

	res := s.authed(s.admin().Token, http.MethodGet, "/user/999", nil)
	id := res.Header.Get("X-Request-ID")
	if len(id) < 16 {
		t.Fatalf("generated X-Request-ID %q", id)
	}
	if p := wantProblem(t, res, http.StatusNotFound, "not_found"); p["request_id"] != id {
		t.Fatalf("problem request_id %v, header %q", p["request_id"], id)
	}
	if other := s.request(http.MethodGet, "/healthz", "").Header.Get("X-Request-ID"); other == id || other == "" {
		t.Fatalf("two requests share the id %q", other)
	}
	if got := s.request(http.MethodGet, "/healthz", "", "X-Request-ID: lb-7f3a.9:2_x-1").Header.Get("X-Request-ID"); got != "lb-7f3a.9:2_x-1" {
		t.Fatalf("a valid incoming id was replaced by %q", got)
	}
	for _, hostile := range []string{strings.Repeat("a", 65), "a b", "<script>", "id\u00e9", `"quoted"`, "x;y"} {
		got := s.request(http.MethodGet, "/healthz", "", "X-Request-ID: "+hostile).Header.Get("X-Request-ID")
		if got == hostile || len(got) < 16 || strings.ContainsAny(got, " <\";") {
			t.Errorf("hostile X-Request-ID %q answered with %q", hostile, got)
		}
	}
	// Every log line written for the request carries its id.
	var access int
	for _, l := range logs.lines(t) {
		if l["request_id"] != id {
			continue
		}
		if l["msg"] == "http request" {
			access++
			if l["route"] != "/user/{id}" || l["status"] != float64(404) || l["client"] != "127.0.0.1" {
				t.Errorf("access log line = %v", l)
			}
		}
	}
	if access != 1 {
		t.Fatalf("%d access log lines with the request's id, want 1:\n%s", access, logs.String())
	}
}

// TestNoSecretsInLogs runs every flow that handles a secret with debug logging on, and
// looks for the secrets in the log.
func TestNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	s := startServerLogging(t, &logs, withEnv("REGISTRATIONS_PER_ADDRESS", "100"))
	ann := s.register("Ann", "ann@example.com")
	tk := s.signIn(t, ann, "agent")
	next, res := s.refresh(t, tk.refresh)
	if res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	s.loginAs(ann.Email, "a-wrong-password-123")
	s.authed(next.access, http.MethodPut, "/user/me/password", map[string]string{"current_password": "not-it-either-456", "new_password": "x"})
	s.authed(next.access, http.MethodPut, "/user/me/password", map[string]string{"current_password": ann.Password, "new_password": "brand-new-password-789"})
	s.form("/revoke", url.Values{"token": {next.refresh}})
	s.refresh(t, next.refresh) // invalid_grant, logged?
	s.authed(tk.access+"garbage", http.MethodGet, "/user/me", nil)
	admin := s.admin()
	s.authed(admin.Token, http.MethodGet, "/user/1", nil)

	out := logs.String()
	if !strings.Contains(out, `"route":"/user/{id}"`) || !strings.Contains(out, fmt.Sprintf(`"user_id":%d`, admin.ID)) {
		t.Fatalf("the access log lacks route templates or user ids:\n%s", out)
	}
	for what, secret := range map[string]string{
		"password": ann.Password, "wrong password": "a-wrong-password-123", "wrong current password": "not-it-either-456",
		"new password": "brand-new-password-789", "admin password": admin.Password,
		"access token": tk.access, "rotated access token": next.access, "refresh token": tk.refresh,
		"rotated refresh token": next.refresh, "JWT secret": testSecret,
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the %s is in the log", what)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// freeAddr is a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// scrape returns the private listener's /metrics as text.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	var err error
	for range 50 { // the listener starts with the server
		var res *http.Response
		if res, err = client.Get("http://" + addr + "/metrics"); err == nil {
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("/metrics: %d", res.StatusCode)
			}
			return string(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no private listener on %s: %v", addr, err)
	return ""
}

// value is the value of the series line that starts with prefix (name and labels).
func value(t *testing.T, text, prefix string) float64 {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(l, prefix+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no series %s in:\n%s", prefix, text)
	return 0
}

// metric is the full name of one of the service's metrics.
func metric(name string) string { return domain.Identifier() + "_" + name }

// labelSets is every "{...}" label set of the exposition, one per line.
func labelSets(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if i, j := strings.IndexByte(l, '{'), strings.LastIndexByte(l, '}'); i >= 0 && j > i {
			b.WriteString(l[i : j+1])
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestMetricsOnThePrivateListener(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	s := startServer(t, withEnv("METRICS_ADDR", addr))
	before := scrape(t, addr)
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		wantProblem(t, s.request(http.MethodGet, path, ""), http.StatusNotFound, "not_found")
	}
	if res, err := client.Get("http://" + addr + "/debug/pprof/"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("pprof on the private listener: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	admin := s.admin()
	kim := s.register("Kim", "kim@example.com")
	for range 3 {
		s.authed(admin.Token, http.MethodGet, fmt.Sprintf("/user/%d", kim.ID), nil)
	}
	s.authed(admin.Token, http.MethodGet, "/user/999999", nil)
	s.request(http.MethodGet, "/no/such/path/12345", "")
	s.loginAs(admin.Email, "wrong-password")
	// shop:begin
	pen := s.product(admin, "Pen", 100, 5, s.category(admin, "C"))
	s.addToCart(kim, pen, 1)
	if res := s.authed(kim.Token, http.MethodPost, "/orders", map[string]any{}); res.Status != http.StatusCreated {
		t.Fatal(res.Status)
	}
	// shop:end
	// Sessions: two rotations, the first token again (older than the grace allows: reuse),
	// an unknown token, and a revocation.
	r1 := s.signIn(t, kim, "metrics").refresh
	r2, _ := s.refresh(t, r1)
	if _, res := s.refresh(t, r2.refresh); res.Status != http.StatusOK {
		t.Fatalf("second rotation: %d %s", res.Status, res.Body)
	}
	_, res := s.refresh(t, r1)
	wantInvalidGrant(t, res)
	_, res = s.refresh(t, "no-such-token")
	wantInvalidGrant(t, res)
	if res := s.form("/revoke", url.Values{"token": {s.signIn(t, kim, "metrics").refresh}}); res.Status != http.StatusOK {
		t.Fatalf("revoke: %d", res.Status)
	}
	// Recovery: a reset request (for nobody), a made-up reset token.
	s.json(http.MethodPost, "/password-reset", map[string]string{"email": "nobody@example.com"})
	s.json(http.MethodPost, "/password-reset/confirm", map[string]string{"token": "made-up", "password": "a-new-password"})
	after := scrape(t, addr)
	// shop:begin
	for range 100 { // the dispatcher sends the confirmation in the background
		if value(t, after, metric(`outbox_deliveries_total{outcome="sent"}`)) >= 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
		after = scrape(t, addr)
	}
	// shop:end

	if got := value(t, after, metric(`http_requests_total{method="GET",route="/user/{id}",status="2xx"}`)); got != 3 {
		t.Errorf("GET /user/{id} 2xx = %v, want 3", got)
	}
	// /metrics and /debug/pprof/ asked on the public port, and /no/such/path/12345.
	if got := value(t, after, metric(`http_requests_total{method="GET",route="unmatched",status="4xx"}`)); got != 3 {
		t.Errorf("unmatched 4xx = %v, want 3", got)
	}
	labels := labelSets(after) // values like 9.99999e-05 may contain the digits
	for _, raw := range []string{fmt.Sprintf("/user/%d\"", kim.ID), "999999", "12345", "/no/such"} {
		if strings.Contains(labels, raw) {
			t.Errorf("a raw path (%s) became a label", raw)
		}
	}
	checks := []struct {
		series string
		grew   bool
	}{
		{metric(`logins_total{outcome="invalid"}`), true},
		{metric(`logins_total{outcome="success"}`), true},
		{metric(`outbox_deliveries_total{outcome="sent"}`), true}, // shop
		{metric("db_pool_acquires_total"), true},
		{metric(`http_request_duration_seconds_count{method="POST",route="/orders",status="2xx"}`), true}, // shop
		{metric(`http_request_duration_seconds_count{method="GET",route="/user/{id}",status="2xx"}`), true},
		{metric(`session_events_total{event="refreshed"}`), true},
		{metric(`session_events_total{event="reuse_detected"}`), true},
		{metric(`session_events_total{event="refresh_invalid"}`), true},
		{metric(`session_events_total{event="revoked"}`), true},
		{metric(`session_events_total{event="refresh_expired"}`), false},
		{metric(`account_recovery_events_total{event="reset_requested"}`), true},
		{metric(`account_recovery_events_total{event="reset_refused"}`), true},
		{metric(`account_recovery_events_total{event="verification_mailed"}`), true},
		{metric(`account_recovery_events_total{event="reset_completed"}`), false},
	}
	for _, c := range checks {
		b := 0.0
		if strings.Contains(before, c.series+" ") {
			b = value(t, before, c.series)
		}
		switch a := value(t, after, c.series); {
		case c.grew && a <= b:
			t.Errorf("%s did not move: %v -> %v", c.series, b, a)
		case !c.grew && a != b:
			t.Errorf("%s moved, though nothing it counts happened: %v -> %v", c.series, b, a)
		}
	}
	for _, name := range []string{metric("outbox_backlog"), metric("outbox_oldest_age_seconds"), metric("password_hash_waiting"),
		metric("db_pool_connections"), metric("http_requests_in_flight"), "go_goroutines", "process_resident_memory_bytes"} {
		value(t, after, name)
	}
}
