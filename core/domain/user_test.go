package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/core/domain"
)

func TestParseEmail(t *testing.T) {
	for in, want := range map[string]domain.Email{
		"ann@example.org":        "ann@example.org",
		"  Ann@Example.ORG \t":   "ann@example.org",
		"first.last+tag@sub.x.y": "first.last+tag@sub.x.y",
	} {
		got, err := domain.ParseEmail(in)
		if err != nil || got != want {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "   ", "ann", "ann@", "@example.org", "Ann <ann@example.org>", "a b@example.org",
		strings.Repeat("a", 250) + "@x.org", "ann@example.org,bob@example.org",
		"a\xffb@example.org", "ann@ex\u00adample.org", "ann\u200d@example.org", "a\x00@example.org", "a\ufffd@example.org"} {
		_, err := domain.ParseEmail(in)
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields[0].Field != "email" {
			t.Errorf("ParseEmail(%q) err = %v, want an invalid email field error", in, err)
		}
	}
}

func TestParsePassword(t *testing.T) {
	for _, ok := range []string{"12345678", strings.Repeat("x", 72), strings.Repeat("é", 36), "pässwörd"} {
		if _, err := domain.ParsePassword(ok); err != nil {
			t.Errorf("ParsePassword(%d bytes) = %v, want ok", len(ok), err)
		}
	}
	for _, bad := range []string{"", "1234567", strings.Repeat("x", 73), strings.Repeat("é", 37), "12345678\xff"} {
		if _, err := domain.ParsePassword(bad); err == nil {
			t.Errorf("ParsePassword(%q) accepted", bad)
		}
	}
	if p, _ := domain.ParsePassword("12345678"); strings.Contains(p.String(), "1234") {
		t.Error("Password.String reveals the password")
	}
}

func TestNewCustomer(t *testing.T) {
	nu, err := domain.NewCustomer("  Ann ", " ANN@x.org", "12345678")
	if err != nil {
		t.Fatal(err)
	}
	if nu.Name != "Ann" || nu.Email != "ann@x.org" || nu.Role != domain.RoleCustomer {
		t.Fatalf("NewCustomer = %+v", nu)
	}
	_, err = domain.NewCustomer("bad\x00name", "nope", "short")
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) != 3 {
		t.Fatalf("err = %v, want three field errors", err)
	}
	if _, err := domain.NewCustomer(strings.Repeat("ü", 100), "a@b.c", "12345678"); err != nil {
		t.Errorf("100-character name rejected: %v", err)
	}
	if _, err := domain.NewCustomer(strings.Repeat("ü", 101), "a@b.c", "12345678"); err == nil {
		t.Error("101-character name accepted")
	}
}

func TestUserAccess(t *testing.T) {
	customer := domain.User{ID: 1, Role: domain.RoleCustomer}
	admin := domain.User{ID: 2, Role: domain.RoleAdmin}
	if !customer.CanAccessUser(1) || customer.CanAccessUser(2) {
		t.Error("a customer must access exactly their own account")
	}
	if !admin.CanAccessUser(1) || !admin.CanAccessUser(2) {
		t.Error("an admin must access every account")
	}
}

func TestErrorsMatchByCode(t *testing.T) {
	wrapped := errors.Join(errors.New("context"), &domain.Error{Code: "email_taken"})
	if !errors.Is(wrapped, domain.ErrEmailTaken) || errors.Is(wrapped, domain.ErrNotFound) {
		t.Error("errors.Is must match domain errors by code")
	}
}

func TestNewPageRequest(t *testing.T) {
	if p, err := domain.NewPageRequest(100, domain.Cursor{}); err != nil || p.Limit != 100 {
		t.Errorf("limit 100: %v %v", p, err)
	}
	for _, l := range []int{0, 101, -1} {
		if _, err := domain.NewPageRequest(l, domain.Cursor{}); err == nil {
			t.Errorf("NewPageRequest(%d) accepted", l)
		}
	}
}
