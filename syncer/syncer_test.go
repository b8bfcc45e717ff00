package syncer_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/syncer"
)

type bundle struct {
	sb     *sandbox.Sandbox
	sbAcct *sandbox.Account
	srv    *httptest.Server
	store  *sqlite.DB
	acct   *unvite.Account
	client *linkedin.Client
	sy     *syncer.Syncer
}

func setup(t testing.TB, seed uint64, cfg sandbox.AccountConfig) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{sb: sandbox.New(sandbox.Options{Seed: seed})}
	b.sbAcct = b.sb.AddAccount(cfg)
	b.srv = httptest.NewServer(b.sb)
	t.Cleanup(b.srv.Close)
	var err error
	b.store, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	require.NoError(t, err)
	t.Cleanup(func() { b.store.Close() })
	b.acct = &unvite.Account{Name: "Sandbox", State: unvite.AccountActive}
	require.NoError(t, b.store.CreateAccount(ctx, b.acct))
	b.client, err = linkedin.New(linkedin.Config{BaseURL: b.srv.URL, Now: b.sb.Now, Session: linkedin.Session{LiAt: b.sbAcct.LiAt(), JSESSIONID: b.sbAcct.JSessionID()}})
	require.NoError(t, err)
	b.sy = &syncer.Syncer{Store: b.store, Now: b.sb.Now}
	return b
}

// storePending is the store's pending sent invitations as LinkedIn ids.
func (b *bundle) storePending(t *testing.T) []string {
	t.Helper()
	list, err := b.store.Invitations(context.Background(), unvite.InvitationFilter{AccountID: b.acct.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	var ids []string
	for _, inv := range list {
		ids = append(ids, inv.LinkedInID)
	}
	sort.Strings(ids)
	return ids
}

func (b *bundle) sandboxPending() []string {
	var ids []string
	for _, inv := range b.sb.PendingSent(b.sbAcct.Key()) {
		ids = append(ids, inv.ID)
	}
	sort.Strings(ids)
	return ids
}

// Property: for any seed, a full sync reproduces the sandbox's pending set,
// and so does every later sync as invitees accept and the clock moves.
func TestSyncReproducesPendingSet(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			b := setup(t, seed, sandbox.AccountConfig{SentInvitations: 150 + int(seed)*37, Months: 4})
			ctx := context.Background()
			res, err := b.sy.Sync(ctx, b.acct, b.client)
			require.NoError(t, err)
			require.Equal(t, b.sandboxPending(), b.storePending(t))
			require.Equal(t, len(b.sandboxPending()), res.Added)

			for _, step := range []time.Duration{time.Hour, 36 * time.Hour, 10 * 24 * time.Hour} {
				b.sb.Advance(step)
				_, err := b.sy.Sync(ctx, b.acct, b.client)
				require.NoError(t, err)
				require.Equal(t, b.sandboxPending(), b.storePending(t), "after %v", step)
			}
		})
	}
}

func TestSyncReconcilesAcceptedAndGone(t *testing.T) {
	b := setup(t, 42, sandbox.AccountConfig{SentInvitations: 400, Months: 2})
	ctx := context.Background()
	_, err := b.sy.Sync(ctx, b.acct, b.client)
	require.NoError(t, err)

	// Withdraw two "elsewhere" (in the browser), then let time pass so some accept.
	pending := b.sb.PendingSent(b.sbAcct.Key())
	var elsewhere []string
	for _, inv := range pending {
		if inv.AcceptsAt.IsZero() && len(elsewhere) < 2 {
			require.NoError(t, b.client.Withdraw(ctx, inv.ID))
			elsewhere = append(elsewhere, inv.ID)
		}
	}
	b.sb.Advance(2 * 24 * time.Hour)
	acceptedNow := 0
	for _, inv := range pending {
		if !inv.AcceptsAt.IsZero() && !inv.AcceptsAt.After(b.sb.Now()) {
			acceptedNow++
		}
	}
	require.Positive(t, acceptedNow, "the seed should give some acceptances within two days")

	res, err := b.sy.Sync(ctx, b.acct, b.client)
	require.NoError(t, err)
	require.Equal(t, 2, res.Gone)
	require.Equal(t, acceptedNow, res.Accepted)
	require.Equal(t, b.sandboxPending(), b.storePending(t))

	for _, id := range elsewhere {
		list, err := b.store.Invitations(ctx, unvite.InvitationFilter{AccountID: b.acct.ID, Search: "", Statuses: []unvite.Status{unvite.StatusGone}})
		require.NoError(t, err)
		found := false
		for _, inv := range list {
			found = found || inv.LinkedInID == id
		}
		require.True(t, found, "withdrawn elsewhere → gone")
	}
	ev, err := b.store.Events(ctx, unvite.EventFilter{AccountID: b.acct.ID})
	require.NoError(t, err)
	require.Len(t, ev, 2+acceptedNow, "every status change is in the audit log")
}

