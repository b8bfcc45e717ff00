package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// queueAll queues the invitations of slugs and returns their ids.
func queueAll(t *testing.T, s unvite.Store, acct int64, slugs ...string) []int64 {
	t.Helper()
	m := bySlug(t, s, acct)
	var ids []int64
	for _, sl := range slugs {
		ids = append(ids, m[sl].ID)
	}
	q, err := s.QueueWithdrawals(ctx, ids, unvite.Change{At: day(0), Actor: "user", Reason: "chosen"}, nil)
	require.NoError(t, err)
	require.Len(t, q, len(ids))
	return ids
}

func claim(s unvite.Store, id int64, attempt, dayName string, limit int) error {
	return s.ClaimWithdrawal(ctx, unvite.Claim{InvitationID: id, AttemptID: attempt, Day: dayName, Limit: limit,
		Change: unvite.Change{At: day(0), Actor: "engine"}})
}

func testWithdrawalClaims(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, exportOne()) // acc accepted; p1 p2 p3 pending
	m := bySlug(t, s, a.ID)

	// Only pending invitations are queued; queueing twice queues once.
	var enqueued []unvite.QueuedWithdrawal
	q, err := s.QueueWithdrawals(ctx, []int64{m["p1"].ID, m["p2"].ID, m["acc"].ID}, unvite.Change{At: day(0), Actor: "user"},
		func(_ context.Context, tx any, qs []unvite.QueuedWithdrawal) error {
			require.NotNil(t, tx)
			enqueued = append(enqueued, qs...)
			return nil
		})
	require.NoError(t, err)
	require.Len(t, q, 2)
	require.Equal(t, q, enqueued)
	q, err = s.QueueWithdrawals(ctx, []int64{m["p1"].ID}, unvite.Change{At: day(0), Actor: "user"}, nil)
	require.NoError(t, err)
	require.Empty(t, q)

	// An enqueue failure leaves no intent behind.
	_, err = s.QueueWithdrawals(ctx, []int64{m["p3"].ID}, unvite.Change{At: day(0), Actor: "user"},
		func(context.Context, any, []unvite.QueuedWithdrawal) error { return errors.New("queue down") })
	require.Error(t, err)
	list, err := s.Queued(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)

	// What a job reads before it claims: the invitation and its account.
	inv, acct, err := s.InvitationAccount(ctx, m["p1"].ID)
	require.NoError(t, err)
	want, err := s.Invitation(ctx, m["p1"].ID)
	require.NoError(t, err)
	require.Equal(t, want, inv)
	require.Equal(t, a.ID, acct.ID)
	require.Equal(t, a.Name, acct.Name)
	_, _, err = s.InvitationAccount(ctx, 1<<40)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))

	err = claim(s, m["p3"].ID, "x1", "2026-11-20", 5)
	require.ErrorIs(t, err, unvite.ErrNotQueued)
	err = claim(s, m["acc"].ID, "x2", "2026-11-20", 5)
	require.ErrorIs(t, err, unvite.ErrNotPending)
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err))

	require.NoError(t, claim(s, m["p1"].ID, "a1", "2026-11-20", 1))
	inv, err = s.Invitation(ctx, m["p1"].ID)
	require.NoError(t, err)
	require.Equal(t, unvite.StatusWithdrawing, inv.Status)
	err = claim(s, m["p1"].ID, "a1b", "2026-11-20", 5)
	require.ErrorIs(t, err, unvite.ErrNotPending, "a claimed invitation is not claimed twice")
	err = claim(s, m["p2"].ID, "a2", "2026-11-20", 1)
	require.ErrorIs(t, err, unvite.ErrBudgetSpent, "the in-flight attempt spends the day's only unit")
	open, err := s.OpenAttempt(ctx, m["p1"].ID)
	require.NoError(t, err)
	require.Equal(t, "a1", open.ID)
	require.Equal(t, unvite.Outcome(""), open.Outcome)

	// Failed while still pending: back to pending, still queued, budget back.
	require.NoError(t, s.FinishWithdrawal(ctx, "a1", unvite.OutcomeFailed, unvite.Change{At: day(0), Actor: "engine", Reason: "HTTP 500"}))
	inv, err = s.Invitation(ctx, m["p1"].ID)
	require.NoError(t, err)
	require.Equal(t, unvite.StatusPending, inv.Status)
	n, err := s.WithdrawalsOn(ctx, a.ID, "2026-11-20")
	require.NoError(t, err)
	require.Zero(t, n)
	err = s.FinishWithdrawal(ctx, "a1", unvite.OutcomeWithdrawn, unvite.Change{At: day(0)})
	require.ErrorIs(t, err, unvite.ErrAttemptOver)
	_, err = s.OpenAttempt(ctx, m["p1"].ID)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))

	// Second attempt lands.
	err = claim(s, m["p1"].ID, "a3", "2026-11-20", 1)
	require.NoError(t, err)
	require.NoError(t, s.FinishWithdrawal(ctx, "a3", unvite.OutcomeWithdrawn, unvite.Change{At: day(0), Actor: "engine", CoolDown: unvite.DefaultCoolDown}))
	inv, err = s.Invitation(ctx, m["p1"].ID)
	require.NoError(t, err)
	require.Equal(t, unvite.StatusWithdrawn, inv.Status)
	require.True(t, inv.ReinviteAfter.Equal(day(21)))
	at, err := s.Attempt(ctx, "a3")
	require.NoError(t, err)
	require.Equal(t, unvite.OutcomeWithdrawn, at.Outcome)
	require.Equal(t, "2026-11-20", at.Day)
	require.False(t, at.FinishedAt.IsZero())
	n, err = s.WithdrawalsOn(ctx, a.ID, "2026-11-20")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	// The same for many accounts at once, each on its own day: the failed
	// attempt a1 does not count, nor another day, nor an unknown account.
	counts, err := s.WithdrawalsOnDays(ctx, map[int64]string{a.ID: "2026-11-20", a.ID + 1000: "2026-11-20"})
	require.NoError(t, err)
	require.Equal(t, map[int64]int{a.ID: 1}, counts)
	counts, err = s.WithdrawalsOnDays(ctx, map[int64]string{a.ID: "2026-11-21"})
	require.NoError(t, err)
	require.Empty(t, counts)
	counts, err = s.WithdrawalsOnDays(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, counts)
	last, err := s.LastAttempt(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, "a3", last.ID)
	err = claim(s, m["p2"].ID, "a4", "2026-11-20", 1)
	require.ErrorIs(t, err, unvite.ErrBudgetSpent)
	// The next day has its own budget; accepted meanwhile is recorded so.
	err = claim(s, m["p2"].ID, "a4", "2026-11-21", 1)
	require.NoError(t, err)
	require.NoError(t, s.FinishWithdrawal(ctx, "a4", unvite.OutcomeAccepted, unvite.Change{At: day(1), Actor: "engine", Reason: "now a connection"}))
	inv, err = s.Invitation(ctx, m["p2"].ID)
	require.NoError(t, err)
	require.Equal(t, unvite.StatusAccepted, inv.Status)

	list, err = s.Queued(ctx, a.ID)
	require.NoError(t, err)
	require.Empty(t, list, "finished withdrawals leave the queue")
	atts, err := s.Attempts(ctx, a.ID)
	require.NoError(t, err)
	var outcomes []string
	for _, x := range atts {
		outcomes = append(outcomes, x.ID+":"+string(x.Outcome))
	}
	require.ElementsMatch(t, []string{"a1:failed", "a3:withdrawn", "a4:accepted"}, outcomes)

	// The audit log tells the whole story of p1, attempt by attempt.
	ev, err := s.Events(ctx, unvite.EventFilter{InvitationID: m["p1"].ID})
	require.NoError(t, err)
	var story []string
	for i := len(ev) - 1; i >= 0; i-- {
		story = append(story, fmt.Sprintf("%s %s>%s %s", ev[i].Type, ev[i].From, ev[i].To, ev[i].Reason))
	}
	require.Equal(t, []string{
		"queue > withdrawal queued: ",
		"status pending>withdrawing attempt a1",
		"status withdrawing>pending attempt a1: HTTP 500",
		"status pending>withdrawing attempt a3",
		"status withdrawing>withdrawn attempt a3",
	}, story)
}

