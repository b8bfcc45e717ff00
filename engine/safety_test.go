package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/sqlite"
)

// stores runs fn on a SQLite file and on a PostgreSQL schema.
func stores(t *testing.T, fn func(t *testing.T, store unvite.Store)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, nil) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, pgStore(t)) })
}

func (r *rig) stored(id int64) *unvite.Account {
	r.t.Helper()
	a, err := r.store.Account(ctx, id)
	require.NoError(r.t, err)
	return a
}

// accountEvents are the account's own audit events, newest first.
func accountEvents(t *testing.T, r *rig, id int64) []string {
	t.Helper()
	evs, err := r.store.Events(ctx, unvite.EventFilter{AccountID: id})
	require.NoError(t, err)
	var out []string
	for _, e := range evs {
		if e.Type == "account" {
			out = append(out, e.Reason)
		}
	}
	return out
}

// Failed withdrawal calls (server errors) are counted in the store; an
// answered call starts the count again; max_failures in a row pause the
// account with a reason that says why, the last failure and the way on,
// after which it gets no request until resumed, and then the withdrawal
// whose outcome was unknown is settled.
func TestCircuitBreakerWithdrawals(t *testing.T) {
	stores(t, func(t *testing.T, store unvite.Store) {
		p := basePolicy()
		p.ActiveHours, p.DailyLimit, p.MaxFailures = "00:00-24:00", 10, 3
		r := newRig(t, p, store)
		acct := r.account(60, "UTC")
		r.engine(false, true)
		sa := r.accts[acct.ID]
		ids := queueN(t, r, acct, 2, 0, "user")
		withdraw := func(id int64, attempt string) (time.Duration, error) {
			return r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, attempt)
		}

		// Two failures, then LinkedIn answers: the count starts again.
		sa.SetFaults(sandbox.Faults{ServerErrors: 2})
		_, err := withdraw(ids[0], "a1")
		require.ErrorContains(t, err, "outcome unknown")
		require.Equal(t, 1, r.stored(acct.ID).Failures)
		_, err = withdraw(ids[0], "a2")
		require.ErrorContains(t, err, "outcome still unknown")
		require.Equal(t, 2, r.stored(acct.ID).Failures)
		wait, err := withdraw(ids[0], "a3")
		require.NoError(t, err)
		require.Zero(t, wait)
		require.Equal(t, unvite.StatusWithdrawn, status(t, r, ids[0]))
		got := r.stored(acct.ID)
		require.Zero(t, got.Failures, "an answer resets the count")
		require.Equal(t, unvite.AccountActive, got.State)
		require.Contains(t, accountEvents(t, r, acct.ID)[0], "failed calls in a row 2 → 0")

		// max_failures in a row: paused.
		sa.SetFaults(sandbox.Faults{ServerErrors: 100})
		for i := 1; i <= 3; i++ {
			_, err := withdraw(ids[1], fmt.Sprintf("b%d", i))
			require.Error(t, err, "the outcome is unknown: the retry settles it first")
			require.Equal(t, i, r.stored(acct.ID).Failures)
		}
		got = r.stored(acct.ID)
		require.Equal(t, unvite.AccountPaused, got.State)
		require.Regexp(t, fmt.Sprintf(`^paused after 3 failed calls in a row; last: withdraw invitation \(\w+\): HTTP 500; resume with unvite account resume %d$`, acct.ID), got.StateReason)
		require.ErrorContains(t, accounts.Ready(got, r.clock.Now().Add(72*time.Hour)), "paused after 3 failed calls in a row", "no timer lifts it")
		ev := accountEvents(t, r, acct.ID)
		require.Contains(t, ev[0], "circuit breaker: state active → paused")
		require.Regexp(t, `^LinkedIn call failed: withdraw invitation \(\w+\): HTTP 500: failed calls in a row 2 → 3$`, ev[1])
		require.Equal(t, unvite.StatusWithdrawing, status(t, r, ids[1]))

		before := r.sb.RequestCount(sa.Key(), "")
		wait, err = withdraw(ids[1], "b4")
		require.NoError(t, err)
		require.Positive(t, wait)
		require.Equal(t, before, r.sb.RequestCount(sa.Key(), ""), "a paused account gets zero requests")

		// Resumed, with LinkedIn well again: the open attempt is settled.
		sa.SetFaults(sandbox.Faults{})
		got, err = accounts.Resume(ctx, r.store, got, unvite.Change{Actor: "user"})
		require.NoError(t, err)
		require.Zero(t, got.Failures)
		wait, err = withdraw(ids[1], "b5")
		require.NoError(t, err)
		require.Zero(t, wait)
		require.Equal(t, unvite.StatusWithdrawn, status(t, r, ids[1]))
		require.Len(t, r.sb.Withdrawn(sa.Key()), 2, "each withdrawn once")
	})
}

