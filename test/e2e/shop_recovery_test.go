package e2e_test

import (
	"net/http"
	"testing"

	"github.com/hexashop/hexashop/test/smtptest"
)

// TestCheckoutWaitsForAVerifiedEmail: with CHECKOUT_REQUIRES_VERIFIED_EMAIL, checkout is
// 403 email_unverified until the buyer confirms the mailed link, and works after; the
// cart is kept meanwhile.
func TestCheckoutWaitsForAVerifiedEmail(t *testing.T) {
	t.Parallel()
	mailSrv := smtptest.Start(t)
	s := startServer(t, withSMTP(mailSrv.Addr), withEnv("CHECKOUT_REQUIRES_VERIFIED_EMAIL", "true"))
	admin := s.admin()
	ann := s.register("Ann", "ann@example.com")
	pen := s.product(admin, "Pen", 199, 10, s.category(admin, "C"))
	s.addToCart(ann, pen, 1)
	wantProblem(t, s.authed(ann.Token, http.MethodPost, "/orders", nil), http.StatusForbidden, "email_unverified")
	if items := s.authed(ann.Token, http.MethodGet, "/cart", nil).JSON(t)["items"].([]any); len(items) != 1 {
		t.Fatalf("the refused checkout touched the cart: %v", items)
	}
	token := tokenOf(t, waitMailAbout(t, mailSrv, "Verify your email", 1)[0])
	if res := s.json(http.MethodPost, "/email-verification/confirm", map[string]string{"token": token}); res.Status != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	if res := s.authed(ann.Token, http.MethodPost, "/orders", nil); res.Status != http.StatusCreated {
		t.Fatalf("checkout once verified: %d %s", res.Status, res.Body)
	}
	// Admins made by an operator count as verified.
	s.addToCart(admin, pen, 1)
	if res := s.authed(admin.Token, http.MethodPost, "/orders", nil); res.Status != http.StatusCreated {
		t.Fatalf("an operator's admin checking out: %d %s", res.Status, res.Body)
	}
}
