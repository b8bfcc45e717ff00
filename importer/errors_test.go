package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/importer"
)

// requireParseError checks err is a ParseError for file, line and field
// whose message holds each of msgs, and that it reads as EINVALID.
func requireParseError(t *testing.T, err error, file string, line int, field string, msgs ...string) {
	t.Helper()
	require.Error(t, err)
	var pe *importer.ParseError
	require.True(t, errors.As(err, &pe), "a *ParseError: %v", err)
	require.Equal(t, file, pe.File, err.Error())
	require.Equal(t, line, pe.Line, err.Error())
	require.Equal(t, field, pe.Field, err.Error())
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	require.Contains(t, err.Error(), file)
	for _, m := range msgs {
		require.Contains(t, err.Error(), m)
	}
}

func TestParseErrorText(t *testing.T) {
	err := error(&importer.ParseError{File: "Invitations.csv", Line: 12, Field: "Sent At", Msg: `cannot parse "13/45/26" as a date (want M/D/YY, H:MM AM)`})
	require.EqualError(t, err, `Invitations.csv: line 12: field "Sent At": cannot parse "13/45/26" as a date (want M/D/YY, H:MM AM)`)
	var ue *unvite.Error
	require.True(t, errors.As(err, &ue))
	require.Equal(t, unvite.EINVALID, ue.Code)
	require.Equal(t, err.Error(), ue.Message)
}

// Each bad input fails the import, names the file, line and field, and
// leaves the store as it was.
func TestBadInputs(t *testing.T) {
	tmp := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	td := func(name string) string { return filepath.Join("testdata", name) }
	// A line of two megabytes, and an unclosed quote swallowing the rest.
	long := write("long-line.csv", []byte("From,To,Sent At,Message,Direction\nA,B,\"1/2/26, 3:04 PM\","+strings.Repeat("x", 2<<20)+",OUTGOING\n"))
	unclosed := write("unclosed.csv", []byte("From,To,Sent At,Message,Direction\nA,B,\"1/2/26, 3:04 PM\",\"hi,OUTGOING\n"+
		strings.Repeat("no quote on this line, only text\n", 80000)))
	profileOnly := write("Basic_LinkedInDataExport_01-02-2026.zip", zipOf(t, map[string]string{
		"Profile.csv": "First Name,Last Name,Maiden Name,Headline\nMaya,Lindqvist,,Head of Research\n",
	}))
	brokenInZip := write("broken.zip", zipOf(t, map[string]string{"Invitations.csv": "From,To,Sent At,Message,Direction\nA,B,yesterday,,OUTGOING\n"}))
	tooBig := write("big.zip", zipOf(t, map[string]string{
		"Connections.csv": "First Name,Last Name,Connected On\n" + strings.Repeat("Ana,Baker,07 Sep 2022\n", 100000),
	}))

	cases := []struct {
		name  string
		paths []string
		opt   importer.Options
		file  string
		line  int
		field string
		msgs  []string
	}{
		{"bad date", []string{td("bad-date.csv")}, importer.Options{}, td("bad-date.csv"), 3, "Sent At", []string{`cannot parse "13/45/26, 4:50 PM" as a date (want M/D/YY, H:MM AM)`}},
		{"bad direction", []string{td("bad-direction.csv")}, importer.Options{}, td("bad-direction.csv"), 3, "Direction", []string{`"SIDEWAYS"`, "OUTGOING or INCOMING"}},
		{"unknown header", []string{td("unknown-header.csv")}, importer.Options{}, td("unknown-header.csv"), 1, "", []string{`unknown header "Foo,Bar,Baz"`, "From,To,Sent At,Message,Direction", "Connected On", "Date sent"}},
		{"missing Direction", []string{td("missing-direction.csv")}, importer.Options{}, td("missing-direction.csv"), 1, "", []string{`missing column "Direction"`}},
		{"missing Last Name", []string{td("missing-last-name.csv")}, importer.Options{}, td("missing-last-name.csv"), 4, "", []string{`missing column "Last Name"`}},
		{"connections bad date", []string{td("connections-bad-date.csv")}, importer.Options{}, td("connections-bad-date.csv"), 3, "Connected On", []string{`"2022-13-45"`, "(want DD Mon YYYY or M/D/YY, H:MM AM)"}},
		{"empty", []string{td("empty.csv")}, importer.Options{}, td("empty.csv"), 0, "", []string{"empty file"}},
		{"BOM only", []string{td("bom-only.csv")}, importer.Options{}, td("bom-only.csv"), 0, "", []string{"empty file"}},
		{"short row", []string{td("short-row.csv")}, importer.Options{}, td("short-row.csv"), 3, "", []string{"has 4 fields, want 5"}},
		{"not UTF-8", []string{td("latin1.csv")}, importer.Options{}, td("latin1.csv"), 3, "To", []string{"not UTF-8"}},
		{"binary", []string{td("binary.csv")}, importer.Options{}, td("binary.csv"), 0, "", []string{"binary data"}},
		{"NUL in a field", []string{td("nul-in-field.csv")}, importer.Options{}, td("nul-in-field.csv"), 2, "Message", []string{"NUL"}},
		{"not a zip", []string{td("fake.zip")}, importer.Options{}, td("fake.zip"), 0, "", []string{"not a zip archive"}},
		{"no such file", []string{td("nope.csv")}, importer.Options{}, td("nope.csv"), 0, "", []string{"no such file"}},
		{"sheet without date column", []string{td("sheet-no-date.csv")}, importer.Options{}, td("sheet-no-date.csv"), 1, "", []string{"the date sent", "--column"}},
		{"sheet bad date", []string{td("sheet-bad-date.csv")}, importer.Options{}, td("sheet-bad-date.csv"), 3, "Date sent", []string{`"08.06.2026"`, "YYYY-MM-DD"}},
		{"sheet row without name", []string{td("sheet-no-name.csv")}, importer.Options{}, td("sheet-no-name.csv"), 3, "Name", []string{"no name or profile URL"}},
		{"sheet mapping names a missing column", []string{td("sheet-custom.csv")}, importer.Options{Columns: map[string]string{"name": "Contact person", "sent": "Date"}}, td("sheet-custom.csv"), 1, "", []string{`no column "Date" for the sent field`}},
		{"line over 1 MiB", []string{long}, importer.Options{}, long, 2, "", []string{"longer than 1 MiB"}},
		{"unclosed quote", []string{unclosed}, importer.Options{}, unclosed, 2, "", []string{"longer than 1 MiB", "unclosed quote"}},
		{"zip without our files", []string{profileOnly}, importer.Options{}, profileOnly, 0, "", []string{"no Invitations.csv or Connections.csv"}},
		{"bad file in zip", []string{brokenInZip}, importer.Options{}, brokenInZip + "/Invitations.csv", 2, "Sent At", []string{`"yesterday"`}},
		{"zip member over the cap", []string{tooBig}, importer.Options{MaxFileBytes: 1 << 20}, tooBig + "/Connections.csv", 0, "", []string{"larger than 1 MiB", "zip bomb"}},
		{"files over the total cap", []string{tooBig}, importer.Options{MaxTotalBytes: 1 << 20}, tooBig + "/Connections.csv", 0, "", []string{"more than 1 MiB in all"}},
	}
	ctx := context.Background()
	store, acct := newStore(t)
	// Something already imported must survive every failed import.
	_, err := importer.Import(ctx, store, []string{filepath.Join("testdata", "good-2018.csv")}, importer.Options{AccountID: acct.ID})
	require.NoError(t, err)
	before := snapshot(t, store, acct.ID)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.AccountID = acct.ID
			// The good file first, so failures come mid-import.
			paths := append([]string{filepath.Join("testdata", "good-2018.csv")}, tc.paths...)
			_, err := importer.Import(ctx, store, paths, tc.opt)
			requireParseError(t, err, tc.file, tc.line, tc.field, tc.msgs...)
			require.Equal(t, before, snapshot(t, store, acct.ID), "a failed import changes nothing")
		})
	}
}

