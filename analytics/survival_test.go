package analytics_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
)

const day = 24 * time.Hour

// Eight invitations, worked out by hand:
//
//	day  at risk  accepted  gone  censored  pending (KM)        accepted (CIF)          gone (CIF)
//	1    8        1         0     0         7/8     = .875      1/8           = .125    0
//	2    7        1         1     0         .875·5/7 = .625     .125+.875/7   = .25     .875/7 = .125
//	3    5        0         0     1         .625                .25                     .125
//	4    4        1         0     0         .625·3/4 = .46875   .25+.625/4    = .40625  .125
//	5    3        0         0     1         .46875              .40625                  .125
//	6    2        0         1     0         .46875/2 = .234375  .40625                  .125+.46875/2 = .359375
//	7    1        0         0     1         .234375             .40625                  .359375
//
// Greenwood at day 2: Σ d/(n(n−d)) = 1/(8·7) + 2/(7·5) = .075, so the
// standard error of pending is .625·√.075.
func TestKaplanMeierByHand(t *testing.T) {
	t.Parallel()
	var e analytics.Estimator
	for _, x := range []struct {
		days int
		o    analytics.Outcome
	}{
		{4, analytics.Accepted}, {1, analytics.Accepted}, {2, analytics.Gone}, {7, analytics.Censored},
		{2, analytics.Accepted}, {3, analytics.Censored}, {6, analytics.Gone}, {5, analytics.Censored},
	} {
		e.Add(time.Duration(x.days)*day, x.o)
	}
	type row struct {
		days                     float64
		atRisk, acc, gone, cens  int
		pending, accepted, goneC float64
	}
	want := []row{
		{1, 8, 1, 0, 0, .875, .125, 0},
		{2, 7, 1, 1, 0, .625, .25, .125},
		{3, 5, 0, 0, 1, .625, .25, .125},
		{4, 4, 1, 0, 0, .46875, .40625, .125},
		{5, 3, 0, 0, 1, .46875, .40625, .125},
		{6, 2, 0, 1, 0, .234375, .40625, .359375},
		{7, 1, 0, 0, 1, .234375, .40625, .359375},
	}
	table := e.Table()
	require.Len(t, table, len(want))
	for i, w := range want {
		s := table[i]
		require.Equal(t, w.days, s.Days, "row %d", i)
		require.Equal(t, []int{w.atRisk, w.acc, w.gone, w.cens}, []int{s.AtRisk, s.Accepted, s.Gone, s.Censored}, "row %d", i)
		require.InDelta(t, w.pending, s.Pending, 1e-12, "pending, row %d", i)
		require.InDelta(t, w.accepted, s.AcceptedCI, 1e-12, "accepted, row %d", i)
		require.InDelta(t, w.goneC, s.GoneCI, 1e-12, "gone, row %d", i)
		// The three shares always add up to one.
		require.InDelta(t, 1, s.Pending+s.AcceptedCI+s.GoneCI, 1e-12)
	}
	require.InDelta(t, .625*0.27386127875258306, table[1].PendingSE, 1e-12) // √.075

	c := e.Curve(1)
	require.InDelta(t, .40625, c.Ever, 1e-12)
	// Day 2 reports what ended before day 2 (the day-1 row), day 3 the day-2 row.
	require.InDelta(t, .125, c.At(2).Accepted, 1e-12)
	require.InDelta(t, .25, c.At(3).Accepted, 1e-12)
	require.Equal(t, 5, c.At(3).AtRisk)
	// Pending at day 5 (after the day-4 row): (.40625 − .40625) / .46875 = 0;
	// at day 3: (.40625 − .25) / .625 = .25.
	require.InDelta(t, .25, c.At(3).Chance, 1e-12)
	require.InDelta(t, 0, c.At(5).Chance, 1e-12)
	day, ok := c.CutoffDay(0.02)
	require.True(t, ok)
	require.Equal(t, 5, day)
}

// Without censoring or a competing outcome the cumulative incidence is the
// plain share, and its delta-method variance the binomial p(1−p)/n.
func TestIncidenceVarianceIsBinomialWithoutCensoring(t *testing.T) {
	t.Parallel()
	var e analytics.Estimator
	for range 3 {
		e.Add(day, analytics.Accepted)
	}
	for range 2 {
		e.Add(2*day, analytics.Accepted)
	}
	for range 5 {
		e.Add(5*day, analytics.Censored)
	}
	table := e.Table()
	require.InDelta(t, .5, table[1].AcceptedCI, 1e-12)
	require.InDelta(t, .025, table[1].AcceptedSE*table[1].AcceptedSE, 1e-12)
	require.InDelta(t, .3*.7/10, table[0].AcceptedSE*table[0].AcceptedSE, 1e-12)
}

func TestWilson(t *testing.T) {
	t.Parallel()
	// Reference values (Wilson 1927; as in R's prop.test without correction
	// and statsmodels' proportion_confint(method="wilson")).
	lo, hi := analytics.Wilson(81, 263)
	require.InDelta(t, 0.2553, lo, 1e-4)
	require.InDelta(t, 0.3662, hi, 1e-4)
	lo, hi = analytics.Wilson(0, 10)
	require.Equal(t, 0.0, lo)
	require.InDelta(t, 0.2775, hi, 1e-4)
	lo, hi = analytics.Wilson(10, 10)
	require.InDelta(t, 0.7225, lo, 1e-4)
	require.InDelta(t, 1.0, hi, 1e-12)
	lo, hi = analytics.Wilson(0, 0)
	require.Equal(t, []float64{0, 1}, []float64{lo, hi})
}

// The curve handed to the policy is the report's, cut where it stops being
// reliable, and gives the same learned age.
func TestLearnedForPolicy(t *testing.T) {
	t.Parallel()
	acc := analytics.New(analytics.Options{AsOf: asOf, MinAtRisk: 20})
	for i := range 400 {
		switch {
		case i%4 == 0:
			acc.Add(sent(60*day, unvite.StatusAccepted, time.Duration(i%20)*day+time.Hour))
		default:
			acc.Add(sent(time.Duration(i%60)*day, unvite.StatusPending, 0))
		}
	}
	r := acc.Report()
	l := r.Learned()
	require.Equal(t, 100, l.Accepted)
	require.Positive(t, l.All.Reliable)
	require.Less(t, l.All.Reliable, len(l.All.Chance))
	for d := range l.All.Reliable {
		require.True(t, r.Curve.Points[d].Reliable)
		require.Equal(t, r.Curve.Points[d].Chance, l.All.Chance[d])
	}
	require.False(t, r.Curve.Points[l.All.Reliable].Reliable)
	want, ok := r.Curve.CutoffDay(0.02)
	require.True(t, ok)
	got, ok := l.Cutoff(0.02)
	require.True(t, ok)
	require.Equal(t, want, got)
	require.Equal(t, want, r.Cutoff.Days)
}
