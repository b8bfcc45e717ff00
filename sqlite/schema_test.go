package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// A database an older release left at migration 17 shows the two after it
// as pending and River's tables as missing, without Inspect writing a byte;
// opening applies them all; a version past this build's shows as newer.
func TestInspectSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, p := migratedTo(t, path, 17)
	require.NoError(t, db.Close())
	sources := p.ListSources()
	latest := sources[len(sources)-1].Version
	require.Greater(t, latest, int64(17))

	sum := func() [32]byte {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		return sha256.Sum256(b)
	}
	was := sum()
	st, err := Inspect(ctx, path)
	require.NoError(t, err)
	require.Equal(t, was, sum(), "Inspect writes nothing")
	require.Equal(t, path, st.Database)
	require.Len(t, st.Parts, 2)
	own, river := st.Parts[0], st.Parts[1]
	require.Equal(t, "unvite", own.Name)
	require.Equal(t, int64(17), own.Version)
	require.Equal(t, latest, own.Latest)
	require.Len(t, own.Pending, int(latest-17))
	require.Equal(t, "00018_invitation_unlisted", own.Pending[0])
	require.Equal(t, "river", river.Name)
	require.Zero(t, river.Version)
	require.NotEmpty(t, river.Pending)
	require.Equal(t, int64(len(river.Pending)), river.Latest)
	_, newer := st.Newer()
	require.False(t, newer)

	s, err := Open(ctx, path)
	require.NoError(t, err)
	now, err := s.Schema(ctx)
	require.NoError(t, err)
	for _, part := range now.Parts {
		require.Equal(t, part.Latest, part.Version, part.Name)
		require.Empty(t, part.Pending, part.Name)
	}
	_, err = s.db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, latest+1)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	st, err = Inspect(ctx, path)
	require.NoError(t, err)
	part, newer := st.Newer()
	require.True(t, newer)
	require.Equal(t, unvite.SchemaPart{Name: "unvite", Version: latest + 1, Latest: latest}, part)
}

// Another program's SQLite database is refused, by Open, OpenExisting and
// Inspect alike, and left as it was.
func TestForeignSQLiteFileRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	for name, open := range map[string]func() error{
		"Open":         func() error { _, err := Open(ctx, path); return err },
		"OpenExisting": func() error { _, err := OpenExisting(ctx, path); return err },
		"Inspect":      func() error { _, err := Inspect(ctx, path); return err },
	} {
		err := open()
		require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), name)
		require.EqualError(t, err, path+" is not an unvite database (a SQLite database of something else): choose another file with --db", name)
	}
	db, err = sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	require.NoError(t, err)
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"notes"}, tables)
}