func testWithdrawalUnqueue(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, exportOne())
	ids := queueAll(t, s, a.ID, "p1", "p2", "p3")
	dropped, err := s.Unqueue(ctx, a.ID, ids[:1], unvite.Change{At: day(0), Actor: "user"})
	require.NoError(t, err)
	require.Equal(t, ids[:1], dropped)
	err = claim(s, ids[0], "c1", "2026-11-20", 5)
	require.ErrorIs(t, err, unvite.ErrNotQueued, "a cancelled withdrawal is never attempted")
	dropped, err = s.Unqueue(ctx, a.ID, nil, unvite.Change{At: day(0), Actor: "user"})
	require.NoError(t, err)
	require.ElementsMatch(t, ids[1:], dropped)
	list, err := s.Queued(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, list)
	ev, err := s.Events(ctx, unvite.EventFilter{InvitationID: ids[1]})
	require.NoError(t, err)
	require.Equal(t, "unqueue", ev[0].Type)
}

// testWithdrawalRaces claims concurrently through two handles on one
// database, as two worker processes would: one invitation is claimed once,
// and one day's budget is never exceeded however many claims race for it.
func testWithdrawalRaces(t *testing.T, s, other unvite.Store) {
	handles := []unvite.Store{s, other}
	a := newAccount(t, s, "me")
	var invs []*unvite.Invitation
	var slugs []string
	for i := range 12 {
		slug := fmt.Sprintf("r%02d", i)
		slugs = append(slugs, slug)
		invs = append(invs, sent(slug, day(-100+i), ""))
	}
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, importRows{invs: invs})
	ids := queueAll(t, s, a.ID, slugs...)

	race := func(n int, fn func(i int) error) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = fn(i)
			})
		}
		close(start)
		wg.Wait()
		return errs
	}
	count := func(errs []error, target error) (ok, hit int) {
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, target):
				hit++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		return ok, hit
	}

	// Eight claims of one invitation: one wins, seven lose the race.
	errs := race(8, func(i int) error {
		err := claim(handles[i%2], ids[0], fmt.Sprintf("same-%d", i), "2026-11-20", 100)
		return err
	})
	ok, lost := count(errs, unvite.ErrNotPending)
	require.Equal(t, 1, ok)
	require.Equal(t, 7, lost)

	// Eleven claims of different invitations against a budget of 5 (one
	// unit spent above): exactly four more win.
	errs = race(11, func(i int) error {
		err := claim(handles[i%2], ids[i+1], fmt.Sprintf("b-%d", i), "2026-11-20", 5)
		return err
	})
	ok, spent := count(errs, unvite.ErrBudgetSpent)
	require.Equal(t, 4, ok)
	require.Equal(t, 7, spent)
	n, err := s.WithdrawalsOn(ctx, a.ID, "2026-11-20")
	require.NoError(t, err)
	require.Equal(t, 5, n)
	require.Equal(t, map[unvite.Status]int{unvite.StatusWithdrawing: 5, unvite.StatusPending: 7}, statusCounts(t, s, a.ID))
}

