package policy_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// now is the fixed clock of the plan tests.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// sent builds a pending sent invitation exactly ageDays old, numbered id.
func sent(id int64, ageDays int, opts ...func(*unvite.Invitation)) *unvite.Invitation {
	inv := &unvite.Invitation{
		ID:        id,
		AccountID: 7,
		Direction: unvite.Sent,
		Kind:      unvite.KindPerson,
		Invitee:   unvite.Person{Name: fmt.Sprintf("Person %d", id), Slug: fmt.Sprintf("person-%d", id)},
		SentAt:    now.Add(-time.Duration(ageDays) * 24 * time.Hour),
		Status:    unvite.StatusPending,
		Source:    unvite.SourceExport,
	}
	for _, o := range opts {
		o(inv)
	}
	return inv
}

func tagged(tags ...string) func(*unvite.Invitation) {
	return func(inv *unvite.Invitation) { inv.Tags = tags }
}
func slug(s string) func(*unvite.Invitation) {
	return func(inv *unvite.Invitation) { inv.Invitee.Slug = s }
}
func withNote(inv *unvite.Invitation) { inv.HadNote = true; inv.Note = "Hello" }
func marked(inv *unvite.Invitation)   { inv.Protected = true }
func status(s unvite.Status) func(*unvite.Invitation) {
	return func(inv *unvite.Invitation) { inv.Status = s }
}
func received(inv *unvite.Invitation) { inv.Direction = unvite.Received }

// pol is the default policy with changes.
func pol(change func(*unvite.Policy)) unvite.Policy {
	p := policy.Default()
	if change != nil {
		change(&p)
	}
	return p
}

type step struct {
	id   int64
	rule string
}

func steps(plan unvite.WithdrawalPlan) []step {
	out := []step{}
	for _, w := range plan.Withdrawals {
		out = append(out, step{w.Invitation.ID, w.Rule})
	}
	return out
}

