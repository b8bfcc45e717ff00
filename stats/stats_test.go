package stats_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/stats"
)

var asOf = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

var nextID atomic.Int64

func inv(ageDays int, st unvite.Status, opts ...func(*unvite.Invitation)) *unvite.Invitation {
	i := &unvite.Invitation{
		ID:        nextID.Add(1),
		Direction: unvite.Sent,
		SentAt:    asOf.Add(-time.Duration(ageDays) * 24 * time.Hour),
		Status:    st,
	}
	for _, o := range opts {
		o(i)
	}
	return i
}

func note(i *unvite.Invitation) { i.HadNote = true }

func many(n, ageDays int, st unvite.Status, opts ...func(*unvite.Invitation)) []*unvite.Invitation {
	out := make([]*unvite.Invitation, n)
	for k := range out {
		out[k] = inv(ageDays, st, opts...)
	}
	return out
}

func TestBuckets(t *testing.T) {
	t.Parallel()
	var invs []*unvite.Invitation
	for _, age := range []int{0, 13, 14, 29, 30, 59, 60, 89, 90, 500} {
		invs = append(invs, inv(age, unvite.StatusPending))
	}
	// A second short of 14 days is 13 whole days.
	almost := inv(14, unvite.StatusPending)
	almost.SentAt = almost.SentAt.Add(time.Second)
	invs = append(invs, almost)
	// Not pending, or not sent: not in the buckets.
	invs = append(invs, inv(100, unvite.StatusAccepted), inv(100, unvite.StatusWithdrawing),
		inv(100, unvite.StatusPending, func(i *unvite.Invitation) { i.Direction = unvite.Received }))

	r := stats.Compute(invs, policy.Default(), asOf)
	require.Equal(t, []stats.Bucket{
		{Label: "0-13", MinDays: 0, MaxDays: 13, Count: 3},
		{Label: "14-29", MinDays: 14, MaxDays: 29, Count: 2},
		{Label: "30-59", MinDays: 30, MaxDays: 59, Count: 2},
		{Label: "60-89", MinDays: 60, MaxDays: 89, Count: 2},
		{Label: "90+", MinDays: 90, MaxDays: -1, Count: 2},
	}, r.PendingByAge)
	require.Equal(t, 11, r.Pending)
	require.Equal(t, 13, r.Sent)
	require.Equal(t, asOf.AddDate(0, 0, -500), r.OldestPendingSentAt)
	require.Equal(t, 500, r.OldestPendingDays)
}

func TestBucketsFollowThePolicy(t *testing.T) {
	t.Parallel()
	p := policy.Default()
	p.MinAgeDays, p.ReviewAgeDays, p.ConsiderAgeDays, p.WithdrawAgeDays = 7, 0, 45, 120
	r := stats.Compute([]*unvite.Invitation{inv(6, unvite.StatusPending), inv(7, unvite.StatusPending), inv(120, unvite.StatusPending)}, p, asOf)
	var labels []string
	var counts []int
	for _, b := range r.PendingByAge {
		labels, counts = append(labels, b.Label), append(counts, b.Count)
	}
	require.Equal(t, []string{"0-6", "7-44", "45-119", "120+"}, labels)
	require.Equal(t, []int{1, 1, 0, 1}, counts)

	p.MinAgeDays, p.ConsiderAgeDays, p.WithdrawAgeDays = 0, 0, 0
	r = stats.Compute(nil, p, asOf)
	require.Equal(t, []stats.Bucket{{Label: "0+", MaxDays: -1}}, r.PendingByAge)
	require.True(t, r.OldestPendingSentAt.IsZero())
}

// TestAcceptance builds the 2026 fixture's note / no-note split: 469 of
// 1,024 with a note accepted, 263 of 839 without; withdrawn ones (re-invite
// superseded, or being withdrawn) stay out of both denominators.
func TestAcceptance(t *testing.T) {
	t.Parallel()
	var invs []*unvite.Invitation
	invs = append(invs, many(469, 200, unvite.StatusAccepted, note)...)
	invs = append(invs, many(500, 100, unvite.StatusPending, note)...)
	invs = append(invs, many(55, 100, unvite.StatusGone, note)...)
	invs = append(invs, many(2, 300, unvite.StatusWithdrawn, note)...)
	invs = append(invs, many(263, 200, unvite.StatusAccepted)...)
	invs = append(invs, many(576, 50, unvite.StatusPending)...)
	invs = append(invs, many(1, 300, unvite.StatusWithdrawn)...)
	invs = append(invs, many(4, 120, unvite.StatusWithdrawing)...)

	r := stats.Compute(invs, policy.Default(), asOf)
	require.Equal(t, stats.Acceptance{Sent: 1026, Accepted: 469, Pending: 500, Gone: 55, Withdrawn: 2, Rate: 469.0 / 1024}, r.WithNote)
	require.Equal(t, stats.Acceptance{Sent: 844, Accepted: 263, Pending: 576, Withdrawn: 5, Rate: 263.0 / 839}, r.WithoutNote)
	require.InDelta(t, 0.458, r.WithNote.Rate, 0.0005)
	require.InDelta(t, 0.3135, r.WithoutNote.Rate, 0.00005)

	require.Equal(t, map[unvite.Status]int{
		unvite.StatusPending: 1076, unvite.StatusWithdrawing: 4, unvite.StatusAccepted: 732,
		unvite.StatusWithdrawn: 3, unvite.StatusGone: 55,
	}, r.ByStatus)
	require.Equal(t, 3, r.Withdrawn)
	require.Equal(t, 1870, r.Sent)

	require.Equal(t, 400, r.PendingCap)
	require.InDelta(t, 269.0, r.PendingCapPercent, 1e-9) // 1076 / 400
}

