package usecase_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/adapters/memory"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/core/usecase"
	"github.com/hexashop/hexashop/ports"
)

// movingClock is a clock the test advances by hand.
type movingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movingClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *movingClock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// flakyMailer refuses the first failures sends, then accepts and records.
type flakyMailer struct {
	mu       sync.Mutex
	failures int
	tries    int
	sent     []domain.Mail
}

func (m *flakyMailer) Send(_ context.Context, mail domain.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tries++
	if m.failures > 0 {
		m.failures--
		return errors.New("451 try again later")
	}
	m.sent = append(m.sent, mail)
	return nil
}

var testDispatch = usecase.DispatcherConfig{
	Poll: time.Millisecond, Batch: 10, Lease: time.Minute,
	BaseBackoff: 10 * time.Second, MaxBackoff: 40 * time.Second, MaxAttempts: 5,
}

func TestDispatcherRetriesWithBackoffUntilAccepted(t *testing.T) {
	store := memory.NewStore()
	outbox := memory.NewOutbox(store)
	clock := &movingClock{now: fixedNow}
	mailer := &flakyMailer{failures: 3}
	d := usecase.NewDispatcher(outbox, mailer, clock, testDispatch, ports.NoTelemetry{}, slog.New(slog.DiscardHandler))
	if err := outbox.Add(ctx, domain.Mail{To: "a@x.org", Subject: "s", Body: "b"}, fixedNow); err != nil {
		t.Fatal(err)
	}
	// Waits after failures 1, 2, 3: 10 s, 20 s, 40 s.
	for i, wait := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
		if n, err := d.DispatchOnce(ctx); n != 1 || err != nil {
			t.Fatalf("attempt %d: claimed %d, %v", i+1, n, err)
		}
		clock.add(wait - time.Second)
		if n, _ := d.DispatchOnce(ctx); n != 0 {
			t.Fatalf("after failure %d, retried %s early", i+1, time.Second)
		}
		clock.add(time.Second)
	}
	if n, err := d.DispatchOnce(ctx); n != 1 || err != nil || len(mailer.sent) != 1 {
		t.Fatalf("fourth attempt: claimed %d, %v, sent %d", n, err, len(mailer.sent))
	}
	clock.add(time.Hour)
	if n, _ := d.DispatchOnce(ctx); n != 0 || mailer.tries != 4 {
		t.Fatalf("a delivered mail was offered again (claimed %d, tries %d)", n, mailer.tries)
	}
}

func TestDispatcherGivesUpAfterMaxAttempts(t *testing.T) {
	store := memory.NewStore()
	outbox := memory.NewOutbox(store)
	clock := &movingClock{now: fixedNow}
	mailer := &flakyMailer{failures: 1000}
	d := usecase.NewDispatcher(outbox, mailer, clock, testDispatch, ports.NoTelemetry{}, slog.New(slog.DiscardHandler))
	if err := outbox.Add(ctx, domain.Mail{To: "a@x.org"}, fixedNow); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := d.DispatchOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clock.add(time.Hour)
	}
	if mailer.tries != testDispatch.MaxAttempts {
		t.Fatalf("%d tries, want exactly MaxAttempts=%d", mailer.tries, testDispatch.MaxAttempts)
	}
}

// rejectingMailer refuses every mail for good.
type rejectingMailer struct{ tries int }

func (m *rejectingMailer) Send(context.Context, domain.Mail) error {
	m.tries++
	return fmt.Errorf("smtp RCPT TO: %w: 550 no such user", ports.ErrMailRejected)
}

func TestDispatcherGivesUpAtOnceOnPermanentRejection(t *testing.T) {
	outbox := memory.NewOutbox(memory.NewStore())
	clock := &movingClock{now: fixedNow}
	mailer := &rejectingMailer{}
	d := usecase.NewDispatcher(outbox, mailer, clock, testDispatch, ports.NoTelemetry{}, slog.New(slog.DiscardHandler))
	if err := outbox.Add(ctx, domain.Mail{To: "ghost@x.org"}, fixedNow); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := d.DispatchOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clock.add(time.Hour)
	}
	if mailer.tries != 1 {
		t.Fatalf("%d tries of a permanently rejected mail, want 1", mailer.tries)
	}
}