func TestPlan(t *testing.T) {
	t.Parallel()
	const maxAge, capRule = unvite.RuleMaxAge, unvite.RulePendingCap
	noCap := func(p *unvite.Policy) { p.PendingCap = 0 }

	tests := []struct {
		name      string
		policy    unvite.Policy
		pending   []*unvite.Invitation
		want      []step
		protected int
		tooYoung  int
		pending_  int
		after     int
	}{
		{
			name:   "empty",
			policy: pol(nil),
			want:   []step{},
		},
		{
			name:   "max age takes 90 days and older, oldest first",
			policy: pol(noCap),
			pending: []*unvite.Invitation{
				sent(1, 89), sent(2, 90), sent(3, 120), sent(4, 5), sent(5, 95), sent(6, 20),
			},
			want:     []step{{3, maxAge}, {5, maxAge}, {2, maxAge}},
			pending_: 6, after: 3,
		},
		{
			name:   "cap takes the oldest until pending is at the cap",
			policy: pol(func(p *unvite.Policy) { p.PendingCap = 3 }),
			pending: []*unvite.Invitation{
				sent(1, 20), sent(2, 80), sent(3, 3), sent(4, 50), sent(5, 10), sent(6, 70),
			},
			want:     []step{{2, capRule}, {6, capRule}, {4, capRule}},
			pending_: 6, after: 3,
		},
		{
			name:     "cap exactly reached selects nothing",
			policy:   pol(func(p *unvite.Policy) { p.PendingCap = 3 }),
			pending:  []*unvite.Invitation{sent(1, 80), sent(2, 70), sent(3, 50)},
			want:     []step{},
			pending_: 3, after: 3,
		},
		{
			name:   "max age first, then the cap on what is left",
			policy: pol(func(p *unvite.Policy) { p.PendingCap = 3 }),
			pending: []*unvite.Invitation{
				sent(1, 10), sent(2, 30), sent(3, 120), sent(4, 60), sent(5, 100), sent(6, 40),
			},
			want:     []step{{3, maxAge}, {5, maxAge}, {4, capRule}},
			pending_: 6, after: 3,
		},
		{
			name:     "never younger than the minimum age",
			policy:   pol(func(p *unvite.Policy) { p.PendingCap = 1 }),
			pending:  []*unvite.Invitation{sent(1, 13), sent(2, 12), sent(3, 14), sent(4, 0)},
			want:     []step{{3, capRule}},
			tooYoung: 2, pending_: 4, after: 3,
		},
		{
			name: "minimum age wins over a shorter max age",
			policy: pol(func(p *unvite.Policy) {
				p.WithdrawAgeDays, p.MinAgeDays, p.PendingCap = 10, 14, 0
			}),
			pending:  []*unvite.Invitation{sent(1, 12), sent(2, 14)},
			want:     []step{{2, maxAge}},
			pending_: 2, after: 1,
		},
		{
			name:   "cap unreachable: the rest are protected or too young",
			policy: pol(func(p *unvite.Policy) { p.PendingCap = 1 }),
			pending: []*unvite.Invitation{
				sent(1, 80, tagged("vip")), sent(2, 70, marked), sent(3, 20), sent(4, 5), sent(5, 1),
			},
			want:      []step{{3, capRule}},
			protected: 2, tooYoung: 2, pending_: 5, after: 4,
		},
		{
			name:   "too young counts only what the cap still needs",
			policy: pol(func(p *unvite.Policy) { p.PendingCap = 3 }),
			pending: []*unvite.Invitation{
				sent(1, 30), sent(2, 5), sent(3, 4), sent(4, 3), sent(5, 2),
			},
			want:     []step{{1, capRule}},
			tooYoung: 1, pending_: 5, after: 4,
		},
		{
			name: "each kind of protection",
			policy: pol(func(p *unvite.Policy) {
				p.PendingCap = 0
				p.Protect = unvite.Protections{
					Tags:     []string{"VIP", " mentor "},
					Profiles: []string{"https://www.linkedin.com/in/Jane-Doe/?trk=x", "John-Smith", "linkedin.com/in/j%C3%B6rg"},
					WithNote: true,
				}
			}),
			pending: []*unvite.Invitation{
				sent(1, 100, marked),
				sent(2, 100, tagged("x", "vip")),
				sent(3, 100, tagged("Mentor")),
				sent(4, 100, slug("jane-doe")),
				sent(5, 100, slug("john-smith")),
				sent(6, 100, slug("jörg")),
				sent(7, 100, withNote),
				sent(8, 100, tagged("vipx")),
				sent(9, 100),
			},
			want:      []step{{8, maxAge}, {9, maxAge}},
			protected: 7, pending_: 9, after: 7,
		},
		{
			name:   "notes are not protected unless the policy says so",
			policy: pol(noCap),
			pending: []*unvite.Invitation{
				sent(1, 100, withNote),
			},
			want:     []step{{1, maxAge}},
			pending_: 1, after: 0,
		},
		{
			name:   "ignores what is not a pending sent invitation",
			policy: pol(noCap),
			pending: []*unvite.Invitation{
				nil,
				sent(1, 100, status(unvite.StatusAccepted)),
				sent(2, 100, status(unvite.StatusWithdrawing)),
				sent(3, 100, status(unvite.StatusWithdrawn)),
				sent(4, 100, received),
				sent(5, 100),
			},
			want:     []step{{5, maxAge}},
			pending_: 1, after: 0,
		},
		{
			name:   "same sending time: lower id first",
			policy: pol(noCap),
			pending: []*unvite.Invitation{
				sent(9, 100), sent(3, 100), sent(5, 100),
			},
			want:     []step{{3, maxAge}, {5, maxAge}, {9, maxAge}},
			pending_: 3, after: 0,
		},
		{
			name:   "both rules off",
			policy: pol(func(p *unvite.Policy) { p.PendingCap, p.WithdrawAgeDays = 0, 0 }),
			pending: []*unvite.Invitation{
				sent(1, 1000),
			},
			want:     []step{},
			pending_: 1, after: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan := policy.Plan(tt.policy, tt.pending, now)
			require.Equal(t, tt.want, steps(plan))
			require.Equal(t, tt.protected, plan.Protected, "protected")
			require.Equal(t, tt.tooYoung, plan.TooYoung, "too young")
			require.Equal(t, tt.pending_, plan.Pending, "pending")
			require.Equal(t, tt.after, plan.PendingAfter, "pending after")
			require.Equal(t, now, plan.AsOf)
			require.NotNil(t, plan.Withdrawals)
			for _, w := range plan.Withdrawals {
				require.Equal(t, w.Invitation.AgeDays(now), w.AgeDays)
				require.GreaterOrEqual(t, w.AgeDays, tt.policy.MinAgeDays)
			}
		})
	}
}

func TestPlanReasons(t *testing.T) {
	t.Parallel()
	p := pol(func(p *unvite.Policy) { p.PendingCap = 1 })
	plan := policy.Plan(p, []*unvite.Invitation{sent(1, 123), sent(2, 50), sent(3, 40)}, now)
	require.Len(t, plan.Withdrawals, 2)
	require.Equal(t, "sent 123 days ago (≥ 90: withdraw by 90)", plan.Withdrawals[0].Reason)
	require.Equal(t, "pending 3 > cap 1: oldest first", plan.Withdrawals[1].Reason)
	require.Equal(t, int64(7), plan.AccountID)
}

