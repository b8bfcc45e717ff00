package analytics_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
)

// asOf is a Friday, noon in Paris.
var asOf = time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)

func sent(age time.Duration, st unvite.Status, since time.Duration, opts ...func(*unvite.Invitation)) *unvite.Invitation {
	inv := &unvite.Invitation{Direction: unvite.Sent, SentAt: asOf.Add(-age), Status: st}
	if st != unvite.StatusPending {
		inv.StatusSince = inv.SentAt.Add(since)
	}
	for _, o := range opts {
		o(inv)
	}
	return inv
}

func TestGroupsCountOnlySettledInvitations(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	acc := analytics.New(analytics.Options{AsOf: asOf, Location: paris, MinGroup: 2})
	withNote := func(i *unvite.Invitation) { i.HadNote, i.Note = true, strings.Repeat("x", 120) }
	tagged := func(i *unvite.Invitation) { i.Tags = []string{"campaign-a"} }
	for _, inv := range []*unvite.Invitation{
		sent(40*day, unvite.StatusAccepted, day, withNote, tagged),                              // settled, accepted in the window
		sent(40*day, unvite.StatusAccepted, 35*day, withNote),                                   // settled, accepted too late
		sent(40*day, unvite.StatusPending, 0, tagged),                                           // settled, not accepted
		sent(40*day, unvite.StatusGone, 3*day),                                                  // settled, not accepted
		sent(40*day, unvite.StatusWithdrawn, 10*day),                                            // withdrawn before the window ended: out
		sent(40*day, unvite.StatusWithdrawn, 31*day),                                            // withdrawn after: settled, not accepted
		sent(10*day, unvite.StatusAccepted, day, withNote),                                      // too young: out, however it ended
		sent(10*day, unvite.StatusPending, 0),                                                   // too young: out
		{Direction: unvite.Received, SentAt: asOf.Add(-50 * day), Status: unvite.StatusPending}, // not ours
	} {
		acc.Add(inv)
	}
	r := acc.Report()
	require.Equal(t, 8, r.Sent)
	require.Equal(t, analytics.Rate{Label: "all", Sent: 8, Settled: 5, Accepted: 1, Rate: 0.2,
		Low: r.Overall.Low, High: r.Overall.High}, r.Overall)
	lo, hi := analytics.Wilson(1, 5)
	require.Equal(t, []float64{lo, hi}, []float64{r.Overall.Low, r.Overall.High})

	dim := func(key string) map[string]analytics.Rate {
		out := map[string]analytics.Rate{}
		for _, d := range r.Groups {
			if d.Key == key {
				for _, g := range d.Groups {
					out[g.Label] = g
				}
			}
		}
		return out
	}
	note := dim("note")
	require.Equal(t, [3]int{3, 2, 1}, [3]int{note["with a note"].Sent, note["with a note"].Settled, note["with a note"].Accepted})
	require.Equal(t, [3]int{5, 3, 0}, [3]int{note["without a note"].Sent, note["without a note"].Settled, note["without a note"].Accepted})
	require.False(t, note["with a note"].TooSmall)
	require.Equal(t, 3, dim("note_length")["100-199 characters"].Sent)
	require.Equal(t, [2]int{2, 1}, [2]int{dim("tag")["campaign-a"].Settled, dim("tag")["campaign-a"].Accepted})
	// Sent at 11:00 UTC on a Sunday in October (13:00 summer time in
	// Paris) or a Tuesday in November (12:00 winter time).
	require.Equal(t, 6, dim("weekday")["Sunday"].Sent)
	require.Equal(t, 2, dim("weekday")["Tuesday"].Sent)
	require.Equal(t, 6, dim("hour")["13:00"].Sent)
	require.Equal(t, 2, dim("hour")["12:00"].Sent)
	require.Equal(t, 6, dim("month")["2026-10"].Sent)

	// Two pending now, both under two weeks or five weeks old.
	require.Equal(t, 1, r.PendingAges[1].Count) // 7-13 days
	require.Equal(t, 1, r.PendingAges[5].Count) // 35-41 days
	require.Equal(t, 2, r.PendingTrend[len(r.PendingTrend)-1].Count)
	// The six sent on Sunday 11 October were all pending at that week's
	// end; the week before, nothing had been sent.
	require.Equal(t, "2026-10-05", r.PendingTrend[len(r.PendingTrend)-7].Start)
	require.Equal(t, 6, r.PendingTrend[len(r.PendingTrend)-7].Count)
	require.Equal(t, 0, r.PendingTrend[len(r.PendingTrend)-8].Count)
	require.Equal(t, 0, r.Weekly.Last7Days)
}