// testSyncReconcilesWithdrawing: a withdrawal whose reply was lost is
// settled by the next sync instead of staying stranded.
func testSyncReconcilesWithdrawing(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	_, err := s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(-1), Complete: true, Pending: []unvite.SyncedInvitation{
		synced("1", "w1", -40, false), synced("2", "w2", -41, false), synced("3", "w3", -42, false)}})
	require.NoError(t, err)
	ids := queueAll(t, s, a.ID, "w1", "w2", "w3")
	for i, id := range ids {
		err := claim(s, id, fmt.Sprintf("s%d", i), "2026-11-20", 10)
		require.NoError(t, err)
	}
	// w1 vanished (our withdrawal landed), w2 connected, w3 still listed.
	sum, err := s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(0), Complete: true,
		Pending:     []unvite.SyncedInvitation{synced("3", "w3", -42, false)},
		Connections: []unvite.Connection{conn("w2", 0)}})
	require.NoError(t, err)
	require.Equal(t, 1, sum.Withdrawn)
	require.Equal(t, 1, sum.Accepted)
	m := bySlug(t, s, a.ID)
	require.Equal(t, unvite.StatusWithdrawn, m["w1"].Status)
	require.False(t, m["w1"].ReinviteAfter.IsZero())
	require.Equal(t, unvite.StatusAccepted, m["w2"].Status)
	require.Equal(t, unvite.StatusWithdrawing, m["w3"].Status, "still listed: its attempt may be in flight")
	for id, want := range map[string]unvite.Outcome{"s0": unvite.OutcomeWithdrawn, "s1": unvite.OutcomeAccepted, "s2": ""} {
		at, err := s.Attempt(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, at.Outcome, id)
	}
	err = s.FinishWithdrawal(ctx, "s0", unvite.OutcomeWithdrawn, unvite.Change{})
	require.ErrorIs(t, err, unvite.ErrAttemptOver, "the sync closed it first")
	list, err := s.Queued(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
}

// testImportSettlesWithdrawing: an export that shows the invitee connected,
// or invited again later, settles an invitation left withdrawing.
func testImportSettlesWithdrawing(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e1.zip"}, importRows{invs: []*unvite.Invitation{
		sent("x1", day(-40), ""), sent("x2", day(-41), ""), sent("x3", day(-42), "")}})
	ids := queueAll(t, s, a.ID, "x1", "x2", "x3")
	for i, id := range ids {
		err := claim(s, id, fmt.Sprintf("i%d", i), "2026-11-20", 10)
		require.NoError(t, err)
	}
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e2.zip"}, importRows{
		conns: []unvite.Connection{conn("x1", -1)},
		invs:  []*unvite.Invitation{sent("x1", day(-40), ""), sent("x2", day(-41), ""), sent("x2", day(-2), ""), sent("x3", day(-42), "")}})
	m := map[string][]*unvite.Invitation{}
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	for _, inv := range list {
		m[inv.Invitee.Slug] = append(m[inv.Invitee.Slug], inv)
	}
	require.Equal(t, unvite.StatusAccepted, m["x1"][0].Status)
	require.Equal(t, unvite.StatusWithdrawn, m["x2"][0].Status, "invited again later: the earlier one is withdrawn")
	require.Equal(t, unvite.StatusWithdrawing, m["x3"][0].Status, "no evidence: left for the engine")
	for id, want := range map[string]unvite.Outcome{"i0": unvite.OutcomeAccepted, "i1": unvite.OutcomeWithdrawn, "i2": ""} {
		at, err := s.Attempt(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, at.Outcome, id)
	}
}
