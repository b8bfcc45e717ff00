// Package postgres is the server store: unvite.Store on PostgreSQL through
// pgx, with goose migrations. It behaves exactly like package sqlite (both
// pass storetest) and is meant for many worker processes sharing one
// database: migrations run once under an advisory lock, and the imports and
// syncs of one account serialise on a per-account advisory lock.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/unvite/unvite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the PostgreSQL implementation of unvite.Store.
type DB struct {
	pool *pgxpool.Pool
	// Now is the clock for recorded times; tests replace it.
	Now func() time.Time
}

var _ unvite.Store = (*DB)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; a search_path parameter selects the schema) and brings the schema
// up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, true)
}

// OpenExisting connects as Open does, but only to a schema that holds an
// unvite database already: for commands that read, which create nothing.
func OpenExisting(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, false)
}

// defaultMaxConns is the pool's size unless the DSN sets pool_max_conns.
const defaultMaxConns = 16

func open(ctx context.Context, dsn string, create bool) (*DB, error) {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if !create {
		if err := checkExists(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	s := &DB{pool: pool, Now: time.Now}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// connect opens a pool on dsn and checks that the server answers.
func connect(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	// Day arithmetic and dates in reasons are UTC, as in the SQLite store.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// pgxpool's default is max(4, CPUs): the engine's workers, each making
	// one store call at a time, and the dashboard's requests queued for
	// those few. A DSN's pool_max_conns still rules.
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// checkExists refuses a schema that holds no unvite database.
func checkExists(ctx context.Context, pool *pgxpool.Pool) error {
	var schema string
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT coalesce(current_schema(), ''), to_regclass('accounts') IS NOT NULL`).Scan(&schema, &exists); err != nil {
		return fmt.Errorf("postgres: look for the database: %w", err)
	}
	if !exists {
		cfg := pool.Config().ConnConfig
		// The address without user or password: never show secrets.
		return unvite.Errorf(unvite.ENOTFOUND, "no database at %s/%s (schema %q): import an export or add an account first",
			cfg.Host, cfg.Database, schema)
	}
	return nil
}

// migrate runs the goose migrations under a session advisory lock, so that
// many processes starting at once migrate once. The lock id is derived from
// the schema: goose's version table lives there, and unrelated schemas in one
// database need not wait for each other.
func (s *DB) migrate(ctx context.Context) error {
	var lockID int64
	err := s.pool.QueryRow(ctx, `SELECT hashtextextended('unvite:migrate:' || current_schema(), 0)`).Scan(&lockID)
	if err != nil {
		return fmt.Errorf("postgres: migrations: no current schema (does search_path name an existing schema?): %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return s.migrateRiver(ctx, lockID)
}

// migrateRiver brings River's job tables (same schema) up to date, under
// the migration lock so that processes starting together migrate once.
func (s *DB) migrateRiver(ctx context.Context, lockID int64) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: river migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		return fmt.Errorf("postgres: river migrations: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID)
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("postgres: river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("postgres: migrate river tables: %w", err)
	}
	return nil
}

// Pool is the store's connection pool, for code that must share its
// transactions (River's InsertTx receives the store's pgx.Tx).
func (s *DB) Pool() *pgxpool.Pool { return s.pool }

// Close closes every connection of the pool.
func (s *DB) Close() error {
	s.pool.Close()
	return nil
}

func (s *DB) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// inTx runs fn in one transaction, committing on success.
func (s *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// lockAccountSQL serialises the bulk writers of one account (imports and
// syncs) until the transaction ends. The key includes the schema so that
// separate schemas in one database do not contend.
const lockAccountSQL = `SELECT pg_advisory_xact_lock(hashtextextended('unvite:account:' || current_schema() || ':' || $1::bigint::text, 0))`

// linearPlansSQL keeps a transaction's set-based statements linear. Right
// after a big import the statistics still say the account has next to no
// invitations (autovacuum analyzes later), and on such a 1-row estimate the
// planner picks nested loops that are quadratic in the real row count; hash
// and merge joins cost one pass over the account's rows whatever the estimate.
const linearPlansSQL = `SET LOCAL enable_nestloop = off`

// querier is what the pool and a transaction both offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ts converts a time for storage: whole seconds, like the SQLite store's
// Unix times, so both stores identify invitations alike; the zero time is NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return sec(t)
}

func sec(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

func fromTS(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func notFound(what string, id any) error {
	return unvite.Errorf(unvite.ENOTFOUND, "%s %v not found", what, id)
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// uniqueViolation is the SQLSTATE of a duplicate key.
const uniqueViolation = "23505"

// pgCode is the SQLSTATE of a server error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
