package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/postgres"
	"github.com/unvite/unvite/storetest"
)

const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// serverDSN is the test server's address; it skips the test when the server
// cannot be reached, saying so (CI fails on any skip).
func serverDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("UNVITE_TEST_POSTGRES")
	if dsn == "" {
		dsn = defaultDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		t.Skipf("PostgreSQL at %s not reachable (set UNVITE_TEST_POSTGRES): %v", dsn, err)
	}
	return dsn
}

// withSearchPath adds a search_path run-time parameter to a URL or
// key=value DSN.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// freshSchema creates a schema of its own for the test, dropped at the end,
// and returns a DSN whose search_path selects it.
func freshSchema(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	dsn := serverDSN(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "unvite_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(ctx)
		require.NoError(t, err)
	})
	return withSearchPath(t, dsn, schema)
}

// open returns a store on a fresh schema.
func open(t testing.TB) *postgres.DB {
	t.Helper()
	return openDSN(t, freshSchema(t))
}

func openDSN(t testing.TB, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	var mu sync.Mutex
	dsns := map[unvite.Store]string{}
	storetest.Run(t, func(t *testing.T) unvite.Store {
		dsn := freshSchema(t)
		db := openDSN(t, dsn)
		mu.Lock()
		dsns[db] = dsn
		mu.Unlock()
		return db
	}, func(t *testing.T, s unvite.Store) unvite.Store {
		mu.Lock()
		dsn := dsns[s]
		mu.Unlock()
		return openDSN(t, dsn)
	})
}

func TestStoreShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (unvite.Store, func(t *testing.T) unvite.Store) {
		dsn := freshSchema(t)
		another := func(t *testing.T) unvite.Store {
			db, err := postgres.Open(context.Background(), dsn)
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			return db
		}
		return another(t), another
	})
}

// Many processes starting at once on an empty schema: one migrates, the
// others wait for it under goose's session lock and find nothing to do.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	dsn := freshSchema(t)
	const n = 6
	errs := make(chan error, n)
	dbs := make(chan *postgres.DB, n)
	for range n {
		go func() {
			db, err := postgres.Open(ctx, dsn)
			if err == nil {
				dbs <- db
			}
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	db := <-dbs
	for range n - 1 {
		(<-dbs).Close()
	}
	defer db.Close()
	var applied int
	require.NoError(t, db.RawForTest().QueryRow(ctx,
		`SELECT count(*) FROM goose_db_version WHERE version_id = 1 AND is_applied`).Scan(&applied))
	require.Equal(t, 1, applied)
	require.NoError(t, db.CreateAccount(ctx, &unvite.Account{Name: "Maya"}))
}

// importOne imports one sent invitation to slug, with a connection when connected.
func importOne(t *testing.T, db *postgres.DB, acct int64, slug string, connected bool) {
	t.Helper()
	ctx := context.Background()
	b, err := db.BeginImport(ctx, acct, unvite.ImportMeta{File: "x"})
	require.NoError(t, err)
	p := unvite.Person{Name: strings.ToUpper(slug), Slug: slug}
	if connected {
		require.NoError(t, b.PutConnection(ctx, unvite.Connection{Person: p, ConnectedOn: time.Now()}))
	}
	require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Invitee: p, SentAt: time.Now().Add(-time.Hour)}))
	_, err = b.Commit(ctx)
	require.NoError(t, err)
}

// The database itself refuses what the domain forbids, whoever writes to it.
func TestDatabaseGuards(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	a := &unvite.Account{Name: "Maya"}
	require.NoError(t, db.CreateAccount(ctx, a))
	importOne(t, db, a.ID, "a", true)

	raw := db.RawForTest()
	_, err := raw.Exec(ctx, `UPDATE invitations SET status = 'withdrawing'`)
	require.ErrorContains(t, err, "illegal status change", "accepted cannot be withdrawn, even by hand")
	_, err = raw.Exec(ctx, `UPDATE events SET reason = 'edited'`)
	require.ErrorContains(t, err, "append-only")
	_, err = raw.Exec(ctx, `DELETE FROM events`)
	require.ErrorContains(t, err, "append-only")
	_, err = raw.Exec(ctx, `TRUNCATE events`)
	require.ErrorContains(t, err, "append-only")

	// A legal change by hand is still audited.
	importOne(t, db, a.ID, "b", false)
	_, err = raw.Exec(ctx, `UPDATE invitations SET status = 'gone', status_reason = 'by hand', status_actor = 'dba'
		WHERE slug = 'b'`)
	require.NoError(t, err)
	ev, err := db.Events(ctx, unvite.EventFilter{AccountID: a.ID, Limit: 1})
	require.NoError(t, err)
	require.Len(t, ev, 1)
	require.Equal(t, unvite.StatusPending, ev[0].From)
	require.Equal(t, unvite.StatusGone, ev[0].To)
	require.Equal(t, "dba", ev[0].Actor)
}

