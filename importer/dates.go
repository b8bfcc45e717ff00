package importer

import (
	"strings"
	"time"
)

// What the date formats look like, for messages.
const (
	wantSentAt      = "M/D/YY, H:MM AM"
	wantConnectedOn = "DD Mon YYYY or M/D/YY, H:MM AM"
	wantSheetDate   = "YYYY-MM-DD"
)

// parseSentAt parses Invitations.csv's "11/19/26, 4:50 PM" (UTC) on a fast
// path, and spreadsheet re-saves of it through time.Parse.
func parseSentAt(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, ok := parseUSDateTime(s); ok {
		return t, plausible(t)
	}
	t, _, ok := parseLayouts(s, dateTimeLayouts)
	return t, ok && plausible(t)
}

// plausible rejects dates no LinkedIn invitation can have (LinkedIn opened
// in 2003), which are typing or parsing accidents.
func plausible(t time.Time) bool { return t.Year() >= 2000 && t.Year() < 2100 }

// parseDay parses a date as connections and sheets write it, with or
// without a time of day; a bare date is midnight UTC.
func parseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, ok := parseUSDateTime(s); ok {
		return t, plausible(t)
	}
	t, _, ok := parseLayouts(s, dayLayouts)
	return t, ok && plausible(t)
}

var dateTimeLayouts = []string{
	"1/2/2006, 3:04 PM", "1/2/06 3:04 PM", "1/2/2006 3:04 PM", "1/2/06, 3:04:05 PM",
	"1/2/06 15:04", "1/2/2006 15:04", "1/2/2006 15:04:05",
	"2006-01-02 15:04:05", "2006-01-02 15:04", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04",
}

var dayLayouts = append([]string{
	"2 Jan 2006", "2-Jan-06", "2-Jan-2006", "2006-01-02", "2 January 2006", "Jan 2, 2006", "January 2, 2006", "2006/01/02",
}, dateTimeLayouts...)

// parseLayouts tries each layout, after turning the narrow and no-break
// spaces some locales put before AM/PM into plain ones.
func parseLayouts(s string, layouts []string) (time.Time, string, bool) {
	if strings.ContainsAny(s, "\u202f\u00a0") {
		s = strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(s)
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), l, true
		}
	}
	return time.Time{}, "", false
}

// parseUSDateTime reads "M/D/YY, H:MM AM" (or a four-digit year, and a
// plain, narrow no-break or no-break space before AM/PM) without
// allocating: a million rows' worth of dates is a visible share of an import.
func parseUSDateTime(s string) (time.Time, bool) {
	p := scanner{s: s}
	mon := p.num(1, 2)
	if !p.byte('/') {
		return time.Time{}, false
	}
	day := p.num(1, 2)
	if !p.byte('/') {
		return time.Time{}, false
	}
	start := p.i
	year := p.num(2, 4)
	switch p.i - start {
	case 2:
		// As time.Parse reads "06": 69-99 are 19xx.
		if year >= 69 {
			year += 1900
		} else {
			year += 2000
		}
	case 4:
	default:
		return time.Time{}, false
	}
	if !p.byte(',') || !p.byte(' ') {
		return time.Time{}, false
	}
	p.spaces()
	hour := p.num(1, 2)
	if !p.byte(':') {
		return time.Time{}, false
	}
	minute := p.num(2, 2)
	switch rest := s[p.i:]; {
	case strings.HasPrefix(rest, " "):
		p.spaces()
	case strings.HasPrefix(rest, "\u202f"):
		p.i += len("\u202f")
	case strings.HasPrefix(rest, "\u00a0"):
		p.i += len("\u00a0")
	}
	if p.bad || len(s)-p.i != 2 {
		return time.Time{}, false
	}
	var pm bool
	switch s[p.i:] {
	case "AM", "am":
	case "PM", "pm":
		pm = true
	default:
		return time.Time{}, false
	}
	if mon < 1 || mon > 12 || day < 1 || day > daysIn(mon, year) || hour > 12 || minute > 59 {
		return time.Time{}, false
	}
	hour %= 12 // as time.Parse reads "3": 0 and 12 AM are midnight
	if pm {
		hour += 12
	}
	return time.Date(year, time.Month(mon), day, hour, minute, 0, 0, time.UTC), true
}

type scanner struct {
	s   string
	i   int
	bad bool
}

// num reads min to max decimal digits.
func (p *scanner) num(min, max int) int {
	n, d := 0, 0
	for p.i < len(p.s) && d < max && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
		d++
	}
	if d < min {
		p.bad = true
	}
	return n
}

// spaces skips a run of spaces: time.Parse reads a space of its layout as
// one or more, and re-saved files pad the hour or double a space.
func (p *scanner) spaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *scanner) byte(b byte) bool {
	if p.bad || p.i >= len(p.s) || p.s[p.i] != b {
		p.bad = true
		return false
	}
	p.i++
	return true
}

func daysIn(mon, year int) int {
	switch mon {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
