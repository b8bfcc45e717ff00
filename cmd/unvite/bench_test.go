package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/exportgen"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/sqlite"
)

// BenchmarkPlan100k times `unvite plan` end to end for one account with
// 100,000 pending invitations: reading them from SQLite, planning, printing.
func BenchmarkPlan100k(b *testing.B) {
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "Invitations.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	// Outgoing rows only count; ~97% are outgoing, all pending (no connections).
	if err := exportgen.WriteInvitations(w, 103_100, 1, end); err != nil {
		b.Fatal(err)
	}
	w.Flush()
	f.Close()
	e := env{stdin: nil, stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	db := filepath.Join(dir, "u.db")
	ctx := context.Background()
	if code := run(ctx, []string{"--db", db, "import", "-q", csvPath}, e); code != 0 {
		b.Fatal("import failed")
	}
	asOf := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	// The plan itself: the pending invitations read from the store, then planned.
	b.Run("plan", func(b *testing.B) {
		s, err := sqlite.Open(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		var n int
		for b.Loop() {
			pending, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: 1, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}, Brief: true})
			if err != nil {
				b.Fatal(err)
			}
			n = len(pending)
			policy.Plan(policy.Default(), pending, asOf)
		}
		b.ReportMetric(float64(n), "pending")
	})
	// The whole command, printing every step as JSON.
	b.Run("cli-json", func(b *testing.B) {
		for b.Loop() {
			if code := run(ctx, []string{"--db", db, "plan", "--as-of", "2026-11-20", "--json"}, e); code != 0 {
				b.Fatal("plan failed")
			}
		}
	})
}
