package sandbox

import (
	"math"
	"math/rand/v2"
	"time"
)

// AcceptRate is the share of invitations eventually accepted (published
// data on 16,492 invitations: 37%).
const AcceptRate = 0.37

const day = 24 * time.Hour

// delaySegments is the published acceptance-delay distribution of eventual
// acceptances as a piecewise CDF: 63% within a day, 88% within a week, 99%
// within 30 days, the rest within ~4 months. Inside a segment the delay is
// log-uniform, so most acceptances of a segment come early in it, as they
// do in reality.
var delaySegments = []struct {
	lo, hi time.Duration
	cum    float64 // cumulative share up to hi
}{
	{time.Minute, day, 0.63},
	{day, 7 * day, 0.88},
	{7 * day, 30 * day, 0.99},
	{30 * day, 120 * day, 1},
}

// drawFate decides whether an invitation will be accepted and after how
// long.
func drawFate(r *rand.Rand) (accepts bool, delay time.Duration) {
	if r.Float64() >= AcceptRate {
		return false, 0
	}
	u, v := r.Float64(), r.Float64()
	for _, s := range delaySegments {
		if u < s.cum || s.cum == 1 {
			ln := math.Log(float64(s.hi) / float64(s.lo))
			return true, time.Duration(float64(s.lo) * math.Exp(v*ln))
		}
	}
	panic("unreachable")
}
