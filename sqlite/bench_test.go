package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/exportgen"
	"github.com/unvite/unvite/importer"
	"github.com/unvite/unvite/sqlite"
)

// BenchmarkImport loads parsed export rows into a fresh database: the
// store's share of `unvite import` (cmd/unvite and bench/importbench time
// the whole command). Bulk is the path a large first import takes;
// Upsert is the row-by-row path of a re-import or a small one.
func BenchmarkImport(b *testing.B) {
	const n = 200_000
	var buf bytes.Buffer
	if err := exportgen.WriteInvitations(&buf, n, 1, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	r, err := importer.NewInvitationsReader(&buf, "Invitations.csv")
	if err != nil {
		b.Fatal(err)
	}
	var rows []*unvite.Invitation
	for {
		inv, err := r.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, inv)
	}
	for _, mode := range []struct {
		name string
		bulk int
	}{{"Bulk", 1}, {"Upsert", 10 * n}} {
		b.Run(fmt.Sprintf("%s/rows=%d", mode.name, n), func(b *testing.B) {
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprint(i, ".db")))
				if err != nil {
					b.Fatal(err)
				}
				db.BulkRows = mode.bulk
				a := &unvite.Account{Name: "Alex Example"}
				if err := db.CreateAccount(ctx, a); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				batch, err := db.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "Invitations.csv", Snapshot: true, ExpectedRows: n})
				if err != nil {
					b.Fatal(err)
				}
				for _, inv := range rows {
					if err := batch.PutInvitation(ctx, inv); err != nil {
						b.Fatal(err)
					}
				}
				sum, err := batch.Commit(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if sum.Added != n {
					b.Fatalf("added %d of %d rows", sum.Added, n)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkEvents reads the newest 50 of half a million audit events, as
// `unvite log` and the activity page do: of one account, and of all.
func BenchmarkEvents(b *testing.B) {
	const n = 500_000
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "events.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"Alex Example", "Sam Other"} {
		if err := db.CreateAccount(ctx, &unvite.Account{Name: name}); err != nil {
			b.Fatal(err)
		}
	}
	// Events of two accounts, interleaved, some without an invitation.
	_, err = db.RawForTest().ExecContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
		INSERT INTO events (account_id, invitation_id, at, type, reason, actor)
		SELECT 1 + x % 2, NULL, 1700000000 + x * 30, 'account', 'synthetic', 'bench' FROM c`, n)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		account int64
	}{{"account", 1}, {"all", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				ev, err := db.Events(ctx, unvite.EventFilter{AccountID: bc.account, Limit: 50})
				if err != nil {
					b.Fatal(err)
				}
				if len(ev) != 50 || !ev[0].At.After(ev[49].At) {
					b.Fatalf("%d events, not the newest first", len(ev))
				}
			}
		})
	}
}
