package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// learned is a history in which the chance of a pending invitation being
// accepted falls by one point a day from 30.5% (2.5% at day 28, 1.5% at
// 29), reliable for 60 days; invitations with a note keep twice the chance.
func learned(accepted int) *policy.Learned {
	var all, note []float64
	for d := range 90 {
		c := max(0, 0.305-0.01*float64(d))
		all = append(all, c)
		note = append(note, min(1, 2*c))
	}
	return &policy.Learned{
		All:      policy.ChanceCurve{Chance: all, Reliable: 60},
		WithNote: policy.ChanceCurve{Chance: note, Reliable: 60},
		Accepted: accepted,
	}
}

func autoPolicy() unvite.Policy {
	p := policy.Default()
	p.MaxAge, p.PendingCap = unvite.MaxAgeAuto, 0
	return p
}

func TestMaxAge(t *testing.T) {
	t.Parallel()
	p := autoPolicy()
	// Under 2% from day 29.
	days, source, why := policy.MaxAge(p, learned(500))
	require.Equal(t, 29, days)
	require.Equal(t, unvite.MaxAgeAuto, source)
	require.Equal(t, "learned from 500 acceptances: after 29 days, fewer than 2% of pending invitations get accepted (1.5%)", why)

	// Too little history, or none: the fixed age, and the plan says why.
	days, source, why = policy.MaxAge(p, learned(99))
	require.Equal(t, []any{90, unvite.MaxAgeFixed}, []any{days, source})
	require.Contains(t, why, "99 acceptances with a known time, under auto_age.min_accepted = 100: withdraw_age_days = 90 applies")
	days, _, why = policy.MaxAge(p, nil)
	require.Equal(t, 90, days)
	require.Contains(t, why, "no history was given")

	// A threshold the history never reaches.
	p.AutoAge.ThresholdPercent = 0.5
	l := learned(500)
	l.All.Reliable = 25 // the chance is still 6.5% at day 24
	_, source, why = policy.MaxAge(p, l)
	require.Equal(t, unvite.MaxAgeFixed, source)
	require.Contains(t, why, "never shows the chance of acceptance under 0.5%")

	// Floor and ceiling.
	p = autoPolicy()
	p.AutoAge.FloorDays = 40
	days, _, why = policy.MaxAge(p, learned(500))
	require.Equal(t, 40, days)
	require.True(t, strings.HasSuffix(why, "raised to auto_age.floor_days = 40"), why)
	p.AutoAge.FloorDays, p.AutoAge.CeilingDays = 7, 20
	days, _, why = policy.MaxAge(p, learned(500))
	require.Equal(t, 20, days)
	require.True(t, strings.HasSuffix(why, "lowered to auto_age.ceiling_days = 20"), why)

	// A fixed policy ignores the history.
	p = policy.Default()
	days, source, why = policy.MaxAge(p, learned(500))
	require.Equal(t, []any{90, unvite.MaxAgeFixed, ""}, []any{days, source, why})
}

func TestPlanLearnedAutoAge(t *testing.T) {
	t.Parallel()
	p := autoPolicy()
	pending := []*unvite.Invitation{sent(1, 41), sent(2, 29), sent(3, 28), sent(4, 10)}
	plan := policy.PlanLearned(p, pending, now, learned(500))
	require.Equal(t, 29, plan.MaxAgeDays)
	require.Equal(t, unvite.MaxAgeAuto, plan.MaxAgeSource)
	require.Len(t, plan.Withdrawals, 2)
	require.Equal(t, []int64{1, 2}, []int64{plan.Withdrawals[0].Invitation.ID, plan.Withdrawals[1].Invitation.ID})
	require.Equal(t, "pending 41 days; chance of acceptance 0% (learned age 29)", plan.Withdrawals[0].Reason)
	require.Equal(t, "pending 29 days; chance of acceptance 1.5% (learned age 29)", plan.Withdrawals[1].Reason)
	require.InDelta(t, 0.015, *plan.Withdrawals[1].Chance, 1e-9)

	// Without the history, the same policy plans by the fixed age.
	plan = policy.Plan(p, pending, now)
	require.Equal(t, 90, plan.MaxAgeDays)
	require.Equal(t, unvite.MaxAgeFixed, plan.MaxAgeSource)
	require.Contains(t, plan.MaxAgeWhy, "no history")
	require.Empty(t, plan.Withdrawals)
}

