package analytics

import (
	"math"
	"time"
)

// Outcome is how an invitation's wait ended, as far as is known.
type Outcome uint8

const (
	// Censored: still pending (censored at its current age) or withdrawn
	// (censored at the withdrawal): it might still have been accepted.
	Censored Outcome = iota
	// Accepted: the invitee connected, at the age recorded.
	Accepted
	// Gone: it vanished without a connection (declined or withdrawn
	// elsewhere), a competing outcome: it can never be accepted after.
	Gone
)

// binWidth is the resolution of the estimator: ages are counted in whole
// hours. Sandbox and real data put most acceptances within the first day,
// so days would be too coarse for the first point of the curve.
const binWidth = time.Hour

// maxBins bounds the table (about six years); older ages share the last bin.
const maxBins = 6 * 366 * 24

// Estimator counts outcomes by age, for Kaplan–Meier and cumulative
// incidence (Aalen–Johansen) estimates. The zero value is ready to use;
// adding is O(1), so it serves a million invitations in one pass.
type Estimator struct {
	acc, gone, cens []int32
	n               int
}

// Add counts one invitation whose wait ended with o at age (negative ages,
// from clocks or day-precision dates, count as 0).
func (e *Estimator) Add(age time.Duration, o Outcome) {
	b := 0
	if age > 0 {
		b = min(int(age/binWidth), maxBins-1)
	}
	if b >= len(e.acc) {
		grow := max(b+1, 2*len(e.acc), 24*40)
		grow = min(grow, maxBins)
		e.acc = append(e.acc, make([]int32, grow-len(e.acc))...)
		e.gone = append(e.gone, make([]int32, grow-len(e.gone))...)
		e.cens = append(e.cens, make([]int32, grow-len(e.cens))...)
	}
	switch o {
	case Accepted:
		e.acc[b]++
	case Gone:
		e.gone[b]++
	default:
		e.cens[b]++
	}
	e.n++
}

// N is how many invitations were added.
func (e *Estimator) N() int { return e.n }

// Step is one row of the estimate at a time where something ended: the
// life table a statistician would write out by hand.
type Step struct {
	Days     float64 `json:"days"`    // start of the hour the row covers, in days
	AtRisk   int     `json:"at_risk"` // still pending just before
	Accepted int     `json:"accepted"`
	Gone     int     `json:"gone"`
	Censored int     `json:"censored"`
	// Pending is the Kaplan–Meier estimate of still pending (neither
	// accepted nor gone) just after this time; PendingSE its Greenwood
	// standard error.
	Pending   float64 `json:"pending"`
	PendingSE float64 `json:"pending_se"`
	// AcceptedCI and GoneCI are the cumulative incidences (Aalen–Johansen):
	// the share accepted, or gone, by this time; AcceptedSE is the
	// delta-method standard error of AcceptedCI.
	AcceptedCI float64 `json:"accepted_ci"`
	AcceptedSE float64 `json:"accepted_se"`
	GoneCI     float64 `json:"gone_ci"`
}

// walk runs the estimator over the bins in order, calling fn after each
// bin that held anything, and at every bin when all is set.
func (e *Estimator) walk(all bool, fn func(bin int, s Step)) {
	n := e.n
	surv, fa, fg := 1.0, 0.0, 0.0
	var greenwood float64
	// Sums for the delta-method variance of the accepted incidence F:
	// Var F(t) = Σ[(F−Fj)²·aj + bj − 2(F−Fj)·cj] over event times j ≤ t,
	// kept as running sums of aj, Fj·aj, Fj²·aj, bj, cj, Fj·cj.
	var a0, a1, a2, b0, c0, c1 float64
	for bin := range e.acc {
		da, dg, c := int(e.acc[bin]), int(e.gone[bin]), int(e.cens[bin])
		d := da + dg
		if n > 0 && d > 0 {
			nf, df, daf := float64(n), float64(d), float64(da)
			prev := surv
			// Events come before censorings at the same time: a censored
			// invitation was at risk when the others ended.
			fa += prev * daf / nf
			fg += prev * float64(dg) / nf
			surv *= 1 - df/nf
			if n > d {
				aj := df / (nf * (nf - df))
				greenwood += aj
				a0 += aj
				a1 += fa * aj
				a2 += fa * fa * aj
			}
			cj := prev * daf / (nf * nf)
			b0 += prev * prev * daf * (nf - daf) / (nf * nf * nf)
			c0 += cj
			c1 += fa * cj
		}
		if all || d > 0 || c > 0 {
			varF := fa*fa*a0 - 2*fa*a1 + a2 + b0 - 2*fa*c0 + 2*c1
			fn(bin, Step{
				Days:   float64(bin) * float64(binWidth) / float64(24*time.Hour),
				AtRisk: n, Accepted: da, Gone: dg, Censored: c,
				Pending: surv, PendingSE: surv * math.Sqrt(greenwood),
				AcceptedCI: fa, AcceptedSE: math.Sqrt(math.Max(0, varF)),
				GoneCI: fg,
			})
		}
		n -= d + c
	}
}

