package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sqlite"
)

// expected is ../shared/fixtures/expected.json, derived apart from this code.
type expected struct {
	ExportDate string `json:"export_date"`
	Account    struct {
		Name       string `json:"name"`
		ProfileURL string `json:"profile_url"`
	} `json:"account"`
	Rows                int            `json:"invitations_rows"`
	Outgoing            int            `json:"outgoing"`
	Incoming            int            `json:"incoming"`
	OutgoingWithMessage *int           `json:"outgoing_with_message"`
	Connections         int            `json:"connections"`
	Accepted            int            `json:"outgoing_accepted"`
	Superseded          int            `json:"outgoing_superseded_by_reinvite"`
	Pending             int            `json:"outgoing_pending"`
	PendingByAge        map[string]int `json:"pending_by_age_days"`
	OldestPending       string         `json:"oldest_pending_sent_at"`
	RateWith            *float64       `json:"acceptance_rate_with_message"`
	RateWithout         *float64       `json:"acceptance_rate_without_message"`
	Reinvited           []string       `json:"reinvited_people"`
	SameName            string         `json:"same_name_different_people"`
	SheetRows           int            `json:"rows"`
	SheetMatched        int            `json:"matched_to_export_2026"`
	SheetUnmatched      int            `json:"unmatched"`
}

