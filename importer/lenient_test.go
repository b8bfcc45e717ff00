package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/importer"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

// LinkedIn lists connections who hide their details as rows without name
// or URL (some without a date too): they are left out, and said to be.
func TestImportReportsSkippedRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
	var hidden []int
	for i := range 733 {
		line := i + 2
		switch {
		case i%100 == 7:
			hidden = append(hidden, line)
			b.WriteString(",,,,,,19 Nov 2026\n")
		case i == 700:
			hidden = append(hidden, line)
			b.WriteString(",,,,Redwood,,\n") // no date either: still a hidden member, not a bad date
		case i == 701:
			b.WriteString(",,,,,,,\n") // a spreadsheet's empty row, one cell too wide
		default:
			fmt.Fprintf(&b, "Ana,Baker%d,https://www.linkedin.com/in/ana-baker-%d,,Redwood,CFO,19 Nov 2026\n", i, i)
		}
	}
	conns := writeFile(t, "Connections.csv", b.String())
	invs := writeFile(t, "Invitations.csv", "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"+
		"Maya Lindqvist,Ana Baker3,\"11/19/26, 4:50 PM\",,OUTGOING,https://www.linkedin.com/in/maya,https://www.linkedin.com/in/ana-baker-3\n"+
		"Maya Lindqvist,,\"11/18/26, 4:50 PM\",,OUTGOING,https://www.linkedin.com/in/maya,\n")

	store, acct := newStore(t)
	sum, err := importer.Import(context.Background(), store, []string{conns, invs}, importer.Options{AccountID: acct.ID})
	require.NoError(t, err)
	require.Equal(t, 733-len(hidden)-1, sum.Connections)
	require.Equal(t, 1, sum.Rows)
	require.Equal(t, []unvite.SkippedRows{
		{File: conns, Reason: "no_name_or_url", Why: "no name and no profile URL (a member who hides their details)", Count: len(hidden), Lines: hidden[:5]},
		{File: conns, Reason: "blank", Why: "every field empty", Count: 1, Lines: []int{703}},
		{File: invs, Reason: "no_name_or_url", Why: "no name and no profile URL (a member who left LinkedIn or hides their details)", Count: 1, Lines: []int{3}},
	}, sum.Skipped)
	require.Empty(t, sum.IgnoredColumns, "LinkedIn's own columns are all read")
}