// The same breaker stops syncs: failed listings count, a sync that works
// resets the count, and at max_failures the account pauses and the next
// sync costs no request.
func TestCircuitBreakerSync(t *testing.T) {
	stores(t, func(t *testing.T, store unvite.Store) {
		p := basePolicy()
		p.MaxFailures = 3
		r := newRig(t, p, store)
		acct := r.account(60, "UTC")
		r.engine(false, true)
		sa := r.accts[acct.ID]

		sa.SetFaults(sandbox.Faults{ServerErrors: 2, ServerErrorStatus: 502})
		for i := 1; i <= 2; i++ {
			_, err := r.eng.Sync(ctx, acct.ID)
			require.Error(t, err)
			require.Equal(t, i, r.stored(acct.ID).Failures)
		}
		wait, err := r.eng.Sync(ctx, acct.ID)
		require.NoError(t, err)
		require.Zero(t, wait)
		require.Zero(t, r.stored(acct.ID).Failures, "a sync that works resets the count")

		sa.SetFaults(sandbox.Faults{ServerErrors: 100, ServerErrorStatus: 502})
		for i := 1; i <= 2; i++ {
			_, err := r.eng.Sync(ctx, acct.ID)
			require.Error(t, err)
		}
		wait, err = r.eng.Sync(ctx, acct.ID)
		require.NoError(t, err, "stopped, not failed: the job waits")
		require.Positive(t, wait)
		got := r.stored(acct.ID)
		require.Equal(t, unvite.AccountPaused, got.State)
		require.Equal(t, fmt.Sprintf("paused after 3 failed calls in a row; last: count pending invitations: HTTP 502; resume with unvite account resume %d", acct.ID), got.StateReason)

		before := r.sb.RequestCount(sa.Key(), "")
		wait, err = r.eng.Sync(ctx, acct.ID)
		require.NoError(t, err)
		require.Positive(t, wait)
		require.Equal(t, before, r.sb.RequestCount(sa.Key(), ""), "a paused account gets zero requests")
	})
}

// After a 429 the rest of the day runs at half the daily limit in every
// process: an engine that was not the one rate-limited (another process,
// or the same restarted) halves too, and the next day has its full limit.
func TestSlowDownHoldsAcrossProcesses(t *testing.T) {
	p := basePolicy()
	p.ActiveHours, p.DailyLimit = "00:00-24:00", 10
	r := newRigAt(t, p, nil, time.Date(2026, time.June, 1, 10, 0, 0, 0, time.UTC))
	acct := r.account(80, "UTC")
	first := r.engine(false, true)
	sa := r.accts[acct.ID]
	ids := queueN(t, r, acct, 9, 0, "user")

	sa.SetFaults(sandbox.Faults{RateLimit: 1, RetryAfter: 90 * time.Second})
	li, err := r.client(ctx, acct)
	require.NoError(t, err)
	_, err = li.PendingCount(ctx) // fills the sliding minute
	require.NoError(t, err)
	wait, err := first.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: ids[0]}, "a0")
	require.NoError(t, err)
	require.Positive(t, wait)
	got := r.stored(acct.ID)
	require.Equal(t, unvite.AccountThrottled, got.State)
	require.True(t, got.RateLimitedAt.Equal(r.clock.Now().Truncate(time.Second)))
	sa.SetFaults(sandbox.Faults{})

	// Another process: its own handle on the file and its own engine.
	db, err := sqlite.Open(ctx, r.store.(*sqlite.DB).Path())
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	second, err := engine.New(engine.Config{Store: db, Client: r.client, Policy: r.policy, Now: r.clock.Now, NoPacing: true}, false)
	require.NoError(t, err)
	t.Cleanup(func() { second.Close() })

	r.clock.Set(got.ThrottledUntil.Add(time.Second))
	b, err := second.Budget(ctx, got)
	require.NoError(t, err)
	require.Equal(t, 5, b.Limit, "half of 10 for the rest of the day")
	for i, id := range ids {
		_, err := second.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("b%d", i))
		require.NoError(t, err)
	}
	n, err := db.WithdrawalsOn(ctx, acct.ID, r.clock.Now().Format(time.DateOnly))
	require.NoError(t, err)
	require.Equal(t, 5, n, "the second process held the halved limit")
	require.Len(t, r.sb.Withdrawn(sa.Key()), 5)

	// The next day runs at the full limit again.
	r.clock.Set(time.Date(2026, time.June, 2, 8, 0, 0, 0, time.UTC))
	b, err = second.Budget(ctx, r.stored(acct.ID))
	require.NoError(t, err)
	require.Equal(t, 10, b.Limit)
}

