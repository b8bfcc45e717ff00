package storetest

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

func testAccounts(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "maya-lindqvist-84e61ceb")
	require.Equal(t, unvite.PlanPremium, a.Plan, "plan defaults to premium")
	require.Equal(t, unvite.AccountOffline, a.State)

	got, err := s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a.Name, got.Name)
	require.False(t, got.HasSession)

	for _, ref := range []string{"1", "maya-lindqvist-84e61ceb", "https://www.linkedin.com/in/Maya-Lindqvist-84e61ceb/", a.Name} {
		found, err := s.FindAccount(ctx, ref)
		require.NoError(t, err, ref)
		require.Equal(t, a.ID, found.ID, ref)
	}
	_, err = s.FindAccount(ctx, "nobody")
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))

	dup := &unvite.Account{Name: "Other", Slug: a.Slug}
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(s.CreateAccount(ctx, dup)))
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(s.CreateAccount(ctx, &unvite.Account{Name: " "})))
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(s.CreateAccount(ctx, &unvite.Account{Name: "x", Plan: "gold"})))

	got, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{
		State: unvite.Ptr(unvite.AccountThrottled), StateReason: unvite.Ptr("429"), ThrottledUntil: unvite.Ptr(day(1)),
	}, unvite.Change{At: day(0), Actor: "test"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountThrottled, got.State)
	got, err = s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, unvite.AccountThrottled, got.State)
	require.True(t, got.ThrottledUntil.Equal(day(1)))

	require.NoError(t, s.SetSession(ctx, a.ID, []byte("sealed")))
	sess, err := s.Session(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, []byte("sealed"), sess)
	got, _ = s.Account(ctx, a.ID)
	require.True(t, got.HasSession)
	// A re-seal replaces the session only while it is the one read.
	ok, err := s.ReplaceSession(ctx, a.ID, []byte("sealed"), []byte("resealed"), unvite.Change{At: day(0), Actor: "sync", Reason: "session re-sealed"})
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.ReplaceSession(ctx, a.ID, []byte("sealed"), []byte("stale"), unvite.Change{At: day(0), Actor: "sync", Reason: "session re-sealed"})
	require.NoError(t, err)
	require.False(t, ok, "a newer session wins")
	sess, err = s.Session(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, []byte("resealed"), sess)
	ev := accountEvents(t, s, a.ID)
	require.Equal(t, "session re-sealed", ev[0].Reason)
	n := len(ev)

	require.NoError(t, s.SetSession(ctx, a.ID, nil))
	sess, err = s.Session(ctx, a.ID)
	require.NoError(t, err)
	require.Nil(t, sess)
	ok, err = s.ReplaceSession(ctx, a.ID, nil, []byte("x"), unvite.Change{})
	require.NoError(t, err)
	require.False(t, ok, "nothing to re-seal")
	require.Len(t, accountEvents(t, s, a.ID), n)

	b := newAccount(t, s, "second")
	list, err := s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []int64{a.ID, b.ID}, []int64{list[0].ID, list[1].ID})
	_, err = s.Account(ctx, 999)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
}

// A patch changes only the fields it sets, with one "account" event; a bad
// patch changes nothing; OnlyFrom guards the state fields alone.
func testAccountPatch(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "maya")
	other := newAccount(t, s, "other")
	ch := unvite.Change{At: day(0), Actor: "user", Reason: "connected"}

	got, err := s.PatchAccount(ctx, a.ID, unvite.AccountPatch{
		Name: unvite.Ptr("Maya L."), MemberID: unvite.Ptr("123"), Plan: unvite.Ptr(unvite.PlanFree),
		State: unvite.Ptr(unvite.AccountActive),
	}, ch)
	require.NoError(t, err)
	require.Equal(t, "Maya L.", got.Name)
	require.Equal(t, "maya", got.Slug, "an unset field stays")
	require.Equal(t, "Europe/Stockholm", got.TimeZone)
	stored, err := s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, got, stored)
	ev := accountEvents(t, s, a.ID)
	require.Len(t, ev, 1)
	require.Equal(t, "user", ev[0].Actor)
	require.True(t, ev[0].At.Equal(day(0)))
	require.Contains(t, ev[0].Reason, "connected: ")
	require.Contains(t, ev[0].Reason, "state offline → active")
	require.Contains(t, ev[0].Reason, "plan premium → free")

	// Nothing changes: no event.
	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Plan: unvite.Ptr(unvite.PlanFree)}, ch)
	require.NoError(t, err)
	require.Len(t, accountEvents(t, s, a.ID), 1)

	// Bad patches are refused whole.
	for _, p := range []unvite.AccountPatch{
		{TimeZone: unvite.Ptr("Mars/Olympus"), Name: unvite.Ptr("changed")},
		{Plan: unvite.Ptr(unvite.Plan("gold"))},
		{State: unvite.Ptr(unvite.AccountState("asleep"))},
		{Name: unvite.Ptr(" ")},
	} {
		_, err = s.PatchAccount(ctx, a.ID, p, ch)
		require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), "%+v", p)
	}
	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Slug: unvite.Ptr(other.Slug)}, ch)
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err), "another account's profile")
	_, err = s.PatchAccount(ctx, 999, unvite.AccountPatch{Name: unvite.Ptr("x")}, ch)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
	after, err := s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, stored, after, "refused patches changed nothing")
	require.Len(t, accountEvents(t, s, a.ID), 1)

	// A throttle allowed only from active leaves a pause alone, but the
	// rest of its patch applies.
	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountPaused), StateReason: unvite.Ptr("paused by the user")}, ch)
	require.NoError(t, err)
	got, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{
		State: unvite.Ptr(unvite.AccountThrottled), StateReason: unvite.Ptr("429"), ThrottledUntil: unvite.Ptr(day(1)),
		OnlyFrom: []unvite.AccountState{unvite.AccountActive, unvite.AccountThrottled}, LastSyncAt: unvite.Ptr(day(0).Add(time.Hour)),
	}, unvite.Change{At: day(0), Actor: "sync"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountPaused, got.State)
	require.Equal(t, "paused by the user", got.StateReason)
	require.True(t, got.ThrottledUntil.IsZero())
	require.True(t, got.LastSyncAt.Equal(day(0).Add(time.Hour)))
	require.Len(t, accountEvents(t, s, a.ID), 3)
	ev = accountEvents(t, s, other.ID)
	require.Empty(t, ev, "other accounts are untouched")
}

