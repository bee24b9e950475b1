package usecase

import (
	"fmt"
	"strings"

	"github.com/hexashop/hexashop/core/domain"
)

// MailText writes the shop's emails.
type MailText struct {
	Currency string // ISO 4217 code shown after amounts, e.g. EUR
}

// Money formats cents as "12.34 EUR" with integer arithmetic only.
func (t MailText) Money(c domain.Cents) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, c/100, c%100, t.Currency)
}

// Confirmation is the order-confirmation email: it names the order id, each line and the
// total.
func (t MailText) Confirmation(u domain.User, o domain.Order) domain.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\r\n\r\nthank you for your order #%d, placed on %s.\r\n\r\n",
		u.Name, o.ID, o.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	for _, it := range o.Items {
		fmt.Fprintf(&b, "  %d x %s (product %d) at %s = %s\r\n", it.Quantity, it.Name, it.ProductID, t.Money(it.UnitPrice), t.Money(it.Total()))
	}
	fmt.Fprintf(&b, "\r\nTotal: %s\r\n", t.Money(o.Total()))
	if o.ShippingAddress != "" {
		fmt.Fprintf(&b, "\r\nShipping to:\r\n%s\r\n", strings.ReplaceAll(strings.ReplaceAll(o.ShippingAddress, "\r\n", "\n"), "\n", "\r\n"))
	}
	b.WriteString("\r\n" + domain.DisplayName + "\r\n")
	return domain.Mail{To: u.Email, Subject: fmt.Sprintf("Your %s order #%d", domain.DisplayName, o.ID), Body: b.String()}
}
