package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/sqlite"
)

// queueN queues the account's n oldest pending invitations as the user.
func queueN(t *testing.T, r *rig, acct *unvite.Account, n, skip int, actor string) []int64 {
	t.Helper()
	list, err := r.store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Statuses: []unvite.Status{unvite.StatusPending}, Limit: n, Offset: skip})
	require.NoError(t, err)
	require.Len(t, list, n)
	var ids []int64
	for _, inv := range list {
		ids = append(ids, inv.ID)
	}
	q, err := r.eng.QueueWithdrawals(ctx, ids, unvite.Change{Actor: actor})
	require.NoError(t, err)
	require.Len(t, q, n)
	return ids
}

func status(t *testing.T, r *rig, id int64) unvite.Status {
	t.Helper()
	inv, err := r.store.Invitation(ctx, id)
	require.NoError(t, err)
	return inv.Status
}

// Each stop condition stops or slows the account as it should, without a
// blind retry; a paused account gets no request at all; work resumes once
// the condition is cleared.
func TestStopConditions(t *testing.T) {
	p := basePolicy()
	p.ActiveHours = "00:00-24:00"
	p.DailyLimit = 10
	cases := []struct {
		name   string
		faults sandbox.Faults
		pause  bool
		state  unvite.AccountState
		// requests is what the first try costs.
		requests int
		until    time.Duration // throttled this long
	}{
		{name: "paused", pause: true, state: unvite.AccountPaused, requests: 0},
		{name: "session expired", faults: sandbox.Faults{SessionExpired: true}, state: unvite.AccountNeedsLogin, requests: 1},
		{name: "challenge", faults: sandbox.Faults{Challenge: sandbox.ChallengeRedirect}, state: unvite.AccountNeedsLogin, requests: 1},
		{name: "soft block 999", faults: sandbox.Faults{SoftBlock: true}, state: unvite.AccountPaused, requests: 1},
		{name: "rate limited", faults: sandbox.Faults{RateLimit: 1, RetryAfter: 90 * time.Second}, state: unvite.AccountThrottled, requests: 1, until: 90 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, p, nil)
			acct := r.account(60, "UTC")
			r.engine(false, true)
			ids := queueN(t, r, acct, 3, 0, "user")
			sa := r.accts[acct.ID]
			if tc.pause {
				_, err := accounts.Pause(ctx, r.store, acct, unvite.Change{Actor: "user"})
				require.NoError(t, err)
			}
			sa.SetFaults(tc.faults)
			if tc.faults.RateLimit > 0 {
				// One request fills the sliding minute; the withdrawal is the second.
				li, err := r.client(ctx, acct)
				require.NoError(t, err)
				_, err = li.PendingCount(ctx)
				require.NoError(t, err)
			}
			before := r.sb.RequestCount(sa.Key(), "")

			wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: ids[0]}, "a1")
			require.NoError(t, err)
			require.Positive(t, wait, "the job waits")
			require.Equal(t, tc.requests, r.sb.RequestCount(sa.Key(), "")-before)
			got, err := r.store.Account(ctx, acct.ID)
			require.NoError(t, err)
			require.Equal(t, tc.state, got.State, got.StateReason)
			if tc.until > 0 {
				require.WithinDuration(t, r.clock.Now().Add(tc.until), got.ThrottledUntil, time.Second)
				require.InDelta(t, tc.until.Seconds(), wait.Seconds(), 1)
			}
			require.Equal(t, unvite.StatusPending, status(t, r, ids[0]), "refused before acting: still pending")
			if tc.requests > 0 {
				at, err := r.store.Attempt(ctx, "a1")
				require.NoError(t, err)
				require.Equal(t, unvite.OutcomeFailed, at.Outcome, "the refused attempt is recorded")
			}

			// Nothing more reaches LinkedIn while the account is stopped.
			before = r.sb.RequestCount(sa.Key(), "")
			for i, id := range ids {
				wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("b%d", i))
				require.NoError(t, err)
				require.Positive(t, wait)
			}
			require.Equal(t, before, r.sb.RequestCount(sa.Key(), ""), "a stopped account gets zero requests")

			// Cleared (resumed, reconnected, or the wait is over): work goes on.
			sa.SetFaults(sandbox.Faults{})
			if tc.until > 0 {
				r.clock.Set(got.ThrottledUntil.Add(time.Second))
			} else {
				// Resumed, or reconnected (a new session makes it active).
				_, err := r.store.PatchAccount(ctx, got.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive),
					StateReason: unvite.Ptr(""), ThrottledUntil: &time.Time{}}, unvite.Change{Actor: "user"})
				require.NoError(t, err)
			}
			wait, err = r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: ids[0]}, "c1")
			require.NoError(t, err)
			require.Zero(t, wait)
			require.Equal(t, unvite.StatusWithdrawn, status(t, r, ids[0]))
			if tc.name == "rate limited" {
				// Half pace for the rest of the day: 5 of 10.
				n, err := r.store.WithdrawalsOn(ctx, acct.ID, r.clock.Now().Format(time.DateOnly))
				require.NoError(t, err)
				more := queueN(t, r, acct, 8, 2, "user")
				for i, id := range more {
					_, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("d%d", i))
					require.NoError(t, err)
				}
				m, err := r.store.WithdrawalsOn(ctx, acct.ID, r.clock.Now().Format(time.DateOnly))
				require.NoError(t, err)
				require.Equal(t, 1, n)
				require.Equal(t, 5, m, "after a 429 the day's limit is halved")
			}
		})
	}
}

