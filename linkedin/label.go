package linkedin

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SentLabelBounds reads a relative sentTimeLabel ("Sent today", "Sent 2 days
// ago", "Sent 3 weeks ago", "Sent 1 month ago", "Sent 2 years ago", ...)
// and returns the earliest and latest times it allows, as of now.
//
// "N units ago" is read as a floor: between N and N+1 units have passed, so
// earliest = now − (N+1) units and latest = now − N units. A label that
// rounds instead of flooring still falls inside those bounds. "today" and
// "yesterday" are calendar days in a time zone we do not know, so they
// allow up to 24 and 48 hours. Months and years have no fixed length: a
// label may count calendar months or 30-day months (365-day years), which
// disagree by days (a floored "1 month" can be 59 days old on 1 March), so
// the bounds cover both readings. The listing stores earliest, so an age is
// never understated (and may be overstated by up to one unit).
func SentLabelBounds(label string, now time.Time) (earliest, latest time.Time, err error) {
	s := strings.ToLower(strings.Join(strings.Fields(label), " "))
	s = strings.TrimPrefix(s, "sent ")
	switch s {
	case "today", "just now", "now", "moments ago":
		return now.Add(-24 * time.Hour), now, nil
	case "yesterday":
		return now.Add(-48 * time.Hour), now, nil
	}
	rest, ok := strings.CutSuffix(s, " ago")
	if !ok {
		return time.Time{}, time.Time{}, fmt.Errorf("unknown sentTimeLabel %q", label)
	}
	num, unit, ok := strings.Cut(rest, " ")
	if !ok {
		return time.Time{}, time.Time{}, fmt.Errorf("unknown sentTimeLabel %q", label)
	}
	n, err := strconv.Atoi(num)
	switch {
	case num == "a" || num == "an" || num == "one":
		n, err = 1, nil
	case err == nil && (n < 0 || n > 1000):
		err = fmt.Errorf("count %d out of range", n)
	}
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("unknown sentTimeLabel %q", label)
	}
	// back returns the two readings of k units before now, earlier first
	// (equal for units of fixed length).
	back := func(k int) (time.Time, time.Time) {
		one := func(t time.Time) (time.Time, time.Time) { return t, t }
		switch strings.TrimSuffix(unit, "s") {
		case "second", "sec":
			return one(now.Add(-time.Duration(k) * time.Second))
		case "minute", "min":
			return one(now.Add(-time.Duration(k) * time.Minute))
		case "hour", "hr":
			return one(now.Add(-time.Duration(k) * time.Hour))
		case "day":
			return one(now.AddDate(0, 0, -k))
		case "week", "wk":
			return one(now.AddDate(0, 0, -7*k))
		case "month", "mo":
			return ordered(now.AddDate(0, -k, 0), now.AddDate(0, 0, -30*k))
		case "year", "yr":
			return ordered(now.AddDate(-k, 0, 0), now.AddDate(0, 0, -365*k))
		}
		return time.Time{}, time.Time{}
	}
	_, latest = back(n)
	if latest.IsZero() {
		return time.Time{}, time.Time{}, fmt.Errorf("unknown sentTimeLabel %q", label)
	}
	earliest, _ = back(n + 1)
	return earliest, latest, nil
}

func ordered(a, b time.Time) (time.Time, time.Time) {
	if b.Before(a) {
		return b, a
	}
	return a, b
}
