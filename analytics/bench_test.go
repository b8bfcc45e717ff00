package analytics_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
	"github.com/unvite/unvite/exportgen"
	"github.com/unvite/unvite/importer"
	"github.com/unvite/unvite/sqlite"
)

// BenchmarkReport1M measures every measure over 1,000,000 sent invitations
// in SQLite: an export of 1,035,000 rows (about 97% sent) spread over two
// years, with a third accepted, imported once; each iteration reads them
// all from the store and computes the report.
func BenchmarkReport1M(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	// UNVITE_BENCH_DIR keeps the imported store between runs (for profiling).
	if d := os.Getenv("UNVITE_BENCH_DIR"); d != "" {
		dir = d
	}
	dbPath := filepath.Join(dir, "report1m.db")
	_, statErr := os.Stat(dbPath)
	fresh := statErr != nil
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	write := func(name string, fn func(w *bufio.Writer) error) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		if err := fn(w); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		return p
	}
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	acct := &unvite.Account{ID: 1}
	if fresh {
		acct = importMillion(ctx, b, store, dir, end, write)
	}
	acct, err = store.Account(ctx, acct.ID)
	if err != nil {
		b.Fatal(err)
	}
	// The store's share: the rows alone, as Compute reads them.
	b.Run("read", func(b *testing.B) {
		n := 0
		defer cpuPerOp(b)()
		for b.Loop() {
			n = 0
			err := store.EachInvitation(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Outcomes: true, Unordered: true},
				func(*unvite.Invitation) error { n++; return nil })
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "invitations")
	})
	b.Run("report", func(b *testing.B) {
		var r *analytics.Report
		defer cpuPerOp(b)()
		for b.Loop() {
			r, err = analytics.Compute(ctx, store, acct, analytics.OptionsFor(acct, end))
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(r.Sent), "invitations")
		if r.Sent < 1_000_000 {
			b.Fatalf("only %d sent invitations", r.Sent)
		}
	})
}

// cpuPerOp reports the process's CPU time (user and system, every thread)
// per iteration when the returned func runs: on a shared machine it varies
// less than the wall time.
func cpuPerOp(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64(cpu()-start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

func importMillion(ctx context.Context, b *testing.B, store *sqlite.DB, dir string, end time.Time, write func(string, func(*bufio.Writer) error) string) *unvite.Account {
	const rows = 1_035_000
	unit := 2 * 365 * 24 * time.Hour / rows * 2 / 5 // gaps of 0-5 units average 2.5
	inv := write("Invitations.csv", func(w *bufio.Writer) error {
		return exportgen.WriteInvitationsSpread(w, rows, 1, end, unit)
	})
	conn := write("Connections.csv", func(w *bufio.Writer) error {
		return exportgen.WriteConnectionsSpread(w, rows, 1, end, 0.35, unit)
	})
	acct := &unvite.Account{Name: exportgen.AccountName, TimeZone: "Europe/Paris"}
	if err := store.CreateAccount(ctx, acct); err != nil {
		b.Fatal(err)
	}
	if _, err := importer.Import(ctx, store, []string{conn, inv}, importer.Options{AccountID: acct.ID}); err != nil {
		b.Fatal(err)
	}
	return acct
}
