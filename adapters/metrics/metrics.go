// Package metrics exposes the service's signals in the Prometheus format, with
// prometheus/client_golang, on a private listener (METRICS_ADDR) together with
// net/http/pprof. It implements ports.Telemetry (login and mail outcomes) and the HTTP
// adapter's Recorder (requests), and reads gauges from functions wiring hands it (pool
// figures, outbox backlog, password-hash queue). Label values are bounded: route
// templates, status classes and fixed outcome words, never ids or raw paths.
package metrics

import (
	"context"
	"net/http"
	"net/http/pprof"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

var ns = domain.Identifier() // metric names: <ns>_http_requests_total, ...

// Metrics is the registry of one process.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	logins   *prometheus.CounterVec
	mails    *prometheus.CounterVec
	sessions *prometheus.CounterVec
	recovery *prometheus.CounterVec
}

var _ ports.Telemetry = (*Metrics)(nil)

// New makes the registry, with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "http_requests_total",
			Help: "HTTP requests served, by method, route template and status class."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by method, route template and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "http_requests_in_flight",
			Help: "HTTP requests being served."}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "logins_total",
			Help: "Password logins by outcome: success, invalid, throttled, busy."}, []string{"outcome"}),
		mails: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "outbox_deliveries_total",
			Help: "Outbox delivery attempts by outcome: sent, failed (retried later), given_up."}, []string{"outcome"}),
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "session_events_total",
			Help: "Refreshes by outcome (refreshed, refresh_invalid, refresh_expired, refresh_retried, reuse_detected) and revocations (revoked)."},
			[]string{"event"}),
		recovery: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "account_recovery_events_total",
			Help: "Password resets (reset_requested, reset_mailed, reset_completed, reset_refused) and email verifications (verification_mailed, email_verified, verification_refused)."},
			[]string{"event"}),
	}
	for _, o := range []string{"success", "invalid", "throttled", "busy"} {
		m.logins.WithLabelValues(o)
	}
	for _, o := range []string{"sent", "failed", "given_up"} {
		m.mails.WithLabelValues(o)
	}
	for _, e := range []string{"refreshed", "refresh_invalid", "refresh_expired", "refresh_retried", "reuse_detected", "revoked"} {
		m.sessions.WithLabelValues(e)
	}
	for _, e := range recoveryEvents {
		m.recovery.WithLabelValues(e)
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.logins, m.mails, m.sessions, m.recovery,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Started counts a request in flight (httpapi.Recorder).
func (m *Metrics) Started() { m.inFlight.Inc() }

// Finished counts a served request (httpapi.Recorder).
func (m *Metrics) Finished(method, route string, status int, d time.Duration) {
	m.inFlight.Dec()
	method = methodLabel(method)
	class := strconv.Itoa(status/100) + "xx"
	m.requests.WithLabelValues(method, route, class).Inc()
	m.duration.WithLabelValues(method, route, class).Observe(d.Seconds())
}

// methodLabel is method when it is one of the methods of RFC 9110 and PATCH, and
// "OTHER" for anything else: a client can send any token as a method, and each new label
// value would be a new series kept for the life of the process.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// LoginOutcome implements ports.Telemetry.
func (m *Metrics) LoginOutcome(outcome string) { m.logins.WithLabelValues(outcome).Inc() }

// MailOutcome implements ports.Telemetry.
func (m *Metrics) MailOutcome(outcome string) { m.mails.WithLabelValues(outcome).Inc() }

// SessionEvent implements ports.Telemetry.
func (m *Metrics) SessionEvent(event string) { m.sessions.WithLabelValues(event).Inc() }

var recoveryEvents = []string{"reset_requested", "reset_mailed", "reset_completed", "reset_refused",
	"verification_mailed", "email_verified", "verification_refused"}

// RecoveryEvent implements ports.Telemetry; an event it does not know is not counted (a
// label value is a series: only the documented ones exist).
func (m *Metrics) RecoveryEvent(event string) {
	if slices.Contains(recoveryEvents, event) {
		m.recovery.WithLabelValues(event).Inc()
	}
}

// PoolStats are a connection pool's figures.
type PoolStats struct {
	Total, Idle, Acquired, Max      int
	AcquireCount, EmptyAcquireCount int64
	AcquireDuration                 time.Duration
}

// WatchPool publishes the figures stats returns, read at each scrape.
func (m *Metrics) WatchPool(stats func() PoolStats) {
	gauge := func(name, help string, f func(PoolStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: name, Help: help},
			func() float64 { return f(stats()) })
	}
	counter := func(name, help string, f func(PoolStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help},
			func() float64 { return f(stats()) })
	}
	m.reg.MustRegister(
		gauge("db_pool_connections", "Database connections open.", func(s PoolStats) float64 { return float64(s.Total) }),
		gauge("db_pool_idle_connections", "Database connections idle.", func(s PoolStats) float64 { return float64(s.Idle) }),
		gauge("db_pool_acquired_connections", "Database connections in use.", func(s PoolStats) float64 { return float64(s.Acquired) }),
		gauge("db_pool_max_connections", "Most database connections the pool opens.", func(s PoolStats) float64 { return float64(s.Max) }),
		counter("db_pool_acquires_total", "Connections taken from the pool.", func(s PoolStats) float64 { return float64(s.AcquireCount) }),
		counter("db_pool_empty_acquires_total", "Acquisitions that had to wait for a connection.", func(s PoolStats) float64 { return float64(s.EmptyAcquireCount) }),
		counter("db_pool_acquire_wait_seconds_total", "Time spent acquiring connections.", func(s PoolStats) float64 { return s.AcquireDuration.Seconds() }),
	)
}