func TestPlanLeastLikelyFirst(t *testing.T) {
	t.Parallel()
	note := func(inv *unvite.Invitation) { inv.HadNote = true }
	p := policy.Default()
	p.Order, p.PendingCap, p.MinAgeDays, p.WithdrawAgeDays = unvite.OrderLeastLikelyFirst, 2, 14, 0
	pending := []*unvite.Invitation{
		sent(1, 25, note), // 2·5.5% = 11%: kept longer for its note
		sent(2, 20),       // 10.5%
		sent(3, 24),       // 6.5%
		sent(4, 15),       // 15.5%
		sent(5, 5),        // too young
	}
	plan := policy.PlanLearned(p, pending, now, learned(500))
	require.Equal(t, unvite.OrderLeastLikelyFirst, plan.Order)
	var ids []int64
	for _, w := range plan.Withdrawals {
		ids = append(ids, w.Invitation.ID)
	}
	require.Equal(t, []int64{3, 2, 1}, ids)
	require.Equal(t, "pending 5 > cap 2: least likely first (pending 24 days; chance of acceptance 6.5%)", plan.Withdrawals[0].Reason)
	require.Equal(t, "pending 5 > cap 2: least likely first (pending 20 days; chance of acceptance 10.5%)", plan.Withdrawals[1].Reason)

	// Oldest first, as the default does, when no history is given.
	plan = policy.Plan(p, pending, now)
	require.Equal(t, unvite.OrderOldestFirst, plan.Order)
	require.Contains(t, plan.OrderWhy, "oldest first instead")
	ids = ids[:0]
	for _, w := range plan.Withdrawals {
		ids = append(ids, w.Invitation.ID)
	}
	require.Equal(t, []int64{1, 3, 2}, ids)
	require.Equal(t, "pending 5 > cap 2: oldest first", plan.Withdrawals[0].Reason)
}

func TestLearnedKeysInFiles(t *testing.T) {
	t.Parallel()
	f, err := policy.Parse(strings.NewReader(`max_age = "auto"
order = "least-likely-first"
[auto_age]
threshold_percent = 1.5
floor_days = 30
[account."acme"]
max_age = "fixed"
`), "policy.toml")
	require.NoError(t, err)
	p := f.For("", 0)
	require.Equal(t, unvite.MaxAgeAuto, p.MaxAge)
	require.Equal(t, unvite.OrderLeastLikelyFirst, p.Order)
	require.Equal(t, unvite.AutoAge{ThresholdPercent: 1.5, FloorDays: 30, CeilingDays: 120, MinAccepted: 100}, p.AutoAge)
	require.Equal(t, unvite.MaxAgeFixed, f.For("acme", 0).MaxAge)
	require.Contains(t, policy.Explain(p), "fewer than 1.5% of invitations that old still get accepted (learned, kept between 30 days and 120 days)")
	require.Contains(t, policy.Explain(p), "least likely to be accepted first")

	_, err = policy.Parse(strings.NewReader("[auto_age]\nfloor = 3\n"), "policy.toml")
	require.ErrorContains(t, err, `line 2: unknown key "auto_age.floor" (did you mean "floor_days"?)`)

	f, err = policy.Parse(strings.NewReader("max_age = \"learned\"\norder = \"random\"\n[auto_age]\nthreshold_percent = 60\nfloor_days = 200\n"), "policy.toml")
	require.NoError(t, err)
	var got []string
	for _, pr := range f.CheckAll() {
		got = append(got, pr.String())
	}
	require.Equal(t, []string{
		`error: max_age (line 1): unknown value "learned" (want "fixed" or "auto")`,
		`error: order (line 2): unknown value "random" (want "oldest-first" or "least-likely-first")`,
		`error: auto_age.threshold_percent (line 4): must be a percentage above 0 and under 50 (got 60)`,
		`error: auto_age.floor_days (line 5): is more than auto_age.ceiling_days (200 > 120)`,
	}, got)

	// policy init writes the new keys, and reads back what it wrote.
	b, err := policy.Marshal(p)
	require.NoError(t, err)
	require.Contains(t, string(b), "max_age = \"auto\"\n")
	require.Contains(t, string(b), "\n[auto_age]\n")
	require.Contains(t, string(b), "\nthreshold_percent = 1.5\n")
	back, err := policy.Parse(strings.NewReader(string(b)), "policy.toml")
	require.NoError(t, err)
	require.Equal(t, p, back.For("", 0))
}

func TestCheckAutoWithoutFixedAge(t *testing.T) {
	t.Parallel()
	p := policy.Default()
	p.WithdrawAgeDays, p.PendingCap, p.ConsiderAgeDays = 0, 0, 0
	require.Equal(t, []string{"withdraw_age_days"}, fields(policy.Check(p)))
	require.Contains(t, policy.Check(p)[0].Message, "never selects anything")
	p.MaxAge = unvite.MaxAgeAuto
	require.Equal(t, []string{"withdraw_age_days"}, fields(policy.Check(p)))
	require.Contains(t, policy.Check(p)[0].Message, `with max_age = "auto", nothing is withdrawn for its age until the history is large enough`)
}

func fields(ps []policy.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}
