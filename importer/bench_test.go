package importer_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/exportgen"
	"github.com/unvite/unvite/importer"
)

var benchEnd = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func generated(b *testing.B, rows int) []byte {
	b.Helper()
	var buf bytes.Buffer
	require.NoError(b, exportgen.WriteInvitations(&buf, rows, 42, benchEnd))
	return buf.Bytes()
}

// BenchmarkInvitationsReader parses a generated 100,000-row Invitations.csv
// and reports rows per second.
func BenchmarkInvitationsReader(b *testing.B) {
	const rows = 100000
	data := generated(b, rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := importer.NewInvitationsReader(bytes.NewReader(data), "Invitations.csv")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportSQLite is the end-to-end figure: a generated
// 100,000-row export folder imported into a fresh SQLite store.
func BenchmarkImportSQLite(b *testing.B) {
	const rows = 100000
	dir := filepath.Join(b.TempDir(), "Basic_LinkedInDataExport_11-20-2026")
	require.NoError(b, os.Mkdir(dir, 0o755))
	require.NoError(b, os.WriteFile(filepath.Join(dir, "Invitations.csv"), generated(b, rows), 0o644))
	var conns bytes.Buffer
	require.NoError(b, exportgen.WriteConnections(&conns, rows, 42, benchEnd, 0.45))
	require.NoError(b, os.WriteFile(filepath.Join(dir, "Connections.csv"), conns.Bytes(), 0o644))
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		store, acct := newStore(b)
		b.StartTimer()
		sum, err := importer.Import(context.Background(), store, []string{dir}, importer.Options{AccountID: acct.ID})
		require.NoError(b, err)
		require.Equal(b, rows, sum.Rows)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
