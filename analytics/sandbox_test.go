package analytics_test

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/syncer"
)

// The sandbox draws every fate from the published distribution: 37%
// accepted; of those, 63% within a day, 88% within a week, 99% within 30
// days. The cumulative share accepted by d days is 0.37 times that.
var truth = map[int]float64{1: 0.37 * 0.63, 7: 0.37 * 0.88, 30: 0.37 * 0.99}

// trueSettledRate is the true share accepted within 30 days, for every
// group: the sandbox's fates depend on nothing about the invitation.
const trueSettledRate = 0.37 * 0.99

// history puts one sandbox account's history into a real SQLite store the
// way a user would: a data export imported at the start (every invitation,
// and the connections with their times), then syncs through the LinkedIn
// client over loopback at several later ages, with some old invitations
// withdrawn on the way (censored at their withdrawal). It returns the
// store and the account as the last sync left it.
func history(t *testing.T, seed uint64, sent, months int) (unvite.Store, *unvite.Account, time.Time) {
	t.Helper()
	ctx := context.Background()
	sb := sandbox.New(sandbox.Options{Seed: seed})
	key := "acct"
	sbAcct := sb.AddAccount(sandbox.AccountConfig{Key: key, SentInvitations: sent, Months: months, Ceiling: -1})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	acct := &unvite.Account{Name: "Sandbox", State: unvite.AccountActive, TimeZone: "Europe/Paris"}
	require.NoError(t, store.CreateAccount(ctx, acct))

	// The export: every invitation sent so far, and the connections.
	batch, err := store.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "sandbox-export", AsOf: sb.Now()})
	require.NoError(t, err)
	for _, s := range sb.Sent(key) {
		require.NoError(t, batch.PutInvitation(ctx, &unvite.Invitation{
			Direction: unvite.Sent, Kind: unvite.KindPerson, SentAt: s.SentAt, Note: s.Note, HadNote: s.HadNote,
			Invitee: unvite.Person{Name: s.Name, Slug: s.Slug, Headline: s.Headline, Company: s.Company},
			Status:  unvite.StatusPending, Source: unvite.SourceExport,
		}))
	}
	for _, c := range sb.Connections(key) {
		require.NoError(t, batch.PutConnection(ctx, unvite.Connection{
			Person: unvite.Person{Name: c.Name, Slug: c.Slug}, ConnectedOn: c.CreatedAt}))
	}
	_, err = batch.Commit(ctx)
	require.NoError(t, err)

	client, err := linkedin.New(linkedin.Config{BaseURL: srv.URL, Now: sb.Now,
		Session: linkedin.Session{LiAt: sbAcct.LiAt(), JSESSIONID: sbAcct.JSessionID()}})
	require.NoError(t, err)
	sy := &syncer.Syncer{Store: store, Now: sb.Now}
	rng := rand.New(rand.NewPCG(seed, 99))
	for i, gap := range []int{1, 2, 2, 3} {
		sb.Advance(time.Duration(gap) * 24 * time.Hour)
		acct, err = store.Account(ctx, acct.ID)
		require.NoError(t, err)
		_, err = sy.Sync(ctx, acct, client)
		require.NoError(t, err)
		if i != 1 {
			continue
		}
		// Withdraw a fifth of those pending past 30 days: old enough that
		// their 30-day outcome is known, so the group rates stay fair.
		pending, err := store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID,
			Statuses: []unvite.Status{unvite.StatusPending}, SentBefore: sb.Now().Add(-31 * 24 * time.Hour)})
		require.NoError(t, err)
		for _, inv := range pending {
			if rng.IntN(5) != 0 || inv.LinkedInID == "" {
				continue
			}
			require.NoError(t, client.Withdraw(ctx, inv.LinkedInID))
			_, err := store.Transition(ctx, inv.ID, unvite.StatusWithdrawn, unvite.Change{At: sb.Now(), Reason: "test", Actor: "user"})
			require.NoError(t, err)
		}
	}
	acct, err = store.Account(ctx, acct.ID)
	require.NoError(t, err)
	return store, acct, sb.Now()
}