func TestWeeklySending(t *testing.T) {
	t.Parallel()
	acc := analytics.New(analytics.Options{AsOf: asOf, WeeklyLimit: 80, Weeks: 4})
	for i := range 30 {
		acc.Add(sent(time.Duration(i)*6*time.Hour, unvite.StatusPending, 0)) // the last 7.5 days
	}
	r := acc.Report()
	require.Equal(t, 28, r.Weekly.Last7Days) // ages 0 to 6.75 days
	require.Equal(t, 80, r.Weekly.Limit)
	require.Len(t, r.Weekly.Weeks, 4)
	// The week of Monday 16 November holds Monday 00:00 UTC to Friday 11:00.
	last := r.Weekly.Weeks[3]
	require.Equal(t, "2026-11-16", last.Start)
	require.Equal(t, 18, last.Count) // ages 0 .. 4d11h in steps of 6h
	require.Equal(t, 12, r.Weekly.Weeks[2].Count)
}

func TestChartsAreSelfContainedSVG(t *testing.T) {
	t.Parallel()
	acc := analytics.New(analytics.Options{AsOf: asOf, MinAtRisk: 2})
	for i := range 300 {
		age := time.Duration(i%90) * day
		// Known for every outcome alike, so comparable and drawn.
		acme := func(v *unvite.Invitation) { v.Invitee.Company, v.Invitee.Headline = "Acme <Labs> & Co", "CTO at Acme" }
		switch i % 5 {
		case 0:
			acc.Add(sent(age+day, unvite.StatusAccepted, time.Duration(i%7)*day+time.Hour, acme))
		case 1:
			acc.Add(sent(age+day, unvite.StatusGone, 5*day, acme))
		default:
			acc.Add(sent(age, unvite.StatusPending, 0, acme))
		}
	}
	r := acc.Report()
	names := r.ChartNames()
	require.Contains(t, names, "curve")
	require.Contains(t, names, "groups-company")
	for _, n := range names {
		b, err := r.ChartSVG(n)
		require.NoError(t, err, n)
		checkXML(t, n, b)
		require.NotContains(t, string(b), "<script")
		require.NotContains(t, string(b), "href")
	}
	_, err := r.ChartSVG("pie")
	require.ErrorContains(t, err, `no chart "pie"`)

	var page bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	html := page.String()
	require.Contains(t, html, "<svg")
	require.Contains(t, html, "Acme &lt;Labs&gt; &amp; Co")
	for _, bad := range []string{"<script", "<link", " src=", "url(", "@import"} {
		require.NotContains(t, html, bad, "a self-contained page fetches nothing")
	}
	require.NotContains(t, strings.ReplaceAll(html, `xmlns="http://www.w3.org/2000/svg"`, ""), "http")

	var text bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	require.Contains(t, text.String(), "Sent in the last 7 days")
	b, err := json.Marshal(r)
	require.NoError(t, err)
	require.Contains(t, string(b), `"milestones"`)
}

func checkXML(t *testing.T, name string, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		require.NoError(t, err, "chart %s is not well-formed", name)
	}
}