// Spreadsheet-kept copies rename, re-case and re-punctuate LinkedIn's
// headers: every usual name is read, and any other can be mapped.
func TestHeaderSynonyms(t *testing.T) {
	row := "Maya Lindqvist,Ana Baker,\"11/19/26, 4:50 PM\",Hi Ana,OUTGOING"
	for _, header := range []string{
		"From,To,Date Sent,Message,Direction",
		"from,to,sent at,message,direction",
		" FROM , To ,Sent_At,MESSAGE,Direction ",
		"Inviter,Invitee,Sent On,Note,Direction",
		"From,To,Date,Message,Direction",
	} {
		t.Run(header, func(t *testing.T) {
			p := writeFile(t, "kept.csv", header+"\n"+row+"\n")
			inv, err := importer.Inspect(context.Background(), []string{p}, nil)
			require.NoError(t, err)
			require.Equal(t, importer.KindInvitations, inv.Files[0].Kind)
			require.Equal(t, "Maya Lindqvist", inv.AccountName)
			store, acct := newStore(t)
			sum, err := importer.Import(context.Background(), store, []string{p}, importer.Options{AccountID: acct.ID})
			require.NoError(t, err)
			require.Equal(t, 1, sum.Added)
			got := snapshot(t, store, acct.ID).Invitations
			require.Len(t, got, 1)
			require.Equal(t, "Ana Baker", got[0].Invitee.Name)
			require.Equal(t, "Hi Ana", got[0].Note)
			require.Equal(t, "2026-11-19 16:50", got[0].SentAt.UTC().Format("2006-01-02 15:04"))
		})
	}

	// Spreadsheets in European locales re-save with semicolons; others
	// write tabs. The Sent At comma then needs no quotes.
	for name, body := range map[string]string{
		"semicolons": "From;To;Sent At;Message;Direction\r\nMaya Lindqvist;Ana Baker;11/19/26, 4:50 PM;Hi Ana, hello;Sent\r\n",
		"tabs":       "From\tTo\tSent At\tMessage\tDirection\nMaya Lindqvist\tAna Baker\t11/19/26, 4:50 PM\tHi Ana, hello\tOUTGOING\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, "Invitations.csv", body)
			store, acct := newStore(t)
			sum, err := importer.Import(context.Background(), store, []string{p}, importer.Options{AccountID: acct.ID})
			require.NoError(t, err)
			require.Equal(t, 1, sum.Added)
			got := snapshot(t, store, acct.ID).Invitations
			require.Equal(t, unvite.Sent, got[0].Direction)
			require.Equal(t, "Ana Baker", got[0].Invitee.Name)
			require.Equal(t, "Hi Ana, hello", got[0].Note)
		})
	}

	t.Run("connections", func(t *testing.T) {
		p := writeFile(t, "contacts.csv", "\ufeffFull Name,Profile URL,E-mail,Company,Job Title,Date Connected\r\n"+
			"Ana Baker,https://www.linkedin.com/in/ana-baker,ana@example.com,Redwood,CFO,19-Nov-26\r\n")
		store, acct := newStore(t)
		sum, err := importer.Import(context.Background(), store, []string{p}, importer.Options{AccountID: acct.ID})
		require.NoError(t, err)
		require.Equal(t, 1, sum.Connections)
		got := snapshot(t, store, acct.ID).Connections
		require.Len(t, got, 1)
		require.Equal(t, "Ana Baker", got[0].Person.Name)
		require.Equal(t, "ana-baker", got[0].Person.Slug)
		require.Equal(t, "CFO", got[0].Person.Headline)
	})
}

// A column mapping applies to export files too; columns nothing reads are
// reported, and a missing required one is named with the way to map it.
func TestColumnMappingOnExports(t *testing.T) {
	ctx := context.Background()
	p := writeFile(t, "Invitations.csv", "From,To,When,Message,Direction,Tag,\n"+
		"Maya Lindqvist,Ana Baker,\"11/19/26, 4:50 PM\",,OUTGOING,warm,\n")
	_, err := importer.Inspect(ctx, []string{p}, nil)
	requireParseError(t, err, p, 1, "", `missing column "Sent At"`, "Date Sent", "--column sent=HEADER")

	store, acct := newStore(t)
	cols := map[string]string{"sent": "when"}
	inv, err := importer.Inspect(ctx, []string{p}, cols)
	require.NoError(t, err)
	sum, err := importer.Import(ctx, store, []string{p}, importer.Options{AccountID: acct.ID, Inventory: inv, Columns: cols})
	require.NoError(t, err)
	require.Equal(t, 1, sum.Added)
	require.Equal(t, []unvite.IgnoredColumns{{File: p, Columns: []string{"Tag"}}}, sum.IgnoredColumns)

	_, err = importer.Inspect(ctx, []string{p}, map[string]string{"sent": "Sent Stamp"})
	requireParseError(t, err, p, 1, "", `missing column "Sent Stamp" for the sent field (as --column names it)`)
	_, err = importer.Inspect(ctx, []string{p}, map[string]string{"sent": "when", "followup": "Next"})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	require.ErrorContains(t, err, "no file here has a followup field")

	conns := writeFile(t, "Connections.csv", "Given,Family,Since\nAna,Baker,19 Nov 2026\n")
	_, err = importer.Inspect(ctx, []string{conns}, map[string]string{"connected": "Since"})
	requireParseError(t, err, conns, 1, "", `missing column "First Name"`, `"Last Name"`, "--column last=HEADER")
	sum, err = importer.Import(ctx, store, []string{conns}, importer.Options{AccountID: acct.ID,
		Columns: map[string]string{"connected": "Since", "first": "given", "Last": "Family"}})
	require.NoError(t, err)
	require.Equal(t, 1, sum.Connections)
}
