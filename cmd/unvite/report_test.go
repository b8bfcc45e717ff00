package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
)

func TestReport(t *testing.T) {
	c := newCLI(t)
	c.ok("import", shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip"))

	var r analytics.Report
	c.json(&r, "report", "--as-of", "2026-11-20")
	want := loadExpected(t)["export-2026"]
	require.Equal(t, want.Outgoing, r.Sent)
	require.Equal(t, want.Accepted, r.ByStatus[unvite.StatusAccepted])
	require.Equal(t, want.Pending, r.ByStatus[unvite.StatusPending])
	require.Equal(t, want.Superseded, r.ByStatus[unvite.StatusWithdrawn])
	require.Equal(t, want.Accepted, r.Curve.Accepted, "exports give acceptance days: all on the curve")
	require.NotEmpty(t, r.Curve.Points)
	require.Len(t, r.Milestones, 4)
	require.NotEmpty(t, r.Groups)

	dir := t.TempDir()
	html, svgs := filepath.Join(dir, "report.html"), filepath.Join(dir, "charts")
	out := c.ok("report", "--as-of", "2026-11-20", "--html", html, "--svg", svgs, "--threshold", "5")
	require.Contains(t, out, "Sent in the last 7 days")
	require.Contains(t, out, "Wrote "+html)
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	require.Contains(t, string(page), "<svg")
	require.NotContains(t, string(page), "<script")
	for _, name := range []string{"curve", "ages", "weekly", "trend", "groups-note"} {
		b, err := os.ReadFile(filepath.Join(svgs, name+".svg"))
		require.NoError(t, err, name)
		require.True(t, strings.HasPrefix(string(b), "<svg "), name)
	}

	res := c.run("", "report", "--threshold", "0")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "--threshold 0: want a percentage above 0 and under 50")
}

// A plan under max_age = "auto" reads the history and says which age it
// used and why.
func TestPlanWithLearnedAge(t *testing.T) {
	c := newCLI(t)
	c.ok("import", shared(t, "fixtures/Basic_LinkedInDataExport_11-20-2026.zip"))
	file := filepath.Join(t.TempDir(), "policy.toml")
	write := func(s string) {
		require.NoError(t, os.WriteFile(file, []byte(s), 0o644))
	}

	write("max_age = \"auto\"\norder = \"least-likely-first\"\n[auto_age]\nmin_accepted = 1000000\n")
	var plan unvite.WithdrawalPlan
	c.json(&plan, "plan", "--as-of", "2026-11-20", "--policy", file)
	require.Equal(t, unvite.MaxAgeFixed, plan.MaxAgeSource)
	require.Equal(t, 90, plan.MaxAgeDays)
	require.Contains(t, plan.MaxAgeWhy, "under auto_age.min_accepted = 1000000: withdraw_age_days = 90 applies")
	text := c.ok("plan", "--as-of", "2026-11-20", "--policy", file)
	require.Contains(t, text, "Max age 90 days: max_age = \"auto\", but the history holds")

	write("max_age = \"auto\"\n[auto_age]\nmin_accepted = 1\nthreshold_percent = 40\nfloor_days = 15\n")
	var r analytics.Report
	c.json(&r, "report", "--as-of", "2026-11-20", "--threshold", "40")
	require.True(t, r.Cutoff.Found, r.Cutoff.Text)
	var byPolicy analytics.Report
	c.json(&byPolicy, "report", "--as-of", "2026-11-20", "--policy", file)
	require.Equal(t, r.Cutoff, byPolicy.Cutoff, "without --threshold, the policy's auto_age.threshold_percent")
	c.json(&byPolicy, "report", "--as-of", "2026-11-20")
	require.InDelta(t, 0.02, byPolicy.Options.Threshold, 1e-9, "no policy file: 2%")
	c.json(&plan, "plan", "--as-of", "2026-11-20", "--policy", file)
	require.Equal(t, unvite.MaxAgeAuto, plan.MaxAgeSource, plan.MaxAgeWhy)
	require.Equal(t, max(r.Cutoff.Days, 15), plan.MaxAgeDays)
	require.NotEmpty(t, plan.Withdrawals)
	step := plan.Withdrawals[0]
	require.NotNil(t, step.Chance)
	require.Contains(t, step.Reason, "chance of acceptance")
	b, _ := json.Marshal(step)
	require.Contains(t, string(b), `"chance":`)
}
