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
// allow up to 24 and 48 hours. The listing stores earliest, so an age is
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
	back := func(k int) time.Time {
		switch strings.TrimSuffix(unit, "s") {
		case "second", "sec":
			return now.Add(-time.Duration(k) * time.Second)
		case "minute", "min":
			return now.Add(-time.Duration(k) * time.Minute)
		case "hour", "hr":
			return now.Add(-time.Duration(k) * time.Hour)
		case "day":
			return now.AddDate(0, 0, -k)
		case "week", "wk":
			return now.AddDate(0, 0, -7*k)
		case "month", "mo":
			return now.AddDate(0, -k, 0)
		case "year", "yr":
			return now.AddDate(-k, 0, 0)
		}
		return time.Time{}
	}
	latest = back(n)
	if latest.IsZero() {
		return time.Time{}, time.Time{}, fmt.Errorf("unknown sentTimeLabel %q", label)
	}
	return back(n + 1), latest, nil
}
