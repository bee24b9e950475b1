package usecase

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/hexashop/hexashop/ports"
)

// DispatcherConfig tunes outbox delivery.
type DispatcherConfig struct {
	Poll        time.Duration // pause between looks at an empty outbox
	Batch       int           // messages claimed at once
	Lease       time.Duration // how long a claimed message is ours unless renewed; a dead dispatcher's come back after it
	BaseBackoff time.Duration // wait after the first failure; doubles each time
	MaxBackoff  time.Duration // longest wait between attempts
	MaxAttempts int           // attempts before the message is given up
}

// DefaultDispatcherConfig is what `hexashop serve` and `hexashop dispatch` use.
var DefaultDispatcherConfig = DispatcherConfig{
	Poll: time.Second, Batch: 10, Lease: 30 * time.Second,
	BaseBackoff: 5 * time.Second, MaxBackoff: time.Hour, MaxAttempts: 20,
}

// Dispatcher delivers outbox mails through the Mailer. Several may run at once, in one
// process or many: Claim leases each message to one of them. A message is marked sent
// only after the mail server accepted it, so a crash between the two sends it again
// (at-least-once); normal operation sends each mail once.
type Dispatcher struct {
	outbox  ports.Outbox
	mailer  ports.Mailer
	clock   ports.Clock
	cfg     DispatcherConfig
	metrics ports.Telemetry
	log     *slog.Logger
}

// NewDispatcher builds a dispatcher.
func NewDispatcher(outbox ports.Outbox, mailer ports.Mailer, clock ports.Clock, cfg DispatcherConfig,
	metrics ports.Telemetry, log *slog.Logger) *Dispatcher {
	return &Dispatcher{outbox: outbox, mailer: mailer, clock: clock, cfg: cfg, metrics: metrics, log: log}
}

// Run delivers until ctx is cancelled. It finishes the mail in hand before it returns;
// messages it claimed but did not reach become due again when their lease runs out.
func (d *Dispatcher) Run(ctx context.Context) {
	d.log.Info("outbox dispatcher started")
	defer d.log.Info("outbox dispatcher stopped")
	for {
		n, err := d.DispatchOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Error("outbox dispatch failed", slog.Any("error", err))
		}
		if n > 0 && err == nil {
			continue // there may be more due right now
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(d.cfg.Poll):
		}
	}
}

// DispatchOnce claims one batch of due messages and tries each once. It returns how many
// it claimed.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	// Nothing waits on the store forever (a hung database must not wedge the loop).
	cctx, cancel := context.WithTimeout(ctx, storeTimeout)
	msgs, err := d.outbox.Claim(cctx, d.clock.Now(), d.cfg.Lease, d.cfg.Batch)
	cancel()
	if err != nil {
		return 0, err
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	// While the batch is worked on, a heartbeat renews its leases every third of a lease:
	// no other dispatcher takes a message this one is still sending, however slow the
	// mail server, and if this process dies the messages are due again within a lease.
	var (
		mu      sync.Mutex
		pending = make(map[int64]bool, len(msgs))
	)
	for _, m := range msgs {
		pending[m.ID] = true
	}
	beat := make(chan struct{})
	var beating sync.WaitGroup
	beating.Go(func() { d.heartbeat(ctx, beat, &mu, pending) })
	defer func() { close(beat); beating.Wait() }()
	done := func(id int64) { mu.Lock(); delete(pending, id); mu.Unlock() }

	for _, m := range msgs {
		if ctx.Err() != nil {
			return len(msgs), nil // the lease brings the rest back
		}
		// The send and its bookkeeping finish even if shutdown starts meanwhile: an
		// accepted mail must be marked sent, or it would go out twice. They get the
		// lease's time: past it another dispatcher may send the message anyway.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
		sendErr := d.mailer.Send(sctx, m.Mail)
		now := d.clock.Now()
		switch {
		case sendErr == nil:
			d.metrics.MailOutcome("sent")
			err = d.outbox.MarkSent(sctx, m.ID, now)
		case errors.Is(sendErr, ports.ErrMailRejected), m.Attempts >= d.cfg.MaxAttempts:
			d.metrics.MailOutcome("given_up")
			d.log.Error("outbox: giving up on mail", slog.Int64("id", m.ID), slog.Int("attempts", m.Attempts), slog.Any("error", sendErr))
			err = d.outbox.GiveUp(sctx, m.ID, now, sendErr.Error())
		default:
			d.metrics.MailOutcome("failed")
			next := now.Add(d.backoff(m.Attempts))
			d.log.Warn("outbox: mail not accepted, will retry", slog.Int64("id", m.ID),
				slog.Int("attempt", m.Attempts), slog.Time("next", next), slog.Any("error", sendErr))
			err = d.outbox.Retry(sctx, m.ID, next, sendErr.Error())
		}
		cancel()
		done(m.ID)
		if err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

// heartbeat renews the leases of the messages still pending until stop is closed.
func (d *Dispatcher) heartbeat(ctx context.Context, stop <-chan struct{}, mu *sync.Mutex, pending map[int64]bool) {
	t := time.NewTicker(d.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		mu.Lock()
		ids := make([]int64, 0, len(pending))
		for id := range pending {
			ids = append(ids, id)
		}
		mu.Unlock()
		now := d.clock.Now()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Lease/3)
		if err := d.outbox.Renew(rctx, ids, now, now.Add(d.cfg.Lease)); err != nil {
			d.log.Warn("outbox: lease renewal failed", slog.Any("error", err))
		}
		cancel()
	}
}

// sendTimeout bounds one delivery with its bookkeeping.
const sendTimeout = 2 * time.Minute

// storeTimeout bounds one store operation of the background loops.
const storeTimeout = 30 * time.Second

// backoff is the wait after the given number of failed attempts: base, 2×base, 4×base, …
// up to MaxBackoff.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	b := d.cfg.BaseBackoff
	for i := 1; i < attempts && b < d.cfg.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.cfg.MaxBackoff)
}
