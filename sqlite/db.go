// Package sqlite is the embedded store: unvite.Store on a single SQLite file
// through the pure-Go modernc.org/sqlite driver, with goose migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/unvite/unvite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the SQLite implementation of unvite.Store.
type DB struct {
	db   *sql.DB
	path string
	dsn  string
	// writer admits one of this process's write transactions at a time.
	writer chan struct{}
	stmts  sync.Map // query → *sql.Stmt, see prepared
	lists  listCache
	// Now is the clock for recorded times; tests replace it.
	Now func() time.Time
	// BulkRows is the estimated import size from which a first import (into
	// a table of fewer than half as many invitations, for an account with
	// under a tenth as many) loads its rows without the invitation indexes
	// and builds them afterwards: building an index by sorting costs a
	// fraction of a million random index inserts. 0 means DefaultBulkRows;
	// tests lower it to exercise that path.
	BulkRows int
}

// busyTimeout is how long (ms) a writer waits for another one.
const busyTimeout = 10000

// cacheSize is each connection's page cache: 16 MB (negative: KiB).
const cacheSize = -16000

// mmapSize is how much of the file connections read through a memory map:
// pages come from the system's page cache, shared by all connections,
// instead of a copy into each one's own cache (32 readers each warming its
// own cache cost a third of a dashboard page's CPU). It is address space,
// not memory: SQLite caps it just under 2 GB. A million invitations make a
// file of about 450 MB, and a page past the map costs a read call.
const mmapSize = 2 << 30

// maxIdleConns is how many connections stay open between queries: as many
// as the readers a busy dashboard runs at once. Each keeps the pages it has
// read, up to cacheSize.
const maxIdleConns = 32

// DefaultBulkRows is BulkRows' default.
const DefaultBulkRows = 50_000

var _ unvite.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. WAL lets readers run beside the one writer; the busy
// timeout and immediate transactions make writers queue instead of failing.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true)
}

// OpenExisting opens the database file at path as Open does, but only if it
// is there: for commands that read, which must create nothing (no
// directory, no file, and no database in an empty or foreign file).
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false)
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// checkExisting tells whether path holds a SQLite database.
func checkExisting(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return unvite.Errorf(unvite.ENOTFOUND, "no database at %s: import an export or add an account first", path)
	}
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == io.EOF || err == nil) {
		return unvite.Errorf(unvite.ENOTFOUND, "no database at %s (the file is empty): import an export or add an account first", path)
	}
	if string(head[:n]) != sqliteHeader {
		return unvite.Errorf(unvite.EINVALID, "%s is not an unvite database (not a SQLite file)", path)
	}
	return nil
}

func open(ctx context.Context, path string, create bool) (*DB, error) {
	if !create {
		if err := checkExisting(path); err != nil {
			return nil, err
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: create directory for %s: %w", path, err)
		}
	}
	if err := initFile(ctx, path); err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", busyTimeout), "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", fmt.Sprintf("cache_size(%d)", cacheSize), fmt.Sprintf("mmap_size(%d)", mmapSize)} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Switching a new file to WAL needs a moment alone with it: a process
	// that loses that race to another one opening the same file tries again.
	for attempt := 0; ; attempt++ {
		err = db.PingContext(ctx)
		if err == nil || attempt == 20 || !isBusy(err) {
			break
		}
		time.Sleep(time.Duration(10*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// database/sql keeps 2 idle connections by default: under 32 readers at
	// once (the dashboard's load benchmark) the rest were closed after each
	// query and opened again, a seventh of the CPU in freeing their caches.
	// Idle ones go after a while, and their page caches with them.
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(time.Minute)
	if err := checkOurs(ctx, db, path); err != nil {
		db.Close()
		return nil, err
	}
	s := &DB{db: db, path: path, dsn: dsn, Now: time.Now, writer: make(chan struct{}, 1)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// isBusy tells whether SQLite refused for another connection's lock: its
// primary code is SQLITE_BUSY, whatever the extended code (a WAL recovery
// in progress says "database is locked (261)", without the name).
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// pageSize is the page size of new files: SQLite's default is 4 KiB. With
// 16 KiB pages the same data takes a quarter of the page reads and writes,
// and a million-row import ran 15% faster in 20% less memory.
const pageSize = 16384

// initFile gives a new (missing or empty) database file its page size,
// which is fixed once the file is first written, and WAL. Another process
// creating the same file at once may get there first: its file is as good.
func initFile(ctx context.Context, path string) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil // in use already, or Open reports what is wrong with it
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{fmt.Sprintf("PRAGMA page_size = %d", pageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			if isBusy(err) {
				return nil
			}
			return fmt.Errorf("sqlite: create %s: %w", path, err)
		}
	}
	return nil
}

func (s *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, fsys, goose.WithGoMigrations(checkMigration()))
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	// Processes opening a new file at once race to migrate it; SQLite has no
	// session lock for goose, so a loser re-checks after the winner commits
	// (its own attempt rolled back whole) and finds nothing left to do.
	for attempt := 0; attempt < 10; attempt++ {
		if _, err = p.Up(ctx); err == nil {
			return s.migrateRiver(ctx)
		}
		if pending, perr := p.HasPending(ctx); perr == nil && !pending {
			return s.migrateRiver(ctx)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return fmt.Errorf("sqlite: migrate %s: %w", s.path, err)
}

// migrateRiver brings River's job tables (same file) up to date: the
// engine's jobs commit in the same transactions as the store's rows.
func (s *DB) migrateRiver(ctx context.Context) error {
	m, err := rivermigrate.New(riversqlite.New(s.db), &rivermigrate.Config{Logger: quietLogger})
	if err != nil {
		return fmt.Errorf("sqlite: river migrations: %w", err)
	}
	var lastErr error
	for attempt := 0; attempt < 10; attempt++ {
		if _, lastErr = m.Migrate(ctx, rivermigrate.DirectionUp, nil); lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return fmt.Errorf("sqlite: migrate river tables in %s: %w", s.path, lastErr)
}

// quietLogger drops River's migration chatter (it logs every step).
var quietLogger = slog.New(slog.DiscardHandler)

// OpenPool opens another handle on the same file with the store's settings,
// limited to maxConns connections: River's own pool (one connection, as
// River advises for SQLite).
func (s *DB) OpenPool(maxConns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", s.dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	db.SetMaxOpenConns(maxConns)
	return db, nil
}

// SQL is the store's own database handle, for code that must share its
// transactions (River's InsertTx receives the store's *sql.Tx).
func (s *DB) SQL() *sql.DB { return s.db }

// Close closes the database.
func (s *DB) Close() error {
	s.lists.close()
	return s.db.Close()
}

// Path is the database file.
func (s *DB) Path() string { return s.path }

func (s *DB) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// inTx runs fn in one write transaction, committing on success.
func (s *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	// One writer of this process at a time waits here, woken at once when
	// the other commits, rather than in SQLite's busy handler, which sleeps
	// in growing steps: with many workers, most of their time.
	select {
	case s.writer <- struct{}{}:
		defer func() { <-s.writer }()
	case <-ctx.Done():
		return ctx.Err()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// unix converts a time for storage; the zero time is NULL.
func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func fromUnix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

func notFound(what string, id any) error {
	return unvite.Errorf(unvite.ENOTFOUND, "%s %v not found", what, id)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