// A plan as of a past day is that day's plan: invitations sent after the
// day did not exist, so they neither count against the cap nor show up.
func TestPlanAsOfLeavesLaterInvitationsOut(t *testing.T) {
	t.Parallel()
	p := pol(func(p *unvite.Policy) { p.PendingCap = 2 })
	later := []*unvite.Invitation{sent(4, -2), sent(5, -30)}
	sameDay := sent(6, 0, func(inv *unvite.Invitation) { inv.SentAt = now.Add(11 * time.Hour) }) // 23:00 that day
	plan := policy.Plan(p, append([]*unvite.Invitation{sent(1, 50), sent(2, 40), sameDay}, later...), now)
	require.Equal(t, 3, plan.Pending, "the two sent later are not pending yet")
	require.Len(t, plan.Withdrawals, 1, "one over the cap of 2")
	require.Equal(t, int64(1), plan.Withdrawals[0].Invitation.ID)
	require.Equal(t, "pending 3 > cap 2: oldest first", plan.Withdrawals[0].Reason)

	tally := policy.NewTally(p, now)
	for _, inv := range later {
		tally.Add(inv)
	}
	require.Zero(t, tally.Pending)
}

func TestPlanDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, limit, days int
		wantLimit      int
	}{
		{n: 0, limit: 30, days: 0, wantLimit: 30},
		{n: 1, limit: 30, days: 1, wantLimit: 30},
		{n: 30, limit: 30, days: 1, wantLimit: 30},
		{n: 31, limit: 30, days: 2, wantLimit: 30},
		{n: 61, limit: 30, days: 3, wantLimit: 30},
		{n: 61, limit: 0, days: 3, wantLimit: 30}, // a broken limit falls back to the default
		{n: 7, limit: 1, days: 7, wantLimit: 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d at %d a day", tt.n, tt.limit), func(t *testing.T) {
			t.Parallel()
			var pending []*unvite.Invitation
			for i := range tt.n {
				pending = append(pending, sent(int64(i+1), 100+i))
			}
			p := pol(func(p *unvite.Policy) { p.DailyLimit, p.PendingCap = tt.limit, 0 })
			plan := policy.Plan(p, pending, now)
			require.Len(t, plan.Withdrawals, tt.n)
			require.Equal(t, tt.days, plan.DaysNeeded)
			require.Equal(t, tt.wantLimit, plan.DailyLimit)
			for i, w := range plan.Withdrawals {
				require.Equal(t, i/tt.wantLimit+1, w.Day, "step %d", i)
			}
			if tt.n > 0 {
				require.Equal(t, tt.days, plan.Withdrawals[tt.n-1].Day)
			}
		})
	}
}

// randomPending makes n pending invitations of random ages, some tagged,
// protected, with notes, or sent to the same second.
func randomPending(r *rand.Rand, n int) []*unvite.Invitation {
	out := make([]*unvite.Invitation, n)
	for i := range out {
		inv := sent(int64(i+1), 0)
		inv.SentAt = now.Add(-time.Duration(r.Int64N(int64(400 * 24 * time.Hour))))
		if i > 0 && r.IntN(50) == 0 {
			inv.SentAt = out[r.IntN(i)].SentAt // a tie
		}
		switch r.IntN(20) {
		case 0:
			inv.Tags = []string{"vip"}
		case 1:
			inv.Tags = []string{"recruiter", "Mentor"}
		case 2:
			inv.Protected = true
		}
		inv.HadNote = r.IntN(2) == 0
		out[i] = inv
	}
	return out
}

