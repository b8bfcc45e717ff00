package unvite

import (
	"testing"
	"time"
)

func TestExportDay(t *testing.T) {
	var d ExportDay
	if !d.Day().IsZero() || !d.Or(time.Time{}).IsZero() {
		t.Fatal("no rows, no date: want the zero time")
	}
	stockholm := time.FixedZone("CET", 3600)
	d.See(time.Date(2026, 11, 19, 23, 30, 0, 0, time.UTC))
	d.See(time.Date(2026, 11, 20, 0, 30, 0, 0, stockholm)) // 23:30 UTC the day before: not newer
	d.See(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC); !d.Day().Equal(want) || !d.Or(time.Time{}).Equal(want) {
		t.Fatalf("day %v, want %v", d.Day(), want)
	}
	named := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	if !d.Or(named).Equal(named) {
		t.Fatal("the archive's date wins over the rows'")
	}
}

// The weekly review is due on Mondays at 08:00 UTC: ReviewWeek names the
// week of the last one due at or before a time.
func TestReviewWeek(t *testing.T) {
	for at, want := range map[string]string{
		"2026-12-07T08:00:00Z":      "2026-W50", // due now
		"2026-12-07T07:59:59Z":      "2026-W49",
		"2026-12-13T23:59:59Z":      "2026-W50",
		"2026-12-06T23:30:00-05:00": "2026-W49", // Monday 04:30 UTC: not yet
		"2027-01-04T09:00:00Z":      "2027-W01",
		"2027-01-03T09:00:00Z":      "2026-W53",
	} {
		v, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		if got := ReviewWeek(v); got != want {
			t.Errorf("ReviewWeek(%s) = %s, want %s", at, got, want)
		}
	}
}