func TestNoAnswersNoRate(t *testing.T) {
	t.Parallel()
	r := stats.Compute([]*unvite.Invitation{inv(100, unvite.StatusWithdrawn)}, policy.Default(), asOf)
	require.Zero(t, r.WithoutNote.Rate)
	require.Equal(t, 1, r.WithoutNote.Withdrawn)
	p := policy.Default()
	p.PendingCap = 0
	r = stats.Compute(nil, p, asOf)
	require.Zero(t, r.PendingCapPercent)
}

func TestCohorts(t *testing.T) {
	t.Parallel()
	at := func(s string, st unvite.Status) *unvite.Invitation {
		i := inv(0, st)
		tm, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		i.SentAt = tm
		return i
	}
	r := stats.Compute([]*unvite.Invitation{
		at("2026-03-31T23:30:00-02:00", unvite.StatusAccepted), // April in UTC
		at("2026-04-15T10:00:00Z", unvite.StatusPending),
		at("2026-04-20T10:00:00Z", unvite.StatusWithdrawn),
		at("2026-01-02T10:00:00Z", unvite.StatusAccepted),
		at("2026-01-03T10:00:00Z", unvite.StatusGone),
		at("2026-01-04T10:00:00Z", unvite.StatusAccepted),
		at("2026-01-05T10:00:00Z", unvite.StatusGone),
	}, policy.Default(), asOf)
	require.Equal(t, []stats.Cohort{
		{Month: "2026-01", Acceptance: stats.Acceptance{Sent: 4, Accepted: 2, Gone: 2, Rate: 0.5}},
		{Month: "2026-04", Acceptance: stats.Acceptance{Sent: 3, Accepted: 1, Pending: 1, Withdrawn: 1, Rate: 0.5}},
	}, r.Cohorts)
}

func TestMedianDaysToAccept(t *testing.T) {
	t.Parallel()
	accepted := func(after time.Duration) *unvite.Invitation {
		i := inv(100, unvite.StatusAccepted)
		if after >= 0 {
			i.StatusSince = i.SentAt.Add(after)
		}
		return i
	}
	day := 24 * time.Hour

	r := stats.Compute([]*unvite.Invitation{accepted(-1), accepted(-1)}, policy.Default(), asOf)
	require.Nil(t, r.MedianDaysToAccept, "exports do not tell when")

	r = stats.Compute([]*unvite.Invitation{accepted(10 * day), accepted(day), accepted(-1), accepted(2 * day)}, policy.Default(), asOf)
	require.NotNil(t, r.MedianDaysToAccept)
	require.InDelta(t, 2.0, *r.MedianDaysToAccept, 1e-9)
	require.Equal(t, 3, r.AcceptedTimed)

	r = stats.Compute([]*unvite.Invitation{accepted(day), accepted(12 * time.Hour), accepted(4 * day), accepted(5 * day)}, policy.Default(), asOf)
	require.InDelta(t, 2.5, *r.MedianDaysToAccept, 1e-9)
	// Accepted in the same minute as sent counts, as no wait, even when the
	// acceptance reads a few seconds before a sending time kept to the second.
	sameMinute := accepted(0)
	sameMinute.SentAt = sameMinute.SentAt.Add(40 * time.Second)
	sameMinute.StatusSince = sameMinute.SentAt.Truncate(time.Minute).Add(10 * time.Second)
	r = stats.Compute([]*unvite.Invitation{accepted(0), sameMinute, accepted(3 * day)}, policy.Default(), asOf)
	require.Equal(t, 3, r.AcceptedTimed, "same-minute acceptances are timed")
	require.InDelta(t, 0.0, *r.MedianDaysToAccept, 1e-9)

	// An earlier minute, or a sheet's "accepted" dated the day sent, tells nothing.
	early := accepted(0)
	early.StatusSince = early.SentAt.Add(-2 * time.Minute)
	sheet := accepted(0)
	sheet.Source = unvite.SourceSheet
	r = stats.Compute([]*unvite.Invitation{early, sheet, accepted(3 * day)}, policy.Default(), asOf)
	require.Equal(t, 1, r.AcceptedTimed)
	require.InDelta(t, 3.0, *r.MedianDaysToAccept, 1e-9)
}

