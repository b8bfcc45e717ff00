package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

func synced(id, slug string, days int, approx bool) unvite.SyncedInvitation {
	return unvite.SyncedInvitation{LinkedInID: id, Invitee: person(slug), SentAt: day(days), SentAtApprox: approx}
}

func testSyncReconciles(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, exportOne()) // acc accepted; p1 p2 p3 pending

	sum, err := s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{
		At:          day(0),
		Complete:    true,
		Pending:     []unvite.SyncedInvitation{synced("101", "p1", -40, false), synced("102", "p3", -63, true), synced("103", "new", -2, false)},
		Connections: []unvite.Connection{conn("p2", -1)},
	})
	require.NoError(t, err)
	require.Equal(t, unvite.SyncSummary{Added: 1, Unchanged: 2, Accepted: 1}, sum)
	m := bySlug(t, s, a.ID)
	require.Equal(t, "101", m["p1"].LinkedInID)
	require.Equal(t, unvite.SourceExport, m["p1"].Source)
	require.True(t, m["p3"].SentAt.Equal(day(-60)), "an approximate time never replaces an exact one")
	require.False(t, m["p3"].SentAtApprox)
	require.Equal(t, unvite.StatusAccepted, m["p2"].Status)
	require.Equal(t, unvite.SourceSync, m["new"].Source)
	require.Equal(t, unvite.StatusAccepted, m["acc"].Status)

	// Next sync: p1 withdrawn elsewhere; nothing else changed.
	sum, err = s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(1), Complete: true,
		Pending: []unvite.SyncedInvitation{synced("102", "p3", -63, true), synced("103", "new", -2, false)}})
	require.NoError(t, err)
	require.Equal(t, unvite.SyncSummary{Unchanged: 2, Gone: 1}, sum)
	m = bySlug(t, s, a.ID)
	require.Equal(t, unvite.StatusGone, m["p1"].Status)
	acct, err := s.Account(ctx, a.ID)
	require.NoError(t, err)
	require.True(t, acct.LastSyncAt.Equal(day(1)))

	// The same snapshot again changes nothing.
	before, _ := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	sum, err = s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(1), Complete: true,
		Pending: []unvite.SyncedInvitation{synced("102", "p3", -63, true), synced("103", "new", -2, false)}})
	require.NoError(t, err)
	require.Equal(t, unvite.SyncSummary{Unchanged: 2}, sum)
	after, _ := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.Equal(t, before, after)
}

func testSyncCeiling(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, exportOne()) // p1 -40, p2 -50, p3 -60 pending
	// LinkedIn showed only the newest: p1. p2 and p3 are hidden, not gone.
	sum, err := s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(0), Complete: false,
		Pending: []unvite.SyncedInvitation{synced("101", "p1", -40, false)}})
	require.NoError(t, err)
	require.Equal(t, unvite.SyncSummary{Unchanged: 1, Unseen: 2, Unlisted: 2}, sum)
	require.Equal(t, map[unvite.Status]int{unvite.StatusPending: 3, unvite.StatusAccepted: 1}, statusCounts(t, s, a.ID))
	// Known from the export only, p2 and p3 have no LinkedIn id to be
	// withdrawn by: marked unlisted, in full and brief listings alike.
	unlisted := func(want map[string]time.Time) {
		t.Helper()
		for _, brief := range []bool{false, true} {
			list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Statuses: []unvite.Status{unvite.StatusPending}, Brief: brief})
			require.NoError(t, err)
			got := map[string]time.Time{}
			for _, inv := range list {
				if !inv.UnlistedAt.IsZero() {
					got[inv.Invitee.Slug] = inv.UnlistedAt
				}
			}
			require.Equal(t, len(want), len(got), "brief %v: %v", brief, got)
			for slug, at := range want {
				require.True(t, got[slug].Equal(at), "brief %v: %s unlisted at %s, want %s", brief, slug, got[slug], at)
			}
		}
	}
	unlisted(map[string]time.Time{"p2": day(0), "p3": day(0)})

	// Listed again, p2 gets its id and is no longer unlisted; p3 keeps the
	// time it was first missed.
	sum, err = s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(1), Complete: false,
		Pending: []unvite.SyncedInvitation{synced("101", "p1", -40, false), synced("102", "p2", -50, false)}})
	require.NoError(t, err)
	require.Equal(t, unvite.SyncSummary{Unchanged: 2, Unseen: 1, Unlisted: 1}, sum)
	unlisted(map[string]time.Time{"p3": day(0)})
	p2, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Search: "p2"})
	require.NoError(t, err)
	require.Len(t, p2, 1)
	require.Equal(t, "102", p2[0].LinkedInID)

	// Hidden again, p2 is withdrawn by its id: not unlisted.
	sum, err = s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(2), Complete: false,
		Pending: []unvite.SyncedInvitation{synced("101", "p1", -40, false)}})
	require.NoError(t, err)
	require.Equal(t, unvite.SyncSummary{Unchanged: 1, Unseen: 2, Unlisted: 1}, sum)
	unlisted(map[string]time.Time{"p3": day(0)})
	got, err := s.Invitation(ctx, p2[0].ID)
	require.NoError(t, err)
	require.True(t, got.UnlistedAt.IsZero())
}

func testSyncThenExportMerges(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	// Sync knew only "Sent 3 weeks ago": the earliest bound, approximate.
	_, err := s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(0), Complete: true,
		Pending: []unvite.SyncedInvitation{synced("201", "q", -28, true)}})
	require.NoError(t, err)
	sum := doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip", Snapshot: true, AsOf: day(0)},
		importRows{invs: []*unvite.Invitation{sent("q", day(-23), "hello")}})
	require.Equal(t, 0, sum.Added, "the export row is the synced invitation")
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "201", list[0].LinkedInID)
	require.True(t, list[0].SentAt.Equal(day(-23)), "the export's exact time wins")
	require.False(t, list[0].SentAtApprox)
	require.Equal(t, "hello", list[0].Note)
	require.Equal(t, unvite.StatusPending, list[0].Status)
}
