package usecase_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

func ptr[T any](v T) *T { return &v }

// shop is a fixture with the shop's use cases, an admin, a customer pair and two
// products. Its accounts delete their carts with them, as wiring makes them.
type shop struct {
	fixture
	catalog         *usecase.Catalog
	carts           *usecase.Carts
	orders          *usecase.Orders
	admin, ann, bob domain.User
	pen, ink        domain.Product
}

func newShop(t *testing.T) shop {
	t.Helper()
	s := shop{fixture: newFixture(t)}
	st := s.store
	products, carts := memory.NewProductRepository(st), memory.NewCartRepository(st)
	s.users = usecase.NewUsers(s.userDB, memory.NewSessionRepository(st), ports.AccountCleanups{carts.Clear}, s.hasher,
		lookAlikes{}, usecase.NewThrottle(memory.NewAttemptCounter(st), s.clock, usecase.DefaultThrottleConfig), s.clock, st, s.recovery)
	s.catalog = usecase.NewCatalog(memory.NewCatalogReader(st), memory.NewCategoryRepository(st), products, s.clock, st)
	s.carts = usecase.NewCarts(carts, products, st)
	s.orders = usecase.NewOrders(memory.NewOrderRepository(st), carts, products, memory.NewIdempotencyRepository(st),
		s.outbox, usecase.MailText{Currency: "EUR"}, s.clock, st, usecase.OrderPolicy{})
	var err error
	if s.admin, _, err = s.users.EnsureAdmin(ctx, "Root", "root@x.org", "rootpassword"); err != nil {
		t.Fatal(err)
	}
	s.ann, _ = s.users.Register(ctx, ports.RegisterInput{Name: "Ann", Email: "ann@x.org", Password: "12345678"})
	s.bob, _ = s.users.Register(ctx, ports.RegisterInput{Name: "Bob", Email: "bob@x.org", Password: "12345678"})
	s.mail(t) // the verification mails of the registrations: the tests count order mail
	cat, err := s.catalog.CreateCategory(ctx, s.admin, "Office")
	if err != nil {
		t.Fatal(err)
	}
	s.pen = s.product(t, "Pen", 199, 5, cat.ID)
	s.ink = s.product(t, "Ink", 1250, 2, cat.ID)
	return s
}

func (s shop) product(t *testing.T, name string, price, stock, cat int64) domain.Product {
	t.Helper()
	p, err := s.catalog.CreateProduct(ctx, s.admin, ports.NewProductInput{Name: name, PriceCents: &price, Stock: &stock, CategoryID: &cat})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantKind(t *testing.T, err error, kind domain.Kind, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != kind || (code != "" && de.Code != code) {
		t.Fatalf("err = %v, want kind %d code %q", err, kind, code)
	}
}

func TestCatalogWritesAreAdminOnly(t *testing.T) {
	s := newShop(t)
	_, err := s.catalog.CreateCategory(ctx, s.ann, "Mine")
	wantKind(t, err, domain.KindForbidden, "forbidden")
	_, err = s.catalog.CreateProduct(ctx, s.ann, ports.NewProductInput{Name: "x"})
	wantKind(t, err, domain.KindForbidden, "forbidden")
	_, err = s.catalog.UpdateProduct(ctx, s.ann, s.pen.ID, domain.ProductPatch{Stock: ptr(int64(999))}, nil)
	wantKind(t, err, domain.KindForbidden, "forbidden")
	wantKind(t, s.catalog.DeleteProduct(ctx, s.ann, s.pen.ID, nil), domain.KindForbidden, "forbidden")
	wantKind(t, s.catalog.DeleteCategory(ctx, s.ann, s.pen.Category.ID, nil), domain.KindForbidden, "forbidden")
	if p, _ := s.catalog.GetProduct(ctx, s.pen.ID); p.Stock != 5 {
		t.Fatal("a customer changed the catalog")
	}
}

func TestProductValidation(t *testing.T) {
	s := newShop(t)
	cat := s.pen.Category.ID
	_, err := s.catalog.CreateProduct(ctx, s.admin, ports.NewProductInput{Name: " "})
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) != 3 {
		t.Fatalf("missing numbers: %v, want price_cents, stock and category_id required", err)
	}
	for _, in := range []ports.NewProductInput{
		{Name: "", PriceCents: ptr(int64(1)), Stock: ptr(int64(0)), CategoryID: &cat},
		{Name: strings.Repeat("n", 201), PriceCents: ptr(int64(1)), Stock: ptr(int64(0)), CategoryID: &cat},
		{Name: "x", PriceCents: ptr(int64(0)), Stock: ptr(int64(0)), CategoryID: &cat},
		{Name: "x", PriceCents: ptr(int64(1_000_000_001)), Stock: ptr(int64(0)), CategoryID: &cat},
		{Name: "x", PriceCents: ptr(int64(1)), Stock: ptr(int64(-1)), CategoryID: &cat},
		{Name: "x", PriceCents: ptr(int64(1)), Stock: ptr(int64(1_000_001)), CategoryID: &cat},
		{Name: "x", PriceCents: ptr(int64(1)), Stock: ptr(int64(0)), CategoryID: ptr(int64(999))},
	} {
		_, err := s.catalog.CreateProduct(ctx, s.admin, in)
		wantKind(t, err, domain.KindInvalid, "validation_failed")
	}
	p, err := s.catalog.CreateProduct(ctx, s.admin, ports.NewProductInput{Name: "Edge", PriceCents: ptr(int64(1_000_000_000)), Stock: ptr(int64(1_000_000)), CategoryID: &cat})
	if err != nil || p.Price != 1_000_000_000 || p.Stock != 1_000_000 {
		t.Fatalf("limits themselves: %+v %v", p, err)
	}
	up, err := s.catalog.UpdateProduct(ctx, s.admin, s.pen.ID, domain.ProductPatch{Price: ptr(domain.Cents(249))}, nil)
	if err != nil || up.Price != 249 || up.Name != "Pen" || up.Stock != 5 {
		t.Fatalf("partial update: %+v %v", up, err)
	}
	_, err = s.catalog.UpdateProduct(ctx, s.admin, s.pen.ID, domain.ProductPatch{Stock: ptr(int64(-5))}, nil)
	wantKind(t, err, domain.KindInvalid, "validation_failed")
}

