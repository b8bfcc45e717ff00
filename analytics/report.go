package analytics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// Options tune the measures. Zero fields take the defaults below.
type Options struct {
	// AsOf is the clock for ages and weeks (default: now).
	AsOf time.Time `json:"as_of"`
	// ObservedAt is when the store last looked at LinkedIn (the account's
	// last sync, or the export date): pending invitations are censored
	// there, not at AsOf, since what happened after is not yet known.
	// Zero or after AsOf: AsOf.
	ObservedAt time.Time `json:"observed_at"`
	// Location is the time zone for weekdays, hours, weeks and months.
	Location *time.Location `json:"-"`
	// SettleDays is the window of the group rates: the share accepted
	// within this many days, among invitations at least this old (30).
	SettleDays int `json:"settle_days"`
	// MinGroup is the smallest number of settled invitations for a group
	// to be compared (30); smaller groups are marked too small.
	MinGroup int `json:"min_group"`
	// MinAtRisk is how many invitations must still be pending at an age for
	// the chance at that age to be trusted (30).
	MinAtRisk int `json:"min_at_risk"`
	// Threshold is the chance of acceptance under which a pending
	// invitation is not worth keeping (0.02 for 2%).
	Threshold float64 `json:"threshold"`
	// WeeklyLimit is LinkedIn's limit on invitations in a rolling week (100;
	// OptionsFor takes the account's plan's).
	WeeklyLimit int `json:"weekly_limit"`
	// Weeks is how many weeks the weekly bars and the pending trend cover (26).
	Weeks int `json:"weeks"`
	// Top is how many companies, position keywords and tags are listed (15).
	Top int `json:"top"`
}

func (o Options) withDefaults() Options {
	if o.AsOf.IsZero() {
		o.AsOf = time.Now()
	}
	if o.ObservedAt.IsZero() || o.ObservedAt.After(o.AsOf) {
		o.ObservedAt = o.AsOf
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.SettleDays, 30)
	def(&o.MinGroup, 30)
	def(&o.MinAtRisk, 30)
	def(&o.WeeklyLimit, 100)
	def(&o.Weeks, 26)
	def(&o.Top, 15)
	if o.Threshold <= 0 || o.Threshold >= 1 {
		o.Threshold = 0.02
	}
	return o
}

// OptionsFor is the defaults for an account: its time zone, its plan's
// weekly limit, and pending invitations censored at its last sync when that
// is known. The CLI, the dashboard and the API start from them.
func OptionsFor(acct *unvite.Account, asOf time.Time) Options {
	return Options{AsOf: asOf, ObservedAt: acct.LastSyncAt, Location: acct.Location(), WeeklyLimit: unvite.WeeklyInviteLimit(acct.Plan)}
}

// Compute reads the account's sent invitations from the store, one pass,
// and measures them.
func Compute(ctx context.Context, store unvite.Store, acct *unvite.Account, o Options) (*Report, error) {
	acc := New(o)
	acc.account = acct
	f := unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Outcomes: true, Unordered: true}
	f.SentBy(acc.o.AsOf)
	err := store.EachInvitation(ctx, f,
		func(inv *unvite.Invitation) error {
			acc.Add(inv)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("analytics: read invitations of account %d: %w", acct.ID, err)
	}
	return acc.Report(), nil
}

// Accumulator measures invitations fed one at a time, keeping counts, not
// rows.
type Accumulator struct {
	o       Options
	account *unvite.Account

	all, withNote, noNote Estimator
	byStatus              []int // by index in unvite.Statuses
	sentBefore            time.Time
	sent                  int
	untimed               int // accepted with no time
	overall               tally

	note     [2]tally
	noteLen  [5]tally
	weekday  [7]tally
	hour     [24]tally
	company  map[string]*tally
	position map[string]*tally
	// How often the company and the headline are known, by outcome.
	companyCov, headlineCov Coverage
	tags                    map[string]*tally
	months                  map[int]*tally // year·12 + month−1
	roleCache               map[string][]string
	kw                      []string
	// The month of the last row's day.
	monthDay   int64
	monthTally *tally

	// Days are civil days in o.Location, numbered from 1970-01-01.
	sentZone, endZone zoneOffset // of sent times, of end times
	today, firstDay   int64      // the window of weekly bars and the trend
	sentByDay         []int
	pendingDelta      []int
	last7             int
	pendingAges       []int
}