// Two handles on one database, as two processes have: a pause from one and
// a throttle or last-sync time from the other never undo each other, in
// whichever order they land.
func testAccountPatchesDoNotUndo(t *testing.T, cli, worker unvite.Store) {
	a := newAccount(t, cli, "maya")
	_, err := cli.PatchAccount(ctx, a.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive)}, unvite.Change{Actor: "test"})
	require.NoError(t, err)
	pause := unvite.AccountPatch{State: unvite.Ptr(unvite.AccountPaused), StateReason: unvite.Ptr("paused by the user")}
	throttle := func(until time.Time) unvite.AccountPatch {
		return unvite.AccountPatch{
			State: unvite.Ptr(unvite.AccountThrottled), StateReason: unvite.Ptr("rate limited"), ThrottledUntil: &until,
			OnlyFrom: []unvite.AccountState{unvite.AccountActive, unvite.AccountThrottled},
		}
	}

	// Many workers record syncs and throttles while the user pauses the
	// account and sets its time zone.
	const workers = 8
	errs := make(chan error, 2*workers+2)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := worker.PatchAccount(ctx, a.ID, unvite.AccountPatch{LastSyncAt: unvite.Ptr(day(0).Add(time.Duration(i+1) * time.Minute))}, unvite.Change{Actor: "sync"})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := worker.PatchAccount(ctx, a.ID, throttle(day(1)), unvite.Change{Actor: "worker"})
			errs <- err
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, err := cli.PatchAccount(ctx, a.ID, pause, unvite.Change{Actor: "user"})
		errs <- err
	}()
	go func() {
		defer wg.Done()
		_, err := cli.PatchAccount(ctx, a.ID, unvite.AccountPatch{TimeZone: unvite.Ptr("Asia/Tokyo")}, unvite.Change{Actor: "user"})
		errs <- err
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, s := range []unvite.Store{cli, worker} {
		got, err := s.Account(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, unvite.AccountPaused, got.State, "the pause stands")
		require.Equal(t, "paused by the user", got.StateReason)
		require.Equal(t, "Asia/Tokyo", got.TimeZone)
		require.False(t, got.LastSyncAt.IsZero(), "a last-sync time stands")
		require.Equal(t, "Maya maya", got.Name)
	}
	// Every change that changed something is in the log.
	ev := accountEvents(t, cli, a.ID)
	var pauses, zones int
	for _, e := range ev {
		if strings.Contains(e.Reason, "→ paused") {
			pauses++
		}
		if strings.Contains(e.Reason, "Asia/Tokyo") {
			zones++
		}
	}
	require.Equal(t, 1, pauses)
	require.Equal(t, 1, zones)

	// And the other way round: the worker's stale copy cannot lift a pause
	// nor a throttle a resume (the resume is allowed from paused alone).
	resume := unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive), StateReason: unvite.Ptr(""), ThrottledUntil: &time.Time{},
		OnlyFrom: []unvite.AccountState{unvite.AccountPaused, unvite.AccountThrottled, unvite.AccountActive}}
	got, err := cli.PatchAccount(ctx, a.ID, resume, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountActive, got.State)
	got, err = worker.PatchAccount(ctx, a.ID, throttle(day(2)), unvite.Change{Actor: "worker"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountThrottled, got.State, "a throttle applies to an active account")
	got, err = worker.PatchAccount(ctx, a.ID, unvite.AccountPatch{LastSyncAt: unvite.Ptr(day(2))}, unvite.Change{Actor: "sync"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountThrottled, got.State, "a last-sync time keeps the throttle")
	require.True(t, got.ThrottledUntil.Equal(day(2)))
}

// Failed LinkedIn calls are counted by the store, so that calls failing in
// two processes at once are all counted (a count written from a copy read
// before would lose some); a reset sets it back to 0, once; each change is
// an event. A rate limit's time is kept whatever the state.
func testAccountFailures(t *testing.T, one, two unvite.Store) {
	a := newAccount(t, one, "maya")
	const each = 10
	errs := make(chan error, 2*each)
	var wg sync.WaitGroup
	for _, s := range []unvite.Store{one, two} {
		for range each {
			wg.Go(func() {
				_, err := s.PatchAccount(ctx, a.ID, unvite.AccountPatch{FailedCall: true}, unvite.Change{Actor: "engine", Reason: "HTTP 500"})
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, s := range []unvite.Store{one, two} {
		got, err := s.Account(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, 2*each, got.Failures, "every failed call counts")
	}
	ev := accountEvents(t, one, a.ID)
	require.Len(t, ev, 2*each)
	require.Equal(t, "HTTP 500: failed calls in a row 19 → 20", ev[0].Reason)

	// A paused account keeps counting, and keeps the time of a rate limit.
	_, err := one.PatchAccount(ctx, a.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountPaused)}, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	got, err := two.PatchAccount(ctx, a.ID, unvite.AccountPatch{
		State: unvite.Ptr(unvite.AccountThrottled), OnlyFrom: []unvite.AccountState{unvite.AccountActive},
		RateLimitedAt: unvite.Ptr(day(0).Add(90 * time.Minute)), FailedCall: true,
	}, unvite.Change{Actor: "engine"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountPaused, got.State)
	require.Equal(t, 2*each+1, got.Failures)
	require.True(t, got.RateLimitedAt.Equal(day(0).Add(90*time.Minute)))

	// A reset and a failure in one patch: the failure is the first in a row.
	got, err = one.PatchAccount(ctx, a.ID, unvite.AccountPatch{ResetFailures: true, FailedCall: true}, unvite.Change{Actor: "engine"})
	require.NoError(t, err)
	require.Equal(t, 1, got.Failures)
	got, err = two.PatchAccount(ctx, a.ID, unvite.AccountPatch{ResetFailures: true}, unvite.Change{Actor: "engine", Reason: "LinkedIn answers again"})
	require.NoError(t, err)
	require.Zero(t, got.Failures)
	require.Equal(t, "LinkedIn answers again: failed calls in a row 1 → 0", accountEvents(t, one, a.ID)[0].Reason)
	n := len(accountEvents(t, one, a.ID))
	got, err = one.PatchAccount(ctx, a.ID, unvite.AccountPatch{ResetFailures: true}, unvite.Change{Actor: "engine"})
	require.NoError(t, err)
	require.Zero(t, got.Failures)
	require.Len(t, accountEvents(t, one, a.ID), n, "a reset of nothing writes nothing")
	stored, err := two.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, got, stored)
	require.True(t, stored.RateLimitedAt.Equal(day(0).Add(90*time.Minute)))
}

func accountEvents(t *testing.T, s unvite.Store, acct int64) []*unvite.Event {
	t.Helper()
	all, err := s.Events(ctx, unvite.EventFilter{AccountID: acct})
	require.NoError(t, err)
	var list []*unvite.Event
	for _, e := range all {
		if e.Type == "account" {
			require.Zero(t, e.InvitationID)
			require.Equal(t, acct, e.AccountID)
			list = append(list, e)
		}
	}
	return list
}

func testDeleteAccount(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "a")
	keep := newAccount(t, s, "b")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "x"}, importRows{invs: []*unvite.Invitation{sent("p1", day(-40), "")}})
	doImport(t, s, keep.ID, unvite.ImportMeta{File: "y"}, importRows{invs: []*unvite.Invitation{sent("p1", day(-40), "")}})
	inv := bySlug(t, s, a.ID)["p1"]
	_, err := s.Transition(ctx, inv.ID, unvite.StatusWithdrawn, unvite.Change{At: day(0), Actor: "user"})
	require.NoError(t, err)
	require.NoError(t, s.DeleteAccount(ctx, a.ID))
	_, err = s.Account(ctx, a.ID)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
	n, err := s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Zero(t, n)
	ev, err := s.Events(ctx, unvite.EventFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Empty(t, ev)
	n, _ = s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: keep.ID})
	require.Equal(t, 1, n, "other accounts are untouched")
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(s.DeleteAccount(ctx, a.ID)))
}

