package importer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseSentAt(t *testing.T) {
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"11/19/26, 4:50 PM":      at(2026, 11, 19, 16, 50),
		"1/2/06, 3:04 AM":        at(2006, 1, 2, 3, 4),
		"1/2/06, 12:04 AM":       at(2006, 1, 2, 0, 4),
		"1/2/06, 12:04 PM":       at(2006, 1, 2, 12, 4),
		"1/2/06, 0:04 AM":        at(2006, 1, 2, 0, 4), // as time.Parse reads it, and did with "1/2/2006"
		"1/2/2006, 0:04 AM":      at(2006, 1, 2, 0, 4),
		"1/2/06,  3:04  PM":      at(2006, 1, 2, 15, 4), // spaces doubled by a re-save, as time.Parse reads them
		"11/19/26, 4:50\u202fPM": at(2026, 11, 19, 16, 50),
		"11/19/26, 4:50\u00a0PM": at(2026, 11, 19, 16, 50),
		" 11/19/26, 4:50 pm ":    at(2026, 11, 19, 16, 50),
		"2/29/24, 9:15 AM":       at(2024, 2, 29, 9, 15),
		"11/19/2026, 4:50 PM":    at(2026, 11, 19, 16, 50),
		"11/19/2026 16:50":       at(2026, 11, 19, 16, 50),
		"2026-11-19 16:50:00":    at(2026, 11, 19, 16, 50),
		"11/19/26, 4:50:00 PM":   at(2026, 11, 19, 16, 50),
	} {
		got, ok := parseSentAt(in)
		require.True(t, ok, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{"", "13/45/26, 4:50 PM", "2/29/23, 9:15 AM", "1/2/06, 13:04 PM",
		"1/2/06, 3:60 PM", "1/2/06, 3:04 XM", "1/2/06, 3:04 PMX", "1/2/75, 3:04 PM", "yesterday"} {
		_, ok := parseSentAt(in)
		require.False(t, ok, "%q", in)
	}
}

func TestParseDay(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"19 Nov 2026":      day(2026, 11, 19),
		"09 Sep 2022":      day(2022, 9, 9),
		"9 Sep 2022":       day(2022, 9, 9),
		"19-Nov-26":        day(2026, 11, 19),
		"9-Sep-22":         day(2022, 9, 9),
		"2026-06-08":       day(2026, 6, 8),
		"3/28/18, 2:17 AM": time.Date(2018, 3, 28, 2, 17, 0, 0, time.UTC),
		"Nov 19, 2026":     day(2026, 11, 19),
		"19 November 2026": day(2026, 11, 19),
	} {
		got, ok := parseDay(in)
		require.True(t, ok, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{"", "2022-13-45", "31 Feb 2022", "08.06.2026", "0001-01-01", "6/8/2026"} {
		_, ok := parseDay(in)
		require.False(t, ok, "%q", in)
	}
}
