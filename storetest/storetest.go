// Package storetest is the behaviour every unvite.Store must show. Each
// implementation's tests call Run with a constructor for an empty store, so
// the embedded and the server implementations cannot drift apart.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// Run runs the suite; open returns a new, empty store, and reopen a second
// handle on the database of a store open returned, as another process
// would have.
func Run(t *testing.T, open func(t *testing.T) unvite.Store, reopen func(t *testing.T, s unvite.Store) unvite.Store) {
	tests := map[string]func(t *testing.T, s unvite.Store){
		"Accounts":             testAccounts,
		"AccountPatch":         testAccountPatch,
		"AccountPolicyPatch":   testAccountPolicyPatch,
		"AccountStateSince":    testAccountStateSince,
		"ImportStatuses":       testImportStatuses,
		"ImportIdempotent":     testImportIdempotent,
		"ImportNewerExport":    testImportNewerExport,
		"ImportAtomic":         testImportAtomic,
		"ImportTracked":        testImportTracked,
		"ImportDuplicates":     testImportDuplicates,
		"Transitions":          testTransitions,
		"FilterAndSort":        testFilterAndSort,
		"Pages":                testPages,
		"BriefListing":         testBriefListing,
		"OutcomeListing":       testOutcomeListing,
		"TagsAndProtection":    testTagsAndProtection,
		"AsOf":                 testAsOf,
		"EventOrder":           testEventOrder,
		"SyncReconciles":       testSyncReconciles,
		"SyncCeiling":          testSyncCeiling,
		"SyncThenExportMerges": testSyncThenExportMerges,
		"DeleteAccount":        testDeleteAccount,
		"WithdrawalClaims":     testWithdrawalClaims,
		"WithdrawalUnqueue":    testWithdrawalUnqueue,
		"SyncWithdrawing":      testSyncReconcilesWithdrawing,
		"ImportWithdrawing":    testImportSettlesWithdrawing,
		"Users":                testUsers,
		"ImportByOwner":        testImportByOwner,
		"ImportOwnerProfile":   testImportOwnerLearnsProfile,
		"ImportMatchesByName":  testImportMatchesByName,
		"ImportFillsInvitees":  testImportFillsInvitees,
		"SyncFillsInvitees":    testSyncFillsInvitees,
		"Webhook":              testWebhook,
		"WebhookReview":        testWebhookReview,
		"ChangedInWeek":        testChangedInWeek,
	}
	for name, fn := range map[string]func(t *testing.T, s, other unvite.Store){
		"ImportTwoProcesses": testImportTwoProcesses,
		"ListingSnapshot":    testListingIsOneSnapshot,
		"WithdrawalRaces":    testWithdrawalRaces,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			fn(t, s, reopen(t, s))
		})
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

// RunShared runs the tests that need two handles on one database, as two
// processes have: open returns a new, empty database's first handle and a
// function that opens another handle on the same database.
func RunShared(t *testing.T, open func(t *testing.T) (unvite.Store, func(t *testing.T) unvite.Store)) {
	tests := map[string]func(t *testing.T, a, b unvite.Store){
		"AccountPatchesDoNotUndo": testAccountPatchesDoNotUndo,
		"AccountFailures":         testAccountFailures,
		"WebhookReviewRace":       testWebhookReviewRace,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first, another := open(t)
			fn(t, first, another(t))
		})
	}
}

var (
	ctx = context.Background()
	// t0 is the suite's fixed "today".
	t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func newAccount(t *testing.T, s unvite.Store, slug string) *unvite.Account {
	t.Helper()
	a := &unvite.Account{Name: "Maya " + slug, Slug: slug, TimeZone: "Europe/Stockholm"}
	require.NoError(t, s.CreateAccount(ctx, a))
	require.NotZero(t, a.ID)
	return a
}

func person(slug string) unvite.Person {
	return unvite.Person{Name: "Person " + slug, Slug: slug, Company: "Co " + slug, Headline: "Role at Co " + slug}
}

func sent(slug string, at time.Time, note string) *unvite.Invitation {
	return &unvite.Invitation{Direction: unvite.Sent, Invitee: person(slug), SentAt: at, Note: note, HadNote: note != ""}
}

type importRows struct {
	conns []unvite.Connection
	invs  []*unvite.Invitation
	sheet []unvite.TrackedRow
}

func doImport(t *testing.T, s unvite.Store, acct int64, meta unvite.ImportMeta, rows importRows) unvite.ImportSummary {
	t.Helper()
	if meta.ExpectedRows == 0 {
		meta.ExpectedRows = len(rows.invs)
	}
	b, err := s.BeginImport(ctx, acct, meta)
	require.NoError(t, err)
	for _, c := range rows.conns {
		require.NoError(t, b.PutConnection(ctx, c))
	}
	for _, inv := range rows.invs {
		require.NoError(t, b.PutInvitation(ctx, inv))
	}
	for _, r := range rows.sheet {
		_, err := b.PutTracked(ctx, r)
		require.NoError(t, err)
	}
	sum, err := b.Commit(ctx)
	require.NoError(t, err)
	return sum
}

// byName indexes an account's sent invitations by invitee slug, latest wins.
func bySlug(t *testing.T, s unvite.Store, acct int64) map[string]*unvite.Invitation {
	t.Helper()
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: acct, Direction: unvite.Sent})
	require.NoError(t, err)
	m := map[string]*unvite.Invitation{}
	for _, inv := range list {
		m[inv.Invitee.Slug] = inv
	}
	return m
}

func statusCounts(t *testing.T, s unvite.Store, acct int64) map[unvite.Status]int {
	t.Helper()
	m := map[unvite.Status]int{}
	for _, st := range unvite.Statuses {
		n, err := s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct, Direction: unvite.Sent, Statuses: []unvite.Status{st}})
		require.NoError(t, err)
		if n > 0 {
			m[st] = n
		}
	}
	return m
}
