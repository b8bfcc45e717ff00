package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// smallAccount imports n sent invitations, one a day back from 2026-11-01,
// to invitees p0, p1, …
func smallAccount(t *testing.T, c *cli, n int) string {
	t.Helper()
	owner := "https://www.linkedin.com/in/owner-1"
	var b strings.Builder
	b.WriteString("From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n")
	for i := range n {
		day := 1 + i%28
		b.WriteString("Owner One,Person " + strconv.Itoa(i) + ",\"10/" + strconv.Itoa(day) + "/26, " + strconv.Itoa(1+i/28) + ":00 AM\",,OUTGOING," +
			owner + ",https://www.linkedin.com/in/p" + strconv.Itoa(i) + "\n")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "Invitations.csv")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	c.ok("import", p)
	return dir
}

func TestListSaysHowManyOfHowMany(t *testing.T) {
	c := newCLI(t)
	smallAccount(t, c, 60)
	r := c.run("", "invitations", "list", "--limit", "3")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "3 of 60 invitation(s)\n", r.stderr)
	r = c.run("", "invitations", "list", "--limit", "100")
	require.Equal(t, "60 invitation(s)\n", r.stderr)
	r = c.run("", "invitations", "list", "--limit", "2", "-q", "Person 1")
	require.Equal(t, "2 of 11 invitation(s)\n", r.stderr, "the total is of the same filter")
}

func TestShowJSONHasEventsList(t *testing.T) {
	c := newCLI(t)
	smallAccount(t, c, 1)
	out := c.ok("invitations", "show", "1", "--json")
	var v map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.Equal(t, "[]", string(v["events"]), "no events is an empty list, not null")
}

func TestExportJSONFlagAndSheetColumns(t *testing.T) {
	c := newCLI(t)
	smallAccount(t, c, 2)
	require.Equal(t, c.ok("export", "--format", "json"), c.ok("export", "--json"))

	sheet := filepath.Join(t.TempDir(), "sheet.csv")
	require.NoError(t, os.WriteFile(sheet, []byte("Name,Company,Profile URL,Date sent,Note included,Follow-up date,Status,Comments\n"+
		"Person 0,Acme,https://www.linkedin.com/in/p0,2026-10-01,no,2026-12-01,,call in December\n"+
		"New Person,Acme,https://www.linkedin.com/in/new,2026-10-03,no,,pending,\n"), 0o644))
	out := c.ok("import", sheet)
	require.Contains(t, out, ": 2 tracking-sheet rows (1 matched an invitation and added their follow-up and comment, 1 added as new invitations).")
	require.NotContains(t, out, "0 invitation rows")

	rows, err := csv.NewReader(strings.NewReader(c.ok("export"))).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	found := false
	for _, r := range rows[1:] {
		if strings.HasSuffix(r[col["profile_url"]], "/in/p0") {
			found = true
			require.Equal(t, "2026-12-01", r[col["follow_up_on"]])
			require.Equal(t, "call in December", r[col["comment"]])
		}
	}
	require.True(t, found)
}

// Numbers and tags that make no sense are refused with the flag's name.
func TestBadFlagValuesAreRefused(t *testing.T) {
	c := newCLI(t)
	smallAccount(t, c, 1)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"invitations", "list", "--limit=-5"}, `--limit: "-5": want a whole number, 0 or more`},
		{[]string{"invitations", "list", "--limit", "x"}, `--limit: "x": want a whole number`},
		{[]string{"plan", "--limit=-1"}, `--limit: "-1"`},
		{[]string{"log", "--limit=-1"}, `--limit: "-1"`},
		{[]string{"sandbox", "--sent=-3"}, `--sent: "-3"`},
		{[]string{"sandbox", "--accounts", "0"}, "--accounts 0: want 1 or more"},
		{[]string{"sync", "--gap=-1s"}, "--gap -1s"},
		{[]string{"tag", "1", "-t", ""}, "--tag: give at least one non-empty tag"},
		{[]string{"tag", "1", "-t", "a,,b"}, `tag ""`},
	} {
		r := c.run("", tc.args...)
		require.NotEqual(t, 0, r.code, "%v was accepted", tc.args)
		require.Contains(t, r.stderr, tc.want, "%v", tc.args)
	}
	var inv unvite.Invitation
	c.json(&inv, "invitations", "show", "1")
	require.Empty(t, inv.Tags, "nothing was tagged")
}

// The log names each invitation's person; without --account it shows every
// account's events, each line saying whose; an account's own events have
// no invitation.
func TestLogNamesPeopleAndAccounts(t *testing.T) {
	c := newCLI(t)
	c.now = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	smallAccount(t, c, 2)
	c.ok("protect", "2", "--why", "met at conf")
	require.Equal(t, "2026-11-20 09:30  #2 Person 1  protect: met at conf (user)\n", c.ok("log"))

	c.now = c.now.Add(time.Hour)
	c.ok("import", "--name", "Ana Bé", writeConnections(t))
	c.ok("account", "pause", "Ana Bé")
	want := "Ana Bé     2026-11-20 10:30  -            account: paused by the user: state offline → paused; reason \"\" → \"paused by the user\" (user)\n" +
		"Owner One  2026-11-20 09:30  #2 Person 1  protect: met at conf (user)\n"
	require.Equal(t, want, c.ok("log"))
	require.Equal(t, "2026-11-20 09:30  #2 Person 1  protect: met at conf (user)\n", c.ok("log", "-a", "Owner One"))

	var events []unvite.Event
	c.json(&events, "log")
	require.Len(t, events, 2)
	require.Equal(t, "Person 1", events[1].Person)
	require.Empty(t, events[0].Person)
}
