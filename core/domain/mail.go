package domain

import "time"

// Mail is an email to send.
type Mail struct {
	To      Email
	Subject string
	Body    string
}

// OutboxMessage is a mail waiting in the outbox, recorded in the same transaction as the
// change it reports, and delivered later by the dispatcher.
type OutboxMessage struct {
	ID       int64
	Mail     Mail
	Attempts int // delivery attempts so far, including the one this claim starts
	Created  time.Time
}
