package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/storetest"
)

func open(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// reopen opens a second handle on s's file, as another process would.
func reopen(t *testing.T, s unvite.Store) unvite.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), s.(*sqlite.DB).Path())
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) unvite.Store { return open(t) }, reopen)
}

func TestStoreShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (unvite.Store, func(t *testing.T) unvite.Store) {
		first := open(t)
		return first, func(t *testing.T) unvite.Store {
			db, err := sqlite.Open(context.Background(), first.Path())
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return db
		}
	})
}

// The same behaviour when every import large enough for its table takes
// the bulk path (indexes dropped, rows loaded, duplicates merged, indexes
// built again).
func TestStoreBulk(t *testing.T) {
	storetest.Run(t, func(t *testing.T) unvite.Store {
		db := open(t)
		db.BulkRows = 1
		return db
	}, func(t *testing.T, s unvite.Store) unvite.Store {
		db := reopen(t, s).(*sqlite.DB)
		db.BulkRows = 1
		return db
	})
}

// The database itself refuses what the domain forbids, whoever writes to it.
func TestDatabaseGuards(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	a := &unvite.Account{Name: "Maya"}
	require.NoError(t, db.CreateAccount(ctx, a))
	b, err := db.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "x"})
	require.NoError(t, err)
	require.NoError(t, b.PutConnection(ctx, unvite.Connection{Person: unvite.Person{Name: "A", Slug: "a"}, ConnectedOn: time.Now()}))
	require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: "A", Slug: "a"}, SentAt: time.Now().Add(-time.Hour)}))
	_, err = b.Commit(ctx)
	require.NoError(t, err)

	raw := db.RawForTest()
	_, err = raw.ExecContext(ctx, `UPDATE invitations SET status = 'withdrawing'`)
	require.ErrorContains(t, err, "illegal status change", "accepted cannot be withdrawn, even by hand")
	_, err = raw.ExecContext(ctx, `UPDATE events SET reason = 'edited'`)
	require.ErrorContains(t, err, "append-only")
	_, err = raw.ExecContext(ctx, `DELETE FROM events`)
	require.ErrorContains(t, err, "append-only")
}

// Several processes opening a new database file at once all succeed: one
// migrates it, the others find it migrated.
func TestConcurrentOpen(t *testing.T) {
	for round := 0; round < 3; round++ {
		path := filepath.Join(t.TempDir(), "race.db")
		errs := make(chan error, 6)
		for i := 0; i < 6; i++ {
			go func() {
				db, err := sqlite.Open(context.Background(), path)
				if err == nil {
					_, err = db.Accounts(context.Background())
					db.Close()
				}
				errs <- err
			}()
		}
		for i := 0; i < 6; i++ {
			require.NoError(t, <-errs)
		}
	}
}

// An import stopped half-way (Ctrl-C) leaves the store as it was, on both
// paths: the bulk path's dropped indexes and trigger are back, and the
// connection it used is fit for the next import; a finished one puts them
// back too.
func TestImportCancelled(t *testing.T) {
	for _, bulk := range []int{1, sqlite.DefaultBulkRows} {
		t.Run(fmt.Sprint("BulkRows=", bulk), func(t *testing.T) {
			db := open(t)
			db.BulkRows = bulk
			bg := context.Background()
			a := &unvite.Account{Name: "Maya"}
			require.NoError(t, db.CreateAccount(bg, a))
			row := func(i int) *unvite.Invitation {
				slug := fmt.Sprint("p", i)
				return &unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: slug, Slug: slug},
					SentAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)}
			}
			// load imports rows from..from+n, calling stop (if set) after 3000.
			load := func(ctx context.Context, from, n int, stop func()) (unvite.ImportSummary, error) {
				b, err := db.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "x.csv", ExpectedRows: n})
				require.NoError(t, err)
				defer b.Rollback()
				for i := from; i < from+n; i++ {
					if i == from+3000 && stop != nil {
						stop()
					}
					if err := b.PutInvitation(ctx, row(i)); err != nil {
						return unvite.ImportSummary{}, err
					}
				}
				return b.Commit(ctx)
			}
			_, err := load(bg, 0, 10, nil)
			require.NoError(t, err)
			indexes := func() []string {
				return column(t, db, `SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger') AND tbl_name = 'invitations' ORDER BY name`)
			}
			want := indexes()
			require.Contains(t, want, "invitations_identity")
			require.Contains(t, want, "invitations_listing_insert")

			ctx, cancel := context.WithCancel(bg)
			_, err = load(ctx, 10, 20_000, cancel)
			require.Error(t, err)

			n, err := db.CountInvitations(bg, unvite.InvitationFilter{AccountID: a.ID})
			require.NoError(t, err)
			require.Equal(t, 10, n, "nothing of the stopped import is kept")
			require.Equal(t, want, indexes(), "the indexes are all there")
			var fk, temp, cache int
			require.NoError(t, db.RawForTest().QueryRow(`SELECT * FROM pragma_foreign_keys, pragma_temp_store, pragma_cache_size`).Scan(&fk, &temp, &cache))
			require.Equal(t, []int{1, 0, -16000}, []int{fk, temp, cache}, "the pool's connections have their usual settings")

			sum, err := load(bg, 5, 1000, nil)
			require.NoError(t, err)
			require.Equal(t, 995, sum.Added)
			require.Equal(t, 5, sum.Unchanged)
			require.Equal(t, want, indexes())
		})
	}
}

