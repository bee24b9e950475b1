// Package bcrypt adapts golang.org/x/crypto/bcrypt to ports.PasswordHasher, with admission
// control: hashes run on a fixed set of worker goroutines, and a caller that cannot get a
// worker within the queue timeout gets domain.ErrBusy instead of piling up.
//
// Why: a bcrypt hash is tens of milliseconds of pure CPU. Run one per request and a login
// flood of 32 connections keeps 32 goroutines runnable, and every other request waits
// behind them (measured on catalog reads: p99 from 5 ms to 1.4 s). How the limit adapts to
// other traffic and why the workers run at low priority: see Config and
// docs/performance.md.
package bcrypt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
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
	// Workers is how many hashes may run at once while nothing else is going on
	// (default: the number of CPUs, so that logins alone use the whole machine).
	Workers int
	// OtherWork, when set, tells how many requests that are not password work are in
	// flight (the HTTP adapter counts them). While there are any, at most half of
	// Workers (at least 1) hash at once, leaving the other cores to them.
	OtherWork func() int64
	// QueueTimeout is the longest a caller waits for a worker before ErrBusy.
	QueueTimeout time.Duration
	// Nice, on Linux, is the niceness (0..19) of the workers' threads: with Nice > 0 the
	// kernel gives hashing only the CPU time that request handling leaves over.
	// 0 runs hashing at normal priority. Ignored on other systems.
	Nice int
}

// Hasher hashes with a fixed cost on a bounded pool of workers.
type Hasher struct {
	cost      int
	timeout   time.Duration
	dummy     []byte // compared against for unknown accounts; made with cost
	workers   int
	underLoad int // workers allowed while other requests are in flight
	otherWork func() int64
	niced     bool

	jobs    chan job // unbuffered: workers receive jobs admitted by acquire
	stop    chan struct{}
	stopped sync.WaitGroup
	closing sync.Once

	mu      sync.Mutex
	active  int             // admitted hashes (running or being handed to a worker)
	waiters []chan struct{} // callers waiting for admission, first come first served
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
	h := &Hasher{
		cost: cfg.Cost, timeout: cfg.QueueTimeout, workers: cfg.Workers, underLoad: max(1, cfg.Workers/2),
		otherWork: cfg.OtherWork, niced: cfg.Nice > 0 && lowersPriority,
		jobs: make(chan job), stop: make(chan struct{}),
	}
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
	dummy, err := bcrypt.GenerateFromPassword([]byte("timing-equaliser-not-a-real-password"), cfg.Cost)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("bcrypt: dummy hash: %w", err)
	}
	h.dummy = dummy
	return h, nil
}

// Close stops the workers once the hashes in hand are done.
func (h *Hasher) Close() {
	h.closing.Do(func() { close(h.stop) })
	h.stopped.Wait()
}

// Waiting is the number of callers currently waiting for a worker.
func (h *Hasher) Waiting() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.waiters)
}

func (h *Hasher) work(nice int, ready chan<- error) {
	defer h.stopped.Done()
	if nice > 0 && lowersPriority {
		// The thread keeps its lowered priority until it exits: the goroutine never
		// unlocks, so the runtime ends the thread with it instead of reusing it.
		runtime.LockOSThread()
		if err := lowerThreadPriority(nice); err != nil {
			ready <- fmt.Errorf("bcrypt: lower worker priority: %w", err)
			return
		}
		spare.addWorkers(1)
		defer spare.addWorkers(-1)
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

// limit is how many hashes may run now.
func (h *Hasher) limit() int {
	if h.otherWork != nil && h.otherWork() > 0 {
		return h.underLoad
	}
	return h.workers
}

// grant admits waiters, in order, while the limit allows. Call with h.mu held.
func (h *Hasher) grant() {
	for len(h.waiters) > 0 && h.active < h.limit() {
		close(h.waiters[0])
		h.waiters = h.waiters[1:]
		h.active++
	}
}

// acquire admits the caller, waiting at most the queue timeout (or until ctx ends).
func (h *Hasher) acquire(ctx context.Context) error {
	h.mu.Lock()
	if len(h.waiters) == 0 && h.active < h.limit() {
		h.active++
		h.mu.Unlock()
		return nil
	}
	w := make(chan struct{})
	h.waiters = append(h.waiters, w)
	h.mu.Unlock()

	t := time.NewTimer(h.timeout)
	defer t.Stop()
	select {
	case <-w:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if i := slices.Index(h.waiters, w); i >= 0 {
		h.waiters = slices.Delete(h.waiters, i, i+1)
		return domain.Busy(h.timeout)
	}
	// Admitted just as the wait ended: take the slot after all.
	return nil
}

func (h *Hasher) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.active--
	h.grant()
}

// run runs fn on a worker once admitted.
func (h *Hasher) run(ctx context.Context, fn func()) error {
	if h.niced {
		spare.begin()
		defer spare.end()
	}
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	j := job{fn: fn, done: make(chan struct{})}
	h.jobs <- j // admitted hashes never outnumber the workers
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

// Spare Ps for the niced workers. A worker that the kernel has set aside still holds a P
// while it is descheduled, so without spare Ps the request goroutines would queue for a P
// behind workers that are not even running (measured: read p99 20x). Spare Ps cost
// throughput when idle (the scheduler spins more threads: 15-20% fewer reads/s on 2
// cores), so they are added when password work starts and taken back once none has been
// asked for during shrinkAfter. Changing GOMAXPROCS stops the world for microseconds; it
// is only done from normal-priority goroutines (callers and a timer), never on a worker.
type procs struct {
	mu      sync.Mutex
	callers int    // callers in Hash/Matches of niced hashers
	extra   int    // Ps currently added
	workers int    // niced workers, across hashers
	gen     uint64 // invalidates a pending shrink
}

var (
	spare       procs
	shrinkAfter = time.Second
)

func (p *procs) addWorkers(n int) { p.mu.Lock(); p.workers += n; p.mu.Unlock() }

func (p *procs) begin() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.callers++
	p.gen++
	if p.extra == 0 && p.workers > 0 {
		// One per niced worker, but no more than the CPUs (many hashers, as in tests,
		// must not multiply the Ps).
		p.extra = min(p.workers, runtime.NumCPU())
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + p.extra)
	}
}

func (p *procs) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.callers--
	if p.callers == 0 && p.extra > 0 {
		gen := p.gen
		time.AfterFunc(shrinkAfter, func() { p.shrink(gen) })
	}
}

func (p *procs) shrink(gen uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gen != gen || p.callers > 0 || p.extra == 0 {
		return // password work came back meanwhile
	}
	runtime.GOMAXPROCS(max(1, runtime.GOMAXPROCS(0)-p.extra))
	p.extra = 0
}
