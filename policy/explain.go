package policy

import (
	"fmt"
	"strings"

	"github.com/unvite/unvite"
)

// Explain says in plain words what p will do, one sentence a line.
func Explain(p unvite.Policy) string {
	var lines []string
	say := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }

	auto := withAutoDefaults(p.AutoAge)
	switch {
	case p.MaxAge == unvite.MaxAgeAuto:
		say("Withdraws a pending invitation once your own history shows that fewer than %s of invitations that old still get accepted (learned, kept between %s and %s).",
			pct(auto.ThresholdPercent/100), daysText(auto.FloorDays), daysText(auto.CeilingDays))
		if p.WithdrawAgeDays > 0 {
			say("Until the history holds %d acceptances with a known time, withdraws at %s instead.", auto.MinAccepted, daysText(p.WithdrawAgeDays))
		}
	case p.WithdrawAgeDays > 0:
		say("Withdraws every pending invitation once it is %s old.", daysText(p.WithdrawAgeDays))
	default:
		say("Withdraws nothing for its age alone (withdraw_age_days is 0).")
	}
	switch {
	case p.PendingCap > 0 && p.Order == unvite.OrderLeastLikelyFirst:
		say("Keeps at most %d invitations pending, withdrawing those least likely to be accepted first (learned; oldest first without history).", p.PendingCap)
	case p.PendingCap > 0:
		say("Keeps at most %d invitations pending, withdrawing the oldest first.", p.PendingCap)
	default:
		say("Sets no cap on pending invitations.")
	}
	if p.MinAgeDays > 0 {
		say("Never withdraws an invitation younger than %s.", daysText(p.MinAgeDays))
	}
	say("Never withdraws %s.", protections(p.Protect))
	if p.ReviewAgeDays > 0 || p.ConsiderAgeDays > 0 {
		var marks []string
		if p.ReviewAgeDays > 0 {
			marks = append(marks, fmt.Sprintf("for review at %s", daysText(p.ReviewAgeDays)))
		}
		if p.ConsiderAgeDays > 0 {
			marks = append(marks, fmt.Sprintf("to consider at %s", daysText(p.ConsiderAgeDays)))
		}
		say("Listings mark invitations %s.", strings.Join(marks, " and "))
	}
	zone := p.TimeZone
	if zone == "" {
		zone = "the account's time zone"
	}
	if h, err := ParseHours(p.ActiveHours); err == nil {
		say("Withdraws at most %d a day, between %s and %s (%s).", p.DailyLimit, hhmm(h.Start), hhmm(h.End), zone)
	} else {
		say("Withdraws at most %d a day.", p.DailyLimit)
	}
	cool := p.CoolDownDays
	if cool <= 0 {
		cool = int(unvite.DefaultCoolDown.Hours() / 24)
	}
	say("Will not re-invite someone until %s after withdrawing their invitation.", daysText(cool))
	if p.Enabled {
		say("Runs by itself on schedule (enabled = true).")
	} else {
		say("Only previews: nothing is withdrawn until you confirm a plan (enabled = false).")
	}
	return strings.Join(lines, "\n")
}

// protections describes what pr keeps.
func protections(pr unvite.Protections) string {
	var parts []string
	var tags []string
	for _, t := range pr.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, fmt.Sprintf("%q", t))
		}
	}
	if len(tags) > 0 {
		parts = append(parts, "invitations tagged "+strings.Join(tags, " or "))
	}
	n := 0
	for _, e := range pr.Profiles {
		if profileKey(e) != "" {
			n++
		}
	}
	switch {
	case n == 1:
		parts = append(parts, "the invitation to 1 listed profile")
	case n > 1:
		parts = append(parts, fmt.Sprintf("invitations to %d listed profiles", n))
	}
	if pr.WithNote {
		parts = append(parts, "invitations sent with a note")
	}
	parts = append(parts, "invitations marked protected")
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}