func loadExpected(t *testing.T) map[string]expected {
	b, err := os.ReadFile(shared(t, "fixtures/expected.json"))
	require.NoError(t, err)
	var m map[string]expected
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

type importSummary struct {
	unvite.ImportSummary
	Account    int64  `json:"account_id"`
	ExportDate string `json:"export_date"`
}

type statsReport struct {
	Sent         int                   `json:"sent"`
	ByStatus     map[unvite.Status]int `json:"by_status"`
	Pending      int                   `json:"pending"`
	PendingByAge []struct {
		Label string `json:"label"`
		Count int    `json:"count"`
	} `json:"pending_by_age"`
	OldestPendingSentAt time.Time `json:"oldest_pending_sent_at"`
	WithNote            struct {
		Sent int     `json:"sent"`
		Rate float64 `json:"rate"`
	} `json:"with_note"`
	WithoutNote struct {
		Rate float64 `json:"rate"`
	} `json:"without_note"`
}

// The importer, store and stats together reproduce every figure of
// expected.json from each sample export, whatever the layout of its files.
func TestImportReproducesExpectedFigures(t *testing.T) {
	all := loadExpected(t)
	fx := shared(t, "fixtures")
	cases := []struct {
		name, key string
		paths     []string
	}{
		{"2026 zip", "export-2026", []string{"Basic_LinkedInDataExport_11-20-2026.zip"}},
		{"2026 csv", "export-2026", []string{"export-2026/Invitations.csv", "export-2026/Connections.csv"}},
		{"2026 resaved connections", "export-2026", []string{"export-2026/Invitations.csv", "export-2026-resaved/Connections.csv"}},
		{"2022", "export-2022", []string{"export-2022/Connections.csv", "export-2022/Invitations.csv"}},
		{"2018", "export-2018", []string{"export-2018/Invitations.csv", "export-2018/Connections.csv"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := all[tc.key]
			c := newCLI(t)
			args := []string{"import"}
			for _, p := range tc.paths {
				args = append(args, filepath.Join(fx, p))
			}
			var sum importSummary
			c.json(&sum, args...)
			require.Equal(t, want.Rows, sum.Rows, "invitation rows")
			require.Equal(t, want.Connections, sum.Connections, "connections")
			// The export date comes from the zip's name, else the newest date in
			// the files. expected.json gives 2022-09-12 for the 2022 files, whose
			// newest date is 2022-09-09: that one cannot be derived from them.
			if tc.key != "export-2022" && (strings.HasSuffix(tc.paths[0], ".zip") || tc.key != "export-2026") {
				require.Equal(t, want.ExportDate, sum.ExportDate, "export date")
			}

			var st statsReport
			c.json(&st, "stats", "--as-of", want.ExportDate)
			require.Equal(t, want.Outgoing, st.Sent, "outgoing")
			require.Equal(t, want.Accepted, st.ByStatus[unvite.StatusAccepted], "accepted")
			require.Equal(t, want.Pending, st.Pending, "pending")
			require.Equal(t, want.Superseded, st.ByStatus[unvite.StatusWithdrawn], "superseded by a re-invite")
			require.Zero(t, st.ByStatus[unvite.StatusGone])

			var received []unvite.Invitation
			c.json(&received, "invitations", "list", "--received")
			require.Len(t, received, want.Incoming, "incoming")

			if want.OutgoingWithMessage != nil {
				require.Equal(t, *want.OutgoingWithMessage, st.WithNote.Sent)
			}
			if want.PendingByAge != nil {
				got := map[string]int{}
				for _, b := range st.PendingByAge {
					got[b.Label] = b.Count
				}
				require.Equal(t, want.PendingByAge, got)
			}
			if want.OldestPending != "" {
				oldest, err := time.Parse("1/2/06, 3:04 PM", want.OldestPending)
				require.NoError(t, err)
				require.True(t, oldest.Equal(st.OldestPendingSentAt), "oldest pending %v, want %v", st.OldestPendingSentAt, oldest)
			}
			if want.RateWith != nil {
				require.InDelta(t, *want.RateWith, st.WithNote.Rate, 0.0005)
				require.InDelta(t, *want.RateWithout, st.WithoutNote.Rate, 0.0005)
			}
			if want.Account.Name != "" {
				var accts []unvite.Account
				c.json(&accts, "account", "list")
				require.Len(t, accts, 1)
				require.Equal(t, want.Account.Name, accts[0].Name)
				require.Equal(t, want.Account.ProfileURL, accts[0].ProfileURL())
			}
			for _, url := range want.Reinvited {
				var invs []unvite.Invitation
				c.json(&invs, "invitations", "list", "-q", unvite.SlugFromURL(url), "--sort", "oldest")
				require.Len(t, invs, 2, url)
				require.Equal(t, unvite.StatusWithdrawn, invs[0].Status, "the earlier invitation was superseded: %s", url)
				require.NotEqual(t, unvite.StatusWithdrawn, invs[1].Status)
			}
			if want.SameName != "" {
				var invs []unvite.Invitation
				c.json(&invs, "invitations", "list", "-q", want.SameName)
				require.Len(t, invs, 2)
				require.NotEqual(t, invs[0].Invitee.Slug, invs[1].Invitee.Slug)
				accepted := 0
				for _, inv := range invs {
					if inv.Status == unvite.StatusAccepted {
						accepted++
					}
				}
				require.Equal(t, 1, accepted, "two people named %s: exactly one accepted", want.SameName)
			}
		})
	}
}

func TestTrackingSheet(t *testing.T) {
	want := loadExpected(t)["tracking-sheet.csv"]
	c := newCLI(t)
	c.ok("import", shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip"))
	var sum importSummary
	c.json(&sum, "import", shared(t, "fixtures/tracking-sheet.csv"))
	require.Equal(t, want.SheetMatched, sum.Matched)
	require.Equal(t, want.SheetUnmatched, sum.Unmatched)
	require.Equal(t, want.SheetRows, sum.Matched+sum.Unmatched)
	var commented []unvite.Invitation
	c.json(&commented, "invitations", "list", "-q", "Deepa Visser")
	require.Len(t, commented, 1)
	require.Equal(t, "intro via Ana", commented[0].Comment, "the sheet's comment is kept on the matched invitation")
	require.Equal(t, unvite.SourceExport, commented[0].Source)
	// A row without a profile URL matches by name and day.
	c.json(&commented, "invitations", "list", "-q", "Elif Hansen")
	require.Len(t, commented, 1)
	require.Equal(t, "check again in Q1", commented[0].Comment)
	require.Equal(t, "2026-07-12", commented[0].FollowUpOn.Format("2006-01-02"))
}

// Re-importing changes nothing; a bad file changes nothing either, and its
// error names the file, line and field.
func TestImportIdempotentAndAtomic(t *testing.T) {
	c := newCLI(t)
	zip := shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip")
	c.ok("import", zip)
	snapshot := func() (string, string) { return c.ok("export", "--format", "json"), c.ok("log", "--limit", "0") }
	inv0, log0 := snapshot()

	var sum importSummary
	c.json(&sum, "import", zip)
	require.Zero(t, sum.Added)
	require.Zero(t, sum.Accepted+sum.Superseded+sum.Gone)
	inv1, log1 := snapshot()
	require.Equal(t, inv0, inv1)
	require.Equal(t, log0, log1)

	dir := t.TempDir()
	good := "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n" +
		"Maya Lindqvist,New Person,\"11/21/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/maya-lindqvist-84e61ceb,https://www.linkedin.com/in/new-person-1\n"
	bad := map[string]struct{ body, want string }{
		"bad-date.csv":  {good + "Maya Lindqvist,Late Row,\"13/45/26, 9:00 AM\",,OUTGOING,https://www.linkedin.com/in/maya-lindqvist-84e61ceb,https://www.linkedin.com/in/late-row\n", `bad-date.csv: line 3: field "Sent At"`},
		"direction.csv": {good + "Maya Lindqvist,X Y,\"11/21/26, 9:00 AM\",,SIDEWAYS,https://www.linkedin.com/in/maya-lindqvist-84e61ceb,https://www.linkedin.com/in/x-y\n", `direction.csv: line 3: field "Direction"`},
		"empty.csv":     {"", "empty.csv"},
		"notcsv.csv":    {"hello world\nthis is not an export\n", "notcsv.csv"},
		"binary.csv":    {"From,To\x00\x01\x02", "binary.csv"},
		"columns.csv":   {"From,To,Sent At\nA,B,\"11/21/26, 9:00 AM\"\n", "columns.csv"},
	}
	for name, tc := range bad {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(tc.body), 0o644))
		r := c.run("", "import", p)
		require.Equal(t, 1, r.code, name)
		require.Contains(t, r.stderr, tc.want, name)
		require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	}
	r := c.run("", "import", filepath.Join(dir, "missing.zip"))
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "missing.zip")
	inv2, log2 := snapshot()
	require.Equal(t, inv0, inv2, "failed imports left the store as it was")
	require.Equal(t, log0, log2)
	var accts []unvite.Account
	c.json(&accts, "account", "list")
	require.Len(t, accts, 1, "no stray accounts from failed imports")
}

