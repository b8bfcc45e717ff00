package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/unvite/unvite"
)

// Inspect tells where the schema of the database at dsn stands, without
// migrating it or writing anything: for `unvite migrate --status`.
func Inspect(ctx context.Context, dsn string) (unvite.SchemaStatus, error) {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return unvite.SchemaStatus{}, err
	}
	defer pool.Close()
	if err := checkExists(ctx, pool); err != nil {
		return unvite.SchemaStatus{}, err
	}
	return schemaStatus(ctx, pool)
}

// Schema tells where the open database's schema stands.
func (s *DB) Schema(ctx context.Context) (unvite.SchemaStatus, error) {
	return schemaStatus(ctx, s.pool)
}

func schemaStatus(ctx context.Context, pool *pgxpool.Pool) (unvite.SchemaStatus, error) {
	cfg := pool.Config().ConnConfig
	var st unvite.SchemaStatus
	// goose's and River's own status calls create their version tables
	// when missing; plain reads leave the schema as it is.
	var schema string
	var own, river int64
	err := pool.QueryRow(ctx, `SELECT coalesce(current_schema(), ''),
		CASE WHEN to_regclass('goose_db_version') IS NULL THEN 0 ELSE 1 END,
		CASE WHEN to_regclass('river_migration') IS NULL THEN 0 ELSE 1 END`).Scan(&schema, &own, &river)
	if err != nil {
		return st, fmt.Errorf("postgres: read the schema: %w", err)
	}
	// The address without user or password: never show secrets.
	st.Database = fmt.Sprintf("%s/%s (schema %q)", cfg.Host, cfg.Database, schema)
	if own == 1 {
		if err := pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&own); err != nil {
			return st, fmt.Errorf("postgres: read the schema version: %w", err)
		}
	}
	if river == 1 {
		if err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM river_migration WHERE line = 'main'`).Scan(&river); err != nil {
			return st, fmt.Errorf("postgres: read the job tables' version: %w", err)
		}
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return st, fmt.Errorf("postgres: migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys)
	if err != nil {
		return st, fmt.Errorf("postgres: migrations: %w", err)
	}
	var names []unvite.Migration
	for _, src := range p.ListSources() {
		names = append(names, unvite.Migration{Version: src.Version, Name: strings.TrimSuffix(filepath.Base(src.Path), ".sql")})
	}
	st.Parts = append(st.Parts, unvite.NewSchemaPart("unvite", own, names))
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{})
	if err != nil {
		return st, fmt.Errorf("postgres: river migrations: %w", err)
	}
	names = nil
	for _, v := range m.AllVersions() {
		names = append(names, unvite.Migration{Version: int64(v.Version), Name: fmt.Sprintf("%03d %s", v.Version, v.Name)})
	}
	st.Parts = append(st.Parts, unvite.NewSchemaPart("river", river, names))
	return st, nil
}