// Request economy: a full sync lists ⌈N/100⌉ pages; one with nothing
// changed costs at most 2 requests.
func TestSyncRequestEconomy(t *testing.T) {
	b := setup(t, 7, sandbox.AccountConfig{SentInvitations: 1200, Months: 12})
	ctx := context.Background()
	n := len(b.sb.PendingSent(b.sbAcct.Key()))
	require.Greater(t, n, 300)
	res, err := b.sy.Sync(ctx, b.acct, b.client)
	require.NoError(t, err)
	pages := (n + 99) / 100
	require.Equal(t, int64(1+pages), res.Requests, "one count and ⌈%d/100⌉ pages", n)
	require.Equal(t, pages, b.sb.RequestCount(b.sbAcct.Key(), sandbox.KindSentLegacy))

	res, err = b.sy.Sync(ctx, b.acct, b.client)
	require.NoError(t, err)
	require.True(t, res.Quick)
	require.LessOrEqual(t, res.Requests, int64(2))
	require.Equal(t, b.sandboxPending(), b.storePending(t))
}

func TestSyncCeiling(t *testing.T) {
	b := setup(t, 3, sandbox.AccountConfig{SentInvitations: 900, Months: 12, Ceiling: 200})
	ctx := context.Background()
	n := len(b.sb.PendingSent(b.sbAcct.Key()))
	require.Greater(t, n, 200)
	res, err := b.sy.Sync(ctx, b.acct, b.client)
	require.NoError(t, err)
	require.Equal(t, 200, res.Listed)
	require.Equal(t, n-200, res.Hidden, "sync says how many it could not see")
}

func TestSyncStopsAccount(t *testing.T) {
	cases := []struct {
		name   string
		faults sandbox.Faults
		state  unvite.AccountState
		reason string
	}{
		{"session expired", sandbox.Faults{SessionExpired: true}, unvite.AccountNeedsLogin, "session expired"},
		{"challenge", sandbox.Faults{Challenge: sandbox.ChallengeRedirect}, unvite.AccountNeedsLogin, "challenge"},
		{"soft block", sandbox.Faults{SoftBlock: true}, unvite.AccountPaused, "999"},
		{"rate limited", sandbox.Faults{RateLimit: 1, RetryAfter: 90 * time.Second}, unvite.AccountThrottled, "429"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := setup(t, 5, sandbox.AccountConfig{SentInvitations: 300, Months: 3})
			ctx := context.Background()
			b.sbAcct.SetFaults(c.faults)
			_, err := b.sy.Sync(ctx, b.acct, b.client)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.reason)
			require.Contains(t, err.Error(), "nothing was retried")
			got, err := b.store.Account(ctx, b.acct.ID)
			require.NoError(t, err)
			require.Equal(t, c.state, got.State)
			if c.state != unvite.AccountThrottled {
				// Only the user lifts a 999 or a dead session, never a timer.
				require.Error(t, accounts.Ready(got, b.sb.Now().Add(48*time.Hour)))
			}
			require.LessOrEqual(t, b.sb.RequestCount(b.sbAcct.Key(), ""), 2, "no blind retries")
			require.Empty(t, b.storePending(t), "nothing half-written")
			// A stopped account is not called again.
			before := b.sb.RequestCount(b.sbAcct.Key(), "")
			_, err = b.sy.Sync(ctx, got, b.client)
			require.Error(t, err)
			require.Equal(t, before, b.sb.RequestCount(b.sbAcct.Key(), ""))

			if c.state == unvite.AccountThrottled {
				// Once the wait is over, a sync that LinkedIn answers makes
				// the account active again.
				b.sbAcct.SetFaults(sandbox.Faults{})
				b.sb.Advance(2 * time.Minute)
				_, err = b.sy.Sync(ctx, got, b.client)
				require.NoError(t, err)
				got, err = b.store.Account(ctx, b.acct.ID)
				require.NoError(t, err)
				require.Equal(t, unvite.AccountActive, got.State)
				require.True(t, got.ThrottledUntil.IsZero())
			}
		})
	}
}

