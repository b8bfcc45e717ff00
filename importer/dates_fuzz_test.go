package importer

import (
	"strings"
	"testing"
	"time"
)

// usLayouts are what the fast path reads, as time.Parse writes them.
var usLayouts = []string{"1/2/06, 3:04 PM", "1/2/2006, 3:04 PM", "1/2/06, 3:04PM", "1/2/2006, 3:04PM"}

// reference parses s with time.Parse alone: each layout of dayLayouts
// (which holds dateTimeLayouts) and of the fast path, after the changes
// the readers make (narrow and no-break spaces to plain, am/pm to upper
// case, which time.Parse does not read).
func reference(s string) []time.Time {
	s = strings.TrimSpace(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(s))
	if n := len(s); n >= 2 && (strings.HasSuffix(s, "am") || strings.HasSuffix(s, "pm")) {
		s = s[:n-2] + strings.ToUpper(s[n-2:])
	}
	var ts []time.Time
	for _, l := range append(usLayouts, dayLayouts...) {
		if t, err := time.Parse(l, s); err == nil {
			ts = append(ts, t)
		}
	}
	return ts
}

func FuzzDates(f *testing.F) {
	for _, s := range []string{
		"11/19/26, 4:50 PM", "1/2/2026, 12:05 AM", "11/24/25, 8:49\u202fAM", "2/29/24, 12:00\u00a0pm", "0/1/26, 1:00 PM",
		"2/30/26, 1:00 PM", "12/31/99, 11:59 PM", "1/1/69, 0:00 AM", "1/2/+6, 3:04 PM",
		"19 Nov 2026", "19-Nov-26", "2026-11-19", "2026-11-19T16:50:00+02:00", "3/28/18, 2:17 AM", "November 19, 2026",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref := reference(s)
		same := func(got time.Time) bool {
			for _, r := range ref {
				if r.Equal(got) {
					return true
				}
			}
			return false
		}
		// Sound: what the readers accept, time.Parse reads as the same instant.
		if got, ok := parseSentAt(s); ok && !same(got) {
			t.Fatalf("parseSentAt(%q) = %v; time.Parse reads %v", s, got, ref)
		}
		if got, ok := parseDay(s); ok && !same(got) {
			t.Fatalf("parseDay(%q) = %v; time.Parse reads %v", s, got, ref)
		}
		// Complete on LinkedIn's format: what time.Parse reads as
		// "M/D/YY, H:MM AM", the fast path reads too (time.Parse also takes
		// a signed year, "+6", which is no date anyone writes).
		if strings.ContainsAny(s, "+-") {
			return
		}
		for _, l := range usLayouts[:2] {
			want, err := time.Parse(l, s)
			if err != nil || !plausible(want) {
				continue
			}
			got, ok := parseUSDateTime(s)
			if !ok || !got.Equal(want) {
				t.Fatalf("parseUSDateTime(%q) = %v, %v; time.Parse(%q) = %v", s, got, ok, l, want)
			}
		}
	})
}
