package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

func parse(t *testing.T, src string) *policy.File {
	t.Helper()
	f, err := policy.Parse(strings.NewReader(src), "policy.toml")
	require.NoError(t, err)
	return f
}

func TestParseMerges(t *testing.T) {
	t.Parallel()
	f := parse(t, `
# Everyone
daily_limit = 20
pending_cap = 500

[protect]
tags = ["vip", "mentor"]

[account."maya-lindqvist"]
daily_limit = 10
time_zone = "Europe/Stockholm"

[account."maya-lindqvist".protect]
with_note = true

[account.42]
pending_cap = 0
protect = { profiles = ["https://www.linkedin.com/in/ann"] }
`)
	require.True(t, f.Found)
	require.Equal(t, []string{"maya-lindqvist", "42"}, f.Accounts())

	everyone := policy.Default()
	everyone.DailyLimit, everyone.PendingCap = 20, 500
	everyone.Protect.Tags = []string{"vip", "mentor"}
	require.Equal(t, everyone, f.For("someone-else", 9))
	require.Equal(t, everyone, f.For("", 0))

	maya := everyone
	maya.DailyLimit, maya.TimeZone = 10, "Europe/Stockholm"
	maya.Protect.WithNote = true // tags stay from the top level
	require.Equal(t, maya, f.For("Maya-Lindqvist", 1))

	byID := everyone
	byID.PendingCap = 0
	byID.Protect.Profiles = []string{"https://www.linkedin.com/in/ann"}
	require.Equal(t, byID, f.For("", 42))

	// Slug table first, then the id table on top.
	both := maya
	both.PendingCap = 0
	both.Protect.Profiles = []string{"https://www.linkedin.com/in/ann"}
	require.Equal(t, both, f.For("maya-lindqvist", 42))

	// For hands out copies: changing one does not change the next.
	p := f.For("maya-lindqvist", 1)
	p.Protect.Tags[0] = "changed"
	require.Equal(t, maya, f.For("maya-lindqvist", 1))
}