func TestDispatcherRunStopsOnCancel(t *testing.T) {
	store := memory.NewStore()
	outbox := memory.NewOutbox(store)
	mailer := &flakyMailer{}
	d := usecase.NewDispatcher(outbox, mailer, &movingClock{now: fixedNow}, testDispatch, ports.NoTelemetry{}, slog.New(slog.DiscardHandler))
	if err := outbox.Add(ctx, domain.Mail{To: "a@x.org"}, fixedNow); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	deadline := time.After(10 * time.Second)
	for {
		mailer.mu.Lock()
		n := len(mailer.sent)
		mailer.mu.Unlock()
		if n == 1 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("Run did not deliver within 10s")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
}

// realClock is the wall clock, for the lease tests (the heartbeat runs on real timers).
type realClock struct{}

func (realClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// slowMailer takes delay per mail and counts every send in sends (shared by mailers);
// started, if set, is closed when its first send begins.
type slowMailer struct {
	delay   time.Duration
	mu      *sync.Mutex
	sends   map[string]int
	started chan struct{}
	once    sync.Once
}

func (m *slowMailer) Send(_ context.Context, mail domain.Mail) error {
	if m.started != nil {
		m.once.Do(func() { close(m.started) })
	}
	time.Sleep(m.delay)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sends[string(mail.To)]++
	return nil
}

func TestALiveDispatcherKeepsItsLeaseWhileSending(t *testing.T) {
	store := memory.NewStore()
	outbox := memory.NewOutbox(store)
	cfg := testDispatch
	cfg.Lease = 150 * time.Millisecond
	var mu sync.Mutex
	sends := map[string]int{}
	slow := &slowMailer{delay: 600 * time.Millisecond, mu: &mu, sends: sends, started: make(chan struct{})} // four leases
	fast := &slowMailer{mu: &mu, sends: sends}
	if err := outbox.Add(ctx, domain.Mail{To: "slow@x.org", Subject: "s", Body: "b"}, realClock{}.Now()); err != nil {
		t.Fatal(err)
	}
	first := usecase.NewDispatcher(outbox, slow, realClock{}, cfg, ports.NoTelemetry{}, slog.New(slog.DiscardHandler))
	second := usecase.NewDispatcher(outbox, fast, realClock{}, cfg, ports.NoTelemetry{}, slog.New(slog.DiscardHandler))
	done := make(chan struct{})
	go func() { defer close(done); _, _ = first.DispatchOnce(ctx) }()
	<-slow.started
	// The second dispatcher polls all the while the first one is sending.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		if _, err := second.DispatchOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	if n := sends["slow@x.org"]; n != 1 {
		t.Fatalf("mail sent %d times: a live dispatcher's message was taken by another", n)
	}
}

func TestADeadDispatchersMailIsRetriedAfterOneLease(t *testing.T) {
	store := memory.NewStore()
	outbox := memory.NewOutbox(store)
	cfg := testDispatch
	cfg.Lease = 200 * time.Millisecond
	if err := outbox.Add(ctx, domain.Mail{To: "orphan@x.org", Subject: "s", Body: "b"}, realClock{}.Now()); err != nil {
		t.Fatal(err)
	}
	// A dispatcher claims it and dies: no send, no heartbeat.
	if msgs, err := outbox.Claim(ctx, realClock{}.Now(), cfg.Lease, 10); err != nil || len(msgs) != 1 {
		t.Fatalf("claim: %v %v", msgs, err)
	}
	mailer := &slowMailer{mu: new(sync.Mutex), sends: map[string]int{}}
	d := usecase.NewDispatcher(outbox, mailer, realClock{}, cfg, ports.NoTelemetry{}, slog.New(slog.DiscardHandler))
	if n, _ := d.DispatchOnce(ctx); n != 0 {
		t.Fatal("a leased message was claimed again before its lease ran out")
	}
	time.Sleep(cfg.Lease + 20*time.Millisecond)
	if n, err := d.DispatchOnce(ctx); n != 1 || err != nil {
		t.Fatalf("after the lease: claimed %d, %v; want the orphan", n, err)
	}
	if mailer.sends["orphan@x.org"] != 1 {
		t.Fatal("the orphan was not sent")
	}
}