// Age bins of the pending histogram: weeks up to 13, then the rest.
const ageBinDays, ageBins = 7, 14

// New starts measuring with o.
func New(o Options) *Accumulator {
	o = o.withDefaults()
	a := &Accumulator{
		o: o, byStatus: make([]int, len(unvite.Statuses)), sentBefore: unvite.DayAfter(o.AsOf),
		sentZone: zoneOffset{loc: o.Location}, endZone: zoneOffset{loc: o.Location},
		company: map[string]*tally{}, position: map[string]*tally{}, tags: map[string]*tally{},
		companyCov: Coverage{Field: "company"}, headlineCov: Coverage{Field: "headline"},
		months: map[int]*tally{}, roleCache: map[string][]string{},
		pendingAges: make([]int, ageBins),
	}
	a.today = civilDay(o.AsOf.In(o.Location))
	// Weeks start on Monday; the window ends with the current week.
	weekStart := a.today - (a.today+3)%7 // 1970-01-01 was a Thursday
	a.firstDay = weekStart - int64(7*(o.Weeks-1))
	a.sentByDay = make([]int, a.today-a.firstDay+1)
	a.pendingDelta = make([]int, len(a.sentByDay)+1)
	return a
}

func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// Add measures one invitation; received ones are ignored.
func (a *Accumulator) Add(inv *unvite.Invitation) {
	// As of a day: what was sent later did not exist yet.
	if inv == nil || inv.Direction != unvite.Sent || !inv.SentAt.Before(a.sentBefore) { // inv.SentBy(AsOf)
		return
	}
	o := &a.o
	a.sent++
	// Time to outcome.
	outcome, end := Censored, o.ObservedAt
	switch inv.Status {
	case unvite.StatusAccepted:
		outcome, end = Accepted, inv.StatusSince
	case unvite.StatusGone:
		outcome, end = Gone, inv.StatusSince
	case unvite.StatusWithdrawn, unvite.StatusWithdrawing:
		end = inv.StatusSince
	}
	// An acceptance with no time still counts as one, off the curve.
	untimed := outcome == Accepted && end.IsZero()
	status := inv.Status
	if !untimed && (end.IsZero() || end.After(o.ObservedAt)) {
		// What happened after the last look is not known yet (as of an
		// earlier day, it had not happened): still pending then.
		outcome, end, status = Censored, o.ObservedAt, unvite.StatusPending
	}
	if k := slices.Index(unvite.Statuses, status); k >= 0 {
		a.byStatus[k]++
	}
	age := end.Sub(inv.SentAt)
	if untimed {
		a.untimed++
	} else {
		a.all.Add(age, outcome)
		if inv.HasNote() {
			a.withNote.Add(age, outcome)
		} else {
			a.noNote.Add(age, outcome)
		}
	}

	// Settled within the window: accepted within it, or known not to be.
	settle := time.Duration(o.SettleDays) * 24 * time.Hour
	// Only invitations old enough count, whatever became of them: counting
	// young acceptances but not young pending ones would favour groups sent
	// lately. One withdrawn before the window never had its chance.
	settled := o.ObservedAt.Sub(inv.SentAt) >= settle
	if status != unvite.StatusPending && outcome == Censored && age < settle {
		settled = false
	}
	accepted := settled && outcome == Accepted && (untimed || age <= settle)
	a.overall.add(settled, accepted)
	if inv.HasNote() {
		a.note[0].add(settled, accepted)
	} else {
		a.note[1].add(settled, accepted)
	}
	a.noteLen[noteBand(inv)].add(settled, accepted)
	// The civil day and hour in o.Location, from the zone's offset alone:
	// Weekday, Hour and Date each worked out the date again (near half of
	// Add's time over a million rows).
	day, secs := a.sentZone.day(inv.SentAt)
	a.weekday[(day%7+10)%7].add(settled, accepted) // 1970-01-01 was a Thursday
	a.hour[secs/3600].add(settled, accepted)
	c := strings.TrimSpace(inv.Invitee.Company)
	if c != "" {
		count(a.company, c, settled, accepted)
	}
	a.companyCov.add(settled, accepted, c != "")
	kws := a.keywords(inv.Invitee.Headline)
	for _, k := range kws {
		count(a.position, k, settled, accepted)
	}
	a.headlineCov.add(settled, accepted, len(kws) > 0)
	if len(inv.Tags) == 0 {
		count(a.tags, "(no tag)", settled, accepted)
	}
	for _, t := range inv.Tags {
		count(a.tags, t, settled, accepted)
	}
	// Rows come in runs of one day: its month is kept.
	if a.monthTally == nil || day != a.monthDay {
		y, m, _ := time.Unix(day*86400, 0).UTC().Date()
		a.monthDay, a.monthTally = day, a.months[y*12+int(m)-1]
		if a.monthTally == nil {
			a.monthTally = &tally{}
			a.months[y*12+int(m)-1] = a.monthTally
		}
	}
	a.monthTally.add(settled, accepted)

	// Weekly sending and the pending trend, by civil day.
	if i := day - a.firstDay; i >= 0 && i < int64(len(a.sentByDay)) {
		a.sentByDay[i]++
	}
	if since := o.AsOf.Sub(inv.SentAt); since >= 0 && since < 7*24*time.Hour {
		a.last7++
	}
	a.pendingDelta[max(0, day-a.firstDay)]++ // pending from the day sent
	if status != unvite.StatusPending && !inv.StatusSince.IsZero() {
		endDay, _ := a.endZone.day(inv.StatusSince)
		if i := endDay - a.firstDay; i < int64(len(a.pendingDelta)) {
			a.pendingDelta[max(0, i)]--
		}
	}
	if status == unvite.StatusPending {
		d := inv.AgeDays(o.AsOf)
		a.pendingAges[min(d/ageBinDays, ageBins-1)]++
	}
}

