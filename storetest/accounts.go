package storetest

import (
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

	a.State, a.StateReason, a.ThrottledUntil = unvite.AccountThrottled, "429", day(1)
	require.NoError(t, s.UpdateAccount(ctx, a))
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
	require.NoError(t, s.SetSession(ctx, a.ID, nil))
	sess, err = s.Session(ctx, a.ID)
	require.NoError(t, err)
	require.Nil(t, sess)

	b := newAccount(t, s, "second")
	list, err := s.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []int64{a.ID, b.ID}, []int64{list[0].ID, list[1].ID})
	_, err = s.Account(ctx, 999)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
	_ = time.Second
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
