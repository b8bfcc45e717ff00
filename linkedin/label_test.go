package linkedin

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSentLabelBounds(t *testing.T) {
	t.Parallel()
	now := fixedNow
	day := 24 * time.Hour
	cases := []struct {
		label            string
		earliest, latest time.Time
	}{
		{"Sent today", now.Add(-day), now},
		{"sent  TODAY ", now.Add(-day), now},
		{"Sent yesterday", now.Add(-2 * day), now},
		{"Sent 5 minutes ago", now.Add(-6 * time.Minute), now.Add(-5 * time.Minute)},
		{"Sent 1 hour ago", now.Add(-2 * time.Hour), now.Add(-time.Hour)},
		{"Sent an hour ago", now.Add(-2 * time.Hour), now.Add(-time.Hour)},
		{"Sent 1 day ago", now.AddDate(0, 0, -2), now.AddDate(0, 0, -1)},
		{"Sent 2 days ago", now.AddDate(0, 0, -3), now.AddDate(0, 0, -2)},
		{"Sent 1 week ago", now.AddDate(0, 0, -14), now.AddDate(0, 0, -7)},
		{"Sent 3 weeks ago", now.AddDate(0, 0, -28), now.AddDate(0, 0, -21)},
		{"Sent 1 month ago", now.AddDate(0, -2, 0), now.AddDate(0, 0, -30)},
		{"Sent a month ago", now.AddDate(0, -2, 0), now.AddDate(0, 0, -30)},
		{"Sent 11 months ago", now.AddDate(0, -12, 0), now.AddDate(0, 0, -330)},
		{"Sent 1 year ago", now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0)},
		{"Sent 2 years ago", now.AddDate(-3, 0, 0), now.AddDate(-2, 0, 0)},
		{"3 weeks ago", now.AddDate(0, 0, -28), now.AddDate(0, 0, -21)},
	}
	for _, tc := range cases {
		e, l, err := SentLabelBounds(tc.label, now)
		require.NoError(t, err, tc.label)
		require.Equal(t, tc.earliest, e, tc.label)
		require.Equal(t, tc.latest, l, tc.label)
		require.False(t, e.After(l))
	}
	// Months and years are read both as calendar units and as 30 and 365
	// days: on 1 March, two calendar months (59 days) are shorter than two
	// 30-day months, and the bounds must hold for either reading.
	march := time.Date(2026, time.March, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		label            string
		earliest, latest time.Time
	}{
		{"Sent 1 month ago", march.AddDate(0, 0, -60), march.AddDate(0, -1, 0)},
		{"Sent 3 months ago", march.AddDate(0, 0, -120), march.AddDate(0, 0, -90)},
		{"Sent 1 year ago", march.AddDate(-2, 0, 0), march.AddDate(0, 0, -365)},
	} {
		e, l, err := SentLabelBounds(tc.label, march)
		require.NoError(t, err, tc.label)
		require.Equal(t, tc.earliest, e, tc.label)
		require.Equal(t, tc.latest, l, tc.label)
	}
	for _, bad := range []string{"", "Sent", "Sent recently", "Sent 3 fortnights ago", "Sent -1 days ago",
		"Sent x days ago", "Envoyée il y a 2 jours", "Sent 2 days", "Sent 1000000 years ago"} {
		_, _, err := SentLabelBounds(bad, now)
		require.Error(t, err, bad)
	}
}
