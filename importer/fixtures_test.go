package importer_test

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/importer"
)

// fixtures is the shared fixtures folder beside the repository; tests skip
// without it, saying so (CI fails on any skip).
func fixtures(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "fixtures")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("sample exports not found at %s: these tests need the team's ../shared folder beside the checkout (see README)", dir)
	}
	return dir
}

// expectation is one entry of fixtures/expected.json.
type expectation struct {
	ExportDate string `json:"export_date"`
	Account    *struct {
		Name       string `json:"name"`
		ProfileURL string `json:"profile_url"`
	} `json:"account"`
	InvitationsRows     int      `json:"invitations_rows"`
	Outgoing            int      `json:"outgoing"`
	Incoming            int      `json:"incoming"`
	OutgoingWithMessage *int     `json:"outgoing_with_message"`
	Connections         int      `json:"connections"`
	ReinvitedPeople     []string `json:"reinvited_people"`
	SameName            string   `json:"same_name_different_people"`
	Rows                int      `json:"rows"` // tracking sheet
}

func expected(t *testing.T) map[string]expectation {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures(t), "expected.json"))
	require.NoError(t, err)
	var m map[string]expectation
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func readInvitations(t *testing.T, path string) ([]*unvite.Invitation, *importer.InvitationsReader) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := importer.NewInvitationsReader(f, path)
	require.NoError(t, err)
	var out []*unvite.Invitation
	for {
		inv, err := r.Next()
		if err == io.EOF {
			return out, r
		}
		require.NoError(t, err)
		out = append(out, inv)
	}
}

func readConnections(t *testing.T, path string) []unvite.Connection {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := importer.NewConnectionsReader(f, path)
	require.NoError(t, err)
	var out []unvite.Connection
	for {
		c, err := r.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, c)
	}
}

func TestExportFixtures(t *testing.T) {
	exp := expected(t)
	for _, dir := range []string{"export-2026", "export-2022", "export-2018"} {
		t.Run(dir, func(t *testing.T) {
			want, ok := exp[dir]
			require.True(t, ok, "expected.json has %s", dir)
			invs, r := readInvitations(t, filepath.Join(fixtures(t), dir, "Invitations.csv"))
			require.Len(t, invs, want.InvitationsRows)
			var out, in, withMsg int
			for _, inv := range invs {
				require.Equal(t, unvite.KindPerson, inv.Kind)
				require.Equal(t, unvite.SourceExport, inv.Source)
				require.Equal(t, unvite.StatusPending, inv.Status)
				require.Equal(t, time.UTC, inv.SentAt.Location())
				require.NotEmpty(t, inv.Invitee.Name)
				require.Equal(t, inv.Note != "", inv.HadNote)
				switch inv.Direction {
				case unvite.Sent:
					out++
					if inv.HadNote {
						withMsg++
					}
				case unvite.Received:
					in++
				}
			}
			require.Equal(t, want.Outgoing, out)
			require.Equal(t, want.Incoming, in)
			if want.OutgoingWithMessage != nil {
				require.Equal(t, *want.OutgoingWithMessage, withMsg)
			}
			name, slug := r.Account()
			if want.Account != nil {
				require.Equal(t, want.Account.Name, name)
				require.Equal(t, unvite.SlugFromURL(want.Account.ProfileURL), slug)
			} else {
				require.NotEmpty(t, name, "the sender of sent rows is the owner")
				require.Empty(t, slug, "five-column exports have no URLs")
			}

			conns := readConnections(t, filepath.Join(fixtures(t), dir, "Connections.csv"))
			require.Len(t, conns, want.Connections)
			for _, c := range conns {
				require.Equal(t, strings.Join(strings.Fields(c.Person.Name), " "), c.Person.Name, "names are whitespace-collapsed")
				require.False(t, c.ConnectedOn.IsZero())
			}
		})
	}
}