// Two imports of one account serialise on the account's advisory lock: the
// second BeginImport waits until the first commits, then sees its rows. An
// import of another account does not wait.
func TestImportsOfOneAccountSerialise(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := open(t)
	a := &unvite.Account{Name: "Maya", Slug: "maya"}
	other := &unvite.Account{Name: "Other", Slug: "other"}
	require.NoError(t, db.CreateAccount(ctx, a))
	require.NoError(t, db.CreateAccount(ctx, other))
	inv := func() *unvite.Invitation {
		return &unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: "P", Slug: "p"},
			SentAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	}

	first, err := db.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "first"})
	require.NoError(t, err)
	require.NoError(t, first.PutInvitation(ctx, inv()))

	type result struct {
		b   unvite.ImportBatch
		err error
	}
	second := make(chan result, 1)
	go func() {
		b, err := db.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "second"})
		second <- result{b, err}
	}()

	// The other account is not held up.
	b, err := db.BeginImport(ctx, other.ID, unvite.ImportMeta{File: "other"})
	require.NoError(t, err)
	require.NoError(t, b.Rollback())

	// The second import is waiting on an advisory lock, not finished.
	require.Eventually(t, func() bool {
		var waiting bool
		err := db.RawForTest().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND NOT l.granted AND a.query LIKE '%pg_advisory_xact_lock%')`).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 20*time.Millisecond)
	select {
	case r := <-second:
		t.Fatalf("second import began while the first was open (err %v)", r.err)
	case <-time.After(200 * time.Millisecond):
	}

	sum, err := first.Commit(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, sum.Added)

	var r result
	select {
	case r = <-second:
	case <-ctx.Done():
		t.Fatal("second import still waiting after the first committed")
	}
	require.NoError(t, r.err)
	require.NoError(t, r.b.PutInvitation(ctx, inv()))
	sum, err = r.b.Commit(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, sum.Rows)
	require.Equal(t, 1, sum.Unchanged, "the second import saw the first one's row")
}

// BenchmarkImport measures a large export import (UNVITE_BENCH_ROWS rows,
// 100000 by default) into a fresh account per iteration; BenchmarkReimport
// the same export imported again.
func BenchmarkImport(b *testing.B)   { benchImport(b, false) }
func BenchmarkReimport(b *testing.B) { benchImport(b, true) }

func benchImport(b *testing.B, again bool) {
	rows := 100000
	if v := os.Getenv("UNVITE_BENCH_ROWS"); v != "" {
		_, err := fmt.Sscan(v, &rows)
		require.NoError(b, err)
	}
	ctx := context.Background()
	db := open(b)
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	load := func(acct int64) {
		batch, err := db.BeginImport(ctx, acct, unvite.ImportMeta{File: "big.zip", Snapshot: true, AsOf: t0.AddDate(6, 0, 0)})
		require.NoError(b, err)
		for j := range rows {
			slug := fmt.Sprintf("person-%d", j%(rows*9/10)) // a tenth are re-invites
			if j%50 == 0 {
				require.NoError(b, batch.PutConnection(ctx, unvite.Connection{
					Person: unvite.Person{Name: slug, Slug: slug}, ConnectedOn: t0.Add(time.Duration(j+1) * time.Minute)}))
			}
			require.NoError(b, batch.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent,
				Invitee: unvite.Person{Name: "Person " + slug, Slug: slug, Company: "Co"}, SentAt: t0.Add(time.Duration(j) * time.Minute)}))
		}
		_, err = batch.Commit(ctx)
		require.NoError(b, err)
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		a := &unvite.Account{Name: fmt.Sprintf("A%d", i)}
		require.NoError(b, db.CreateAccount(ctx, a))
		if again {
			load(a.ID)
		}
		b.StartTimer()
		load(a.ID)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
