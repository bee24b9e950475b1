package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/test/smtptest"
)

func (s *server) addToCart(a account, product, quantity int64) {
	s.t.Helper()
	res := s.authed(a.Token, http.MethodPost, "/cart/items", map[string]any{"product_id": product, "quantity": quantity})
	if res.Status != http.StatusCreated {
		s.t.Fatalf("add to cart: %d %s", res.Status, res.Body)
	}
}

func (s *server) stock(product int64) float64 {
	s.t.Helper()
	return s.request(http.MethodGet, fmt.Sprintf("/products/%d", product), "").JSON(s.t)["stock"].(float64)
}

func TestCheckoutTakesOnlyTheCallersCart(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	ann, bob := s.register("Ann", "ann@example.com"), s.register("Bob", "bob@example.com")
	cat := s.category(admin, "C")
	pen, ink, pad := s.product(admin, "Pen", 199, 10, cat), s.product(admin, "Ink", 1250, 10, cat), s.product(admin, "Pad", 500, 10, cat)
	s.addToCart(ann, pen, 2)
	s.addToCart(ann, ink, 1)
	s.addToCart(bob, pad, 3)
	s.addToCart(bob, pen, 1)

	res := s.authed(ann.Token, http.MethodPost, "/orders", map[string]any{"shipping_address": "1 Main St"})
	if res.Status != http.StatusCreated {
		t.Fatalf("place: %d %s", res.Status, res.Body)
	}
	o := res.JSON(t)
	if o["status"] != "placed" || o["shipping_address"] != "1 Main St" || o["total_cents"] != float64(2*199+1250) || o["created_at"] == nil {
		t.Fatalf("order = %v", o)
	}
	items := o["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("Ann's order has %d lines, want her 2: %v", len(items), items)
	}
	for _, it := range items {
		it := it.(map[string]any)
		if it["product_id"] == float64(pad) {
			t.Fatalf("Bob's line is in Ann's order: %v", items)
		}
		if it["product_id"] == float64(pen) && (it["name"] != "Pen" || it["unit_price_cents"] != float64(199) ||
			it["quantity"] != float64(2) || it["line_total_cents"] != float64(398)) {
			t.Fatalf("pen line = %v", it)
		}
	}
	if res.Header.Get("Location") != fmt.Sprintf("/orders/%v", o["id"]) {
		t.Errorf("Location = %q", res.Header.Get("Location"))
	}
	if c := s.authed(ann.Token, http.MethodGet, "/cart", nil); string(c.Body) != `{"items":[],"total_cents":0}` {
		t.Errorf("Ann's cart after checkout = %s", c.Body)
	}
	bobCart := s.authed(bob.Token, http.MethodGet, "/cart", nil).JSON(t)
	if bobCart["total_cents"] != float64(3*500+199) || len(bobCart["items"].([]any)) != 2 {
		t.Fatalf("Bob's cart after Ann's checkout = %v", bobCart)
	}
	if s.stock(pen) != 8 || s.stock(ink) != 9 || s.stock(pad) != 10 {
		t.Fatalf("stock pen %v ink %v pad %v; want 8 9 10", s.stock(pen), s.stock(ink), s.stock(pad))
	}

	// Orders: own list newest first, own get; someone else's is 404; an admin sees any.
	second := s.authed(bob.Token, http.MethodPost, "/orders", nil) // no body at all
	if second.Status != http.StatusCreated || second.JSON(t)["shipping_address"] != "" {
		t.Fatalf("place without body: %d %s", second.Status, second.Body)
	}
	s.addToCart(ann, pen, 1)
	newest := id(t, s.authed(ann.Token, http.MethodPost, "/orders", map[string]any{}))
	list := s.authed(ann.Token, http.MethodGet, "/orders", nil).JSON(t)
	listed := list["items"].([]any)
	if list["next_cursor"] != nil || len(listed) != 2 || listed[0].(map[string]any)["id"] != float64(newest) ||
		listed[1].(map[string]any)["id"] != o["id"] {
		t.Fatalf("Ann's orders = %v", list)
	}
	annOrder := fmt.Sprintf("/orders/%v", o["id"])
	if got := s.authed(ann.Token, http.MethodGet, annOrder, nil); got.Status != http.StatusOK || got.JSON(t)["total_cents"] != o["total_cents"] {
		t.Fatalf("get own order: %d %s", got.Status, got.Body)
	}
	wantProblem(t, s.authed(bob.Token, http.MethodGet, annOrder, nil), http.StatusNotFound, "not_found")
	wantProblem(t, s.authed(ann.Token, http.MethodGet, "/orders/999999", nil), http.StatusNotFound, "not_found")
	if got := s.authed(admin.Token, http.MethodGet, annOrder, nil); got.Status != http.StatusOK {
		t.Fatalf("admin get: %d", got.Status)
	}
	wantProblem(t, s.request(http.MethodGet, "/orders", ""), http.StatusUnauthorized, "unauthorized")
	wantProblem(t, s.authed(ann.Token, http.MethodGet, "/orders?limit=101", nil), http.StatusBadRequest, "invalid_query")

	// History survives the product's price change and deletion, and the user's deletion.
	s.authed(admin.Token, http.MethodPatch, fmt.Sprintf("/products/%d", pen), map[string]any{"price_cents": 9999})
	s.authed(admin.Token, http.MethodDelete, fmt.Sprintf("/products/%d", pen), nil)
	s.authed(ann.Token, http.MethodDelete, fmt.Sprintf("/user/%d", ann.ID), nil)
	after := s.authed(admin.Token, http.MethodGet, annOrder, nil)
	if after.Status != http.StatusOK || !strings.Contains(string(after.Body), `"name":"Pen","unit_price_cents":199`) {
		t.Fatalf("order after product and user deletion: %d %s", after.Status, after.Body)
	}
}

