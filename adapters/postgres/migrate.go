package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// versionTable records the applied schema version.
const versionTable = "public.schema_version"

// Migrate applies every pending migration. tern holds a session-level Postgres advisory
// lock while it works, so several processes starting at once apply each migration
// exactly once. That lock belongs to the server session: through a transaction pooler
// it could be taken on one server connection and stay there, held, after the pooler
// hands that connection to someone else (jackc/tern#146). So with a direct URL the
// migration runs on a connection of its own to the primary itself, closed when done.
func (d *DB) Migrate(ctx context.Context) error {
	if d.direct != nil {
		conn, err := pgx.ConnectConfig(ctx, d.direct)
		if err != nil {
			return fmt.Errorf("migrate: connect to DATABASE_DIRECT_URL (%s:%d): %w", d.direct.Host, d.direct.Port, err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		return migrateOn(ctx, conn)
	}
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: acquire connection: %w", err)
	}
	defer conn.Release()
	return migrateOn(ctx, conn.Conn())
}

// CheckSchema returns an error unless every migration embedded in this binary is applied
// (for a server that leaves migrating to a job, MIGRATE_ON_START=false). A schema newer
// than the binary is fine: migrations only add, so an older binary runs on it during a
// rolling upgrade.
//
// It reads the version with a plain statement on the pool (through a pooler, too) and
// never takes tern's lock.
func (d *DB) CheckSchema(ctx context.Context) error {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	want := int32(len(files))
	var have int32
	err = d.q(ctx).QueryRow(ctx, `SELECT coalesce((SELECT version FROM `+versionTable+`), 0)`).Scan(&have)
	if pgCode(err) == undefinedTable {
		err = nil // never migrated
	}
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if have < want {
		return fmt.Errorf("schema is at version %d, this binary needs %d: run `hexashop migrate` first (the Helm chart's migration job does)", have, want)
	}
	return nil
}

func migrateOn(ctx context.Context, conn *pgx.Conn) error {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := m.LoadMigrations(sub); err != nil {
		return fmt.Errorf("migrate: load: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