// As of a day, the report is the state on that day: invitations sent later
// did not exist yet and count nowhere, not as young pending ones (negative
// ages), not in sent totals or cohorts; those sent during the day count.
func TestAsOfLeavesLaterInvitationsOut(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	later := []*unvite.Invitation{inv(-1, unvite.StatusPending), inv(-40, unvite.StatusAccepted, note), inv(-3, unvite.StatusWithdrawn)}
	sameDay := inv(0, unvite.StatusPending)
	sameDay.SentAt = asOf.Add(day - time.Second) // 23:59:59 on the as-of day
	invs := append([]*unvite.Invitation{inv(100, unvite.StatusPending), inv(20, unvite.StatusAccepted), sameDay}, later...)

	r := stats.Compute(invs, policy.Default(), asOf)
	require.Equal(t, 3, r.Sent)
	require.Equal(t, 2, r.Pending)
	require.Equal(t, 0, r.Withdrawn)
	require.Equal(t, 0, r.WithNote.Sent)
	require.Equal(t, 1, r.PendingByAge[0].Count, "only the one sent on the day is youngest")
	require.Equal(t, 1, r.Withdrawable)
	for _, c := range r.Cohorts {
		require.LessOrEqual(t, c.Month, "2026-11", "no cohort after the as-of day")
	}
	require.Equal(t, r, stats.Compute(invs[:3], policy.Default(), asOf), "the same report as without the later ones")
}

// TestWithdrawableMatchesPlan: the streamed count is the plan's length.
func TestWithdrawableMatchesPlan(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 9))
	statuses := []unvite.Status{unvite.StatusPending, unvite.StatusPending, unvite.StatusPending, unvite.StatusAccepted, unvite.StatusWithdrawn}
	for round := range 50 {
		var invs []*unvite.Invitation
		for range r.IntN(800) {
			i := inv(r.IntN(200), statuses[r.IntN(len(statuses))])
			if r.IntN(10) == 0 {
				i.Tags = []string{"vip"}
			}
			invs = append(invs, i)
		}
		p := policy.Default()
		p.PendingCap = r.IntN(400)
		plan := policy.Plan(p, invs, asOf)
		rep := stats.Compute(invs, p, asOf)
		require.Equal(t, len(plan.Withdrawals), rep.Withdrawable, "round %d", round)
		require.Equal(t, plan.Protected, rep.Protected)
		require.Equal(t, plan.Pending, rep.Pending)
	}
}

func TestReportIsASnapshot(t *testing.T) {
	t.Parallel()
	a := stats.New(policy.Default(), asOf)
	a.Add(inv(5, unvite.StatusPending))
	first := a.Report()
	a.Add(inv(5, unvite.StatusPending))
	require.Equal(t, 1, first.ByStatus[unvite.StatusPending])
	require.Equal(t, 1, first.PendingByAge[0].Count)
	require.Equal(t, 2, a.Report().PendingByAge[0].Count)
}

func TestJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(stats.Compute(nil, policy.Default(), asOf))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, map[string]any{"pending": 0.0, "withdrawing": 0.0, "accepted": 0.0, "withdrawn": 0.0, "gone": 0.0}, m["by_status"])
	require.NotContains(t, m, "oldest_pending_sent_at")
	require.NotContains(t, m, "median_days_to_accept")
	require.Contains(t, m, "withdrawable_now")
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	var invs []*unvite.Invitation
	invs = append(invs, many(3, 100, unvite.StatusPending)...)
	invs = append(invs, many(2, 20, unvite.StatusPending, note)...)
	invs = append(invs, many(12, 20, unvite.StatusAccepted, note)...)
	invs = append(invs, inv(3, unvite.StatusPending, func(i *unvite.Invitation) { i.Tags = []string{"vip"} }))
	invs = append(invs, inv(40, unvite.StatusWithdrawn))
	accepted := inv(40, unvite.StatusAccepted)
	accepted.StatusSince = accepted.SentAt.Add(36 * time.Hour)
	invs = append(invs, accepted)
	p := policy.Default()
	p.PendingCap = 8

	var b bytes.Buffer
	require.NoError(t, stats.WriteText(&b, stats.Compute(invs, p, asOf)))
	require.Equal(t, `Sent invitations as of 2026-11-20   20
  pending                            6
  withdrawing                        0
  accepted                          13
  withdrawn                          1
  gone                               0
Pending against the cap of 8       75%
Protected (pending)                  1
Withdrawable now                     3

Pending by age (days)  count
  0-13                     1
  14-29                    2
  30-59                    0
  60-89                    0
  90+                      3

Oldest pending: sent 2026-08-12 00:00 UTC, 100 days ago

Acceptance        sent  accepted  pending  gone  withdrawn   rate
  with a note       14        12        2     0          0  85.7%
  without a note     6         1        4     0          1  20.0%

By month sent  sent  accepted  pending  gone  withdrawn   rate
  2026-08         3         0        3     0          0   0.0%
  2026-10        16        13        2     0          1  86.7%
  2026-11         1         0        1     0          0   0.0%

Rates leave withdrawn invitations out: accepted / (accepted + pending + gone).
Median days to accept: 1.5 (of 1 accepted with a known date).
`, b.String())
}
