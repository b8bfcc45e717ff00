package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

func owner(name, slug string) *unvite.Account {
	return &unvite.Account{Name: name, Slug: slug, State: unvite.AccountOffline}
}

// An import by owner finds the owner's account or creates it inside its own
// transaction: a rolled-back import leaves no account behind.
func testImportByOwner(t *testing.T, s unvite.Store) {
	b, err := s.BeginImport(ctx, 0, unvite.ImportMeta{File: "first.zip", Owner: owner("Maya Lind", "maya-lind")})
	require.NoError(t, err)
	require.NotZero(t, b.Account().ID)
	require.NoError(t, b.PutInvitation(ctx, sent("p1", day(-3), "")))
	require.NoError(t, b.Rollback())
	list, err := s.Accounts(ctx)
	require.NoError(t, err)
	require.Empty(t, list, "a failed import leaves no account")

	sum := doImportBy(t, s, unvite.ImportMeta{File: "e.zip", Owner: owner("Maya Lind", "maya-lind")}, exportOne())
	require.Equal(t, 4, sum.Added)
	list, err = s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	maya := list[0]
	require.Equal(t, "maya-lind", maya.Slug)
	require.Equal(t, unvite.AccountOffline, maya.State)

	// The same owner again, by profile or (a file without one) by name.
	doImportBy(t, s, unvite.ImportMeta{File: "again.zip", Owner: owner("Maya Lind", "maya-lind")}, exportOne())
	sum = doImportBy(t, s, unvite.ImportMeta{File: "sheet.csv", Owner: owner(" maya  LIND", "")},
		importRows{invs: []*unvite.Invitation{sent("p9", day(-2), "")}})
	require.Equal(t, 1, sum.Added)
	list, err = s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1, "one owner, one account")
	n, err := s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: maya.ID})
	require.NoError(t, err)
	require.Equal(t, 5, n)

	_, err = s.BeginImport(ctx, 0, unvite.ImportMeta{File: "x"})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), "neither an account nor an owner")
}

// Connections.csv alone (named with --name) and then the Invitations.csv
// that tells the owner's profile: one account, which learns the profile.
func testImportOwnerLearnsProfile(t *testing.T, s unvite.Store) {
	doImportBy(t, s, unvite.ImportMeta{File: "Connections.csv", Owner: owner("ola  berg", "")},
		importRows{conns: []unvite.Connection{conn("acc", -30)}})
	sum := doImportBy(t, s, unvite.ImportMeta{File: "Invitations.csv", Snapshot: true, Owner: owner("Ola Berg", "ola-berg")},
		importRows{invs: []*unvite.Invitation{sent("acc", day(-31), ""), sent("p1", day(-40), "")}})
	require.Equal(t, 1, sum.Accepted, "the connections imported before count")
	list, err := s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "ola-berg", list[0].Slug)
	require.Equal(t, "Ola Berg", list[0].Name, "the export's spelling of the name")
	evs, err := s.Events(ctx, unvite.EventFilter{AccountID: list[0].ID})
	require.NoError(t, err)
	var changed []string
	for _, ev := range evs {
		if ev.Type == "account" {
			changed = append(changed, ev.Reason+" by "+ev.Actor)
		}
	}
	require.Len(t, changed, 1, "the account's change is in the audit log")
	require.Contains(t, changed[0], "ola-berg")
	require.Contains(t, changed[0], "import:Invitations.csv")

	// Another person of the same name, with a profile of their own, is not Ola.
	doImportBy(t, s, unvite.ImportMeta{File: "other.zip", Owner: owner("Ola Berg", "ola-berg-2")},
		importRows{invs: []*unvite.Invitation{sent("x", day(-1), "")}})
	list, err = s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	// A file without a profile now cannot tell the two apart.
	_, err = s.BeginImport(ctx, 0, unvite.ImportMeta{File: "sheet.csv", Owner: owner("Ola Berg", "")})
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err))
}

// Two processes (separate store handles on one database) import the same
// new owner at once: the one that fails takes nothing of the other's with
// it, and two that succeed both land in one account.
func testImportTwoProcesses(t *testing.T, s unvite.Store, second unvite.Store) {
	rows := func(prefix string, n int) []*unvite.Invitation {
		var invs []*unvite.Invitation
		for i := range n {
			invs = append(invs, sent(fmt.Sprintf("%s%d", prefix, i), day(-i-1), ""))
		}
		return invs
	}
	type result struct {
		sum unvite.ImportSummary
		err error
	}
	// importIn imports rows into the owner's account on the other handle,
	// reporting the outcome: it waits while the first import is open.
	importIn := func(st unvite.Store, file string, invs []*unvite.Invitation) <-chan result {
		done := make(chan result, 1)
		go func() {
			b, err := st.BeginImport(ctx, 0, unvite.ImportMeta{File: file, Owner: owner("Maya Lind", "maya-lind")})
			if err != nil {
				done <- result{err: err}
				return
			}
			for _, inv := range invs {
				if err := b.PutInvitation(ctx, inv); err != nil {
					b.Rollback()
					done <- result{err: err}
					return
				}
			}
			sum, err := b.Commit(ctx)
			done <- result{sum, err}
		}()
		return done
	}

	// The first fails at its end, after the second has started.
	bad, err := s.BeginImport(ctx, 0, unvite.ImportMeta{File: "big.csv", Owner: owner("Maya Lind", "maya-lind")})
	require.NoError(t, err)
	for _, inv := range rows("bad", 50) {
		require.NoError(t, bad.PutInvitation(ctx, inv))
	}
	good := importIn(second, "good.zip", rows("good", 30))
	require.NoError(t, bad.Rollback())
	r := <-good
	require.NoError(t, r.err)
	require.Equal(t, 30, r.sum.Added)

	list, err := s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	acct := list[0]
	m := bySlug(t, s, acct.ID)
	require.Len(t, m, 30, "every row of the good import survives, none of the bad one")
	require.Contains(t, m, "good0")

	// Both succeed: the second waits, then merges into the same account.
	first, err := s.BeginImport(ctx, 0, unvite.ImportMeta{File: "one.zip", Owner: owner("Maya Lind", "maya-lind")})
	require.NoError(t, err)
	for _, inv := range rows("one", 20) {
		require.NoError(t, first.PutInvitation(ctx, inv))
	}
	other := importIn(second, "two.zip", rows("two", 10))
	_, err = first.Commit(ctx)
	require.NoError(t, err)
	r = <-other
	require.NoError(t, r.err)
	list, err = s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Len(t, bySlug(t, s, acct.ID), 60)
}

// doImportBy imports rows by owner, as doImport does by account.
func doImportBy(t *testing.T, s unvite.Store, meta unvite.ImportMeta, rows importRows) unvite.ImportSummary {
	t.Helper()
	return doImport(t, s, 0, meta, rows)
}
