package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/unvite/unvite"
)

// Inspect tells where the schema of the database file at path stands,
// without migrating it or writing anything: for `unvite migrate --status`.
func Inspect(ctx context.Context, path string) (unvite.SchemaStatus, error) {
	if err := checkExisting(path); err != nil {
		return unvite.SchemaStatus{}, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma="+fmt.Sprintf("busy_timeout(%d)", busyTimeout))
	if err != nil {
		return unvite.SchemaStatus{}, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer db.Close()
	if err := checkOurs(ctx, db, path); err != nil {
		return unvite.SchemaStatus{}, err
	}
	return schemaStatus(ctx, db, path)
}

// Schema tells where the open database's schema stands.
func (s *DB) Schema(ctx context.Context) (unvite.SchemaStatus, error) {
	return schemaStatus(ctx, s.db, s.path)
}

// checkOurs refuses a SQLite file that holds tables but not unvite's:
// another program's database, which migrating would fill with ours.
func checkOurs(ctx context.Context, db *sql.DB, path string) error {
	var tables, ours int
	err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE name = 'goose_db_version') FROM sqlite_schema WHERE type = 'table'`).Scan(&tables, &ours)
	if err != nil {
		return fmt.Errorf("sqlite: read %s: %w", path, err)
	}
	if tables > 0 && ours == 0 {
		return unvite.Errorf(unvite.EINVALID, "%s is not an unvite database (a SQLite database of something else): choose another file with --db", path)
	}
	return nil
}

func schemaStatus(ctx context.Context, db *sql.DB, path string) (unvite.SchemaStatus, error) {
	st := unvite.SchemaStatus{Database: path}
	// goose's and River's own status calls create their version tables
	// when missing; plain reads leave a file as it is.
	var own, river int64
	var hasOwn, hasRiver bool
	err := db.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'goose_db_version'),
		EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'river_migration')`).Scan(&hasOwn, &hasRiver)
	if err != nil {
		return st, fmt.Errorf("sqlite: read the schema of %s: %w", path, err)
	}
	if hasOwn {
		if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&own); err != nil {
			return st, fmt.Errorf("sqlite: read the schema version of %s: %w", path, err)
		}
	}
	if hasRiver {
		if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM river_migration WHERE line = 'main'`).Scan(&river); err != nil {
			return st, fmt.Errorf("sqlite: read the job tables' version of %s: %w", path, err)
		}
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return st, fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithGoMigrations(checkMigration()))
	if err != nil {
		return st, fmt.Errorf("sqlite: migrations: %w", err)
	}
	var names []unvite.Migration
	for _, src := range p.ListSources() {
		name := strings.TrimSuffix(filepath.Base(src.Path), ".sql")
		if src.Path == "" {
			name = fmt.Sprintf("%05d (in Go)", src.Version)
		}
		names = append(names, unvite.Migration{Version: src.Version, Name: name})
	}
	st.Parts = append(st.Parts, unvite.NewSchemaPart("unvite", own, names))
	m, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: quietLogger})
	if err != nil {
		return st, fmt.Errorf("sqlite: river migrations: %w", err)
	}
	st.Parts = append(st.Parts, unvite.NewSchemaPart("river", river, riverMigrations(m.AllVersions())))
	return st, nil
}

func riverMigrations(all []rivermigrate.Migration) []unvite.Migration {
	out := make([]unvite.Migration, len(all))
	for i, m := range all {
		out[i] = unvite.Migration{Version: int64(m.Version), Name: fmt.Sprintf("%03d %s", m.Version, m.Name)}
	}
	return out
}
