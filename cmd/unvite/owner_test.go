package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// withoutColumns copies a CSV (header first) without the named columns.
func withoutColumns(t *testing.T, src, dst string, drop ...string) string {
	t.Helper()
	f, err := os.Open(src)
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	require.NoError(t, err)
	out, err := os.Create(dst)
	require.NoError(t, err)
	w := csv.NewWriter(out)
	var keep []int
	header := -1
	for i, rec := range recs {
		if header < 0 && len(rec) > 2 {
			header = i
			for j, h := range rec {
				if !contains(drop, h) {
					keep = append(keep, j)
				}
			}
		}
		if header < 0 {
			require.NoError(t, w.Write(rec))
			continue
		}
		var row []string
		for _, j := range keep {
			row = append(row, rec[j])
		}
		require.NoError(t, w.Write(row))
	}
	w.Flush()
	require.NoError(t, w.Error())
	require.NoError(t, out.Close())
	return dst
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Connections with profile URLs and invitations without (or the reverse)
// are matched by name and date; the two Daniel Kims, told apart only by
// their URLs, are not.
func TestImportMatchesByNameWhenOneSideLacksURLs(t *testing.T) {
	want := loadExpected(t)["export-2026"]
	fx := shared(t, "fixtures/export-2026")
	dir := t.TempDir()

	// The reverse first: invitations with URLs, connections without.
	c := newCLI(t)
	conns := withoutColumns(t, filepath.Join(fx, "Connections.csv"), filepath.Join(dir, "Connections.csv"), "URL")
	var sum importSummary
	c.json(&sum, "import", filepath.Join(fx, "Invitations.csv"), conns)
	require.Empty(t, sum.Warnings)
	var kims []unvite.Invitation
	c.json(&kims, "invitations", "list", "-q", want.SameName)
	require.Len(t, kims, 2)
	for _, inv := range kims {
		require.Equal(t, unvite.StatusPending, inv.Status, "%s is two people: no match by name", want.SameName)
	}
	var st statsReport
	c.json(&st, "stats", "--as-of", want.ExportDate)
	require.Equal(t, want.Accepted-1, st.ByStatus[unvite.StatusAccepted], "all but the ambiguous one")

	// Invitations without URLs, connections with them.
	c = newCLI(t)
	invs := withoutColumns(t, filepath.Join(fx, "Invitations.csv"), filepath.Join(dir, "Invitations.csv"), "inviterProfileUrl", "inviteeProfileUrl")
	c.json(&sum, "import", "--name", want.Account.Name, invs, filepath.Join(fx, "Connections.csv"))
	require.Empty(t, sum.Warnings)
	c.json(&st, "stats", "--as-of", want.ExportDate)
	require.GreaterOrEqual(t, st.ByStatus[unvite.StatusAccepted], want.Accepted-1)
	require.LessOrEqual(t, st.ByStatus[unvite.StatusAccepted], want.Accepted)
}

// Files of two different accounts match nothing: the import says so.
func TestImportWarnsWhenNothingMatches(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	inv := filepath.Join(dir, "Invitations.csv")
	require.NoError(t, os.WriteFile(inv, []byte("From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"+
		"Maya Lind,Ann Berg,\"11/01/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/maya-lind,https://www.linkedin.com/in/ann-berg\n"+
		"Maya Lind,Bo Ek,\"11/02/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/maya-lind,https://www.linkedin.com/in/bo-ek\n"), 0o600))
	var sum importSummary
	c.json(&sum, "import", inv, writeConnections(t))
	require.Equal(t, []string{"none of the 2 sent invitations matched any of the 1 connections: are the files of the same account?"}, sum.Warnings)
	out := c.ok("import", inv)
	require.Contains(t, out, "Warning: none of the 2 sent invitations matched any of the 1 connections")
}

// Connections.csv first (it does not say whose it is: --name), then the
// Invitations.csv that does: one account, which learns its profile, and
// the same figures as importing both together.
func TestImportConnectionsThenInvitations(t *testing.T) {
	want := loadExpected(t)["export-2026"]
	fx := shared(t, "fixtures/export-2026")
	c := newCLI(t)
	r := c.run("", "import", filepath.Join(fx, "Connections.csv"))
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "give --account or --name")
	c.ok("import", "--name", "maya  lindqvist", filepath.Join(fx, "Connections.csv"))
	var sum importSummary
	c.json(&sum, "import", filepath.Join(fx, "Invitations.csv"))
	var accts []unvite.Account
	c.json(&accts, "account", "list")
	require.Len(t, accts, 1, "one person, one account")
	require.Equal(t, want.Account.ProfileURL, accts[0].ProfileURL())
	require.Equal(t, want.Account.Name, accts[0].Name, "the export's spelling of the name")
	require.Equal(t, accts[0].ID, sum.Account)
	var st statsReport
	c.json(&st, "stats", "--as-of", want.ExportDate)
	require.Equal(t, want.Accepted, st.ByStatus[unvite.StatusAccepted])
	require.Equal(t, want.Pending, st.Pending)
}

// A loose CSV's export date is a guess, said as such, unless given.
func TestImportExportDateGuessOrGiven(t *testing.T) {
	fx := shared(t, "fixtures/export-2026")
	c := newCLI(t)
	var sum struct {
		ExportDate string `json:"export_date"`
		Guessed    bool   `json:"export_date_guessed"`
	}
	c.json(&sum, "import", filepath.Join(fx, "Invitations.csv"))
	require.Equal(t, "2026-11-19", sum.ExportDate)
	require.True(t, sum.Guessed)
	require.Contains(t, c.ok("import", filepath.Join(fx, "Invitations.csv")), "Export date 2026-11-19, a guess: the newest row's day (give --export-date YYYY-MM-DD")

	c = newCLI(t)
	sum.Guessed = false
	c.json(&sum, "import", "--export-date", "2026-11-24", filepath.Join(fx, "Invitations.csv"))
	require.Equal(t, "2026-11-24", sum.ExportDate)
	require.False(t, sum.Guessed)
	require.NotContains(t, c.ok("import", "--export-date", "2026-11-24", filepath.Join(fx, "Invitations.csv")), "guess")

	// The archive's name gives the date: no guess.
	c = newCLI(t)
	sum.Guessed = false
	c.json(&sum, "import", shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip"))
	require.Equal(t, "2026-11-20", sum.ExportDate)
	require.False(t, sum.Guessed)

	r := c.run("", "import", "--export-date", "24/11/2026", filepath.Join(fx, "Invitations.csv"))
	require.Equal(t, 1, r.code)
	require.Equal(t, "unvite: --export-date \"24/11/2026\": want a day as YYYY-MM-DD\n", r.stderr)
}