// The import's name is written into its statements as a literal: a quote in
// a file name stays text, on both paths.
func TestImportNameIsText(t *testing.T) {
	for _, bulk := range []int{1, sqlite.DefaultBulkRows} {
		t.Run(fmt.Sprint("BulkRows=", bulk), func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			db.BulkRows = bulk
			a := &unvite.Account{Name: "Maya"}
			require.NoError(t, db.CreateAccount(ctx, a))
			name := `Tom's "export"'); DROP TABLE invitations; --.csv`
			b, err := db.BeginImport(ctx, a.ID, unvite.ImportMeta{File: name, ExpectedRows: 300})
			require.NoError(t, err)
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range 300 {
				slug := fmt.Sprint("p", i%290) // ten people invited twice: the first is superseded
				require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent,
					Invitee: unvite.Person{Name: slug, Slug: slug}, SentAt: at.Add(time.Duration(i) * time.Hour)}))
			}
			sum, err := b.Commit(ctx)
			require.NoError(t, err)
			require.Equal(t, 10, sum.Superseded)
			evs, err := db.Events(ctx, unvite.EventFilter{AccountID: a.ID})
			require.NoError(t, err)
			require.Len(t, evs, 10)
			for _, ev := range evs {
				require.Equal(t, "import:"+name, ev.Actor)
			}
			n, err := db.CountInvitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
			require.NoError(t, err)
			require.Equal(t, 300, n)
			// The rows written with the name as a literal carry it exactly.
			require.Equal(t, []string{"import:" + name},
				column(t, db, `SELECT DISTINCT status_actor FROM invitations WHERE status = 'pending'`))
		})
	}
}

// A new file gets 16 KiB pages and WAL; a file made with SQLite's default
// 4 KiB pages (by an earlier unvite, or by hand and left empty) opens and
// works as it is.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	pragmas := func(db *sqlite.DB) (size int, mode string) {
		require.NoError(t, db.RawForTest().QueryRow(`PRAGMA page_size`).Scan(&size))
		require.NoError(t, db.RawForTest().QueryRow(`PRAGMA journal_mode`).Scan(&mode))
		return size, mode
	}
	size, mode := pragmas(open(t))
	require.Equal(t, 16384, size)
	require.Equal(t, "wal", mode)

	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = raw.Exec(`CREATE TABLE elsewhere (a); DROP TABLE elsewhere`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	db, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	size, mode = pragmas(db)
	require.Equal(t, 4096, size)
	require.Equal(t, "wal", mode)
	a := &unvite.Account{Name: "Maya"}
	require.NoError(t, db.CreateAccount(ctx, a))
}

// column runs a query straight on the database and returns its one column.
func column(t *testing.T, db *sqlite.DB, query string) []string {
	t.Helper()
	rows, err := db.RawForTest().Query(query)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}
