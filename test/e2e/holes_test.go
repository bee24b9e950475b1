package e2e_test

// Tests for the holes an independent hostile run found in the abuse defences: each one
// failed on the code before the fix.

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hexashop/hexashop/test/pgtest"
)

// burst sends n requests at once (send(i) makes request i) and returns the status of
// each answer.
func burst(n int, send func(i int) response) []int {
	statuses := make([]int, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			statuses[i] = send(i).Status
		})
	}
	start.Done()
	done.Wait()
	return statuses
}

// tally counts statuses.
func tally(statuses []int) map[int]int {
	out := map[int]int{}
	for _, s := range statuses {
		out[s]++
	}
	return out
}

func TestParallelGuessesGetNoMoreThanTheBudget(t *testing.T) {
	t.Parallel()
	const budget = 5 // LOGIN_FAILURES_PER_ACCOUNT's default
	// A minute's first delay, so that no delay runs out during a burst.
	slow := withEnv("LOGIN_BASE_DELAY", "1m")
	setups := map[string]func(t *testing.T) (a, b *server){
		"postgres": func(t *testing.T) (*server, *server) { s := startServer(t, slow); return s, s },
		"memory":   func(t *testing.T) (*server, *server) { s := startServer(t, slow, inMemory()); return s, s },
		"two processes on one database": func(t *testing.T) (*server, *server) {
			one := startServer(t, slow)
			return one, startServer(t, slow, onDatabase(one.dbURL))
		},
	}
	for name, setup := range setups {
		t.Run(name+": login", func(t *testing.T) {
			t.Parallel()
			a, b := setup(t)
			ann := a.register("Ann", "ann@example.com")
			// 30 wrong passwords, all at once, half through each process. (The right one
			// is not in the burst: a success forgives the failures of its own address, the
			// owner's typos, and the burst comes from the owner's address; whether it is
			// admitted first or fifth would decide how many guesses are forgiven.)
			statuses := burst(30, func(i int) response {
				s := a
				if i%2 == 1 {
					s = b
				}
				return s.loginAs(ann.Email, "wrong-guess-"+fmt.Sprint(i))
			})
			n := tally(statuses)
			if checked := n[http.StatusBadRequest] + n[http.StatusOK]; checked > budget {
				t.Fatalf("%d passwords checked in a parallel burst (%v), want at most %d", checked, n, budget)
			}
			if n[http.StatusTooManyRequests]+n[http.StatusBadRequest]+n[http.StatusServiceUnavailable] != 30 {
				t.Fatalf("answers %v: want only 400, 429 (and 503 busy)", n)
			}
			// The budget is spent: the right password waits too, as after 5 failures in a row.
			wantSlowDown(t, a.loginAs(ann.Email, ann.Password))
		})
		t.Run(name+": password change", func(t *testing.T) {
			t.Parallel()
			a, b := setup(t)
			bob := a.register("Bob", "bob@example.com")
			statuses := burst(30, func(i int) response {
				s := a
				if i%2 == 1 {
					s = b
				}
				return s.authed(bob.Token, http.MethodPut, "/user/me/password",
					map[string]string{"current_password": fmt.Sprint("guess-", i), "new_password": "a-new-password"})
			})
			n := tally(statuses)
			if checked := n[http.StatusForbidden] + n[http.StatusNoContent]; checked > budget {
				t.Fatalf("%d current passwords checked in a parallel burst (%v), want at most %d", checked, n, budget)
			}
		})
	}
	t.Run("registrations", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withEnv("REGISTRATIONS_PER_ADDRESS", "3"))
		statuses := burst(12, func(i int) response {
			return s.json(http.MethodPost, "/user", map[string]string{
				"name": "R", "email": fmt.Sprintf("r%d@example.com", i), "password": "12345678"})
		})
		if n := tally(statuses); n[http.StatusCreated] != 3 || n[http.StatusTooManyRequests] != 9 {
			t.Fatalf("12 parallel registrations with a budget of 3: %v", n)
		}
	})
}

