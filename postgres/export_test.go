package postgres

import (
	"context"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// RawForTest exposes the pool so tests can try to bypass the store.
func (s *DB) RawForTest() *pgxpool.Pool { return s.pool }

// MigrateUpToForTest leaves the schema at dsn at unvite's migration
// version, as an older release would, without River's tables.
func MigrateUpToForTest(ctx context.Context, dsn string, version int64) error {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