func TestCartRules(t *testing.T) {
	s := newShop(t)
	l, err := s.carts.Add(ctx, s.ann, s.pen.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if l2, err := s.carts.Add(ctx, s.ann, s.pen.ID, 3); err != nil || l2.ID != l.ID || l2.Quantity != 5 {
		t.Fatalf("adding again = %+v %v, want the same line at 5", l2, err)
	}
	_, err = s.carts.Add(ctx, s.ann, s.pen.ID, 1) // 6 > stock 5
	wantKind(t, err, domain.KindConflict, "insufficient_stock")
	if c, _ := s.carts.Get(ctx, s.ann); c.Lines[0].Quantity != 5 {
		t.Fatalf("refused add changed the line to %d", c.Lines[0].Quantity)
	}
	_, err = s.carts.SetQuantity(ctx, s.ann, l.ID, 6)
	wantKind(t, err, domain.KindConflict, "insufficient_stock")
	for _, q := range []int64{0, -1, 1001} {
		_, err = s.carts.Add(ctx, s.ann, s.pen.ID, q)
		wantKind(t, err, domain.KindInvalid, "validation_failed")
	}
	_, err = s.carts.Add(ctx, s.ann, 999, 1)
	wantKind(t, err, domain.KindNotFound, "not_found")

	// Bob cannot touch Ann's line.
	_, err = s.carts.SetQuantity(ctx, s.bob, l.ID, 1)
	wantKind(t, err, domain.KindNotFound, "not_found")
	wantKind(t, s.carts.Remove(ctx, s.bob, l.ID), domain.KindNotFound, "not_found")
	if c, _ := s.carts.Get(ctx, s.bob); len(c.Lines) != 0 {
		t.Fatalf("Bob sees lines: %+v", c)
	}
	if c, _ := s.carts.Get(ctx, s.ann); len(c.Lines) != 1 || c.Total() != 5*199 {
		t.Fatalf("Ann's cart = %+v", c)
	}
}

func TestPlaceOrder(t *testing.T) {
	s := newShop(t)
	if _, err := s.carts.Add(ctx, s.ann, s.pen.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.carts.Add(ctx, s.ann, s.ink.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.carts.Add(ctx, s.bob, s.pen.ID, 1); err != nil {
		t.Fatal(err)
	}
	o, replayed, err := s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{ShippingAddress: "  1 Main St\n12345 Town "})
	if err != nil || replayed {
		t.Fatalf("Place = %v replayed=%v", err, replayed)
	}
	if o.UserID != s.ann.ID || o.Status != domain.OrderPlaced || o.ShippingAddress != "1 Main St\n12345 Town" ||
		len(o.Items) != 2 || o.Total() != 2*199+1250 {
		t.Fatalf("order = %+v", o)
	}
	if pen, _ := s.catalog.GetProduct(ctx, s.pen.ID); pen.Stock != 3 {
		t.Errorf("pen stock = %d, want 3", pen.Stock)
	}
	if c, _ := s.carts.Get(ctx, s.ann); len(c.Lines) != 0 {
		t.Errorf("Ann's cart not emptied: %+v", c)
	}
	if c, _ := s.carts.Get(ctx, s.bob); len(c.Lines) != 1 {
		t.Errorf("Bob's cart changed by Ann's checkout: %+v", c)
	}
	msgs, _ := s.outbox.Claim(ctx, fixedNow, 0, 10)
	if len(msgs) != 1 || msgs[0].Mail.To != "ann@x.org" {
		t.Fatalf("outbox = %+v", msgs)
	}
	body := msgs[0].Mail.Body
	for _, want := range []string{"#" + itoa(o.ID), "2 x Pen", "1.99 EUR", "1 x Ink", "12.50 EUR", "Total: 16.48 EUR"} {
		if !strings.Contains(body+msgs[0].Mail.Subject, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, body)
		}
	}
	// A later price change does not rewrite the order.
	if _, err := s.catalog.UpdateProduct(ctx, s.admin, s.pen.ID, domain.ProductPatch{Price: ptr(domain.Cents(999))}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.orders.Get(ctx, s.ann, o.ID); got.Items[0].Name != "Pen" || got.Items[0].UnitPrice != 199 {
		t.Errorf("order repriced: %+v", got.Items)
	}
}

func TestPlaceOrderFailuresChangeNothing(t *testing.T) {
	s := newShop(t)
	_, _, err := s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{})
	wantKind(t, err, domain.KindConflict, "cart_empty")

	for _, add := range []struct {
		user domain.User
		id   int64
		q    int64
	}{{s.ann, s.pen.ID, 2}, {s.ann, s.ink.ID, 2}, {s.bob, s.ink.ID, 1}} {
		if _, err := s.carts.Add(ctx, add.user, add.id, add.q); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.orders.Place(ctx, s.bob, ports.PlaceOrderInput{}); err != nil { // ink 2 -> 1
		t.Fatal(err)
	}
	_, _, err = s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{})
	wantKind(t, err, domain.KindConflict, "insufficient_stock")
	if !strings.Contains(err.Error(), `"Ink"`) {
		t.Errorf("the error does not name the product: %v", err)
	}
	if pen, _ := s.catalog.GetProduct(ctx, s.pen.ID); pen.Stock != 5 {
		t.Errorf("pen stock = %d after a failed checkout, want 5 (rolled back)", pen.Stock)
	}
	if c, _ := s.carts.Get(ctx, s.ann); len(c.Lines) != 2 {
		t.Errorf("cart after failed checkout = %+v", c)
	}
	if p, _ := s.orders.List(ctx, s.ann, domain.PageRequest{Limit: 10}); len(p.Items) != 0 {
		t.Errorf("a failed checkout left %d orders", len(p.Items))
	}
	if msgs, _ := s.outbox.Claim(ctx, fixedNow, 0, 10); len(msgs) != 1 {
		t.Errorf("outbox has %d mails, want only Bob's", len(msgs))
	}
	_, _, err = s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{ShippingAddress: strings.Repeat("a", 501)})
	wantKind(t, err, domain.KindInvalid, "validation_failed")
}

