package engine_test

import (
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
)

// job is one queued withdrawal in the simulated queue, due at a time.
type job struct {
	acct    int64
	inv     int64
	due     time.Time
	attempt int
}

// runQueue plays River's part on the fake clock: it runs the earliest due
// job, sets the clock to its due time, and reschedules it by the wait the
// engine returns, until every job is done or until stops it.
func runQueue(t *testing.T, r *rig, eng *engine.Engine, jobs []*job, until time.Time) {
	t.Helper()
	for len(jobs) > 0 {
		sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].due.Before(jobs[j].due) })
		j := jobs[0]
		if j.due.After(until) {
			return
		}
		if j.due.After(r.clock.Now()) {
			r.clock.Set(j.due)
		}
		j.attempt++
		wait, err := eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: j.acct, InvitationID: j.inv}, fmt.Sprintf("i%d.%d", j.inv, j.attempt))
		require.NoError(t, err)
		if wait == 0 {
			jobs = jobs[1:]
			continue
		}
		j.due = r.clock.Now().Add(wait)
	}
}

// With E invitations over the pending cap and a daily limit D, the cap is
// reached in exactly ⌈E/D⌉ active days, no day over D, in several time
// zones and across daylight-saving changes, gaps and active hours kept.
func TestPacingReachesCapInCeilEOverDDays(t *testing.T) {
	cases := []struct {
		e, d  int
		tz    string
		start string // local wall time the queue starts
		hours string
	}{
		{e: 95, d: 30, tz: "Europe/Stockholm", start: "2026-03-27 20:00", hours: "09:00-17:00"}, // DST starts Mar 29
		{e: 60, d: 30, tz: "America/New_York", start: "2026-11-01 00:30", hours: "09:00-17:00"}, // DST ends that night
		{e: 7, d: 3, tz: "Asia/Kolkata", start: "2026-06-02 12:00", hours: "09:00-17:00"},
		{e: 31, d: 30, tz: "UTC", start: "2026-06-02 05:00", hours: "09:00-17:00"},
		{e: 250, d: 100, tz: "Australia/Lord_Howe", start: "2026-04-05 00:00", hours: "00:00-24:00"}, // half-hour DST ends that night
		{e: 40, d: 20, tz: "Pacific/Auckland", start: "2026-09-26 22:00", hours: "22:00-06:00"},      // overnight window; DST starts Sep 27
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("E%d_D%d_%s", tc.e, tc.d, tc.tz), func(t *testing.T) {
			t.Parallel()
			p := basePolicy()
			p.DailyLimit, p.ActiveHours, p.TimeZone = tc.d, tc.hours, ""
			p.WithdrawAgeDays, p.MinAgeDays = 0, 0
			loc, err := time.LoadLocation(tc.tz)
			require.NoError(t, err)
			start, err := time.ParseInLocation("2006-01-02 15:04", tc.start, loc)
			require.NoError(t, err)
			r := newRigAt(t, p, nil, start)
			acct := r.account(2*tc.e+100, tc.tz)
			pending, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
			require.NoError(t, err)
			r.pol.PendingCap = pending - tc.e
			eng := r.engine(false, false)
			queued, err := eng.PlanAndQueue(ctx, acct.ID)
			require.NoError(t, err)
			require.Len(t, queued, tc.e)

			var jobs []*job
			for _, q := range queued {
				jobs = append(jobs, &job{acct: acct.ID, inv: q.InvitationID, due: start})
			}
			runQueue(t, r, eng, jobs, start.AddDate(0, 0, 60))

			left, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
			require.NoError(t, err)
			require.Equal(t, r.pol.PendingCap, left, "the cap is reached")
			require.Len(t, r.sb.Withdrawn(r.accts[acct.ID].Key()), tc.e, "LinkedIn saw exactly E withdrawals")

			atts, err := r.store.Attempts(ctx, acct.ID)
			require.NoError(t, err)
			perDay := map[string]int{}
			pace, err := engine.PaceFor(r.pol, acct)
			require.NoError(t, err)
			var prev time.Time
			for _, a := range atts {
				require.Equal(t, unvite.OutcomeWithdrawn, a.Outcome)
				local := a.ClaimedAt.In(loc)
				require.Equal(t, local.Format(time.DateOnly), a.Day, "budget day is the local calendar day")
				require.True(t, pace.Hours.Contains(local), "claimed at %s, outside %s", local, tc.hours)
				if !prev.IsZero() {
					gap := a.ClaimedAt.Sub(prev)
					require.GreaterOrEqual(t, gap, p.MinGap, "gap after %s", prev)
				}
				prev = a.ClaimedAt
				perDay[a.Day]++
			}
			want := (tc.e + tc.d - 1) / tc.d
			require.Len(t, perDay, want, "⌈E/D⌉ active days: %v", perDay)
			days := make([]string, 0, len(perDay))
			for d, n := range perDay {
				require.LessOrEqual(t, n, tc.d, "day %s over the limit", d)
				days = append(days, d)
			}
			sort.Strings(days)
			for i, d := range days {
				if i < len(days)-1 {
					require.Equal(t, tc.d, perDay[d], "a full day before the last: %s", d)
				}
				if i > 0 {
					prevDay, _ := time.Parse(time.DateOnly, days[i-1])
					require.Equal(t, prevDay.AddDate(0, 0, 1).Format(time.DateOnly), d, "consecutive active days")
				}
			}
			_ = strconv.Itoa
		})
	}
}
