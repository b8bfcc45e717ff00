package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// StageSent's bounds select exactly the invitations Stage labels so, for
// sending times on both sides of every threshold.
func TestStageSentMatchesStage(t *testing.T) {
	now := time.Date(2026, 11, 20, 13, 30, 0, 0, time.UTC)
	for _, p := range []unvite.Policy{policy.Default(), {ReviewAgeDays: 30, WithdrawAgeDays: 90}, {}} {
		for _, stage := range []string{policy.StageNew, policy.StageReview, policy.StageConsider, policy.StageWithdraw} {
			after, before, ok := policy.StageSent(p, stage, now)
			for days := 0; days < 120; days++ {
				for _, off := range []time.Duration{-time.Second, 0, time.Second} {
					inv := &unvite.Invitation{SentAt: now.Add(-time.Duration(days)*24*time.Hour + off)}
					in := ok && (after.IsZero() || !inv.SentAt.Before(after)) && (before.IsZero() || inv.SentAt.Before(before))
					require.Equal(t, policy.Stage(p, inv, now) == stage, in, "policy %+v stage %s sent %s", p, stage, inv.SentAt)
				}
			}
		}
	}
}

func TestAgeSent(t *testing.T) {
	now := time.Date(2026, 11, 20, 13, 30, 0, 0, time.UTC)
	after, before := policy.AgeSent(30, 59, now)
	for days := 0; days < 100; days++ {
		inv := &unvite.Invitation{SentAt: now.Add(-time.Duration(days) * 24 * time.Hour)}
		in := !inv.SentAt.Before(after) && inv.SentAt.Before(before)
		require.Equal(t, days >= 30 && days <= 59, in, days)
	}
	after, before = policy.AgeSent(90, -1, now)
	require.True(t, after.IsZero())
	require.Equal(t, now.Add(-90*24*time.Hour+time.Second), before)
}
