package postgres

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// replicas is the read pool and whether it is in use. A read that fails there (not
// answering within the read timeout, refused, or any error that is not an answer such
// as "not found") runs on the primary instead, and the replicas are set aside: every
// read goes to the primary until a background ping, once a second, finds them answering.
// So a dead or paused replica costs the reads that found it so (at most the read timeout
// each), not every read.
type replicas struct {
	db      *DB
	log     *slog.Logger
	timeout time.Duration
	down    atomic.Bool
	probing sync.Mutex // held by the one probe loop while the replicas are down
	stop    chan struct{}
	once    sync.Once

	fallbacks atomic.Int64
}

// probeEvery is how often set-aside replicas are pinged.
const probeEvery = time.Second

func newReplicas(db *DB, timeout time.Duration, log *slog.Logger) *replicas {
	if log == nil {
		log = slog.Default()
	}
	return &replicas{db: db, timeout: timeout, log: log, stop: make(chan struct{})}
}

func (r *replicas) close() { r.once.Do(func() { close(r.stop) }) }

// setAside stops sending reads to the replicas and starts the probe that brings them back.
func (r *replicas) setAside(err error) {
	if !r.down.CompareAndSwap(false, true) {
		return
	}
	r.log.Warn("read replicas set aside: catalog reads go to the primary until they answer", slog.Any("error", err))
	go r.probe()
}

func (r *replicas) probe() {
	r.probing.Lock()
	defer r.probing.Unlock()
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		err := r.db.Ready(ctx)
		cancel()
		if err == nil {
			r.down.Store(false)
			r.log.Info("read replicas answer again: reads go to them")
			return
		}
	}
}

// Read runs fn with the DB that serves public reads now: a replica when they are in use
// and answer, else the primary, within ctx. A repository sends a read to the replicas by
// running it through Read (CatalogReader does); what it reads may be as old as the
// replicas' lag.
func (d *DB) Read(ctx context.Context, fn func(ctx context.Context, db *DB) error) error {
	if r := d.replicas; r != nil && !r.down.Load() {
		rctx, cancel := context.WithTimeout(ctx, r.timeout)
		err := fn(rctx, r.db)
		cancel()
		if err == nil || errors.Is(err, domain.ErrNotFound) || ctx.Err() != nil {
			return err
		}
		r.fallbacks.Add(1)
		r.setAside(err)
	}
	return fn(ctx, d)
}

// ReadStats are figures of the read routing, for metrics.
type ReadStats struct {
	Configured, InUse bool
	Fallbacks         int64 // reads that failed on a replica and ran on the primary
}

// ReadStats reports the read routing's state.
func (d *DB) ReadStats() ReadStats {
	if d.replicas == nil {
		return ReadStats{}
	}
	return ReadStats{Configured: true, InUse: !d.replicas.down.Load(), Fallbacks: d.replicas.fallbacks.Load()}
}