// Over several seeds, with heavy censoring (histories of one or two months
// observed at several ages), the estimated cumulative acceptance at 1, 7
// and 30 days lies within 3 points of the truth, and the Wilson intervals
// of the group rates cover the true rate about 95% of the time.
func TestEstimatesMatchSandboxTruth(t *testing.T) {
	t.Parallel()
	var covered, intervals, invitations int
	for seed := uint64(1); seed <= 4; seed++ {
		store, acct, now := history(t, seed, 2500, 1+int(seed%2))
		r, err := analytics.Compute(context.Background(), store, acct, analytics.OptionsFor(acct, now))
		require.NoError(t, err)
		invitations += r.Sent
		require.Equal(t, 2500, r.Sent)
		require.Positive(t, r.ByStatus[unvite.StatusWithdrawn], "some censored by withdrawal")
		require.Greater(t, r.Curve.Censored, r.Sent/2, "heavily censored")
		for _, m := range r.Milestones {
			want, ok := truth[m.Days]
			if !ok {
				continue
			}
			require.InDelta(t, want, m.Accepted, 0.03, "seed %d: accepted by day %d", seed, m.Days)
			require.True(t, m.Low <= m.Accepted && m.Accepted <= m.High)
		}
		// True chance of a pending one ever being accepted falls under 2%
		// at about 22 days.
		require.True(t, r.Cutoff.Found, "seed %d: %s", seed, r.Cutoff.Text)
		require.InDelta(t, 22, r.Cutoff.Days, 7, "seed %d: %s", seed, r.Cutoff.Text)

		for _, d := range r.Groups {
			switch d.Key {
			case "company", "tag":
				continue // companies are mostly tiny; no tags here
			}
			for _, g := range d.Groups {
				if g.Settled < 10 {
					continue
				}
				intervals++
				if g.Low <= trueSettledRate && trueSettledRate <= g.High {
					covered++
				}
			}
		}
	}
	require.GreaterOrEqual(t, invitations, 2000)
	coverage := float64(covered) / float64(intervals)
	t.Logf("Wilson coverage %d/%d = %.3f", covered, intervals, coverage)
	require.Greater(t, intervals, 100)
	// Nominal 95%; the groups share invitations' draws, so allow some slack.
	require.True(t, coverage >= 0.90 && coverage <= 0.99, "%d of %d intervals cover the truth", covered, intervals)
}

// Compute reads the store the fast way (outcome rows, in no order, on two
// connections); fed every full invitation one by one, in sent order, the
// accumulator reports exactly the same.
func TestComputeMatchesFullRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, acct, now := history(t, 7, 2500, 2)
	all, err := store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID})
	require.NoError(t, err)
	var tagged []int64
	for i, inv := range all {
		if i%7 == 0 {
			tagged = append(tagged, inv.ID)
		}
	}
	require.NoError(t, store.Tag(ctx, tagged, []string{"vip"}, false, unvite.Change{Reason: "test"}))
	require.NoError(t, store.Tag(ctx, tagged[:len(tagged)/3], []string{"met"}, false, unvite.Change{Reason: "test"}))

	for _, asOf := range []time.Time{now, now.Add(-20 * 24 * time.Hour)} {
		o := analytics.OptionsFor(acct, asOf)
		fast, err := analytics.Compute(ctx, store, acct, o)
		require.NoError(t, err)
		all, err := store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID})
		require.NoError(t, err)
		acc := analytics.New(o)
		for _, inv := range all {
			acc.Add(inv)
		}
		plain := acc.Report()
		plain.AccountID, plain.AccountName = fast.AccountID, fast.AccountName
		require.Positive(t, fast.Sent)
		require.Equal(t, plain, fast, "as of %s", asOf)
	}
}
