package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/printable"
	"github.com/unvite/unvite/sqlite"
)

// A crafted export cannot reach the terminal: names, notes, companies and
// reasons with escape sequences, other controls or bidi overrides come out
// of every text command with those runes made visible, while ordinary
// Unicode is kept.
func TestTextOutputNeutralisesControls(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	owner := "https://www.linkedin.com/in/owner-1"
	csvText := "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n" +
		"Own\x1b]0;pwned\x07er,\"Bad\x1b]0;pwned\x07Name\",\"11/01/26, 9:00 AM\",\"Hi\x1b[2J there\u202e\",OUTGOING," + owner + ",https://www.linkedin.com/in/bad-1\n" +
		"Own\x1b]0;pwned\x07er,\"Zoë 山田 👩‍💻\u009b31m\",\"06/01/26, 9:00 AM\",,OUTGOING," + owner + ",https://www.linkedin.com/in/zoe-2\n" +
		"Own\x1b]0;pwned\x07er,\"Ola\u2066 Nordmann\u2069\",\"05/01/26, 9:00 AM\",\"two\nlines\tand\rCR\",OUTGOING," + owner + ",https://www.linkedin.com/in/ola-3\n"
	p := filepath.Join(dir, "Invitations.csv")
	require.NoError(t, os.WriteFile(p, []byte(csvText), 0o644))
	imported := c.run("", "import", p)
	require.Equal(t, 0, imported.code, imported.stderr)

	// A withdrawal whose reason quotes user data, for log, show and reconnect.
	var list []unvite.Invitation
	c.json(&list, "invitations", "list", "--sort", "oldest")
	require.Len(t, list, 3)
	s, err := sqlite.Open(context.Background(), c.db)
	require.NoError(t, err)
	_, err = s.Transition(context.Background(), list[0].ID, unvite.StatusWithdrawn,
		unvite.Change{At: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Actor: "user\x1b[31m", Reason: "asked by \x1b]0;x\x07"})
	require.NoError(t, err)
	s.Close()
	c.ok("protect", itoa(list[1].ID), "--why", "\x1b[2Jmet \u202ein person")

	clean := func(what, out string) {
		t.Helper()
		for _, r := range out {
			require.False(t, printable.Unsafe(r) && r != '\n' && r != '\t', "%s: raw %U in %q", what, r, out)
		}
	}
	clean("import", imported.stdout)
	require.Contains(t, imported.stdout, "Imported into Own␛]0;pwned␇er (account 1)")
	for _, args := range [][]string{
		{"invitations", "list"}, {"invitations", "list", "--sort", "newest"},
		{"invitations", "show", itoa(list[0].ID)}, {"invitations", "show", itoa(list[1].ID)}, {"invitations", "show", itoa(list[2].ID)},
		{"plan", "--as-of", "2026-12-31"}, {"plan", "--as-of", "2026-12-31", "--csv"}, {"log"}, {"stats"},
		{"reconnect", "--as-of", "2026-12-31"}, {"account", "list"}, {"account", "status"},
		{"export", "--format", "csv"}, {"tag", itoa(list[1].ID), "-t", "vip"},
		{"account", "pause"}, {"invitations", "show", "999"}, {"account", "Own\x1b]0;x\x07", "--nope"},
	} {
		r := c.run("", args...)
		clean(strings.Join(args, " ")+" (stdout)", r.stdout)
		clean(strings.Join(args, " ")+" (stderr)", r.stderr)
	}

	// JSON keeps the data exact, with what encoding/json leaves raw (C1
	// controls, bidi overrides) escaped.
	for _, args := range [][]string{
		{"invitations", "list", "--json"}, {"invitations", "show", itoa(list[2].ID), "--json"}, {"export", "--json"},
		{"plan", "--as-of", "2026-12-31", "--json"}, {"log", "--json"}, {"account", "list", "--json"}, {"reconnect", "--as-of", "2026-12-31", "--json"},
	} {
		clean(strings.Join(args, " "), c.ok(args...))
	}
	require.Equal(t, "Zoë 山田 👩‍💻\u009b31m", list[1].Invitee.Name, "JSON decodes to the exact name")
	require.Equal(t, "Ola\u2066 Nordmann\u2069", list[0].Invitee.Name)

	show := c.ok("invitations", "show", itoa(list[2].ID))
	require.Contains(t, show, "Invitation "+itoa(list[2].ID)+" to Bad␛]0;pwned␇Name")
	require.Contains(t, show, "Note:            Hi␛[2J there�")
	withdrawn := c.ok("invitations", "show", itoa(list[0].ID))
	require.Contains(t, withdrawn, "asked by ␛]0;x␇ (user␛[31m)")
	require.Contains(t, withdrawn, "Note:            two␊lines␉and␍CR", "one line, tab and CR shown")
	require.Contains(t, c.ok("reconnect", "--as-of", "2026-12-31"), "#"+itoa(list[0].ID)+" Ola� Nordmann�  withdrawn")
	require.Contains(t, c.ok("invitations", "list"), "Zoë 山田 👩‍💻�31m", "ordinary Unicode is kept")
	require.Contains(t, c.ok("log"), "protect: ␛[2Jmet �in person")
	require.Contains(t, c.ok("account", "list"), "Own␛]0;pwned␇er")
}