// As of an earlier day the report describes that day: what was sent later
// did not exist, and what happened later had not happened.
func TestAsOfAnEarlierDay(t *testing.T) {
	t.Parallel()
	acc := analytics.New(analytics.Options{AsOf: asOf.Add(-10 * day)})
	acc.Add(sent(20*day, unvite.StatusAccepted, 5*day))               // accepted 15 days ago: counts
	acc.Add(sent(20*day, unvite.StatusAccepted, 15*day))              // accepted 5 days ago: pending then
	acc.Add(sent(20*day, unvite.StatusWithdrawn, 12*day))             // withdrawn 8 days ago: pending then
	acc.Add(sent(5*day, unvite.StatusPending, 0))                     // sent after: left out
	acc.Add(sent(24*time.Hour*10-time.Hour, unvite.StatusPending, 0)) // later on the day itself: counts
	r := acc.Report()
	require.Equal(t, 4, r.Sent)
	require.Equal(t, map[unvite.Status]int{unvite.StatusAccepted: 1, unvite.StatusPending: 3,
		unvite.StatusWithdrawing: 0, unvite.StatusWithdrawn: 0, unvite.StatusGone: 0}, r.ByStatus)
	require.Equal(t, 1, r.Curve.Accepted)
	require.Equal(t, 3, r.Curve.Censored)
}

// An account with no invitations yet still gets a report, and charts that
// say so.
func TestEmptyReport(t *testing.T) {
	t.Parallel()
	r := analytics.New(analytics.Options{AsOf: asOf}).Report()
	require.Equal(t, 0, r.Sent)
	require.False(t, r.Cutoff.Found)
	for _, n := range r.ChartNames() {
		b, err := r.ChartSVG(n)
		require.NoError(t, err)
		checkXML(t, n, b)
	}
	curve, err := r.ChartSVG(analytics.ChartCurve)
	require.NoError(t, err)
	require.Contains(t, string(curve), "No history yet")
	require.NoError(t, r.WriteHTML(io.Discard))
	require.NoError(t, r.WriteText(io.Discard))
	l := r.Learned()
	_, ok := l.Cutoff(0.02)
	require.False(t, ok)
}

// Weekday, hour and month are the sending time's in the account's zone,
// across daylight-saving changes and on either side of 1970, as package
// time tells them; so are the days of the weekly bars.
func TestCivilTimeInZone(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"Europe/Paris", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"} {
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		acc := analytics.New(analytics.Options{AsOf: asOf, Location: loc})
		weekday, hour, month := map[string]int{}, map[string]int{}, map[string]int{}
		week := map[string]int{}
		// Every 37 minutes 7 seconds over two years, and a few before 1970.
		var times []time.Time
		for at := asOf.Add(-2 * 365 * day); at.Before(asOf); at = at.Add(37*time.Minute + 7*time.Second) {
			times = append(times, at)
		}
		for at := time.Date(1969, 12, 30, 0, 0, 0, 0, time.UTC); at.Before(time.Date(1970, 1, 3, 0, 0, 0, 0, time.UTC)); at = at.Add(97 * time.Minute) {
			times = append(times, at)
		}
		for _, at := range times {
			acc.Add(&unvite.Invitation{Direction: unvite.Sent, SentAt: at, Status: unvite.StatusPending})
			l := at.In(loc)
			weekday[l.Weekday().String()]++
			hour[l.Format("15")+":00"]++
			month[l.Format("2006-01")]++
			// The Monday of its week, for the weekly bars.
			d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
			week[d.AddDate(0, 0, -(int(d.Weekday())+6)%7).Format("2006-01-02")]++
		}
		r := acc.Report()
		got := map[string]map[string]int{}
		for _, d := range r.Groups {
			got[d.Key] = map[string]int{}
			for _, g := range d.Groups {
				got[d.Key][g.Label] = g.Sent
			}
		}
		require.Equal(t, weekday, got["weekday"], zone)
		require.Equal(t, hour, got["hour"], zone)
		require.Equal(t, month, got["month"], zone)
		for _, w := range r.Weekly.Weeks {
			require.Equal(t, week[w.Start], w.Count, "%s week of %s", zone, w.Start)
		}
	}
}
