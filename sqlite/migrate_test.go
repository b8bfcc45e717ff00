package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"
)

// Migration 2 rewrites the status check of a database made by version 1,
// keeping its rows, and the database still refuses a status it does not
// know; down restores the original text.
func TestStatusCheckMigration(t *testing.T) {
	ctx := context.Background()
	db, p := migratedTo(t, filepath.Join(t.TempDir(), "old.db"), 1)
	_, err := db.Exec(`INSERT INTO accounts (id, name, created_at) VALUES (1, 'Maya', 0)`)
	require.NoError(t, err)
	insert := func(status string) error {
		_, err := db.Exec(`INSERT INTO invitations (account_id, direction, person_key, name, sent_at, status, status_since, source, changed_at)
			VALUES (1, 'sent', 'in:' || ?1, ?1, 0, ?1, 0, 'export', 0)`, status)
		return err
	}
	require.NoError(t, insert("pending"))
	schema := func() string {
		var s string
		require.NoError(t, db.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'invitations'`).Scan(&s))
		return s
	}
	require.Contains(t, schema(), statusCheckIn)

	_, err = p.Up(ctx)
	require.NoError(t, err)
	require.Contains(t, schema(), statusCheckOr)
	require.NotContains(t, schema(), statusCheckIn)
	require.NoError(t, insert("gone"))
	require.ErrorContains(t, insert("lost"), "CHECK constraint failed")
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM invitations`).Scan(&n))
	require.Equal(t, 2, n)
	var ok string
	require.NoError(t, db.QueryRow(`PRAGMA integrity_check`).Scan(&ok))
	require.Equal(t, "ok", ok)

	_, err = p.DownTo(ctx, 1)
	require.NoError(t, err)
	require.Contains(t, schema(), statusCheckIn)
	require.ErrorContains(t, insert("lost"), "CHECK constraint failed")
}

// migratedTo makes a database file at path as the release whose newest
// migration was version left it; the provider goes on from there.
func migratedTo(t *testing.T, path string, version int64) (*sql.DB, *goose.Provider) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	fsys, err := fs.Sub(migrations, "migrations")
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithGoMigrations(checkMigration()))
	require.NoError(t, err)
	_, err = p.UpTo(context.Background(), version)
	require.NoError(t, err)
	return db, p
}
