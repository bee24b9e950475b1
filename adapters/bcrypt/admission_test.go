package bcrypt

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

func newTestHasher(t *testing.T, cfg Config) *Hasher {
	t.Helper()
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// occupy keeps every worker of h busy until the returned func is called.
func occupy(t *testing.T, h *Hasher, workers int) (release func()) {
	t.Helper()
	block, started := make(chan struct{}), make(chan struct{}, workers)
	for range workers {
		go func() { _ = h.run(context.Background(), func() { started <- struct{}{}; <-block }) }()
	}
	for range workers {
		<-started
	}
	return func() { close(block) }
}

func TestBusyWhenNoWorkerFreesUpInTime(t *testing.T) {
	h := newTestHasher(t, Config{Cost: MinCost, Workers: 2, QueueTimeout: 50 * time.Millisecond})
	release := occupy(t, h, 2)
	_, err := h.Hash(context.Background(), "12345678")
	var de *domain.Error
	if !errors.Is(err, domain.ErrBusy) || !errors.As(err, &de) || de.RetryAfter <= 0 {
		t.Fatalf("Hash with every worker busy: %v, want ErrBusy with a retry advice", err)
	}
	if _, err := h.Matches(context.Background(), nil, "x"); !errors.Is(err, domain.ErrBusy) {
		t.Fatalf("Matches with every worker busy: %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "12345678"); !errors.Is(err, domain.ErrBusy) {
		t.Fatalf("Hash with a cancelled request: %v, want ErrBusy", err)
	}
	if h.Waiting() != 0 {
		t.Fatalf("Waiting = %d after the callers gave up", h.Waiting())
	}
	release()
	if _, err := h.Hash(context.Background(), "12345678"); err != nil {
		t.Fatalf("Hash once a worker is free: %v", err)
	}
}

func TestWaitersAreServedWhenAWorkerFreesUp(t *testing.T) {
	h := newTestHasher(t, Config{Cost: MinCost, Workers: 1, QueueTimeout: 10 * time.Second})
	release := occupy(t, h, 1)
	done := make(chan error, 3)
	for range 3 {
		go func() { _, err := h.Hash(context.Background(), "12345678"); done <- err }()
	}
	for h.Waiting() != 3 {
		time.Sleep(time.Millisecond)
	}
	release()
	for range 3 {
		if err := <-done; err != nil {
			t.Fatalf("queued hash: %v", err)
		}
	}
}

// countCompares counts bcrypt comparisons while the test runs.
func countCompares(t *testing.T) *atomic.Int32 {
	var n atomic.Int32
	orig := compare
	compare = func(hash []byte, password string) error { n.Add(1); return orig(hash, password) }
	t.Cleanup(func() { compare = orig })
	return &n
}

func TestWeakHashesCostAsMuchAsAnUnknownAccount(t *testing.T) {
	n := countCompares(t)
	old := newTestHasher(t, Config{Cost: MinCost, QueueTimeout: time.Second})
	cur := newTestHasher(t, Config{Cost: MinCost + 1, QueueTimeout: time.Second})
	weak, _ := old.Hash(context.Background(), "12345678")
	strong, _ := cur.Hash(context.Background(), "12345678")
	for _, c := range []struct {
		name string
		hash []byte
		want int32 // comparisons at the configured cost or above
	}{
		{"unknown account (dummy)", nil, 1},
		{"hash at the configured cost", strong, 1},
		{"hash at a lower cost: also the dummy", weak, 2},
	} {
		before := n.Load()
		if _, err := cur.Matches(context.Background(), c.hash, "wrong-password"); err != nil {
			t.Fatal(err)
		}
		if got := n.Load() - before; got != c.want {
			t.Errorf("%s: %d comparisons, want %d", c.name, got, c.want)
		}
	}
}

func TestFewerWorkersWhileOtherRequestsAreServed(t *testing.T) {
	var other atomic.Int64 // requests in flight that are not password work
	h := newTestHasher(t, Config{Cost: MinCost, Workers: 2, QueueTimeout: 10 * time.Second,
		OtherWork: func() int64 { return other.Load() }})
	var running, most atomic.Int32
	hash := func(done chan<- error) {
		done <- h.run(context.Background(), func() {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond)
			running.Add(-1)
		})
	}
	burst := func() int32 {
		most.Store(0)
		done := make(chan error, 6)
		for range 6 {
			go hash(done)
		}
		for range 6 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		return most.Load()
	}
	if n := burst(); n != 2 {
		t.Errorf("logins alone: at most %d hashes at once, want 2 (every worker)", n)
	}
	other.Add(1) // a request that is not password work
	if n := burst(); n != 1 {
		t.Errorf("with another request in flight: at most %d hashes at once, want 1", n)
	}
	other.Add(-1)
}
