package e2e_test

// Past one database machine: behind PgBouncer in transaction mode, catalog reads on a
// streaming replica, and a failover from a primary to its synchronous standby. Every
// server here is a real process (test/pgtest/cluster.go, bouncer.go).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/test/pgtest"
)

// throughPooler serves from dbURL's database through bouncer (transaction mode), with
// migrations on the direct URL.
func throughPooler(bouncer *pgtest.Bouncer, dbURL string) option {
	return withEnv("DB_POOLER", "transaction", "DATABASE_URL", bouncer.URL(dbURL), "DATABASE_DIRECT_URL", dbURL)
}

// do sends a request from a goroutine that must not stop the test: transport errors come
// back as status 0; answers are still checked against docs/openapi.yaml.
func (s *server) do(token, method, path string, body any, headers ...string) (int, http.Header, []byte) {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, nil
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, nil
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if err := spec.Check(req, b, res.StatusCode, res.Header, out); err != nil {
		s.t.Errorf("response does not match docs/openapi.yaml: %v\nbody: %.300s", err, out)
	}
	return res.StatusCode, res.Header, out
}

// statusCount counts answers by status, safely from many goroutines.
type statusCount struct {
	mu sync.Mutex
	n  map[int]int
}

func (c *statusCount) add(status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[int]int{}
	}
	c.n[status]++
}

func (c *statusCount) get(status int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[status]
}

func (c *statusCount) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprint(c.n)
}

// doForm posts a form from a goroutine (see do).
func (s *server) doForm(path, form string) (int, http.Header, []byte) {
	req, _ := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, nil
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if err := spec.Check(req, []byte(form), res.StatusCode, res.Header, out); err != nil {
		s.t.Errorf("response does not match docs/openapi.yaml: %v\nbody: %.300s", err, out)
	}
	return res.StatusCode, res.Header, out
}

// eventually polls cond for up to 15 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 15 s: %s", what)
		}
	}
}

// housekeepingEvery makes the server sweep expired state every d (default: a minute).
func housekeepingEvery(d time.Duration) option {
	return func(env map[string]string) { env[housekeepingKey] = d.String() }
}

// id reads the "id" of a JSON object answer.
func id(t testing.TB, r response) int64 {
	t.Helper()
	return int64(r.JSON(t)["id"].(float64))
}
