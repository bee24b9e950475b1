package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// catalogChannel is the NOTIFY channel of catalog writes. A notification is sent in the
// writing transaction, so Postgres delivers it when (and only if) that transaction
// commits: a rolled-back write invalidates nothing.
const catalogChannel = "catalog_changed"

// notifyCatalog tells every listening process that the catalog changed, once per
// transaction however many rows it writes (a checkout takes stock line by line), and
// queues the local OnCatalogCommit hook for after the commit: this process sees its own
// write at once, not a notification round trip later. It must run inside InTx.
func (d *DB) notifyCatalog(ctx context.Context) error {
	st := txOf(ctx)
	if st == nil {
		return fmt.Errorf("notify catalog change: %w", errNoTx)
	}
	if st.catalogNoticed {
		return nil
	}
	if _, err := d.q(ctx).Exec(ctx, `SELECT pg_notify('`+catalogChannel+`', '')`); err != nil {
		return fmt.Errorf("notify catalog change: %w", err)
	}
	st.catalogNoticed = true
	if hook := d.catalogHook.Load(); hook != nil {
		st.afterCommit = append(st.afterCommit, *hook)
	}
	return nil
}

var errNoTx = errors.New("not in a transaction")

// OnCatalogCommit makes every committed catalog write of this process call changed
// right after its commit (before the write's caller gets its answer), besides the
// notification every process gets through ListenCatalog.
func (d *DB) OnCatalogCommit(changed func()) { d.catalogHook.Store(&changed) }

// ListenCatalog calls changed after every committed catalog write, by any process on this
// database, and also each time its listening connection is (re)established, since what
// was sent while it was down is lost. It holds one session: on DATABASE_DIRECT_URL when
// that is set (LISTEN does not survive a transaction pooler), else one connection of the
// pool. It reconnects by itself (after 1 s, then doubling up to 30 s) and returns when
// ctx ends.
func (d *DB) ListenCatalog(ctx context.Context, changed func(), log *slog.Logger) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := d.listen(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		log.Warn("catalog change listener lost its connection; reads rely on the cache TTL until it is back",
			slog.Any("error", err), slog.Duration("retry_in", backoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listen runs one listening session until it fails or ctx ends.
func (d *DB) listen(ctx context.Context, changed func()) error {
	var conn *pgx.Conn
	if d.direct != nil {
		cfg := d.direct.Copy()
		cfg.RuntimeParams["application_name"] = ListenerName
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		conn = c
	} else {
		pc, err := d.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		// Taken out of the pool for good: a session that LISTENs must not serve others.
		conn = pc.Hijack()
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, `SET application_name = '`+ListenerName+`'`); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, `LISTEN `+catalogChannel); err != nil {
		return err
	}
	changed() // anything sent before this session is unknown: start fresh
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}

// ListenerName is the application_name of the listening session (what
// pg_stat_activity shows).
const ListenerName = "catalog-listener"
