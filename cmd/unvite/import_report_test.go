package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Rows of members who hide their details are left out and said to be, in
// the summary and in --json.
func TestImportSaysWhatItSkipped(t *testing.T) {
	c := newCLI(t)
	var b strings.Builder
	b.WriteString("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
	for i := range 733 {
		if i%100 == 50 {
			b.WriteString(",,,,,,19 Nov 2026\n")
			continue
		}
		b.WriteString("Ana,Baker" + itoa(int64(i)) + ",,,Redwood,CFO,19 Nov 2026\n")
	}
	p := filepath.Join(t.TempDir(), "Connections.csv")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))

	out := c.ok("import", "--name", "Maya Lindqvist", p)
	require.Contains(t, out, "726 connections")
	require.Contains(t, out, "Skipped 7 row(s) of "+p+": no name and no profile URL (a member who hides their details) (line 52, 152, 252, 352, 452, …).")

	var sum struct {
		Connections int `json:"connections"`
		Skipped     []struct {
			File   string `json:"file"`
			Reason string `json:"reason"`
			Count  int    `json:"count"`
			Lines  []int  `json:"lines"`
		} `json:"skipped"`
	}
	c2 := newCLI(t)
	c2.json(&sum, "import", "--name", "Maya Lindqvist", p)
	require.Equal(t, 726, sum.Connections)
	require.Len(t, sum.Skipped, 1)
	require.Equal(t, "no_name_or_url", sum.Skipped[0].Reason)
	require.Equal(t, 7, sum.Skipped[0].Count)
	require.Equal(t, []int{52, 152, 252, 352, 452}, sum.Skipped[0].Lines)
}

// A spreadsheet-kept Invitations.csv with renamed headers imports as is,
// and a column mapping applies to it as to a tracking sheet.
func TestImportKeptInvitations(t *testing.T) {
	dir := t.TempDir()
	kept := filepath.Join(dir, "Invitations.csv")
	require.NoError(t, os.WriteFile(kept, []byte("From,To,Date Sent,Message,Direction\r\n"+
		"Maya Lindqvist,Ana Baker,\"11/19/26, 4:50 PM\",,OUTGOING\r\n"+
		"Maya Lindqvist,Ravi Iyer,\"11/18/26, 9:10 AM\",Hello,OUTGOING\r\n"), 0o644))
	out := newCLI(t).ok("import", kept)
	require.Contains(t, out, "2 invitation rows (2 new")

	odd := filepath.Join(dir, "odd.csv")
	require.NoError(t, os.WriteFile(odd, []byte("From,To,Stamp,Message,Direction,Owner\n"+
		"Maya Lindqvist,Ana Baker,\"11/19/26, 4:50 PM\",,OUTGOING,me\n"), 0o644))
	out = newCLI(t).ok("import", "--sheet-column", "sent=Stamp", odd)
	require.Contains(t, out, "1 invitation rows (1 new")
	require.Contains(t, out, `Ignored column(s) of `+odd+`: "Owner"`)
}