func TestPlanDeterministic(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	pending := randomPending(r, 2000)
	p := pol(func(p *unvite.Policy) { p.PendingCap = 300; p.Protect.Tags = []string{"vip", "mentor"} })
	want := policy.Plan(p, pending, now)
	require.NotEmpty(t, want.Withdrawals)
	for range 5 {
		shuffled := append([]*unvite.Invitation(nil), pending...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		require.Equal(t, want, policy.Plan(p, shuffled, now))
	}
	// The input is left in its order.
	require.Equal(t, int64(1), pending[0].ID)
}

// TestPlanInvariants checks, over random policies and inputs, what every
// plan must satisfy.
func TestPlanInvariants(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		pending := randomPending(r, r.IntN(300))
		p := pol(func(p *unvite.Policy) {
			p.MinAgeDays = r.IntN(30)
			p.WithdrawAgeDays = r.IntN(3) * (30 + r.IntN(200)) // sometimes off
			p.PendingCap = r.IntN(3) * r.IntN(200)
			p.DailyLimit = 1 + r.IntN(50)
			p.Protect.WithNote = r.IntN(4) == 0
		})
		plan := policy.Plan(p, pending, now)
		prot := policy.NewProtector(p.Protect)
		chosen := map[int64]bool{}
		for i, w := range plan.Withdrawals {
			require.False(t, prot.Protects(w.Invitation), "round %d", round)
			require.GreaterOrEqual(t, w.AgeDays, p.MinAgeDays)
			require.False(t, chosen[w.Invitation.ID], "chosen twice")
			chosen[w.Invitation.ID] = true
			if i > 0 {
				prev := plan.Withdrawals[i-1].Invitation
				require.True(t, !w.Invitation.SentAt.Before(prev.SentAt), "oldest first")
			}
		}
		// Whatever is left old enough and unprotected is below max age,
		// and the cap holds unless only protected or too-young ones remain.
		leftOld := 0
		for _, inv := range pending {
			if chosen[inv.ID] || prot.Protects(inv) || inv.AgeDays(now) < p.MinAgeDays {
				continue
			}
			leftOld++
			if p.WithdrawAgeDays > 0 {
				require.Less(t, inv.AgeDays(now), p.WithdrawAgeDays)
			}
		}
		if p.PendingCap > 0 && plan.PendingAfter > p.PendingCap {
			require.Zero(t, leftOld, "round %d: cap missed with old ones left", round)
			require.LessOrEqual(t, plan.TooYoung, plan.PendingAfter-p.PendingCap)
		}
		require.Equal(t, plan.Pending-len(plan.Withdrawals), plan.PendingAfter)

		// A Tally over the same stream counts what the plan holds.
		tally := policy.NewTally(p, now)
		for _, inv := range pending {
			tally.Add(inv)
		}
		byMaxAge, byCap, tooYoung := tally.Withdrawals()
		rules := map[string]int{}
		for _, w := range plan.Withdrawals {
			rules[w.Rule]++
		}
		require.Equal(t, rules[unvite.RuleMaxAge], byMaxAge)
		require.Equal(t, rules[unvite.RulePendingCap], byCap)
		require.Equal(t, plan.TooYoung, tooYoung)
		require.Equal(t, plan.Pending, tally.Pending)
		require.Equal(t, plan.Protected, tally.Protected)
	}
}

func TestStage(t *testing.T) {
	t.Parallel()
	p := policy.Default()
	for age, want := range map[int]string{
		0: "new", 29: "new", 30: "review", 59: "review", 60: "consider", 89: "consider", 90: "withdraw", 400: "withdraw",
	} {
		require.Equal(t, want, policy.Stage(p, sent(1, age), now), "age %d", age)
	}
	p.WithdrawAgeDays, p.ConsiderAgeDays = 0, 0
	require.Equal(t, policy.StageReview, policy.Stage(p, sent(1, 400), now))
}

func BenchmarkPlan100k(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	pending := randomPending(r, 100_000)
	p := pol(func(p *unvite.Policy) {
		p.Protect.Tags = []string{"vip", "mentor"}
		p.Protect.Profiles = []string{"https://www.linkedin.com/in/person-17", "person-99"}
		p.Protect.WithNote = false
	})
	b.ReportAllocs()
	for b.Loop() {
		plan := policy.Plan(p, pending, now)
		if len(plan.Withdrawals) == 0 {
			b.Fatal("empty plan")
		}
	}
}

// An invitation no withdrawal can reach (unlisted: not on LinkedIn's sent
// list and no LinkedIn id) is never planned, by age or by the cap, but
// still counts as pending against the cap; the tally agrees.
func TestPlanLeavesUnlistedOut(t *testing.T) {
	t.Parallel()
	unlisted := func(inv *unvite.Invitation) { inv.UnlistedAt = now.Add(-24 * time.Hour) }
	p := pol(func(p *unvite.Policy) { p.PendingCap = 2 })
	invs := []*unvite.Invitation{sent(1, 120, unlisted), sent(2, 100), sent(3, 50, unlisted), sent(4, 40), sent(5, 30)}
	plan := policy.Plan(p, invs, now)
	require.Equal(t, 5, plan.Pending)
	require.Equal(t, 2, plan.Unlisted)
	// 4 pending after the max-age one, 2 over the cap: the cap takes 4 and
	// 5, passing over the older 3.
	require.Equal(t, []step{{2, "max-age"}, {4, "pending-cap"}, {5, "pending-cap"}}, steps(plan))
	require.Equal(t, 2, plan.PendingAfter)
	tally := policy.NewTally(p, now)
	for _, inv := range invs {
		tally.Add(inv)
	}
	maxAge, byCap, _ := tally.Withdrawals()
	require.Equal(t, len(plan.Withdrawals), maxAge+byCap)
	require.Equal(t, 2, tally.Unlisted)
}
