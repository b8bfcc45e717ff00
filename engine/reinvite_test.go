package engine_test

import (
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
