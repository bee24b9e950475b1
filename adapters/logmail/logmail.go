// Package logmail is the zero-setup ports.Mailer: it writes each mail to the log instead
// of sending it, so demo mode shows the order confirmation without a mail server.
package logmail

import (
	"context"
	"log/slog"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Mailer logs mails.
type Mailer struct {
	from string
	log  *slog.Logger
}

var _ ports.Mailer = (*Mailer)(nil)

// New returns a Mailer that logs to log.
func New(from string, log *slog.Logger) *Mailer { return &Mailer{from: from, log: log} }

// Send implements ports.Mailer; it always succeeds.
func (m *Mailer) Send(ctx context.Context, mail domain.Mail) error {
	m.log.InfoContext(ctx, "mail (SMTP_URL unset: logged, not sent)", slog.String("from", m.from),
		slog.String("to", string(mail.To)), slog.String("subject", mail.Subject), slog.String("body", mail.Body))
	return nil
}
