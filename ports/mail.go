package ports

// Mail: the outbox that business transactions write and the mailer that delivers it.

import (
	"context"
	"errors"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// Outbox holds mails recorded in business transactions until the dispatcher delivers
// them. Several dispatchers may share one outbox.
type Outbox interface {
	// Add records m; call it inside the transaction whose change m reports.
	Add(ctx context.Context, m domain.Mail, now time.Time) error
	// Claim leases up to limit due messages to the caller until now+lease: no other
	// Claim returns them meanwhile. A message whose lease runs out unmarked (its
	// dispatcher died) is due again.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]domain.OutboxMessage, error)
	// Renew extends to until the leases of those of ids whose lease has not run out at
	// now and that are not finished: a dispatcher still working on them keeps them, one
	// that died lets them come due again when the lease ends.
	Renew(ctx context.Context, ids []int64, now, until time.Time) error
	// MarkSent records delivery: the message is never claimed again.
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// Retry makes the message due again at next, recording why the attempt failed.
	Retry(ctx context.Context, id int64, next time.Time, reason string) error
	// GiveUp stops delivering the message.
	GiveUp(ctx context.Context, id int64, at time.Time, reason string) error
	// Sweep deletes messages sent or given up before before; returns how many.
	Sweep(ctx context.Context, before time.Time) (int, error)
	// Backlog counts the messages not yet sent nor given up, and when the oldest of them
	// was recorded (zero when there is none).
	Backlog(ctx context.Context) (n int, oldest time.Time, err error)
}

// Mailer delivers a mail. A nil error means the mail server accepted it. An error that
// wraps ErrMailRejected means the server refused this message for good (say, no such
// recipient): retrying it cannot help. Any other error is worth retrying.
type Mailer interface {
	Send(ctx context.Context, m domain.Mail) error
}

// ErrMailRejected marks a permanent refusal of one message by the mail server.
var ErrMailRejected = errors.New("mail rejected permanently")