func TestInspectReportsHeaderErrors(t *testing.T) {
	_, err := importer.Inspect(context.Background(), []string{filepath.Join("testdata", "missing-direction.csv")}, nil)
	requireParseError(t, err, filepath.Join("testdata", "missing-direction.csv"), 1, "", "not an Invitations.csv")
	_, err = importer.Inspect(context.Background(), nil, nil)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
}

func TestUnknownSheetField(t *testing.T) {
	store, acct := newStore(t)
	_, err := importer.Import(context.Background(), store, []string{filepath.Join("testdata", "sheet-custom.csv")},
		importer.Options{AccountID: acct.ID, Columns: map[string]string{"birthday": "Where"}})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	require.ErrorContains(t, err, `unknown column field "birthday"`)
}

// A zip member whose header claims a small size but inflates to far more
// is stopped by what is read, not what the header says.
func TestZipLyingSize(t *testing.T) {
	var raw bytes.Buffer
	body := "First Name,Last Name,Connected On\n" + strings.Repeat("Ana,Baker,07 Sep 2022\n", 200000)
	fw, err := newFlate(&raw)
	require.NoError(t, err)
	_, err = fw.Write([]byte(body))
	require.NoError(t, err)
	require.NoError(t, fw.Close())

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "Connections.csv", Method: zip.Deflate,
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: 100, CRC32: 0})
	require.NoError(t, err)
	_, err = w.Write(raw.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	p := filepath.Join(t.TempDir(), "lying.zip")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))

	store, acct := newStore(t)
	_, err = importer.Import(context.Background(), store, []string{p}, importer.Options{AccountID: acct.ID, MaxFileBytes: 1 << 20})
	require.Error(t, err)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	conns, err := store.Connections(context.Background(), acct.ID)
	require.NoError(t, err)
	require.Empty(t, conns)
}
