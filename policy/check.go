package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// Severities of a Problem.
const (
	SeverityError   = "error"   // the policy must not run
	SeverityWarning = "warning" // it may run, but probably not as meant
)

// LinkedIn safety bounds on withdrawals a day: above the first a pattern
// starts to look automated, above the second the risk of a restriction is
// not worth it.
const (
	DailyLimitWarn = 40
	DailyLimitMax  = 100
)

// MinGapWarn is the least gap between two withdrawals that does not look
// automated; MinSyncEvery the shortest period between two syncs.
const (
	MinGapWarn   = 3 * time.Second
	MinSyncEvery = 15 * time.Minute
)

// MaxFailuresWarn is the most failed LinkedIn calls in a row worth making
// before an account is paused: more keeps calling a LinkedIn that fails.
const MaxFailuresWarn = 20

// MinCoolDownDays is the shortest cool-down that matches LinkedIn's own
// refusal to re-invite (about three weeks; two is the least reported).
const MinCoolDownDays = 14

// Problem is one finding of Check, naming the field by its TOML key.
type Problem struct {
	Severity string `json:"severity"`
	Field    string `json:"field"` // e.g. "daily_limit", "protect.profiles[2]"
	Message  string `json:"message"`
	// Account is the [account."…"] table the problem comes from, if any;
	// Line is where the field is set in the file, when known.
	Account string `json:"account,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// String reads like `error: [account."acme"] daily_limit (line 9): …`.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Severity)
	b.WriteString(": ")
	if p.Account != "" {
		fmt.Fprintf(&b, "[account.%q] ", p.Account)
	}
	b.WriteString(p.Field)
	if p.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", p.Line)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// Check lists what is wrong (errors) or doubtful (warnings) in p, in field
// order.
func Check(p unvite.Policy) []Problem {
	var ps []Problem
	add := func(sev, field, format string, args ...any) {
		ps = append(ps, Problem{Severity: sev, Field: field, Message: fmt.Sprintf(format, args...)})
	}

	days := []struct {
		field string
		v     int
	}{
		{"min_age_days", p.MinAgeDays},
		{"review_age_days", p.ReviewAgeDays},
		{"consider_age_days", p.ConsiderAgeDays},
		{"withdraw_age_days", p.WithdrawAgeDays},
		{"pending_cap", p.PendingCap},
	}
	for _, d := range days {
		if d.v < 0 {
			add(SeverityError, d.field, "must not be negative (got %d)", d.v)
		}
	}
	if p.MinAgeDays > 0 && p.WithdrawAgeDays > 0 && p.MinAgeDays > p.WithdrawAgeDays {
		add(SeverityError, "min_age_days", "is more than withdraw_age_days (%d > %d): the two rules contradict each other",
			p.MinAgeDays, p.WithdrawAgeDays)
	}
	if p.ReviewAgeDays > 0 && p.ConsiderAgeDays > 0 && p.ReviewAgeDays > p.ConsiderAgeDays {
		add(SeverityWarning, "review_age_days", "is more than consider_age_days (%d > %d): listings will skip the review stage",
			p.ReviewAgeDays, p.ConsiderAgeDays)
	}
	if p.ConsiderAgeDays > 0 && p.WithdrawAgeDays > 0 && p.ConsiderAgeDays > p.WithdrawAgeDays {
		add(SeverityWarning, "consider_age_days", "is more than withdraw_age_days (%d > %d): listings will skip the consider stage",
			p.ConsiderAgeDays, p.WithdrawAgeDays)
	}
	if p.WithdrawAgeDays == 0 && p.PendingCap == 0 && p.MaxAge != unvite.MaxAgeAuto {
		add(SeverityWarning, "withdraw_age_days", "is 0 and so is pending_cap: the policy never selects anything")
	}

	switch {
	case p.DailyLimit < 0:
		add(SeverityError, "daily_limit", "must not be negative (got %d)", p.DailyLimit)
	case p.DailyLimit == 0:
		add(SeverityError, "daily_limit", "must be at least 1")
	case p.DailyLimit > DailyLimitMax:
		add(SeverityError, "daily_limit", "must be at most %d a day: more risks a LinkedIn restriction (got %d)",
			DailyLimitMax, p.DailyLimit)
	case p.DailyLimit > DailyLimitWarn:
		add(SeverityWarning, "daily_limit", "more than %d a day looks automated to LinkedIn (got %d)",
			DailyLimitWarn, p.DailyLimit)
	}

	if _, err := ParseHours(p.ActiveHours); err != nil {
		add(SeverityError, "active_hours", "%s", err.Error())
	}
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
			add(SeverityError, "time_zone", "unknown time zone %q (want an IANA name like \"Europe/Paris\", or \"\" for the account's)",
				p.TimeZone)
		}
	}

	switch {
	case p.CoolDownDays < 0:
		add(SeverityError, "cool_down_days", "must not be negative (got %d)", p.CoolDownDays)
	case p.CoolDownDays > 0 && p.CoolDownDays < MinCoolDownDays:
		add(SeverityWarning, "cool_down_days", "LinkedIn refuses a re-invite for about three weeks; under %d days re-invites will fail (got %d)",
			MinCoolDownDays, p.CoolDownDays)
	}

	switch {
	case p.MinGap < 0:
		add(SeverityError, "min_gap", "must not be negative (got %s)", p.MinGap)
	case p.MaxGap < p.MinGap:
		add(SeverityError, "max_gap", "is less than min_gap (%s < %s)", p.MaxGap, p.MinGap)
	case p.MinGap < MinGapWarn:
		add(SeverityWarning, "min_gap", "under %s between withdrawals looks automated to LinkedIn (got %s)", MinGapWarn, p.MinGap)
	}
	switch {
	case p.SyncEvery < 0:
		add(SeverityError, "sync_every", "must not be negative (got %s)", p.SyncEvery)
	case p.SyncEvery > 0 && p.SyncEvery < MinSyncEvery:
		add(SeverityError, "sync_every", "must be at least %s: LinkedIn rate-limits frequent listing (got %s)", MinSyncEvery, p.SyncEvery)
	}
	switch {
	case p.MaxFailures < 1:
		add(SeverityError, "max_failures", "must be at least 1: the account is paused after that many failed calls in a row (got %d)", p.MaxFailures)
	case p.MaxFailures > MaxFailuresWarn:
		add(SeverityWarning, "max_failures", "more than %d failed calls in a row before a pause keeps calling a LinkedIn that is failing (got %d)", MaxFailuresWarn, p.MaxFailures)
	}
	switch p.MaxAge {
	case "", unvite.MaxAgeFixed, unvite.MaxAgeAuto:
	default:
		add(SeverityError, "max_age", "unknown value %q (want %q or %q)", p.MaxAge, unvite.MaxAgeFixed, unvite.MaxAgeAuto)
	}
	switch p.Order {
	case "", unvite.OrderOldestFirst, unvite.OrderLeastLikelyFirst:
	default:
		add(SeverityError, "order", "unknown value %q (want %q or %q)", p.Order, unvite.OrderOldestFirst, unvite.OrderLeastLikelyFirst)
	}
	a := p.AutoAge
	if a.ThresholdPercent < 0 || a.ThresholdPercent >= 50 {
		add(SeverityError, "auto_age.threshold_percent", "must be a percentage above 0 and under 50 (got %g)", a.ThresholdPercent)
	}
	for _, d := range []struct {
		field string
		v     int
	}{{"auto_age.floor_days", a.FloorDays}, {"auto_age.ceiling_days", a.CeilingDays}, {"auto_age.min_accepted", a.MinAccepted}} {
		if d.v < 0 {
			add(SeverityError, d.field, "must not be negative (got %d)", d.v)
		}
	}
	if a.FloorDays > 0 && a.CeilingDays > 0 && a.FloorDays > a.CeilingDays {
		add(SeverityError, "auto_age.floor_days", "is more than auto_age.ceiling_days (%d > %d)", a.FloorDays, a.CeilingDays)
	}
	if p.MaxAge == unvite.MaxAgeAuto && p.MinAgeDays > 0 && a.FloorDays > 0 && a.FloorDays < p.MinAgeDays {
		add(SeverityWarning, "auto_age.floor_days", "is less than min_age_days (%d < %d): nothing younger than min_age_days is withdrawn anyway",
			a.FloorDays, p.MinAgeDays)
	}
	if p.MaxAge == unvite.MaxAgeAuto && p.WithdrawAgeDays == 0 {
		add(SeverityWarning, "withdraw_age_days", "is 0: with max_age = \"auto\", nothing is withdrawn for its age until the history is large enough")
	}

	for i, t := range p.Protect.Tags {
		if strings.TrimSpace(t) == "" {
			add(SeverityWarning, fmt.Sprintf("protect.tags[%d]", i), "is empty and protects nothing")
		}
	}
	for i, e := range p.Protect.Profiles {
		if profileKey(e) == "" {
			add(SeverityWarning, fmt.Sprintf("protect.profiles[%d]", i),
				"%q is not a LinkedIn profile URL (…/in/<slug>) or a slug, and protects nothing", e)
		}
	}
	return ps
}

// Errors keeps the problems of severity error.
func Errors(ps []Problem) []Problem { return bySeverity(ps, SeverityError) }

// Warnings keeps the problems of severity warning.
func Warnings(ps []Problem) []Problem { return bySeverity(ps, SeverityWarning) }

func bySeverity(ps []Problem, sev string) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Severity == sev {
			out = append(out, p)
		}
	}
	return out
}

// Validate returns an EINVALID error naming every field in error, or nil;
// warnings do not fail it.
func Validate(p unvite.Policy) error {
	errs := Errors(Check(p))
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Field + ": " + e.Message
	}
	return unvite.Errorf(unvite.EINVALID, "policy: %s", strings.Join(msgs, "; "))
}

// Hours is a daily window as offsets from midnight. End may be 24h; a window
// whose End is before its Start runs over midnight.
type Hours struct {
	Start, End time.Duration
}

// ParseHours reads "HH:MM-HH:MM".
func ParseHours(s string) (Hours, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Hours{}, fmt.Errorf("%q is not a window like \"09:00-17:00\"", s)
	}
	start, err1 := clock(strings.TrimSpace(from), false)
	end, err2 := clock(strings.TrimSpace(to), true)
	if err1 != nil || err2 != nil {
		return Hours{}, fmt.Errorf("%q is not a window like \"09:00-17:00\"", s)
	}
	if start == end {
		return Hours{}, fmt.Errorf("%q is an empty window: start and end are the same", s)
	}
	return Hours{Start: start, End: end}, nil
}

// clock reads "HH:MM"; 24:00 only as an end.
func clock(s string, end bool) (time.Duration, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("bad time %q", s)
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("bad time %q", s)
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || h == 24 && (m != 0 || !end) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// Contains reports whether t's wall clock, in t's own location, falls in
// the window (start included, end excluded).
func (h Hours) Contains(t time.Time) bool {
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
	if h.Start < h.End {
		return d >= h.Start && d < h.End
	}
	return d >= h.Start || d < h.End
}

// Length is how long the window is open a day.
func (h Hours) Length() time.Duration {
	if h.Start < h.End {
		return h.End - h.Start
	}
	return 24*time.Hour - h.Start + h.End
}

func (h Hours) String() string { return hhmm(h.Start) + "-" + hhmm(h.End) }

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