// An invitation known only from an export has no LinkedIn id: its
// withdrawal waits for a sync to match it. When a sync made after it was
// queued does not list it (LinkedIn shows only the newest so many), its
// job is cancelled saying where to withdraw it by hand, the intent is
// dropped with an audit event and the invitation stays pending; one the
// sync did list is withdrawn.
func TestUnlistedWithdrawalEnds(t *testing.T) {
	p := basePolicy()
	p.ActiveHours = "00:00-24:00"
	p.Enabled = false // only what the user queued: a plan after the sync would queue more
	r := newRig(t, p, nil)
	sa := r.sb.AddAccount(sandbox.AccountConfig{SentInvitations: 150, Months: 4, Premium: true, Ceiling: 20})
	acct := &unvite.Account{Name: sa.Key(), Slug: sa.Key(), TimeZone: "UTC", State: unvite.AccountActive}
	require.NoError(t, r.store.CreateAccount(ctx, acct))
	require.NoError(t, r.store.SetSession(ctx, acct.ID, []byte("sealed")))
	r.accts[acct.ID] = sa
	pending := r.sb.PendingSent(sa.Key()) // newest first
	require.Greater(t, len(pending), 25)
	listed, hidden := pending[0], pending[len(pending)-1]

	// The export knows both, without LinkedIn's ids.
	b, err := r.store.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "Invitations.csv"})
	require.NoError(t, err)
	for _, s := range []sandbox.InvitationInfo{listed, hidden} {
		require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Kind: unvite.KindPerson,
			Invitee: unvite.Person{Name: s.Name, Slug: s.Slug}, SentAt: s.SentAt, Source: unvite.SourceExport}))
	}
	_, err = b.Commit(ctx)
	require.NoError(t, err)
	bySlug := map[string]int64{}
	invs, err := r.store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID})
	require.NoError(t, err)
	for _, inv := range invs {
		require.Empty(t, inv.LinkedInID)
		bySlug[inv.Invitee.Slug] = inv.ID
	}

	eng := r.engine(true, true)
	_, err = eng.QueueWithdrawals(ctx, []int64{bySlug[listed.Slug], bySlug[hidden.Slug]}, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	// Before any sync, the withdrawal waits for one (and queues it).
	wait, err := eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: bySlug[hidden.Slug]}, "x")
	require.NoError(t, err)
	require.Positive(t, wait)
	syncs, err := eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"sync"}, Live: true})
	require.NoError(t, err)
	require.Len(t, syncs, 1)

	// The sync, a minute later, lists the newest 20 only.
	r.clock.Set(r.clock.Now().Add(time.Minute))
	_, err = eng.Sync(ctx, acct.ID)
	require.NoError(t, err)
	require.NoError(t, eng.Start(ctx))
	t.Cleanup(func() { eng.Stop(ctx) })
	var jobs []engine.Job
	waitFor(t, 30*time.Second, "both withdrawal jobs to end", func() bool {
		jobs, err = eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"withdraw"}})
		require.NoError(t, err)
		return len(jobs) == 2 && !slices.ContainsFunc(jobs, func(j engine.Job) bool { return j.FinalizedAt.IsZero() })
	})
	for _, j := range jobs {
		switch j.InvitationID {
		case bySlug[listed.Slug]:
			require.Equal(t, "completed", string(j.State), j.Error)
		case bySlug[hidden.Slug]:
			require.Equal(t, "cancelled", string(j.State))
			require.Contains(t, j.Error, "not found on LinkedIn's sent list; it may be older than the list shows")
			require.Contains(t, j.Error, "withdraw it by hand at "+engine.SentInvitationsPage)
			require.Contains(t, j.Error, unvite.ProfileURL(hidden.Slug))
		}
	}
	require.Equal(t, unvite.StatusWithdrawn, status(t, r, bySlug[listed.Slug]))
	require.Equal(t, unvite.StatusPending, status(t, r, bySlug[hidden.Slug]), "still pending: nothing happened to it")
	qs, err := r.store.Queued(ctx, acct.ID)
	require.NoError(t, err)
	require.Empty(t, qs, "no intent left waiting for ever")
	evs, err := r.store.Events(ctx, unvite.EventFilter{InvitationID: bySlug[hidden.Slug], Limit: 1})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(evs[0].Reason, "withdrawal cancelled: not found on LinkedIn's sent list"), evs[0].Reason)
	withdrawn := r.sb.Withdrawn(sa.Key())
	require.Len(t, withdrawn, 1)
	require.Equal(t, listed.Slug, withdrawn[0].Slug)
}