// ReadStats are the read routing's figures (public catalog reads on read replicas).
type ReadStats struct {
	InUse     bool  // reads go to the replicas now (false: set aside, on the primary)
	Fallbacks int64 // reads that failed on a replica and ran on the primary
}

// WatchReads publishes the read routing's figures, read at each scrape.
func (m *Metrics) WatchReads(stats func() ReadStats) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "db_replicas_in_use",
			Help: "1 while public catalog reads go to the read replicas, 0 while they are set aside."},
			func() float64 {
				if stats().InUse {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Name: "db_replica_fallbacks_total",
			Help: "Catalog reads that failed on a read replica and ran on the primary."},
			func() float64 { return float64(stats().Fallbacks) }),
	)
}

// CacheStats are the catalog cache's counts and size (catalogcache.Stats, copied by
// wiring so that this adapter imports no other).
type CacheStats struct {
	Hits, Misses, Evictions, Invalidations int64
	Entries, Bytes                         int
}

// WatchCatalogCache exports the catalog cache's hits, misses, evictions,
// invalidations and size.
func (m *Metrics) WatchCatalogCache(stats func() CacheStats) {
	counter := func(name, help string, f func(CacheStats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help},
			func() float64 { return float64(f(stats())) })
	}
	m.reg.MustRegister(
		counter("catalog_cache_hits_total", "Catalog reads answered from the in-process cache.", func(s CacheStats) int64 { return s.Hits }),
		counter("catalog_cache_misses_total", "Catalog reads the cache passed to the database.", func(s CacheStats) int64 { return s.Misses }),
		counter("catalog_cache_evictions_total", "Cache entries dropped to stay within CATALOG_CACHE_ENTRIES and CATALOG_CACHE_MIB.",
			func(s CacheStats) int64 { return s.Evictions }),
		counter("catalog_cache_invalidations_total", "Times the cache was emptied: a catalog write on any process, or a listener reconnect.",
			func(s CacheStats) int64 { return s.Invalidations }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "catalog_cache_entries", Help: "Entries in the catalog cache."},
			func() float64 { return float64(stats().Entries) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "catalog_cache_bytes",
			Help: "The catalog cache's estimated size in bytes (values and their encoded answers)."},
			func() float64 { return float64(stats().Bytes) }),
	)
}

// WatchOutbox publishes the outbox backlog and the age of its oldest message, read from
// the store at each scrape (at most 2 s; a failed read drops the two series for that
// scrape, rather than reporting a wrong zero).
func (m *Metrics) WatchOutbox(backlog func(context.Context) (int, time.Time, error), now func() time.Time) {
	m.reg.MustRegister(&outboxCollector{backlog: backlog, now: now,
		count: prometheus.NewDesc(ns+"_outbox_backlog", "Outbox messages not yet sent nor given up.", nil, nil),
		age:   prometheus.NewDesc(ns+"_outbox_oldest_age_seconds", "Age of the oldest unsent outbox message (0: none).", nil, nil),
	})
}

type outboxCollector struct {
	backlog    func(context.Context) (int, time.Time, error)
	now        func() time.Time
	count, age *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.count; ch <- c.age }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, oldest, err := c.backlog(ctx)
	if err != nil {
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = c.now().Sub(oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}

// WatchPasswordQueue publishes how many callers wait for a password-hash worker.
func (m *Metrics) WatchPasswordQueue(waiting func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Name: "password_hash_waiting",
		Help: "Requests waiting for a password-hash worker."}, func() float64 { return float64(waiting()) }))
}

// Handler serves /metrics and /debug/pprof/ for the private listener: never put it on the
// public one (profiles and runtime figures help an attacker).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