// An account's own policy values are patched key by key: keys a patch
// does not name stay, a nil value removes one, and each change is told in
// the audit event; two writers setting different keys keep both.
func testAccountPolicyPatch(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "maya")
	require.Nil(t, a.Policy)
	ch := unvite.Change{At: day(0), Actor: "user:admin", Reason: "policy set from the dashboard"}
	got, err := s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Policy: map[string]*string{"daily_limit": unvite.Ptr("20"), "max_age": unvite.Ptr("auto")}}, ch)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"daily_limit": "20", "max_age": "auto"}, got.Policy)
	got, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Policy: map[string]*string{"withdraw_age_days": unvite.Ptr("60")}}, ch)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"daily_limit": "20", "max_age": "auto", "withdraw_age_days": "60"}, got.Policy, "keys not named stay")
	got, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Policy: map[string]*string{"max_age": nil, "daily_limit": unvite.Ptr("25")}}, ch)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"daily_limit": "25", "withdraw_age_days": "60"}, got.Policy)
	stored, err := s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, got, stored)
	list, err := s.Accounts(ctx)
	require.NoError(t, err)
	require.Equal(t, got.Policy, list[0].Policy)

	ev := accountEvents(t, s, a.ID)
	require.Len(t, ev, 3)
	slices.SortFunc(ev, func(x, y *unvite.Event) int { return cmp.Compare(x.ID, y.ID) })
	require.Equal(t, "policy set from the dashboard: policy daily_limit → 20; policy max_age → auto", ev[0].Reason)
	require.Equal(t, "user:admin", ev[0].Actor)
	require.Equal(t, "policy set from the dashboard: policy daily_limit 20 → 25; policy max_age auto → the policy file's", ev[2].Reason)

	// The same values again change nothing and write no event.
	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Policy: map[string]*string{"daily_limit": unvite.Ptr("25"), "order": nil}}, ch)
	require.NoError(t, err)
	require.Len(t, accountEvents(t, s, a.ID), 3)
	// A bad key is refused whole.
	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Policy: map[string]*string{" ": unvite.Ptr("1"), "daily_limit": unvite.Ptr("1")}}, ch)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	// Removing every key leaves none.
	got, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{Policy: map[string]*string{"daily_limit": nil, "withdraw_age_days": nil}}, ch)
	require.NoError(t, err)
	require.Nil(t, got.Policy)
	stored, err = s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Nil(t, stored.Policy)
}

