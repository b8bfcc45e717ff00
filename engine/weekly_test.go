package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The weekly review runs on Mondays at 08:00 UTC, the next one strictly
// after the given time, and is named by its ISO week.
func TestWeeklySchedule(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	for from, want := range map[string]string{
		"2026-12-01T07:00:00Z":      "2026-12-07T08:00:00Z", // a Tuesday
		"2026-12-07T07:59:59Z":      "2026-12-07T08:00:00Z",
		"2026-12-07T08:00:00Z":      "2026-12-14T08:00:00Z",
		"2026-12-27T23:00:00Z":      "2026-12-28T08:00:00Z",
		"2026-12-06T23:30:00-05:00": "2026-12-07T08:00:00Z",
	} {
		require.Equal(t, at(want), weekly{}.Next(at(from)), from)
	}
	require.Equal(t, "2026-W49", isoWeek(at("2026-12-01T07:00:00Z")))
	require.Equal(t, "2026-W53", isoWeek(at("2026-12-31T07:00:00Z")))
}
