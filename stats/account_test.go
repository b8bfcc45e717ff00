package stats_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/stats"
)

// Summing two accounts' reports gives the report of all their invitations
// together, for every figure Sum keeps.
func TestSumEqualsReportOfUnion(t *testing.T) {
	t.Parallel()
	a := append(many(3, 5, unvite.StatusPending), many(2, 95, unvite.StatusPending, note)...)
	a = append(a, many(4, 40, unvite.StatusAccepted)...)
	b := append(many(6, 70, unvite.StatusPending), many(1, 20, unvite.StatusGone, note)...)
	b = append(b, many(2, 30, unvite.StatusWithdrawn)...)
	p := policy.Default()
	p.PendingCap = 5
	ra, rb := stats.Compute(a, p, asOf), stats.Compute(b, p, asOf)
	all := stats.Compute(append(append([]*unvite.Invitation{}, a...), b...), p, asOf)
	sum := stats.Sum([]stats.Report{ra, rb})

	require.Equal(t, all.Sent, sum.Sent)
	require.Equal(t, all.ByStatus, sum.ByStatus)
	require.Equal(t, all.Pending, sum.Pending)
	require.Equal(t, all.PendingByAge, sum.PendingByAge)
	require.Equal(t, all.OldestPendingDays, sum.OldestPendingDays)
	require.Equal(t, all.WithNote, sum.WithNote)
	require.Equal(t, all.WithoutNote, sum.WithoutNote)
	require.Equal(t, all.Overall(), sum.Overall())
	require.Equal(t, 10, sum.PendingCap, "caps add up")
	require.InDelta(t, 110.0, sum.PendingCapPercent, 1e-9)

	// Overall: 4 accepted of 4 accepted + 11 pending + 1 gone.
	require.InDelta(t, 4.0/16, all.Overall().Rate, 1e-9)

	p.PendingCap = 0
	require.Zero(t, stats.Sum([]stats.Report{ra, stats.Compute(b, p, asOf)}).PendingCap, "no cap when one account has none")
}