func TestCheckoutErrorsChangeNothing(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	ann, bob := s.register("Ann", "ann@example.com"), s.register("Bob", "bob@example.com")
	cat := s.category(admin, "C")
	pen, ink := s.product(admin, "Pen", 199, 5, cat), s.product(admin, "Fountain Ink", 1250, 2, cat)

	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/orders", nil), http.StatusConflict, "cart_empty")
	s.addToCart(ann, pen, 2)
	s.addToCart(ann, ink, 2)
	s.addToCart(bob, ink, 1)
	if res := s.authed(bob.Token, http.MethodPost, "/orders", nil); res.Status != http.StatusCreated {
		t.Fatalf("Bob's order: %d %s", res.Status, res.Body)
	}
	p := wantProblem(t, s.authed(ann.Token, http.MethodPost, "/orders", nil), http.StatusConflict, "insufficient_stock")
	if !strings.Contains(p["detail"].(string), "Fountain Ink") {
		t.Errorf("detail does not name the product: %v", p["detail"])
	}
	if s.stock(pen) != 5 || s.stock(ink) != 1 {
		t.Fatalf("stock after a refused checkout: pen %v ink %v; want 5 1", s.stock(pen), s.stock(ink))
	}
	if c := s.authed(ann.Token, http.MethodGet, "/cart", nil).JSON(t); len(c["items"].([]any)) != 2 {
		t.Fatalf("cart after refused checkout = %v", c)
	}
	if l := s.authed(ann.Token, http.MethodGet, "/orders", nil).JSON(t); len(l["items"].([]any)) != 0 {
		t.Fatalf("refused checkout left an order: %v", l)
	}
	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/orders", map[string]any{"shipping_address": strings.Repeat("x", 501)}), http.StatusUnprocessableEntity, "validation_failed")
	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/orders", map[string]any{"address": "typo"}), http.StatusUnprocessableEntity, "validation_failed")
	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/orders", `{"shipping_address": 5}`), http.StatusUnprocessableEntity, "validation_failed")
	wantProblem(t, s.request(http.MethodPost, "/orders", "x", "Authorization: Bearer "+ann.Token, "Content-Type: text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type")
}

// TestConcurrentCheckoutNeverOversells: stock 5, 20 users each ordering 1 at once.
func TestConcurrentCheckoutNeverOversells(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	lamp := s.product(admin, "Lamp", 4999, 5, s.category(admin, "C"))
	users := make([]account, 20)
	for i := range users {
		users[i] = s.register(fmt.Sprintf("U%d", i), fmt.Sprintf("u%d@example.com", i))
		s.addToCart(users[i], lamp, 1)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		status = map[int]int{}
		codes  = map[string]int{}
	)
	start := make(chan struct{})
	for _, u := range users {
		wg.Go(func() {
			<-start
			res := s.authed(u.Token, http.MethodPost, "/orders", nil)
			mu.Lock()
			defer mu.Unlock()
			status[res.Status]++
			if res.Status == http.StatusConflict {
				codes[res.JSON(t)["code"].(string)]++
			}
		})
	}
	close(start)
	wg.Wait()
	if status[http.StatusCreated] != 5 || status[http.StatusConflict] != 15 || codes["insufficient_stock"] != 15 {
		t.Fatalf("statuses %v codes %v; want 5 × 201 and 15 × 409 insufficient_stock", status, codes)
	}
	if got := s.stock(lamp); got != 0 {
		t.Fatalf("stock = %v, want 0", got)
	}
}

func TestIdempotencyKeyDoubleSubmit(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	ann := s.register("Ann", "ann@example.com")
	pen := s.product(admin, "Pen", 199, 50, s.category(admin, "C"))
	s.addToCart(ann, pen, 2)

	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids = map[float64]int{}
	)
	body := map[string]any{"shipping_address": "1 Main St"}
	for range 5 { // a double (quintuple) click
		wg.Go(func() {
			res := s.json(http.MethodPost, "/orders", body, "Authorization: Bearer "+ann.Token, "Idempotency-Key: click-1")
			mu.Lock()
			defer mu.Unlock()
			if res.Status != http.StatusCreated {
				t.Errorf("status %d %s", res.Status, res.Body)
				return
			}
			ids[res.JSON(t)["id"].(float64)]++
		})
	}
	wg.Wait()
	if len(ids) != 1 {
		t.Fatalf("order ids %v; want one order for one key", ids)
	}
	if l := s.authed(ann.Token, http.MethodGet, "/orders", nil).JSON(t); len(l["items"].([]any)) != 1 {
		t.Fatalf("%v orders, want 1", len(l["items"].([]any)))
	}
	if s.stock(pen) != 48 {
		t.Fatalf("stock %v, want 48 (taken once)", s.stock(pen))
	}
	replay := s.json(http.MethodPost, "/orders", body, "Authorization: Bearer "+ann.Token, "Idempotency-Key: click-1")
	if replay.Status != http.StatusCreated || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d replayed=%q", replay.Status, replay.Header.Get("Idempotent-Replayed"))
	}
	wantProblem(t, s.json(http.MethodPost, "/orders", map[string]any{"shipping_address": "elsewhere"},
		"Authorization: Bearer "+ann.Token, "Idempotency-Key: click-1"), http.StatusUnprocessableEntity, "idempotency_key_reused")
	wantProblem(t, s.json(http.MethodPost, "/orders", body, "Authorization: Bearer "+ann.Token, "Idempotency-Key: "+strings.Repeat("k", 256)),
		http.StatusUnprocessableEntity, "validation_failed")
}