// StateSince is when the account entered its state: set at creation and
// by each patch that changes the state, kept by patches that do not (a new
// reason, a last-sync time, a state change OnlyFrom refuses).
func testAccountStateSince(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "maya")
	require.False(t, a.StateSince.IsZero())
	stored, err := s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.True(t, stored.StateSince.Equal(stored.CreatedAt.Truncate(time.Second)), "%s, created %s", stored.StateSince, stored.CreatedAt)

	at := func(n int) unvite.Change {
		return unvite.Change{At: day(n).Add(90*time.Minute + 500*time.Millisecond), Actor: "test"}
	}
	since := func(want time.Time, why string) {
		t.Helper()
		got, err := s.Account(ctx, a.ID)
		require.NoError(t, err)
		require.True(t, got.StateSince.Equal(want.Truncate(time.Second)), "%s: since %s, want %s", why, got.StateSince, want)
	}
	got, err := s.PatchAccount(ctx, a.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountNeedsLogin), StateReason: unvite.Ptr("session expired")}, at(1))
	require.NoError(t, err)
	require.True(t, got.StateSince.Equal(at(1).At.Truncate(time.Second)))
	since(at(1).At, "needs login")

	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountNeedsLogin), StateReason: unvite.Ptr("security challenge")}, at(2))
	require.NoError(t, err)
	since(at(1).At, "the same state, another reason")
	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{LastSyncAt: unvite.Ptr(day(3)), FailedCall: true}, at(3))
	require.NoError(t, err)
	since(at(1).At, "no state in the patch")
	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountThrottled),
		OnlyFrom: []unvite.AccountState{unvite.AccountActive}}, at(4))
	require.NoError(t, err)
	since(at(1).At, "a state change OnlyFrom refused")

	_, err = s.PatchAccount(ctx, a.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountPaused), StateReason: unvite.Ptr("paused by the user")}, at(5))
	require.NoError(t, err)
	since(at(5).At, "paused")
	list, err := s.Accounts(ctx)
	require.NoError(t, err)
	require.True(t, list[0].StateSince.Equal(at(5).At.Truncate(time.Second)))
}
