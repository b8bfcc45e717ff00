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