func TestExportNeutralisesFormulas(t *testing.T) {
	c := newCLI(t)
	c.ok("import", shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip"))
	out := c.ok("export", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, 1866+1, len(rows), "header and every sent invitation")
	col := -1
	for i, h := range rows[0] {
		if h == "note" {
			col = i
		}
	}
	require.NotEqual(t, -1, col)
	formulas, multiline := 0, 0
	for _, r := range rows[1:] {
		for _, cell := range r {
			require.False(t, strings.ContainsAny(cell[:min(1, len(cell))], "=+@"), "cell %q starts a formula", cell)
		}
		if strings.HasPrefix(r[col], "'=") {
			formulas++
		}
		if strings.Contains(r[col], "\n") {
			multiline++
		}
	}
	require.Equal(t, 1, formulas, "the note starting with = is neutralised")
	require.Equal(t, 1, multiline, "the note with line breaks stays one cell")
}

func TestListPlanReconnect(t *testing.T) {
	c := newCLI(t)
	c.ok("import", shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip"))
	want := loadExpected(t)["export-2026"].PendingByAge

	var old []unvite.Invitation
	c.json(&old, "invitations", "list", "--status", "pending", "--older-than", "60d", "--as-of", "2026-11-20")
	require.Len(t, old, want["60-89"]+want["90+"])

	var newest, byName []unvite.Invitation
	c.json(&newest, "invitations", "list", "--status", "pending", "--sort", "newest", "--limit", "2")
	require.Len(t, newest, 2)
	require.True(t, newest[0].SentAt.After(newest[1].SentAt) || newest[0].SentAt.Equal(newest[1].SentAt))
	require.True(t, newest[0].SentAt.After(old[len(old)-1].SentAt), "newest first")
	c.json(&byName, "invitations", "list", "--status", "pending", "--sort", "name", "-r", "--limit", "3")
	require.GreaterOrEqual(t, strings.ToLower(byName[0].Invitee.Name), strings.ToLower(byName[2].Invitee.Name))
	table := c.ok("invitations", "list", "--status", "pending", "--as-of", "2026-11-20", "--sort", "oldest", "--limit", "1")
	require.Regexp(t, `(?m)^ID\s+STATUS\s+STAGE\s+SENT`, table)
	require.Regexp(t, `(?m)^\d+\s+pending\s+withdraw\s+2025-11-24 08:30\s+360d`, table, "the oldest is past 90 days: stage withdraw")

	var plan unvite.WithdrawalPlan
	c.json(&plan, "plan", "--as-of", "2026-11-20")
	n := len(plan.Withdrawals)
	require.Equal(t, want["90+"], n, "the default policy withdraws what is 90 days old; the cap of 400 is then met")
	require.Equal(t, int(math.Ceil(float64(n)/30)), plan.DaysNeeded)
	require.Equal(t, plan.Pending-n, plan.PendingAfter)
	for i := 1; i < n; i++ {
		require.False(t, plan.Withdrawals[i].Invitation.SentAt.Before(plan.Withdrawals[i-1].Invitation.SentAt), "oldest first")
	}
	again := c.ok("plan", "--as-of", "2026-11-20", "--json")
	require.Equal(t, again, c.ok("plan", "--as-of", "2026-11-20", "--json"), "deterministic")
	csvOut := c.ok("plan", "--as-of", "2026-11-20", "--csv")
	require.Equal(t, n+1, strings.Count(csvOut, "\n"))

	// Protect the oldest and tag the next: the plan skips both.
	first, second := plan.Withdrawals[0].Invitation.ID, plan.Withdrawals[1].Invitation.ID
	c.ok("protect", itoa(first), "--why", "met at a conference")
	c.ok("tag", itoa(second), "-t", "vip")
	var plan2 unvite.WithdrawalPlan
	c.json(&plan2, "plan", "--as-of", "2026-11-20")
	require.Equal(t, n-2, len(plan2.Withdrawals))
	require.Equal(t, 2, plan2.Protected)

	// A withdrawal (as the engine will record it) opens a cool-down of 21 days.
	s, err := sqlite.Open(context.Background(), c.db)
	require.NoError(t, err)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	third := plan.Withdrawals[2].Invitation
	_, err = s.Transition(context.Background(), third.ID, unvite.StatusWithdrawn, unvite.Change{At: at, Actor: "test", Reason: "withdrawn"})
	require.NoError(t, err)
	s.Close()
	var due []map[string]any
	c.json(&due, "reconnect", "--as-of", "2026-12-10")
	require.Empty(t, due)
	c.json(&due, "reconnect", "--as-of", "2026-12-12")
	require.Len(t, due, 1)
	require.Equal(t, third.Invitee.Name, due[0]["name"])
	require.Equal(t, "2026-12-11", due[0]["reinvite_after"])
	shown := c.ok("invitations", "show", itoa(third.ID))
	require.Contains(t, shown, "pending → withdrawn: withdrawn (test)")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
