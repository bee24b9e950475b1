package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexashop/hexashop/test/netfault"
	"github.com/hexashop/hexashop/test/pgtest"
	"github.com/hexashop/hexashop/test/smtptest"
)

func TestBehindPgBouncerInTransactionMode(t *testing.T) {
	t.Parallel()
	// A pool much smaller than the clients: consecutive statements of one client land on
	// different server connections all the time.
	bouncer := pgtest.StartPgBouncer(t, pgtest.ServerURL(t), "transaction", 4)

	t.Run("every flow works under concurrency, with no 500", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, throughPooler(bouncer, pgtest.NewDatabase(t)), withEnv("DB_MAX_CONNS", "16"))
		admin := s.admin()
		cat := s.category(admin, "Pooled")
		var products []int64
		for i := range 5 {
			products = append(products, s.product(admin, fmt.Sprint("P", i), 100+int64(i), 1000, cat))
		}
		var statuses statusCount
		var wg sync.WaitGroup
		for c := range 8 {
			wg.Go(func() {
				email := fmt.Sprintf("pooled%d@example.com", c)
				st, _, _ := s.do("", http.MethodPost, "/user", map[string]string{"name": "P", "email": email, "password": "pooled-password"})
				statuses.add(st)
				var body []byte
				for try := 0; try < 20; try++ { // a busy hasher answers 503 Retry-After: retry, as a client does
					var st int
					if st, _, body = s.doForm("/login", "username="+email+"&password=pooled-password"); st != http.StatusServiceUnavailable {
						break
					}
					time.Sleep(500 * time.Millisecond)
				}
				var tok struct {
					Access  string `json:"access_token"`
					Refresh string `json:"refresh_token"`
				}
				_ = json.Unmarshal(body, &tok)
				for i := range 15 {
					for _, r := range []struct {
						method, path string
						body         any
					}{
						{http.MethodGet, "/products?limit=2", nil},
						{http.MethodGet, fmt.Sprintf("/products/%d", products[i%5]), nil},
						{http.MethodGet, "/products/category", nil},
						{http.MethodPost, "/cart/items", map[string]any{"product_id": products[(c+i)%5], "quantity": 1}},
						{http.MethodGet, "/cart", nil},
						{http.MethodGet, "/user/me/sessions", nil},
						{http.MethodPost, "/orders", map[string]any{}},
						{http.MethodGet, "/orders", nil},
					} {
						st, _, _ := s.do(tok.Access, r.method, r.path, r.body)
						statuses.add(st)
					}
				}
				st, _, _ = s.doForm("/login", "grant_type=refresh_token&refresh_token="+tok.Refresh)
				statuses.add(st)
			})
		}
		wg.Wait()
		for _, bad := range []int{0, http.StatusInternalServerError, http.StatusServiceUnavailable} {
			if n := statuses.get(bad); n > 0 {
				t.Fatalf("%d answers with status %d through the pooler: %v", n, bad, statuses.String())
			}
		}
		if statuses.get(http.StatusCreated) < 8*15*2 {
			t.Fatalf("answers %v: want every order and cart line created", statuses.String())
		}
	})

	t.Run("two servers starting at once migrate once, on the direct URL", func(t *testing.T) {
		t.Parallel()
		direct := pgtest.NewEmptyDatabase(t)
		var servers [2]*server
		var wg sync.WaitGroup
		for i := range servers {
			wg.Go(func() { servers[i] = startServer(t, throughPooler(bouncer, direct)) })
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		ann := servers[0].register("Ann", "ann@example.com")
		if res := servers[1].authed(ann.Token, http.MethodGet, "/user/me", nil); res.Status != http.StatusOK {
			t.Fatalf("the other server: %d %s", res.Status, res.Body)
		}
		// tern's advisory lock is a session's: none may stay behind on a server connection.
		if n := pgtest.QueryInt(t, direct, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`); n != 0 {
			t.Fatalf("%d advisory locks held after the migration", n)
		}
	})
}

// priceOf reads a product's public price.
func (s *server) priceOf(id int64) float64 {
	s.t.Helper()
	res := s.request(http.MethodGet, fmt.Sprintf("/products/%d", id), "")
	if res.Status != http.StatusOK {
		s.t.Fatalf("GET product %d: %d %s", id, res.Status, res.Body)
	}
	return res.JSON(s.t)["price_cents"].(float64)
}

func TestCatalogReadsFromAReplica(t *testing.T) {
	t.Parallel()
	primary := pgtest.StartPrimary(t)
	dbURL := primary.CreateDatabase(t, "shop")
	replica := primary.StartStandby(t, "replica1", false)
	proxy := netfault.Start(t, replica.Addr()) // to pause or cut the replica
	readURL := strings.Replace(replica.URL("shop"), replica.Addr(), proxy.Addr(), 1)
	// Without the catalog cache: this test watches where each read goes.
	s := startServer(t, onDatabase(dbURL), withEnv("DATABASE_READ_URL", readURL, "DB_READ_TIMEOUT", "300ms", "CATALOG_CACHE_ENTRIES", "0"))

	admin := s.admin()
	cat := s.category(admin, "Lamps")
	lamp := s.product(admin, "Lamp", 1000, 50, cat)
	eventually(t, "the replica has the lamp", func() bool { return s.request(http.MethodGet, fmt.Sprintf("/products/%d", lamp), "").Status == 200 })

	// A lagging replica: public reads show the old price; checkout prices from the primary.
	replica.PauseReplay(t)
	if res := s.authed(admin.Token, http.MethodPatch, fmt.Sprintf("/products/%d", lamp), map[string]any{"price_cents": 1500}); res.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	if p := s.priceOf(lamp); p != 1000 {
		t.Fatalf("public read during replay pause = %v, want the replica's 1000 (reads go to the replica)", p)
	}
	kim := s.register("Kim", "kim@example.com")
	s.addToCart(kim, lamp, 2)
	if cart := s.authed(kim.Token, http.MethodGet, "/cart", nil).JSON(t); cart["total_cents"] != float64(3000) {
		t.Fatalf("cart = %v, want the primary's price (2 x 1500)", cart)
	}
	order := s.authed(kim.Token, http.MethodPost, "/orders", map[string]any{})
	if order.Status != http.StatusCreated || order.JSON(t)["total_cents"] != float64(3000) {
		t.Fatalf("checkout: %d %s; want 3000 from the primary", order.Status, order.Body)
	}
	replica.ResumeReplay(t)
	eventually(t, "the replica catches up", func() bool { return s.priceOf(lamp) == 1500 })

	// A paused replica (it accepts, then says nothing) and a refused one: reads answer
	// from the primary within the request deadline, never 5xx.
	replica.PauseReplay(t)
	if res := s.authed(admin.Token, http.MethodPatch, fmt.Sprintf("/products/%d", lamp), map[string]any{"price_cents": 1700}); res.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	for _, fault := range []struct {
		name  string
		apply func()
	}{{"paused", proxy.Pause}, {"refused", proxy.Refuse}} {
		fault.apply()
		for i := range 5 {
			start := time.Now()
			res := s.request(http.MethodGet, "/products?limit=5", "")
			if res.Status != http.StatusOK {
				t.Fatalf("%s replica, read %d: %d %s", fault.name, i, res.Status, res.Body)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Fatalf("%s replica: a read took %v", fault.name, took)
			}
		}
		if p := s.priceOf(lamp); p != 1700 {
			t.Fatalf("%s replica: price %v, want the primary's 1700", fault.name, p)
		}
		proxy.Resume()
	}
	// Back: once the replica answers again, reads return to it (it still lags: 1500).
	eventually(t, "reads go back to the replica", func() bool { return s.priceOf(lamp) == 1500 })
	replica.ResumeReplay(t)
}

func TestFailoverToTheStandby(t *testing.T) {
	t.Parallel()
	primary := pgtest.StartPrimary(t)
	primary.CreateDatabase(t, "shop")
	standby := primary.StartStandby(t, "standby1", true)
	url := fmt.Sprintf("postgres://postgres@%s,%s/shop?sslmode=disable&target_session_attrs=read-write",
		primary.Addr(), standby.Addr())
	mail := smtptest.Start(t)
	s := startServer(t, onDatabase(url), withSMTP(mail.Addr), housekeepingEvery(200*time.Millisecond),
		withEnv("DB_CONNECT_TIMEOUT", "1s"))

	admin := s.admin()
	cat := s.category(admin, "Stock")
	const initialStock = 100000
	product := s.product(admin, "Widget", 250, initialStock, cat)

	const clients = 8
	accounts := make([]account, clients)
	for i := range accounts {
		accounts[i] = s.register(fmt.Sprint("C", i), fmt.Sprintf("c%d@example.com", i))
	}
	var (
		statuses   statusCount
		noRetry    atomic.Int32 // 503s without Retry-After
		stop       atomic.Bool
		wg         sync.WaitGroup
		mu         sync.Mutex
		seen       = map[int64]bool{} // orders answered 201
		placed     = make([]int, clients)
		unresolved atomic.Int32 // keys given up on (none should be)
	)
	for c := range clients {
		wg.Go(func() {
			tok := accounts[c].Token
			call := func(method, path string, body any, headers ...string) (int, []byte) {
				st, h, b := s.do(tok, method, path, body, headers...)
				statuses.add(st)
				if st == http.StatusServiceUnavailable && h.Get("Retry-After") == "" {
					noRetry.Add(1)
				}
				return st, b
			}
			for n := 0; !stop.Load(); n++ {
				for st := 0; st != http.StatusCreated && !stop.Load(); {
					st, _ = call(http.MethodPost, "/cart/items", map[string]any{"product_id": product, "quantity": 1})
					if st != http.StatusCreated {
						time.Sleep(100 * time.Millisecond)
					}
				}
				// One key per order, retried on 503 until it is answered: an ambiguous
				// commit is replayed, never placed twice.
				key := fmt.Sprintf("Idempotency-Key: c%d-order-%d", c, n)
				for attempt := 0; ; attempt++ {
					st, body := call(http.MethodPost, "/orders", map[string]any{}, key)
					if st == http.StatusCreated {
						var o struct{ ID int64 }
						_ = json.Unmarshal(body, &o)
						mu.Lock()
						seen[o.ID] = true
						placed[c]++
						mu.Unlock()
						time.Sleep(50 * time.Millisecond) // a customer's pace, not a flood
						break
					}
					if attempt > 600 {
						unresolved.Add(1)
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
	time.Sleep(2 * time.Second) // orders flow
	primary.Kill(t)
	time.Sleep(2500 * time.Millisecond)
	standby.Promote(t)
	promoted := time.Now()
	var readyAfter time.Duration
	for readyAfter == 0 {
		st, _, _ := s.do("", http.MethodGet, "/readyz", nil)
		switch {
		case st == http.StatusOK:
			readyAfter = time.Since(promoted)
		case time.Since(promoted) > 15*time.Second:
			stop.Store(true)
			wg.Wait()
			t.Fatalf("/readyz not 200 within 15 s of the promotion (statuses %v)", statuses.String())
		default:
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(2 * time.Second) // orders flow on the new primary
	stop.Store(true)
	wg.Wait()
	t.Logf("failover: /readyz 200 %.1f s after the promotion; answers %v", readyAfter.Seconds(), statuses.String())

	if n := statuses.get(http.StatusInternalServerError); n > 0 {
		t.Errorf("%d answers were 500 (statuses %v)", n, statuses.String())
	}
	if statuses.get(http.StatusServiceUnavailable) == 0 {
		t.Error("no 503 during the gap: did the failover happen under load?")
	}
	if n := noRetry.Load(); n > 0 {
		t.Errorf("%d 503 answers without Retry-After", n)
	}
	if n := unresolved.Load(); n > 0 {
		t.Errorf("%d checkouts never answered", n)
	}
	newPrimary := standby.URL("shop")
	// Every order a client saw exists; exactly one order per key (per client: as many
	// orders as keys it resolved).
	for id := range seen {
		if pgtest.QueryInt(t, newPrimary, `SELECT count(*) FROM orders WHERE id = $1`, id) != 1 {
			t.Errorf("order %d was answered 201 but is not on the new primary", id)
		}
	}
	for c, a := range accounts {
		if got := pgtest.QueryInt(t, newPrimary, `SELECT count(*) FROM orders WHERE user_id = $1`, a.ID); got != int64(placed[c]) {
			t.Errorf("client %d resolved %d keys but has %d orders", c, placed[c], got)
		}
	}
	orders := pgtest.QueryInt(t, newPrimary, `SELECT count(*) FROM orders`)
	sold := pgtest.QueryInt(t, newPrimary, `SELECT coalesce(sum(quantity), 0) FROM order_items`)
	stock := pgtest.QueryInt(t, newPrimary, `SELECT stock FROM products WHERE id = $1`, product)
	outbox := pgtest.QueryInt(t, newPrimary, `SELECT count(*) FROM outbox WHERE subject LIKE '%order #%'`)
	if initialStock-stock != sold || outbox != orders || orders == 0 {
		t.Fatalf("orders %d, units sold %d, stock drop %d, order mails %d: want stock drop = units sold, mails = orders",
			orders, sold, initialStock-stock, outbox)
	}
	// The dispatcher carries on by itself: every order's mail goes out.
	eventually(t, "every order mail is delivered", func() bool {
		return pgtest.QueryInt(t, newPrimary, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`) == 0
	})
	// So does housekeeping: an expired record left on the new primary is swept.
	if n := pgtest.QueryInt(t, newPrimary, `WITH i AS (INSERT INTO attempts (key, count, last_at, expires_at)
		VALUES ('failover-test', 1, now() - interval '2 hours', now() - interval '1 hour') RETURNING 1) SELECT count(*) FROM i`); n != 1 {
		t.Fatal("could not plant an expired record")
	}
	eventually(t, "housekeeping sweeps on the new primary", func() bool {
		return pgtest.QueryInt(t, newPrimary, `SELECT count(*) FROM attempts WHERE key = 'failover-test'`) == 0
	})
}