func TestOrderConfirmationMail(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	s := startServer(t, withSMTP(mailSrv.Addr))
	admin := s.admin()
	ann := s.register("Ann", "ann@example.com")
	cat := s.category(admin, "C")
	s.addToCart(ann, s.product(admin, "Pen", 199, 10, cat), 2)
	s.addToCart(ann, s.product(admin, "Ink", 1250, 10, cat), 1)
	o := s.authed(ann.Token, http.MethodPost, "/orders", nil).JSON(t)

	msgs := waitMailAbout(t, mailSrv, "order #", 1)
	m := msgs[0]
	body := m.Body()
	if m.From != "shop@hexashop.test" || len(m.To) != 1 || m.To[0] != "ann@example.com" {
		t.Fatalf("envelope from %q to %v", m.From, m.To)
	}
	for _, want := range []string{fmt.Sprintf("#%v", o["id"]), "2 x Pen", "1 x Ink", "Total: 16.48 EUR"} {
		if !strings.Contains(m.Header("Subject")+body, want) {
			t.Errorf("mail lacks %q:\n%s", want, body)
		}
	}
}

func TestMailServerDownDelaysMailButNotOrders(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	mailSrv.Refuse(true)
	s := startServer(t, withSMTP(mailSrv.Addr))
	admin := s.admin()
	ann := s.register("Ann", "ann@example.com")
	pen := s.product(admin, "Pen", 199, 10, s.category(admin, "C"))
	s.addToCart(ann, pen, 1)
	if res := s.authed(ann.Token, http.MethodPost, "/orders", nil); res.Status != http.StatusCreated {
		t.Fatalf("order while the mail server refuses: %d %s", res.Status, res.Body)
	}
	time.Sleep(200 * time.Millisecond) // several refused attempts
	if n := len(mailsAbout(mailSrv, "order #")); n != 0 {
		t.Fatalf("%d mails accepted by a refusing server", n)
	}
	mailSrv.Refuse(false)
	msgs := waitMailAbout(t, mailSrv, "order #", 1)
	time.Sleep(200 * time.Millisecond) // would a second copy follow?
	if n := len(mailsAbout(mailSrv, "order #")); n != 1 || msgs[0].To[0] != "ann@example.com" {
		t.Fatalf("%d mails after recovery, want exactly 1", n)
	}
}

func TestRestartedDispatcherLosesNoMail(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	mailSrv.Refuse(true)
	first := startServer(t, withSMTP(mailSrv.Addr))
	admin := first.admin()
	pen := first.product(admin, "Pen", 199, 10, first.category(admin, "C"))
	var ordered []string
	for i := range 3 {
		u := first.register(fmt.Sprintf("U%d", i), fmt.Sprintf("u%d@example.com", i))
		first.addToCart(u, pen, 1)
		if res := first.authed(u.Token, http.MethodPost, "/orders", nil); res.Status != http.StatusCreated {
			t.Fatal(res.Status)
		}
		ordered = append(ordered, u.Email)
	}
	first.stop() // SIGTERM with three mails undelivered

	mailSrv.Refuse(false)
	startServer(t, withSMTP(mailSrv.Addr), onDatabase(first.dbURL))
	msgs := waitMailAbout(t, mailSrv, "order #", 3)
	time.Sleep(200 * time.Millisecond)
	got := map[string]int{}
	for _, m := range mailsAbout(mailSrv, "order #") {
		got[m.To[0]]++
	}
	for _, email := range ordered {
		if got[email] != 1 {
			t.Fatalf("mails per recipient %v (%d total); want one each for %v", got, len(msgs), ordered)
		}
	}
}