func TestExport2026Details(t *testing.T) {
	want := expected(t)["export-2026"]
	invs, _ := readInvitations(t, filepath.Join(fixtures(t), "export-2026", "Invitations.csv"))

	first := invs[0]
	require.Equal(t, time.Date(2026, 11, 19, 16, 50, 0, 0, time.UTC), first.SentAt)
	require.Equal(t, "noah-rossi-ce5bb91d", first.Invitee.Slug)

	sentTo := map[string]int{}
	slugsByName := map[string]map[string]bool{}
	var multiline, formula, decoded bool
	for _, inv := range invs {
		if inv.Direction != unvite.Sent {
			require.NotEqual(t, want.Account.Name, inv.Invitee.Name, "a received invitation's invitee is the inviter")
			continue
		}
		require.NotEmpty(t, inv.Invitee.Slug)
		sentTo[inv.Invitee.Slug]++
		if slugsByName[inv.Invitee.Name] == nil {
			slugsByName[inv.Invitee.Name] = map[string]bool{}
		}
		slugsByName[inv.Invitee.Name][inv.Invitee.Slug] = true
		multiline = multiline || strings.Contains(inv.Note, "\n")
		formula = formula || len(inv.Note) > 0 && inv.Note[0] == '='
		decoded = decoded || inv.Invitee.Slug == "inés-kowalski-dc4396c4"
	}
	for _, u := range want.ReinvitedPeople {
		require.Equal(t, 2, sentTo[unvite.SlugFromURL(u)], "re-invited: %s", u)
	}
	require.Len(t, slugsByName[want.SameName], 2, "two different people named %s", want.SameName)
	require.True(t, multiline, "a note with real line breaks survives")
	require.True(t, formula, "a note starting with = is kept as is")
	require.True(t, decoded, "percent-encoded slugs are decoded")
}

func TestResavedConnections(t *testing.T) {
	orig := readConnections(t, filepath.Join(fixtures(t), "export-2026", "Connections.csv"))
	resaved := readConnections(t, filepath.Join(fixtures(t), "export-2026-resaved", "Connections.csv"))
	require.Equal(t, expected(t)["export-2026"].Connections, len(resaved))
	require.Equal(t, orig, resaved, "BOM, CRLF, no preamble and 19-Nov-26 dates read the same")
	require.Equal(t, time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), resaved[0].ConnectedOn)
}

func TestConnections2018(t *testing.T) {
	conns := readConnections(t, filepath.Join(fixtures(t), "export-2018", "Connections.csv"))
	byName := map[string]unvite.Connection{}
	for _, c := range conns {
		byName[c.Person.Name] = c
	}
	require.Equal(t, time.Date(2018, 3, 28, 2, 17, 0, 0, time.UTC), byName["Wei Chen"].ConnectedOn, "2018 dates keep their time")
	require.Equal(t, "wei.chen@example.org", byName["Wei Chen"].Email)
	ana, ok := byName["Ana Baker"]
	require.True(t, ok, "the trailing space in %q is collapsed", "Ana ")
	require.Empty(t, ana.Email)
	require.Equal(t, "urn:li:member:664293716", ana.Person.MemberURN)
	require.Equal(t, "Redwood Ventures", ana.Person.Company)
	require.Equal(t, "Policy Advisor", ana.Person.Headline)
}

func TestTrackingSheet(t *testing.T) {
	path := filepath.Join(fixtures(t), "tracking-sheet.csv")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := importer.NewSheetReader(f, path, nil)
	require.NoError(t, err)
	var rows []unvite.TrackedRow
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		rows = append(rows, row)
	}
	require.Len(t, rows, expected(t)["tracking-sheet.csv"].Rows)
	first := rows[0]
	require.Equal(t, 2, first.Line)
	require.Equal(t, "Deepa Visser", first.Person.Name)
	require.Equal(t, "deepa-visser-deeeb10a", first.Person.Slug)
	require.Equal(t, "Ministry of Digital Affairs", first.Person.Company)
	require.Equal(t, time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC), first.SentOn)
	require.True(t, first.HadNote)
	require.Equal(t, unvite.StatusAccepted, first.Status)
	require.Equal(t, "intro via Ana", first.Comment)
	var withFollowUp, noStatus, noURL int
	for _, row := range rows {
		if !row.FollowUpOn.IsZero() {
			withFollowUp++
		}
		if row.Status == "" {
			noStatus++
		}
		if row.Person.Slug == "" {
			noURL++
		}
	}
	require.Positive(t, withFollowUp)
	require.Positive(t, noStatus)
	require.Positive(t, noURL)
	last := rows[len(rows)-1]
	require.Equal(t, "Zoë Test-Person", last.Person.Name)
	require.Equal(t, time.Date(2026, 7, 22, 0, 0, 0, 0, time.UTC), last.FollowUpOn)
	require.Equal(t, unvite.StatusPending, last.Status)
	require.False(t, last.HadNote)
}
