package policy

import (
	"fmt"
	"math"
	"strconv"

	"github.com/unvite/unvite"
)

// Learned is what an account's own history says about acceptance, passed
// to PlanLearned as data so that policy never reads a store. The analytics
// package computes it (analytics.Report.Learned).
type Learned struct {
	// All is the chance curve over every sent invitation; WithNote and
	// WithoutNote split it when each has history of its own.
	All         ChanceCurve `json:"all"`
	WithNote    ChanceCurve `json:"with_note"`
	WithoutNote ChanceCurve `json:"without_note"`
	// Accepted counts the acceptances with a known time behind the curve.
	Accepted int `json:"accepted"`
}

// ChanceCurve gives, by whole days of age, the chance that an invitation
// still pending at that age will ever be accepted.
type ChanceCurve struct {
	Chance []float64 `json:"chance"`
	// Reliable is how many days from 0 rest on enough invitations to be
	// trusted; later days are not used.
	Reliable int `json:"reliable_days"`
}

// at is the chance at age days: past the reliable days, the last reliable
// one (the chance only falls with age). ok is false without any.
func (c ChanceCurve) at(age int) (float64, bool) {
	n := min(c.Reliable, len(c.Chance))
	if n == 0 {
		return 0, false
	}
	return c.Chance[min(max(age, 0), n-1)], true
}

// ChanceFor is the learned chance that inv, pending at age days, will
// still be accepted: from the curve of invitations like it (with or without
// a note) when that one is reliable that far, else from all.
func (l *Learned) ChanceFor(inv *unvite.Invitation, age int) (float64, bool) {
	if l == nil {
		return 0, false
	}
	c := l.WithoutNote
	if inv.HadNote || inv.Note != "" {
		c = l.WithNote
	}
	if age < c.Reliable {
		return c.at(age)
	}
	return l.All.at(age)
}

// Cutoff is the first age, in days, from which the chance stays under
// threshold (a share) over the reliable days; ok is false when it never
// does.
func (l *Learned) Cutoff(threshold float64) (day int, ok bool) {
	if l == nil {
		return 0, false
	}
	day = -1
	for d := range min(l.All.Reliable, len(l.All.Chance)) {
		switch {
		case l.All.Chance[d] >= threshold:
			day = -1
		case day < 0:
			day = d
		}
	}
	return max(day, 0), day >= 0
}

// MaxAge decides the age the max-age rule uses: WithdrawAgeDays, or with
// max_age = "auto" the learned age bounded by auto_age, when the history
// is given and large enough. why says what was decided and on what number.
func MaxAge(p unvite.Policy, l *Learned) (days int, source, why string) {
	fixed := p.WithdrawAgeDays
	if p.MaxAge != unvite.MaxAgeAuto {
		return fixed, unvite.MaxAgeFixed, ""
	}
	a := withAutoDefaults(p.AutoAge)
	fallback := func(reason string) (int, string, string) {
		return fixed, unvite.MaxAgeFixed, fmt.Sprintf("max_age = \"auto\", but %s: withdraw_age_days = %d applies", reason, fixed)
	}
	switch {
	case l == nil:
		return fallback("no history was given")
	case l.Accepted < a.MinAccepted:
		return fallback(fmt.Sprintf("the history holds %d acceptances with a known time, under auto_age.min_accepted = %d", l.Accepted, a.MinAccepted))
	}
	th := a.ThresholdPercent / 100
	cut, ok := l.Cutoff(th)
	if !ok {
		return fallback(fmt.Sprintf("the history never shows the chance of acceptance under %s", pct(th)))
	}
	days = min(max(cut, a.FloorDays), a.CeilingDays)
	chance, _ := l.All.at(cut)
	why = fmt.Sprintf("learned from %d acceptances: after %s, fewer than %s of pending invitations get accepted (%s)",
		l.Accepted, daysText(cut), pct(th), pct(chance))
	switch {
	case days > cut:
		why += fmt.Sprintf("; raised to auto_age.floor_days = %d", a.FloorDays)
	case days < cut:
		why += fmt.Sprintf("; lowered to auto_age.ceiling_days = %d", a.CeilingDays)
	}
	return days, unvite.MaxAgeAuto, why
}

// withAutoDefaults fills unset auto_age bounds from Default's.
func withAutoDefaults(a unvite.AutoAge) unvite.AutoAge {
	d := Default().AutoAge
	if a.ThresholdPercent <= 0 {
		a.ThresholdPercent = d.ThresholdPercent
	}
	if a.FloorDays <= 0 {
		a.FloorDays = d.FloorDays
	}
	if a.CeilingDays <= 0 {
		a.CeilingDays = d.CeilingDays
	}
	if a.MinAccepted < 0 {
		a.MinAccepted = d.MinAccepted
	}
	return a
}

// pct writes a share as a percentage to one decimal: "0.8%", "2%".
func pct(x float64) string {
	return strconv.FormatFloat(math.Round(1000*x)/10, 'f', -1, 64) + "%"
}