func TestIdempotencyKey(t *testing.T) {
	s := newShop(t)
	if _, err := s.carts.Add(ctx, s.ann, s.pen.ID, 1); err != nil {
		t.Fatal(err)
	}
	in := ports.PlaceOrderInput{ShippingAddress: "A", IdempotencyKey: "k-1"}
	first, replayed, err := s.orders.Place(ctx, s.ann, in)
	if err != nil || replayed {
		t.Fatal(err)
	}
	if _, err := s.carts.Add(ctx, s.ann, s.pen.ID, 1); err != nil { // the cart changed since: the replay must not care
		t.Fatal(err)
	}
	again, replayed, err := s.orders.Place(ctx, s.ann, in)
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("replay = %+v replayed=%v err=%v; want order %d", again, replayed, err, first.ID)
	}
	if pen, _ := s.catalog.GetProduct(ctx, s.pen.ID); pen.Stock != 4 {
		t.Errorf("replay took stock: %d", pen.Stock)
	}
	_, _, err = s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{ShippingAddress: "B", IdempotencyKey: "k-1"})
	wantKind(t, err, domain.KindInvalid, "idempotency_key_reused")
	// The same key from another user is another key.
	if _, err := s.carts.Add(ctx, s.bob, s.pen.ID, 1); err != nil {
		t.Fatal(err)
	}
	bobs, replayed, err := s.orders.Place(ctx, s.bob, in)
	if err != nil || replayed || bobs.ID == first.ID {
		t.Fatalf("Bob with Ann's key = %+v replayed=%v err=%v", bobs, replayed, err)
	}
	_, _, err = s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{IdempotencyKey: "bad\x01key"})
	wantKind(t, err, domain.KindInvalid, "validation_failed")
}

