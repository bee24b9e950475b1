// Package bcrypt adapts golang.org/x/crypto/bcrypt to ports.PasswordHasher, with admission
// control: hashes run on a fixed set of worker goroutines, and a caller that cannot get a
// worker within the queue timeout gets domain.ErrBusy instead of piling up.
//
// Why: a bcrypt hash is tens of milliseconds of pure CPU. Run one per request and a login
// flood of 32 connections keeps 32 goroutines runnable, and every other request waits
// behind them (measured: GET /products p99 from 6 ms to 800+ ms). See docs/performance.md.
package bcrypt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Cost limits accepted by New.
const (
	MinCost     = bcrypt.MinCost // 4: for tests only
	MaxCost     = bcrypt.MaxCost // 31
	DefaultCost = 12
)

// Config says how to hash and how much hashing to admit at once.
type Config struct {
	Cost int // MinCost..MaxCost
	// Workers is how many hashes may run at once (default: the number of CPUs).
	Workers int
	// QueueTimeout is the longest a caller waits for a worker before ErrBusy.
	QueueTimeout time.Duration
	// Nice, on Linux, is the niceness (0..19) of the workers' threads: with Nice > 0 the
	// kernel runs hashing only on CPU time that request handling leaves over, so a login
	// flood cannot slow other requests down, while logins alone still use every core.
	// 0 runs hashing at normal priority. Ignored on other systems.
	Nice int
}

// Hasher hashes with a fixed cost on a bounded pool of workers.
type Hasher struct {
	cost    int
	timeout time.Duration
	dummy   []byte   // compared against for unknown accounts; made with cost
	jobs    chan job // unbuffered: a send succeeds exactly when a worker is idle
	stop    chan struct{}
	stopped sync.WaitGroup
	closing sync.Once
	waiting atomic.Int64 // callers waiting for a worker
}

type job struct {
	fn   func()
	done chan struct{}
}

var _ ports.PasswordHasher = (*Hasher)(nil)

// New starts a hasher's workers. Close stops them.
func New(cfg Config) (*Hasher, error) {
	if cfg.Cost < MinCost || cfg.Cost > MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d outside %d..%d", cfg.Cost, MinCost, MaxCost)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.QueueTimeout <= 0 {
		return nil, errors.New("bcrypt: queue timeout must be positive")
	}
	if cfg.Nice < 0 || cfg.Nice > 19 {
		return nil, fmt.Errorf("bcrypt: nice %d outside 0..19", cfg.Nice)
	}
	h := &Hasher{cost: cfg.Cost, timeout: cfg.QueueTimeout, jobs: make(chan job), stop: make(chan struct{})}
	ready := make(chan error, cfg.Workers)
	for range cfg.Workers {
		h.stopped.Add(1)
		go h.work(cfg.Nice, ready)
	}
	for range cfg.Workers {
		if err := <-ready; err != nil {
			h.Close()
			return nil, err
		}
	}
	if cfg.Nice > 0 {
		reserveProcs(cfg.Workers)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("timing-equaliser-not-a-real-password"), cfg.Cost)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("bcrypt: dummy hash: %w", err)
	}
	h.dummy = dummy
	if cfg.Nice > 0 {
		h.stopped.Add(1)
		go func() { defer h.stopped.Done(); <-h.stop; releaseProcs(cfg.Workers) }()
	}
	return h, nil
}

// Close stops the workers once the hashes in hand are done.
func (h *Hasher) Close() {
	h.closing.Do(func() { close(h.stop) })
	h.stopped.Wait()
}

// Waiting is the number of callers currently waiting for a worker.
func (h *Hasher) Waiting() int64 { return h.waiting.Load() }

func (h *Hasher) work(nice int, ready chan<- error) {
	defer h.stopped.Done()
	if nice > 0 {
		// The thread keeps its lowered priority until it exits: the goroutine never
		// unlocks, so the runtime ends the thread with it instead of reusing it.
		runtime.LockOSThread()
		if err := lowerThreadPriority(nice); err != nil {
			ready <- fmt.Errorf("bcrypt: lower worker priority: %w", err)
			return
		}
	}
	ready <- nil
	for {
		select {
		case j := <-h.jobs:
			j.fn()
			close(j.done)
		case <-h.stop:
			return
		}
	}
}

// run runs fn on a worker, waiting at most the queue timeout (or until ctx ends) for one.
func (h *Hasher) run(ctx context.Context, fn func()) error {
	j := job{fn: fn, done: make(chan struct{})}
	select {
	case h.jobs <- j: // an idle worker took it at once
	default:
		h.waiting.Add(1)
		t := time.NewTimer(h.timeout)
		select {
		case h.jobs <- j:
		case <-t.C:
			h.waiting.Add(-1)
			return domain.Busy(h.timeout)
		case <-ctx.Done():
			h.waiting.Add(-1)
			t.Stop()
			return domain.Busy(h.timeout)
		}
		h.waiting.Add(-1)
		t.Stop()
	}
	<-j.done
	return nil
}

// Hash implements ports.PasswordHasher.
func (h *Hasher) Hash(ctx context.Context, p domain.Password) ([]byte, error) {
	var (
		hash []byte
		err  error
	)
	if rerr := h.run(ctx, func() { hash, err = bcrypt.GenerateFromPassword([]byte(p), h.cost) }); rerr != nil {
		return nil, rerr
	}
	if err != nil {
		return nil, fmt.Errorf("bcrypt hash: %w", err)
	}
	return hash, nil
}

// Matches implements ports.PasswordHasher. A password over bcrypt's 72-byte limit never
// matches (it could not have been registered), but is still compared, to keep the timing.
// A hash made with a lower cost than the configured one (an account from before
// BCRYPT_COST was raised) is followed by a comparison against the dummy, so that such an
// account never answers faster than an unknown one.
func (h *Hasher) Matches(ctx context.Context, hash []byte, password string) (bool, error) {
	var ok bool
	err := h.run(ctx, func() {
		if hash == nil {
			_ = compare(h.dummy, password)
			return
		}
		ok = compare(hash, password) == nil && len(password) <= domain.MaxPasswordBytes
		if c, err := bcrypt.Cost(hash); err != nil || c < h.cost {
			_ = compare(h.dummy, password)
		}
	})
	return ok, err
}

// compare is bcrypt's comparison; a variable so that the package's tests can count calls.
var compare = func(hash []byte, password string) error {
	return bcrypt.CompareHashAndPassword(hash, []byte(password))
}

// NeedsRehash implements ports.PasswordHasher: a hash of another cost than the
// configured one (or not a bcrypt hash at all) should be replaced.
func (h *Hasher) NeedsRehash(hash []byte) bool {
	c, err := bcrypt.Cost(hash)
	return err != nil || c != h.cost
}

// Extra Ps for the niced workers: a worker that the kernel has set aside still holds a
// P while it is descheduled, so without spare Ps the request goroutines would queue for
// a P behind workers that are not even running. Reserved per live hasher.
var procsMu sync.Mutex

func reserveProcs(n int) {
	procsMu.Lock()
	defer procsMu.Unlock()
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + n)
}

func releaseProcs(n int) {
	procsMu.Lock()
	defer procsMu.Unlock()
	runtime.GOMAXPROCS(max(1, runtime.GOMAXPROCS(0)-n))
}