func TestAddressBudgetsCompareAddressesNotText(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("TRUSTED_PROXIES", "127.0.0.1/32", "LOGIN_FAILURES_PER_ADDRESS", "3",
		"LOGIN_BASE_DELAY", "1m", "REGISTRATIONS_PER_ADDRESS", "1"))
	guess := func(i int, from string) response {
		return s.loginAs(fmt.Sprintf("user%d@example.com", i), "guess", "X-Forwarded-For: "+from)
	}
	for _, tc := range []struct {
		name     string
		spent    string
		sameHost []string
	}{
		{"ipv6 spellings and its /64", "2001:db8::1",
			[]string{"2001:DB8::1", "2001:0db8:0000::0001", "2001:db8::ffff:1234", "2001:db8:0:0:8000::9"}},
		{"ipv4 and its ipv4-mapped form", "192.0.2.7", []string{"::ffff:192.0.2.7", "::FFFF:c000:0207"}},
	} {
		for i := range 3 {
			if res := guess(i, tc.spent); res.Status != http.StatusBadRequest {
				t.Fatalf("%s: guess %d: %d %s", tc.name, i+1, res.Status, res.Body)
			}
		}
		for i, from := range tc.sameHost {
			res := guess(10+i, from)
			if res.Status != http.StatusTooManyRequests {
				t.Errorf("%s: %s after %s used the budget: %d, want 429", tc.name, from, tc.spent, res.Status)
			}
		}
	}
	// Another /64 is another host.
	if res := guess(99, "2001:db8:0:1::1"); res.Status != http.StatusBadRequest {
		t.Errorf("another /64: %d %s, want its own budget", res.Status, res.Body)
	}
	// Registrations count per host the same way.
	reg := func(email, from string) response {
		return s.json(http.MethodPost, "/user", map[string]string{"name": "R", "email": email, "password": "12345678"},
			"X-Forwarded-For: "+from)
	}
	if res := reg("first@example.com", "2001:db8:1::1"); res.Status != http.StatusCreated {
		t.Fatalf("first registration: %d %s", res.Status, res.Body)
	}
	wantProblem(t, reg("second@example.com", "2001:DB8:1:0:ffff::2"), http.StatusTooManyRequests, "too_many_attempts")
}

