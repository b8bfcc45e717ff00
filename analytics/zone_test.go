package analytics

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The kept offset gives the day and hour that the zone's own lookup gives,
// for times in any order across clock changes.
func TestZoneOffsetDay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"} {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		z := zoneOffset{loc: loc}
		// Around the changes of 2026 in runs, then jumps across decades.
		var times []time.Time
		for u := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC); u.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); u = u.Add(47 * time.Minute) {
			times = append(times, u)
		}
		for range 2000 {
			times = append(times, time.Unix(rng.Int64N(4e9)-1e9, 0))
		}
		for _, u := range times {
			day, secs := z.day(u)
			lt := u.In(loc)
			y, m, d := lt.Date()
			want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
			require.Equal(t, want, day, "%s %s", name, lt)
			require.Equal(t, int64(lt.Hour()*3600+lt.Minute()*60+lt.Second()), secs, "%s %s", name, lt)
		}
	}
}