// Table is the estimate at every time where an invitation's wait ended or
// was censored.
func (e *Estimator) Table() []Step {
	var out []Step
	e.walk(false, func(_ int, s Step) { out = append(out, s) })
	return out
}

// Curve is the time-to-acceptance estimate by whole days of age.
type Curve struct {
	// Points[d] is the estimate at age d days: what ended before d days.
	Points []Point `json:"points"`
	// Ever is the share accepted by the oldest age observed: the estimate
	// of how many are ever accepted (acceptances later than any age seen
	// cannot be counted).
	Ever      float64 `json:"ever_accepted"`
	Invited   int     `json:"invitations"`
	Accepted  int     `json:"accepted"`
	Gone      int     `json:"gone"`
	Censored  int     `json:"censored"`
	MaxDays   int     `json:"max_days"` // oldest age observed
	MinAtRisk int     `json:"min_at_risk"`
}

// Point is the curve at one age.
type Point struct {
	Day    int `json:"day"`
	AtRisk int `json:"at_risk"` // still pending at that age
	// Accepted is the cumulative incidence of acceptance by this age, with
	// its 95% band [AcceptedLow, AcceptedHigh]; Gone that of vanishing.
	Accepted     float64 `json:"accepted"`
	AcceptedLow  float64 `json:"accepted_low"`
	AcceptedHigh float64 `json:"accepted_high"`
	Gone         float64 `json:"gone"`
	// Pending is the Kaplan–Meier estimate of still pending at this age.
	Pending float64 `json:"pending"`
	// Chance is the chance that an invitation still pending at this age
	// will ever be accepted: (Ever − Accepted) / Pending. It is only
	// trusted where AtRisk is at least the curve's MinAtRisk (Reliable).
	Chance   float64 `json:"chance"`
	Reliable bool    `json:"reliable"`
}

// Curve summarises the estimate by day. Ages with fewer than minAtRisk
// invitations still pending are marked unreliable.
func (e *Estimator) Curve(minAtRisk int) Curve {
	c := Curve{Invited: e.n, MinAtRisk: minAtRisk}
	perDay := int(24 * time.Hour / binWidth)
	// The state before bin b is the state after bin b−1: a point for day d
	// reports everything that ended in bins before d·perDay.
	before := Step{Pending: 1}
	e.walk(true, func(bin int, s Step) {
		if bin%perDay == 0 {
			c.Points = append(c.Points, pointOf(bin/perDay, before, s.AtRisk))
		}
		c.Accepted += s.Accepted
		c.Gone += s.Gone
		c.Censored += s.Censored
		before = s
	})
	c.Ever = before.AcceptedCI
	// Drop trailing days where nothing was left pending.
	for len(c.Points) > 1 && c.Points[len(c.Points)-1].AtRisk == 0 {
		c.Points = c.Points[:len(c.Points)-1]
	}
	c.MaxDays = max(0, len(c.Points)-1)
	for i := range c.Points {
		p := &c.Points[i]
		if p.Pending > 0 {
			p.Chance = math.Max(0, (c.Ever-p.Accepted)/p.Pending)
		}
		p.Reliable = p.AtRisk >= minAtRisk && p.AtRisk > 0
	}
	return c
}

func pointOf(day int, s Step, atRisk int) Point {
	return Point{
		Day: day, AtRisk: atRisk,
		Accepted:     s.AcceptedCI,
		AcceptedLow:  math.Max(0, s.AcceptedCI-z95*s.AcceptedSE),
		AcceptedHigh: math.Min(1, s.AcceptedCI+z95*s.AcceptedSE),
		Gone:         s.GoneCI,
		Pending:      s.Pending,
	}
}

// At is the curve at age d days (the last point past the end).
func (c *Curve) At(d int) Point {
	if len(c.Points) == 0 {
		return Point{Day: d}
	}
	if d < 0 {
		d = 0
	}
	if d >= len(c.Points) {
		p := c.Points[len(c.Points)-1]
		p.Day, p.AtRisk, p.Reliable = d, 0, false
		return p
	}
	return c.Points[d]
}

// CutoffDay is the first age, in days, from which the chance that a still
// pending invitation is ever accepted stays under threshold (a share, 0.02
// for 2%), looking only at reliable ages; ok is false when the history
// never shows it.
func (c *Curve) CutoffDay(threshold float64) (day int, ok bool) {
	day = -1
	for _, p := range c.Points {
		if !p.Reliable {
			continue
		}
		if p.Chance < threshold {
			if day < 0 {
				day = p.Day
			}
		} else {
			day = -1
		}
	}
	return max(day, 0), day >= 0
}
