package engine_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
)

// A re-invite goes only after the cool-down, with a note within the plan's
// limit; LinkedIn's CANT_RESEND_YET moves the date on instead of retrying;
// a sent one is recorded as a new pending invitation.
func TestReinvite(t *testing.T) {
	p := basePolicy()
	p.ActiveHours = "00:00-24:00"
	r := newRig(t, p, nil)
	acct := r.account(60, "UTC")
	r.engine(false, true)
	ids := queueN(t, r, acct, 1, 0, "user")
	wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: ids[0]}, "w1")
	require.NoError(t, err)
	require.Zero(t, wait)
	inv, err := r.store.Invitation(ctx, ids[0])
	require.NoError(t, err)
	require.Equal(t, unvite.StatusWithdrawn, inv.Status)

	_, err = r.eng.Reinvite(ctx, inv.ID, "hello again")
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err), "inside the cool-down: %v", err)
	require.Contains(t, err.Error(), "cool-down")

	// Our cool-down is over but LinkedIn's is not (its clock is behind).
	r.clock.Set(inv.ReinviteAfter.Add(time.Hour))
	_, err = r.eng.Reinvite(ctx, inv.ID, strings.Repeat("x", 301))
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), "a note over 300 characters")
	before := r.sb.RequestCount(r.accts[acct.ID].Key(), "")
	_, err = r.eng.Reinvite(ctx, inv.ID, "hello again")
	require.Error(t, err)
	require.Contains(t, err.Error(), "re-invite date moved")
	require.Equal(t, before+1, r.sb.RequestCount(r.accts[acct.ID].Key(), ""), "one request, not retried")
	moved, err := r.store.Invitation(ctx, inv.ID)
	require.NoError(t, err)
	require.True(t, moved.ReinviteAfter.After(inv.ReinviteAfter), "CANT_RESEND_YET moves the cool-down date")
	_, err = r.eng.Reinvite(ctx, inv.ID, "hello again")
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err), "and it holds")

	// Both clocks past both cool-downs: sent, and recorded.
	r.clock.Set(moved.ReinviteAfter.Add(time.Hour))
	r.sb.SetNow(moved.ReinviteAfter.Add(time.Hour))
	wait, err = r.eng.Reinvite(ctx, inv.ID, "hello again")
	require.NoError(t, err)
	require.Zero(t, wait)
	list, err := r.store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Search: inv.Invitee.Slug})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, unvite.StatusPending, list[1].Status)
	require.Equal(t, "hello again", list[1].Note)
	var found bool
	for _, s := range r.sb.PendingSent(r.accts[acct.ID].Key()) {
		found = found || s.Slug == inv.Invitee.Slug
	}
	require.True(t, found, "LinkedIn has the new invitation")
}

// A free account's notes stop at 200 characters (premium at 300), and no
// re-invite goes once the account sent LinkedIn's weekly limit in the last
// seven days (100 on a free plan, 200 on premium).
func TestReinviteNoteLimitAndWeeklyBudget(t *testing.T) {
	r := newRig(t, basePolicy(), nil)
	eng := r.engine(false, true)
	now := r.clock.Now()
	acct := &unvite.Account{Name: "Free Member", Slug: "free-member", TimeZone: "UTC", State: unvite.AccountActive, Plan: unvite.PlanFree}
	require.NoError(t, r.store.CreateAccount(ctx, acct))
	inv := &unvite.Invitation{ID: 1, AccountID: acct.ID, Direction: unvite.Sent, Status: unvite.StatusWithdrawn,
		Invitee: unvite.Person{Name: "Ada Lovelace", MemberURN: "urn:li:fsd_profile:ada"}, ReinviteAfter: now.Add(-time.Hour)}

	require.NoError(t, eng.CheckReinvite(ctx, inv, acct, strings.Repeat("é", 200), now), "200 characters, not bytes, fit a free plan")
	err := eng.CheckReinvite(ctx, inv, acct, strings.Repeat("x", 201), now)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), "%v", err)
	require.Contains(t, err.Error(), "allows 200")
	premium := *acct
	premium.Plan = unvite.PlanPremium
	require.NoError(t, eng.CheckReinvite(ctx, inv, &premium, strings.Repeat("x", 300), now))
	require.Error(t, eng.CheckReinvite(ctx, inv, &premium, strings.Repeat("x", 301), now))

	// 99 sent this week (and many more before it): one more may go.
	sent := func(n int, ago time.Duration, from int) {
		b, err := r.store.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "sent"})
		require.NoError(t, err)
		for i := range n {
			slug := "member-" + strconv.Itoa(from+i)
			require.NoError(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Kind: unvite.KindPerson,
				Invitee: unvite.Person{Name: slug, Slug: slug}, SentAt: now.Add(-ago), Source: unvite.SourceManual}))
		}
		_, err = b.Commit(ctx)
		require.NoError(t, err)
	}
	sent(150, 8*24*time.Hour, 0)
	sent(99, 24*time.Hour, 1000)
	require.NoError(t, eng.CheckReinvite(ctx, inv, acct, "hello again", now))
	sent(1, time.Hour, 2000)
	err = eng.CheckReinvite(ctx, inv, acct, "hello again", now)
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err), "%v", err)
	require.Contains(t, err.Error(), "weekly limit is about 100")
	require.NoError(t, eng.CheckReinvite(ctx, inv, &premium, "hello again", now), "premium's weekly limit is higher")
}