func TestParseEmptyIsDefault(t *testing.T) {
	t.Parallel()
	f := parse(t, "# nothing set\n")
	require.Equal(t, policy.Default(), f.For("x", 1))
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // all must appear in the message
	}{
		{
			name: "unknown top-level key",
			src:  "daily_limit = 20\n\n# typo below\nwithdraw_age = 90\n",
			want: []string{`policy.toml: line 4: unknown key "withdraw_age"`, `did you mean "withdraw_age_days"`},
		},
		{
			name: "unknown key in protect",
			src:  "[protect]\ntags = []\nwith_notes = true\n",
			want: []string{`line 3: unknown key "protect.with_notes"`, `"with_note"`},
		},
		{
			name: "unknown key in an account table",
			src:  "daily_limit = 5\n[account.\"acme\"]\ndaily_limit = 3\npendingcap = 3\n",
			want: []string{`line 4: unknown key "pendingcap" in [account.acme]`, `"pending_cap"`},
		},
		{
			name: "unknown key under a quoted account name with a dot",
			src:  "[account.\"x.y\"]\ndaily_limit = 3\n'weird key' = 1\n",
			want: []string{`line 3: unknown key "weird key" in [account."x.y"]`},
		},
		{
			name: "line counted past multi-line values",
			src:  "[protect]\ntags = [\n  \"vip\",\n  \"x = 1\",\n]\nprofiles = []\nwhat = 1\n",
			want: []string{`line 7: unknown key "protect.what"`},
		},
		{
			name: "unknown key in an inline table gets the table's line",
			src:  "daily_limit = 3\nprotect = { tags = [], bogus = 1 }\n",
			want: []string{`line 2: unknown key "protect.bogus"`},
		},
		{
			name: "unknown table named once",
			src:  "[limits]\ndaily = 3\nweekly = 4\n",
			want: []string{`line 1: unknown key "limits"`},
		},
		{
			name: "two unknown keys, both named",
			src:  "foo = 1\nbar = 2\n",
			want: []string{`line 1: unknown key "foo"`, `line 2: unknown key "bar"`},
		},
		{
			name: "wrong type",
			src:  "min_age_days = 14\ndaily_limit = \"30\"\n",
			want: []string{"policy.toml: line 2", "daily_limit"},
		},
		{
			name: "wrong type in an account table",
			src:  "[account.acme]\nenabled = \"yes\"\n",
			want: []string{"policy.toml: line 2", "enabled"},
		},
		{
			name: "syntax",
			src:  "daily_limit = 20\npending_cap = = 3\n",
			want: []string{"policy.toml: line 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := policy.Parse(strings.NewReader(tt.src), "/etc/unvite/policy.toml")
			require.Error(t, err)
			require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
	// The unknown table is named once, not once per key.
	_, err := policy.Parse(strings.NewReader("[limits]\ndaily = 3\nweekly = 4\n"), "policy.toml")
	require.NotContains(t, err.Error(), "daily")
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	f, err := policy.Load(filepath.Join(dir, "missing.toml"))
	require.NoError(t, err)
	require.False(t, f.Found)
	require.Equal(t, policy.Default(), f.For("any", 1))
	require.Empty(t, f.CheckAll())

	path := filepath.Join(dir, "policy.toml")
	require.NoError(t, os.WriteFile(path, []byte("pending_cap = 250\n"), 0o600))
	f, err = policy.Load(path)
	require.NoError(t, err)
	require.True(t, f.Found)
	require.Equal(t, 250, f.For("any", 1).PendingCap)

	require.NoError(t, os.WriteFile(path, []byte("pending_cap = 250\nbogus = 1\n"), 0o600))
	_, err = policy.Load(path)
	require.ErrorContains(t, err, `policy.toml: line 2: unknown key "bogus"`)

	// A directory is not a missing file.
	_, err = policy.Load(dir)
	require.Error(t, err)
}

func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	odd := policy.Default()
	odd.MinAgeDays, odd.ReviewAgeDays, odd.ConsiderAgeDays, odd.WithdrawAgeDays = 7, 21, 45, 75
	odd.PendingCap, odd.DailyLimit, odd.CoolDownDays = 0, 12, 28
	odd.ActiveHours, odd.TimeZone, odd.Enabled = "22:30-06:00", "", true
	odd.Protect = unvite.Protections{
		Tags:     []string{`quote"d`, `back\slash`, "tab\there", "ünïcode"},
		Profiles: []string{"https://www.linkedin.com/in/j%C3%B6rg/", "ann"},
		WithNote: true,
	}
	empty := policy.Default()
	empty.Protect.Tags = nil

	for name, p := range map[string]unvite.Policy{"default": policy.Default(), "odd": odd, "no tags": empty} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := policy.Marshal(p)
			require.NoError(t, err)
			f, err := policy.Parse(strings.NewReader(string(b)), "policy.toml")
			require.NoError(t, err, string(b))
			require.Equal(t, p, f.For("", 0))
		})
	}

	b, err := policy.Marshal(policy.Default())
	require.NoError(t, err)
	for _, key := range []string{"min_age_days = 14", "withdraw_age_days = 90", "pending_cap = 400",
		`active_hours = "09:00-17:00"`, `tags = ["vip"]`, "# Never withdraw an invitation younger"} {
		require.Contains(t, string(b), key)
	}
}

func TestCheckAll(t *testing.T) {
	t.Parallel()
	f := parse(t, `daily_limit = 50
time_zone = "Mars/Olympus"

[account.acme]
daily_limit = 150

[account.calm]
time_zone = "Europe/Oslo"
max_failures = 0
`)
	var got []string
	for _, p := range f.CheckAll() {
		got = append(got, p.String())
	}
	require.Equal(t, []string{
		`warning: daily_limit (line 1): more than 40 a day looks automated to LinkedIn (got 50)`,
		`error: time_zone (line 2): unknown time zone "Mars/Olympus" (want an IANA name like "Europe/Paris", or "" for the account's)`,
		`error: [account."acme"] daily_limit (line 5): must be at most 100 a day: more risks a LinkedIn restriction (got 150)`,
		`error: [account."calm"] max_failures (line 9): must be at least 1: the account is paused after that many failed calls in a row (got 0)`,
	}, got)
}