// When LinkedIn drops the legacy listing, the Dash one answers with only
// relative times: the set is still exact, the times are marked approximate.
func TestSyncFallsBackToDash(t *testing.T) {
	b := setup(t, 11, sandbox.AccountConfig{SentInvitations: 250, Months: 3, Removed: []sandbox.PathKind{sandbox.KindSentLegacy}})
	ctx := context.Background()
	res, err := b.sy.Sync(ctx, b.acct, b.client)
	require.NoError(t, err)
	require.Equal(t, "dash", res.Variant)
	require.Equal(t, b.sandboxPending(), b.storePending(t))
	list, err := b.store.Invitations(ctx, unvite.InvitationFilter{AccountID: b.acct.ID})
	require.NoError(t, err)
	byID := map[string]*unvite.Invitation{}
	for _, inv := range list {
		require.True(t, inv.SentAtApprox)
		byID[inv.LinkedInID] = inv
	}
	for _, p := range b.sb.PendingSent(b.sbAcct.Key()) {
		got := byID[p.ID]
		require.NotNil(t, got)
		require.False(t, got.SentAt.After(p.SentAt), "the stored bound never understates the age: stored %v, sent %v, now %v", got.SentAt, p.SentAt, b.sb.Now())
		require.Equal(t, p.Slug, got.Invitee.Slug)
	}
}

// An invitation known only from an export (no headline) that was accepted
// takes its headline from the connections listing: acceptance by position
// would otherwise see headlines of pending invitations only.
func TestSyncFillsAcceptedHeadline(t *testing.T) {
	b := setup(t, 7, sandbox.AccountConfig{SentInvitations: 300, Months: 2})
	ctx := context.Background()
	b.sb.Advance(3 * 24 * time.Hour)
	batch, err := b.store.BeginImport(ctx, b.acct.ID, unvite.ImportMeta{File: "Invitations.csv"})
	require.NoError(t, err)
	want := map[string]string{}
	for _, c := range b.sb.Connections(b.sbAcct.Key()) {
		if c.InvitationID == "" || len(want) == 5 {
			continue
		}
		require.NotEmpty(t, c.Headline)
		want[c.Slug] = c.Headline
		require.NoError(t, batch.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent,
			Invitee: unvite.Person{Name: c.Name, Slug: c.Slug}, SentAt: c.InvitationSentAt}))
	}
	require.Len(t, want, 5, "the seed should give accepted invitations within the listing")
	_, err = batch.Commit(ctx)
	require.NoError(t, err)

	_, err = b.sy.Sync(ctx, b.acct, b.client)
	require.NoError(t, err)
	list, err := b.store.Invitations(ctx, unvite.InvitationFilter{AccountID: b.acct.ID, Direction: unvite.Sent,
		Statuses: []unvite.Status{unvite.StatusAccepted}})
	require.NoError(t, err)
	got := map[string]string{}
	for _, inv := range list {
		if _, ok := want[inv.Invitee.Slug]; ok {
			got[inv.Invitee.Slug] = inv.Invitee.Headline
		}
	}
	require.Equal(t, want, got)
}
