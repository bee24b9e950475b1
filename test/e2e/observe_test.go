package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
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

	res := s.request(http.MethodGet, "/products/999", "")
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
			if l["route"] != "/products/{id}" || l["status"] != float64(404) || l["client"] != "127.0.0.1" {
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