func TestOwnersLoginKeepsTheGuessersDelay(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("TRUSTED_PROXIES", "127.0.0.1/32", "LOGIN_BASE_DELAY", "1m"))
	ann := s.register("Ann", "ann@example.com")
	const home, attacker = "X-Forwarded-For: 198.51.100.1", "X-Forwarded-For: 203.0.113.9"
	if res := s.loginAs(ann.Email, ann.Password, home); res.Status != http.StatusOK {
		t.Fatalf("owner's first login from home: %d %s", res.Status, res.Body)
	}
	for i := range 5 {
		if res := s.loginAs(ann.Email, fmt.Sprint("guess-", i), attacker); res.Status != http.StatusBadRequest {
			t.Fatalf("guess %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	wantSlowDown(t, s.loginAs(ann.Email, "guess-5", attacker))
	// The owner, at a known address, is not locked out...
	if res := s.loginAs(ann.Email, ann.Password, home); res.Status != http.StatusOK {
		t.Fatalf("owner at home while the account is under attack: %d %s", res.Status, res.Body)
	}
	// ...and the owner's success does not give the guesser a fresh budget.
	wantSlowDown(t, s.loginAs(ann.Email, "guess-6", attacker))
	// From an address the account does not know, the account's delay applies to anyone.
	wantSlowDown(t, s.loginAs(ann.Email, ann.Password, "X-Forwarded-For: 192.0.2.50"))
}

// forgedCursor builds a well-formed cursor (version 1, the CRC-32C the service uses)
// with any fields: what a client who read the format can send.
func forgedCursor(kind byte, at, id int64) string {
	b := []byte{1, kind}
	b = binary.BigEndian.AppendUint64(b, uint64(at))
	b = binary.BigEndian.AppendUint64(b, uint64(id))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestForgedCursorsAreRefusedBeforeTheStore(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	kim := s.register("Kim", "kim@example.com")
	cases := map[string]struct{ token, path string }{
		"the hostile run's cursor": {kim.Token, "/orders?cursor=AW_AAAAAAAAAAAAAAAAAAAAB0JtYAg"},                 // shop
		"orders before 4714 BC":    {kim.Token, "/orders?cursor=" + forgedCursor('o', math.MinInt64, 1)},         // shop
		"orders after 294276 AD":   {kim.Token, "/orders?cursor=" + forgedCursor('o', math.MaxInt64, 1)},         // shop
		"orders before 1970":       {kim.Token, "/orders?cursor=" + forgedCursor('o', -1, 1)},                    // shop
		"orders id zero":           {kim.Token, "/orders?cursor=" + forgedCursor('o', 1_700_000_000_000_000, 0)}, // shop
		"products with a time":     {"", "/products?cursor=" + forgedCursor('p', 5, 1)},                          // shop
		"products negative id":     {"", "/products?cursor=" + forgedCursor('p', 0, -1)},                         // shop
		"categories with a time":   {"", "/products/category?cursor=" + forgedCursor('c', math.MinInt64, 1)},     // shop
		"users negative id":        {admin.Token, "/user?cursor=" + forgedCursor('u', 0, -1)},
		"sessions id zero":         {kim.Token, "/user/me/sessions?cursor=" + forgedCursor('s', 0, 0)},
		"users with a time":        {admin.Token, "/user?cursor=" + forgedCursor('u', math.MaxInt64, 1)},
		"sessions with a time":     {kim.Token, "/user/me/sessions?cursor=" + forgedCursor('s', 7, 1)},
	}
	for name, tc := range cases {
		res := s.request(http.MethodGet, tc.path, "")
		if tc.token != "" {
			res = s.authed(tc.token, http.MethodGet, tc.path, nil)
		}
		if res.Status != http.StatusBadRequest || res.JSON(t)["code"] != "invalid_cursor" {
			t.Errorf("%s: %d %s, want 400 invalid_cursor", name, res.Status, res.Body)
		}
	}
	// A forged cursor within range is a position like any other.
	if res := s.authed(admin.Token, http.MethodGet, "/user?cursor="+forgedCursor('u', 0, 5), nil); res.Status != http.StatusOK {
		t.Errorf("an in-range cursor: %d %s", res.Status, res.Body)
	}
}

func TestPerClientGrowthIsBounded(t *testing.T) {
	t.Parallel()
	t.Run("spent refresh tokens are pruned, reuse of a recent one is still caught", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withEnv("REFRESH_REUSE_HISTORY", "3", "REFRESH_REUSE_GRACE", "0s"))
		a := s.register("Ann", "ann@example.com")
		tk := s.signIn(t, a, "agent")
		var spent []string
		for i := range 40 {
			next, res := s.refresh(t, tk.refresh)
			if res.Status != http.StatusOK {
				t.Fatalf("refresh %d: %d %s", i+1, res.Status, res.Body)
			}
			spent, tk = append(spent, tk.refresh), next
		}
		rows := pgtest.QueryInt(t, s.dbURL,
			`SELECT count(*) FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id
			 WHERE u.email = 'ann@example.com'`)
		// Ann's first session (from register) holds 1 row; this one its live token and 3 spent.
		if rows > 1+1+3 {
			t.Fatalf("%d refresh-token rows after 40 refreshes, want at most 5", rows)
		}
		// A token spent long ago is forgotten: refused, and the session goes on.
		wantInvalidGrant(t, s.refresh2(spent[0]))
		if !s.live(t, tk.access) {
			t.Fatal("a forgotten token ended the session")
		}
		// A recently spent one is reuse: refused, and the session ends.
		wantInvalidGrant(t, s.refresh2(spent[len(spent)-2]))
		if s.live(t, tk.access) {
			t.Fatal("reuse of a recently spent token did not end the session")
		}
	})
	t.Run("live sessions per account are capped, oldest ended first, and the list is paged", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withEnv("SESSIONS_PER_ACCOUNT", "3"))
		b := s.register("Bob", "bob@example.com") // session 1
		var all []tokens
		for i := range 4 { // sessions 2..5: the first two end
			all = append(all, s.signIn(t, b, fmt.Sprint("agent-", i)))
		}
		if s.live(t, b.Token) || s.live(t, all[0].access) || !s.live(t, all[1].access) || !s.live(t, all[3].access) {
			t.Fatal("want the two oldest sessions ended and the three newest live")
		}
		first := s.authed(all[3].access, http.MethodGet, "/user/me/sessions?limit=2", nil)
		page := first.JSON(t)
		items, next := page["items"].([]any), page["next_cursor"]
		if first.Status != http.StatusOK || len(items) != 2 || next == nil {
			t.Fatalf("first page: %d %s", first.Status, first.Body)
		}
		if items[0].(map[string]any)["user_agent"] != "agent-3" || items[0].(map[string]any)["current"] != true {
			t.Fatalf("first page = %v, want the newest (current) first", items)
		}
		second := s.authed(all[3].access, http.MethodGet, "/user/me/sessions?limit=2&cursor="+url.QueryEscape(next.(string)), nil).JSON(t)
		if items := second["items"].([]any); len(items) != 1 || items[0].(map[string]any)["user_agent"] != "agent-1" || second["next_cursor"] != nil {
			t.Fatalf("second page = %v, want the oldest live one and no next page", second)
		}
	})
}

// refresh2 is a refresh grant whose answer the caller checks.
func (s *server) refresh2(token string) response {
	s.t.Helper()
	return s.form("/login", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

func TestMadeUpMethodsShareOneMetricLabel(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	s := startServer(t, withEnv("METRICS_ADDR", addr))
	s.request(http.MethodGet, "/healthz", "")
	before := strings.Count(labelSets(scrape(t, addr)), "\n")
	for i := range 300 {
		for _, path := range []string{"/nope", "/healthz"} {
			req, err := http.NewRequest(fmt.Sprintf("Y%d", i), s.base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
	}
	after := scrape(t, addr)
	if strings.Contains(after, `method="Y`) {
		t.Fatal("a made-up method became a label value")
	}
	// Two routes (unmatched, /healthz) by one status class each, as a counter and a
	// histogram (15 series: 13 buckets, sum, count): a bounded number, however many methods.
	if grown := strings.Count(labelSets(after), "\n") - before; grown > 2*16 {
		t.Fatalf("300 made-up methods added %d series", grown)
	}
	if !strings.Contains(after, `method="OTHER"`) {
		t.Fatal("made-up methods are not counted as OTHER")
	}
}