// zoneOffset gives civil days in loc, keeping the zone's offset over the
// span it holds for: times come in runs (rows in table order), and a
// lookup of the zone for each was a fifth of Add's time.
type zoneOffset struct {
	loc      *time.Location
	from, to int64 // Unix seconds; to excluded
	offset   int64
}

// day is t's civil day, numbered from 1970-01-01, and the seconds since its
// start.
func (z *zoneOffset) day(t time.Time) (day, secs int64) {
	u := t.Unix()
	if u < z.from || u >= z.to {
		lt := t.In(z.loc)
		_, off := lt.Zone()
		start, end := lt.ZoneBounds()
		z.from, z.to, z.offset = math.MinInt64, math.MaxInt64, int64(off)
		if !start.IsZero() {
			z.from = start.Unix()
		}
		if !end.IsZero() {
			z.to = end.Unix()
		}
	}
	s := u + z.offset
	day = s / 86400
	if s%86400 < 0 {
		day--
	}
	return day, s - day*86400
}

func count(m map[string]*tally, k string, settled, accepted bool) {
	t := m[k]
	if t == nil {
		t = &tally{}
		m[k] = t
	}
	t.add(settled, accepted)
}

// keywords caches the position words by headline (the same positions
// repeat across invitations; the cache is bounded).
func (a *Accumulator) keywords(headline string) []string {
	if headline == "" {
		return nil
	}
	if k, ok := a.roleCache[headline]; ok {
		return k
	}
	a.kw = positionKeywords(headline, a.kw)
	k := slices.Clone(a.kw)
	if len(a.roleCache) < 200_000 {
		a.roleCache[headline] = k
	}
	return k
}
