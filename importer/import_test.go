package importer_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/exportgen"
	"github.com/unvite/unvite/importer"
	"github.com/unvite/unvite/sqlite"
)

// newStore opens a real SQLite store in a temporary folder, with one account.
func newStore(t testing.TB) (*sqlite.DB, *unvite.Account) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	a := &unvite.Account{Name: "Maya Lindqvist"}
	require.NoError(t, db.CreateAccount(context.Background(), a))
	return db, a
}

type storeState struct {
	Invitations []*unvite.Invitation
	Connections []unvite.Connection
}

func snapshot(t *testing.T, s unvite.Store, account int64) storeState {
	t.Helper()
	invs, err := s.Invitations(context.Background(), unvite.InvitationFilter{AccountID: account})
	require.NoError(t, err)
	conns, err := s.Connections(context.Background(), account)
	require.NoError(t, err)
	return storeState{invs, conns}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = io.WriteString(w, body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func newFlate(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) }

func TestImportExportZip(t *testing.T) {
	exp := expected(t)["export-2026"]
	ctx := context.Background()
	store, acct := newStore(t)
	zipPath := filepath.Join(fixtures(t), "Basic_LinkedInDataExport_11-20-2026.zip")

	inv, err := importer.Inspect(ctx, []string{zipPath}, nil)
	require.NoError(t, err)
	require.Equal(t, exp.Account.Name, inv.AccountName)
	require.Equal(t, unvite.SlugFromURL(exp.Account.ProfileURL), inv.AccountSlug)
	require.Equal(t, exp.ExportDate, inv.ExportDate.Format(time.DateOnly))
	require.Len(t, inv.Files, 2, "Profile.csv, Registration.csv and Jobs/ are ignored")
	require.Equal(t, importer.KindConnections, inv.Files[0].Kind)
	require.Equal(t, importer.KindInvitations, inv.Files[1].Kind)
	require.Equal(t, zipPath+"/Invitations.csv", inv.Files[1].Name)

	var last, total int64
	sum, err := importer.Import(ctx, store, []string{zipPath}, importer.Options{AccountID: acct.ID, Inventory: inv,
		Progress: func(done, tot int64) {
			require.GreaterOrEqual(t, done, last)
			last, total = done, tot
		}})
	require.NoError(t, err)
	require.Equal(t, exp.InvitationsRows, sum.Rows)
	require.Equal(t, exp.Connections, sum.Connections)
	require.Equal(t, total, last, "progress reaches the end")
	require.Equal(t, int64(125533+428981), total)

	n, err := store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent})
	require.NoError(t, err)
	require.Equal(t, exp.Outgoing, n)

	// The same export again changes nothing.
	again, err := importer.Import(ctx, store, []string{zipPath}, importer.Options{AccountID: acct.ID})
	require.NoError(t, err)
	require.Equal(t, 0, again.Added)
	require.Equal(t, exp.InvitationsRows, again.Unchanged)
}

func TestImportFoldersAndSheet(t *testing.T) {
	ctx := context.Background()
	store, acct := newStore(t)
	dir := filepath.Join(fixtures(t), "export-2026")
	sheet := filepath.Join(fixtures(t), "tracking-sheet.csv")
	inv, err := importer.Inspect(ctx, []string{sheet, dir}, nil)
	require.NoError(t, err)
	var kinds []importer.Kind
	for _, f := range inv.Files {
		kinds = append(kinds, f.Kind)
	}
	require.Equal(t, []importer.Kind{importer.KindConnections, importer.KindInvitations, importer.KindSheet}, kinds)
	require.True(t, inv.ExportDate.IsZero(), "no date in the names")

	sum, err := importer.Import(ctx, store, []string{sheet, dir}, importer.Options{AccountID: acct.ID})
	require.NoError(t, err)
	require.Equal(t, "2026-11-19", sum.AsOf.Format(time.DateOnly), "no date in the names: the newest date in the files")
	require.Equal(t, expected(t)["tracking-sheet.csv"].Rows, sum.Matched+sum.Unmatched)
	require.Positive(t, sum.Matched)
}

func TestImportSheetWithMapping(t *testing.T) {
	ctx := context.Background()
	store, acct := newStore(t)
	path := filepath.Join("testdata", "sheet-custom.csv")
	_, err := importer.Import(ctx, store, []string{path}, importer.Options{AccountID: acct.ID})
	require.ErrorContains(t, err, "unknown header", "nothing detectable without a mapping")

	sum, err := importer.Import(ctx, store, []string{path}, importer.Options{AccountID: acct.ID, Columns: map[string]string{
		"name": "Contact person", "sent": "invited when", "URL": "LinkedIn page", "comment": "Notes to self", "company": "Where",
	}})
	require.NoError(t, err)
	require.Equal(t, 1, sum.Unmatched)
	invs, err := store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID})
	require.NoError(t, err)
	require.Len(t, invs, 1)
	got := invs[0]
	require.Equal(t, "deepa-visser-deeeb10a", got.Invitee.Slug)
	require.Equal(t, "Quantix", got.Invitee.Company)
	require.Equal(t, "intro via Ana", got.Comment)
	require.Equal(t, time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC), got.SentAt.UTC())
	require.Equal(t, unvite.SourceSheet, got.Source)
}

func TestImportCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	store, acct := newStore(t)
	p := filepath.Join(t.TempDir(), "Invitations.csv")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, exportgen.WriteInvitations(f, 5000, 1, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, f.Close())
	inv, err := importer.Inspect(ctx, []string{p}, nil)
	require.NoError(t, err)
	cancel()
	_, err = importer.Import(ctx, store, []string{p}, importer.Options{AccountID: acct.ID, Inventory: inv})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, storeState{}, snapshot(t, store, acct.ID))
}

// A generated export round-trips: what exportgen says it wrote is what
// the import finds.
func TestImportGenerated(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	const n, seed, accepted = 20000, 7, 0.4
	dir := filepath.Join(t.TempDir(), "Basic_LinkedInDataExport_11-20-2026")
	require.NoError(t, os.Mkdir(dir, 0o755))
	write := func(name string, fn func(io.Writer) error) {
		f, err := os.Create(filepath.Join(dir, name))
		require.NoError(t, err)
		require.NoError(t, fn(f))
		require.NoError(t, f.Close())
	}
	write("Invitations.csv", func(w io.Writer) error { return exportgen.WriteInvitations(w, n, seed, end) })
	write("Connections.csv", func(w io.Writer) error { return exportgen.WriteConnections(w, n, seed, end, accepted) })
	want := exportgen.Summarize(n, seed, end, accepted)

	inv, err := importer.Inspect(ctx, []string{dir}, nil)
	require.NoError(t, err)
	require.Equal(t, exportgen.AccountName, inv.AccountName)
	require.Equal(t, unvite.SlugFromURL(exportgen.AccountURL), inv.AccountSlug)
	require.Equal(t, "2026-11-20", inv.ExportDate.Format(time.DateOnly), "the folder's name gives the date")

	store, acct := newStore(t)
	sum, err := importer.Import(ctx, store, []string{dir}, importer.Options{AccountID: acct.ID, Inventory: inv})
	require.NoError(t, err)
	require.Equal(t, want.Rows, sum.Rows)
	require.Equal(t, want.Connections, sum.Connections)
	accepted_, err := store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent,
		Statuses: []unvite.Status{unvite.StatusAccepted}})
	require.NoError(t, err)
	require.Equal(t, want.Accepted, accepted_)
}