// A pause that lands while a re-invite waits for the account's lock (a
// call of the account in flight) stops it before any request: it reads the
// account once the lock is its own. Resumed, it goes.
func TestReinvitePausedInLockWait(t *testing.T) {
	stores(t, func(t *testing.T, store unvite.Store) {
		p := basePolicy()
		p.ActiveHours = "00:00-24:00"
		r := newRig(t, p, store)
		acct := r.account(60, "UTC")
		eng := r.engine(false, true)
		ids := queueN(t, r, acct, 1, 0, "user")
		_, err := eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: ids[0]}, "w1")
		require.NoError(t, err)
		inv, err := r.store.Invitation(ctx, ids[0])
		require.NoError(t, err)
		require.Equal(t, unvite.StatusWithdrawn, inv.Status)
		after := inv.ReinviteAfter.Add(30 * 24 * time.Hour) // past ours and LinkedIn's cool-down
		r.clock.Set(after)
		r.sb.SetNow(after)
		key := r.accts[acct.ID].Key()
		before := r.sb.RequestCount(key, "")

		// Another call of the account is in flight: it holds the lock.
		release, err := eng.LockAccount(ctx, acct.ID)
		require.NoError(t, err)
		asking := make(chan struct{})
		var once sync.Once
		eng.OnLock(func(id int64) {
			if id == acct.ID {
				once.Do(func() { close(asking) })
			}
		})
		done := make(chan error, 1)
		go func() {
			wait, err := eng.Reinvite(ctx, inv.ID, "hello again")
			if err == nil && wait <= 0 {
				err = fmt.Errorf("the re-invite went on (wait %s)", wait)
			}
			done <- err
		}()
		<-asking
		_, err = accounts.Pause(ctx, r.store, acct, unvite.Change{Actor: "user"})
		require.NoError(t, err)
		release()
		require.NoError(t, <-done, "it waits: for the lock, or for a resume")
		// Its next try, with the lock free, finds the account paused.
		wait, err := eng.Reinvite(ctx, inv.ID, "hello again")
		require.NoError(t, err)
		require.Positive(t, wait)
		require.Equal(t, before, r.sb.RequestCount(key, ""), "zero requests")
		n, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Search: inv.Invitee.Slug})
		require.NoError(t, err)
		require.Equal(t, 1, n, "no new invitation")

		_, err = accounts.Resume(ctx, r.store, r.stored(acct.ID), unvite.Change{Actor: "user"})
		require.NoError(t, err)
		wait, err = eng.Reinvite(ctx, inv.ID, "hello again")
		require.NoError(t, err)
		require.Zero(t, wait)
		require.Greater(t, r.sb.RequestCount(key, ""), before, "resumed, it goes")
		n, err = r.store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Search: inv.Invitee.Slug})
		require.NoError(t, err)
		require.Equal(t, 2, n, "the new invitation is recorded")
	})
}