// Withdrawals the user chose and those an enabled policy queued share one
// daily budget.
func TestManualAndAutomaticShareTheBudget(t *testing.T) {
	p := basePolicy()
	p.ActiveHours, p.DailyLimit = "00:00-24:00", 8
	r := newRig(t, p, nil)
	acct := r.account(120, "Europe/Paris")
	r.engine(false, true)
	manual := queueN(t, r, acct, 5, 0, "user")
	pending, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	r.pol.PendingCap, r.pol.MinAgeDays, r.pol.WithdrawAgeDays = pending-15, 0, 0
	auto, err := r.eng.PlanAndQueue(ctx, acct.ID)
	require.NoError(t, err)
	require.Len(t, auto, 10, "the plan's 15 include the 5 queued already")
	var jobs []*job
	for _, id := range manual {
		jobs = append(jobs, &job{acct: acct.ID, inv: id, due: r.clock.Now()})
	}
	for _, q := range auto {
		jobs = append(jobs, &job{acct: acct.ID, inv: q.InvitationID, due: r.clock.Now()})
	}
	start := r.clock.Now()
	runQueue(t, r, r.eng, jobs, start.AddDate(0, 0, 5))
	atts, err := r.store.Attempts(ctx, acct.ID)
	require.NoError(t, err)
	perDay := map[string]int{}
	for _, a := range atts {
		perDay[a.Day]++
	}
	require.Len(t, atts, 15)
	for d, n := range perDay {
		require.LessOrEqual(t, n, 8, d)
	}
	require.Len(t, perDay, 2)
}

// An intent whose job was lost (deleted by hand, discarded after its last
// attempt) gets a job again when the engine starts; one that has its job
// does not get a second.
func TestRequeueHealsLostJobs(t *testing.T) {
	r := newRig(t, basePolicy(), nil)
	acct := r.account(40, "UTC")
	eng := r.engine(false, true)
	queueN(t, r, acct, 3, 0, "user")
	n, err := eng.Requeue(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "every intent has its job")
	_, err = r.store.(*sqlite.DB).SQL().ExecContext(ctx, `DELETE FROM river_job WHERE id IN (SELECT id FROM river_job ORDER BY id LIMIT 2)`)
	require.NoError(t, err)
	n, err = eng.Requeue(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	jobs, err := eng.Jobs(ctx, engine.JobFilter{Live: true})
	require.NoError(t, err)
	require.Len(t, jobs, 3)
}
