package sqlite_test

import (
	"context"
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

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) unvite.Store { return open(t) })
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
