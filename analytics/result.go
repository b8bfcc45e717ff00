package analytics

import (
	"fmt"
	"time"

	"github.com/unvite/unvite"
)

// Report is everything the analytics measure for one account.
type Report struct {
	AccountID   int64     `json:"account_id,omitempty"`
	AccountName string    `json:"account_name,omitempty"`
	TimeZone    string    `json:"time_zone"`
	AsOf        time.Time `json:"as_of"`
	ObservedAt  time.Time `json:"observed_at"`
	Options     Options   `json:"options"`

	Sent     int                   `json:"sent"`
	ByStatus map[unvite.Status]int `json:"by_status"`
	// Overall is the share of settled invitations accepted within
	// SettleDays.
	Overall Rate `json:"overall"`

	// Curve is time to acceptance over every sent invitation; WithNote and
	// WithoutNote split it.
	Curve       Curve `json:"curve"`
	WithNote    Curve `json:"with_note_curve"`
	WithoutNote Curve `json:"without_note_curve"`
	// Milestones read the curve at 1, 7, 30 and 90 days.
	Milestones []Milestone `json:"milestones"`
	// UntimedAccepted counts accepted invitations with no acceptance time,
	// left off the curve.
	UntimedAccepted int `json:"untimed_accepted,omitempty"`
	// Cutoff is the age after which a still-pending invitation's chance
	// of acceptance stays under the threshold.
	Cutoff Cutoff `json:"cutoff"`

	Groups []Dimension `json:"groups"`

	Weekly Weekly `json:"weekly"`
	// PendingTrend is the number pending at the end of each week.
	PendingTrend []WeekCount `json:"pending_trend"`
	// PendingAges counts pending invitations by age, a week a bar.
	PendingAges []AgeBin `json:"pending_ages"`
}

// Milestone is the curve at one age.
type Milestone struct {
	Days     int     `json:"days"`
	Accepted float64 `json:"accepted"` // cumulative share accepted by then
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	Chance   float64 `json:"chance"` // for one still pending at that age
	AtRisk   int     `json:"at_risk"`
	Reliable bool    `json:"reliable"`
}

// Cutoff is the learned age of withdrawal.
type Cutoff struct {
	Threshold float64 `json:"threshold"`
	Found     bool    `json:"found"`
	Days      int     `json:"days,omitempty"`
	// Chance is the chance at Days.
	Chance float64 `json:"chance,omitempty"`
	Text   string  `json:"text"`
}

// Weekly is sending against LinkedIn's weekly limit.
type Weekly struct {
	Limit     int         `json:"limit"`
	Last7Days int         `json:"last_7_days"` // sent in the rolling last 7 days
	Weeks     []WeekCount `json:"weeks"`       // sent per calendar week (Monday first)
}

// WeekCount is a count for the week starting on Start (a Monday).
type WeekCount struct {
	Start string `json:"start"` // YYYY-MM-DD
	Count int    `json:"count"`
}

// AgeBin counts pending invitations aged MinDays to MaxDays (-1: no bound).
type AgeBin struct {
	Label   string `json:"label"`
	MinDays int    `json:"min_days"`
	MaxDays int    `json:"max_days"`
	Count   int    `json:"count"`
}

// Report finishes the measures.
func (a *Accumulator) Report() *Report {
	o := a.o
	r := &Report{
		TimeZone: o.Location.String(), AsOf: o.AsOf, ObservedAt: o.ObservedAt, Options: o,
		Sent: a.sent, ByStatus: map[unvite.Status]int{}, UntimedAccepted: a.untimed,
	}
	if a.account != nil {
		r.AccountID, r.AccountName = a.account.ID, a.account.Name
	}
	for k, s := range unvite.Statuses {
		r.ByStatus[s] = a.byStatus[k]
	}
	r.Overall = a.overall.rate("all", o.MinGroup)
	r.Curve = a.all.Curve(o.MinAtRisk)
	r.WithNote = a.withNote.Curve(o.MinAtRisk)
	r.WithoutNote = a.noNote.Curve(o.MinAtRisk)
	for _, d := range []int{1, 7, 30, 90} {
		p := r.Curve.At(d)
		r.Milestones = append(r.Milestones, Milestone{Days: d, Accepted: p.Accepted, Low: p.AcceptedLow,
			High: p.AcceptedHigh, Chance: p.Chance, AtRisk: p.AtRisk, Reliable: p.Reliable})
	}
	r.Cutoff = cutoffOf(&r.Curve, o.Threshold)

	min := o.MinGroup
	r.Groups = []Dimension{
		fixedDim("note", "Note", []string{"with a note", "without a note"}, a.note[:], min),
		fixedDim("note_length", "Note length", noteBands, a.noteLen[:], min),
		fixedDim("weekday", "Weekday sent", weekdays, a.weekday[:], min),
		fixedDim("hour", "Hour sent", hours, a.hour[:], min),
		fieldDim(openDim("company", "Company", a.company, o.Top, false, min), a.companyCov),
		fieldDim(openDim("position", "Position keyword", a.position, o.Top, false, min), a.headlineCov),
		openDim("tag", "Tag", a.tags, o.Top, false, min),
		openDim("month", "Month sent", monthLabels(a.months), 0, true, min),
	}

	r.Weekly = Weekly{Limit: o.WeeklyLimit, Last7Days: a.last7}
	pending := 0
	for w := 0; w < o.Weeks; w++ {
		start := a.firstDay + int64(7*w)
		sent := 0
		for d := start; d < start+7; d++ {
			i := d - a.firstDay
			if d <= a.today {
				sent += a.sentByDay[i]
				pending += a.pendingDelta[i]
			}
		}
		label := time.Unix(start*86400, 0).UTC().Format("2006-01-02")
		r.Weekly.Weeks = append(r.Weekly.Weeks, WeekCount{Start: label, Count: sent})
		r.PendingTrend = append(r.PendingTrend, WeekCount{Start: label, Count: pending})
	}
	for i, n := range a.pendingAges {
		b := AgeBin{MinDays: i * ageBinDays, MaxDays: (i+1)*ageBinDays - 1, Count: n}
		b.Label = fmt.Sprintf("%d-%d", b.MinDays, b.MaxDays)
		if i == ageBins-1 {
			b.MaxDays, b.Label = -1, fmt.Sprintf("%d+", b.MinDays)
		}
		r.PendingAges = append(r.PendingAges, b)
	}
	return r
}

func cutoffOf(c *Curve, threshold float64) Cutoff {
	cut := Cutoff{Threshold: threshold}
	day, ok := c.CutoffDay(threshold)
	if !ok {
		cut.Text = fmt.Sprintf("Your history does not yet show an age after which fewer than %s of pending invitations still get accepted.", percent(threshold))
		return cut
	}
	cut.Found, cut.Days, cut.Chance = true, day, c.At(day).Chance
	cut.Text = fmt.Sprintf("After %s, fewer than %s of your pending invitations still get accepted (%s at %s).",
		days(day), per100(threshold), percent(cut.Chance), days(day))
	return cut
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// percent writes a share as a percentage with one decimal.
func percent(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// per100 writes a share as "2 in 100".
func per100(x float64) string {
	v := 100 * x
	if v == float64(int(v)) {
		return fmt.Sprintf("%d in 100", int(v))
	}
	return fmt.Sprintf("%.1f in 100", v)
}

func monthLabels(m map[int]*tally) map[string]*tally {
	out := make(map[string]*tally, len(m))
	for k, t := range m {
		out[fmt.Sprintf("%04d-%02d", k/12, k%12+1)] = t
	}
	return out
}
