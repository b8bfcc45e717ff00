package analytics

import "math"

// z95 is the standard normal quantile for a two-sided 95% interval.
const z95 = 1.959963984540054

// Wilson returns the 95% Wilson score interval for k successes in n
// trials: unlike the normal approximation it stays inside [0, 1] and
// behaves for small n and for rates near 0 or 1. n = 0 gives [0, 1].
func Wilson(k, n int) (lo, hi float64) {
	return WilsonZ(k, n, z95)
}

// WilsonZ is Wilson for another normal quantile z.
func WilsonZ(k, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	den := 1 + z2/nf
	mid := (p + z2/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	return math.Max(0, mid-half), math.Min(1, mid+half)
}