func TestOrderVisibility(t *testing.T) {
	s := newShop(t)
	if _, err := s.carts.Add(ctx, s.ann, s.pen.ID, 1); err != nil {
		t.Fatal(err)
	}
	o, _, _ := s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{})
	_, err := s.orders.Get(ctx, s.bob, o.ID)
	wantKind(t, err, domain.KindNotFound, "not_found")
	if got, err := s.orders.Get(ctx, s.admin, o.ID); err != nil || got.ID != o.ID {
		t.Fatalf("admin Get = %+v %v", got, err)
	}
	if p, _ := s.orders.List(ctx, s.bob, domain.PageRequest{Limit: 10}); len(p.Items) != 0 {
		t.Errorf("Bob lists %d orders", len(p.Items))
	}
	// Deleting Ann removes her cart, keeps her order.
	if _, err := s.carts.Add(ctx, s.ann, s.ink.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.users.Delete(ctx, s.ann, s.ann.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.orders.Get(ctx, s.admin, o.ID); err != nil || got.UserID != s.ann.ID {
		t.Fatalf("order after its user's deletion = %+v %v", got, err)
	}
	if c, _ := s.carts.Get(ctx, s.ann); len(c.Lines) != 0 {
		t.Errorf("deleted user's cart survives: %+v", c)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPreconditionsAreCheckedOnTheCurrentValue: a change with a false precondition
// changes nothing; a true one goes through; the condition sees the value the write
// replaces.
func TestPreconditionsAreCheckedOnTheCurrentValue(t *testing.T) {
	s := newShop(t)
	var seen domain.Product
	stale := func(p domain.Product) bool { seen = p; return p.Price == 1 }
	_, err := s.catalog.UpdateProduct(ctx, s.admin, s.pen.ID, domain.ProductPatch{Price: ptr(domain.Cents(500))}, stale)
	wantKind(t, err, domain.KindStale, "precondition_failed")
	if seen.ID != s.pen.ID || seen.Price != s.pen.Price {
		t.Fatalf("the precondition saw %+v, want the current pen", seen)
	}
	if p, _ := s.catalog.GetProduct(ctx, s.pen.ID); p.Price != s.pen.Price {
		t.Fatalf("a failed precondition changed the price to %d", p.Price)
	}
	wantKind(t, s.catalog.DeleteProduct(ctx, s.admin, s.pen.ID, stale), domain.KindStale, "precondition_failed")
	wantKind(t, s.catalog.DeleteCategory(ctx, s.admin, s.pen.Category.ID, func(domain.Category) bool { return false }),
		domain.KindStale, "precondition_failed")
	current := func(p domain.Product) bool { return p.Price == s.pen.Price }
	if p, err := s.catalog.UpdateProduct(ctx, s.admin, s.pen.ID, domain.ProductPatch{Price: ptr(domain.Cents(500))}, current); err != nil || p.Price != 500 {
		t.Fatalf("update with a true precondition = %+v, %v", p, err)
	}
	if err := s.catalog.DeleteProduct(ctx, s.admin, s.ink.ID, func(domain.Product) bool { return true }); err != nil {
		t.Fatal(err)
	}
}
