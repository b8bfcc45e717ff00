// Package stats sums up one account's sent invitations: where they stand,
// how old the pending ones are, and what gets accepted. It works on a
// stream, so a store of any size can be fed through an Accumulator.
package stats

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// Report is the summary of one account's sent invitations as of AsOf.
type Report struct {
	AsOf     time.Time             `json:"as_of"`
	Sent     int                   `json:"sent"`
	ByStatus map[unvite.Status]int `json:"by_status"` // every status, zeros included

	Pending           int     `json:"pending"`
	PendingCap        int     `json:"pending_cap"`         // 0: no cap
	PendingCapPercent float64 `json:"pending_cap_percent"` // pending as a percentage of the cap; 0 without one
	// PendingByAge splits pending invitations by whole days since sending,
	// at the policy's ages (0-13, 14-29, 30-59, 60-89, 90+ by default).
	PendingByAge        []Bucket  `json:"pending_by_age"`
	OldestPendingSentAt time.Time `json:"oldest_pending_sent_at,omitzero"`
	OldestPendingDays   int       `json:"oldest_pending_days"`

	// Withdrawn counts invitations withdrawn, by unvite, by hand, or
	// superseded by a re-invite.
	Withdrawn int `json:"withdrawn"`
	// Protected counts pending invitations a protection keeps; Withdrawable
	// is how many the policy would withdraw now (the plan's length).
	Protected    int `json:"protected"`
	Withdrawable int `json:"withdrawable_now"`
	// Unlisted counts pending invitations no withdrawal can reach (see
	// Invitation.UnlistedAt): never withdrawable.
	Unlisted int `json:"unlisted"`

	WithNote    Acceptance `json:"with_note"`
	WithoutNote Acceptance `json:"without_note"`
	// Cohorts gives acceptance by month sent (UTC), oldest month first.
	Cohorts []Cohort `json:"cohorts"`

	// MedianDaysToAccept is known only for accepted invitations whose
	// acceptance time was seen (StatusSince from the same minute as SentAt
	// on); a day-only Connected On before the sending time does not tell it.
	// AcceptedTimed counts those.
	MedianDaysToAccept *float64 `json:"median_days_to_accept,omitempty"`
	AcceptedTimed      int      `json:"accepted_timed,omitempty"`
}

// Bucket counts pending invitations aged MinDays to MaxDays whole days
// (MaxDays -1: no upper bound).
type Bucket struct {
	Label   string `json:"label"`
	MinDays int    `json:"min_days"`
	MaxDays int    `json:"max_days"`
	Count   int    `json:"count"`
}

// Acceptance is how a group of invitations fared. Withdrawn ones (and those
// being withdrawn) never had their full chance and stay out of the rate.
type Acceptance struct {
	Sent      int `json:"sent"`
	Accepted  int `json:"accepted"`
	Pending   int `json:"pending"`
	Gone      int `json:"gone"`
	Withdrawn int `json:"withdrawn"`
	// Rate is Accepted / (Accepted + Pending + Gone); 0 when that is 0.
	Rate float64 `json:"rate"`
}

func (a *Acceptance) add(s unvite.Status) {
	a.Sent++
	switch s {
	case unvite.StatusAccepted:
		a.Accepted++
	case unvite.StatusPending:
		a.Pending++
	case unvite.StatusGone:
		a.Gone++
	case unvite.StatusWithdrawn, unvite.StatusWithdrawing:
		a.Withdrawn++
	}
}

func (a *Acceptance) finish() {
	if n := a.Accepted + a.Pending + a.Gone; n > 0 {
		a.Rate = float64(a.Accepted) / float64(n)
	}
}

// Cohort is the acceptance of the invitations sent in one month.
type Cohort struct {
	Month string `json:"month"` // "2026-01"
	Acceptance
}

// Accumulator builds a Report from invitations added one at a time; it
// keeps no invitation, only counts (and one number per timed acceptance).
type Accumulator struct {
	p     unvite.Policy
	asOf  time.Time
	tally *policy.Tally
	edges []int

	r          Report
	cohorts    map[string]*Cohort
	acceptDays []float64
}

// New starts a report for policy p as of asOf.
func New(p unvite.Policy, asOf time.Time) *Accumulator {
	a := &Accumulator{
		p:       p,
		asOf:    asOf,
		tally:   policy.NewTally(p, asOf),
		edges:   edges(p),
		cohorts: make(map[string]*Cohort),
	}
	a.r.AsOf = asOf
	a.r.ByStatus = make(map[unvite.Status]int, len(unvite.Statuses))
	for _, s := range unvite.Statuses {
		a.r.ByStatus[s] = 0
	}
	a.r.PendingByAge = buckets(a.edges)
	return a
}

// Compute reports on invs in one go.
func Compute(invs []*unvite.Invitation, p unvite.Policy, asOf time.Time) Report {
	a := New(p, asOf)
	for _, inv := range invs {
		a.Add(inv)
	}
	return a.Report()
}

// Add counts one invitation; received ones are ignored, and so are those
// sent after the report's day (Invitation.SentBy): a report as of a past day
// is the state on that day. The invitation is not kept, so a store may
// reuse it.
func (a *Accumulator) Add(inv *unvite.Invitation) {
	if inv == nil || inv.Direction != unvite.Sent || !inv.SentBy(a.asOf) {
		return
	}
	r := &a.r
	r.Sent++
	r.ByStatus[inv.Status]++
	a.tally.Add(inv)

	if inv.HadNote {
		r.WithNote.add(inv.Status)
	} else {
		r.WithoutNote.add(inv.Status)
	}
	month := inv.SentAt.UTC().Format("2006-01")
	c := a.cohorts[month]
	if c == nil {
		c = &Cohort{Month: month}
		a.cohorts[month] = c
	}
	c.add(inv.Status)

	switch inv.Status {
	case unvite.StatusPending:
		r.Pending++
		age := inv.AgeDays(a.asOf)
		i, _ := slices.BinarySearch(a.edges, age+1)
		r.PendingByAge[i-1].Count++
		if r.OldestPendingSentAt.IsZero() || inv.SentAt.Before(r.OldestPendingSentAt) {
			r.OldestPendingSentAt = inv.SentAt
		}
	case unvite.StatusWithdrawn:
		r.Withdrawn++
	case unvite.StatusAccepted:
		if d, ok := timeToAccept(inv); ok {
			a.acceptDays = append(a.acceptDays, d.Hours()/24)
		}
	}
}

// timeToAccept is how long an accepted invitation waited, when that is
// known. Times are often kept to the minute only (exports write "4:50 PM"),
// so an acceptance in the same minute as the invitation counts, as no wait,
// even when it reads a few seconds earlier. A day-only acceptance before the
// sending time tells nothing, and neither does a tracking sheet's
// "accepted", which is dated the day the invitation was sent.
func timeToAccept(inv *unvite.Invitation) (time.Duration, bool) {
	since := inv.StatusSince
	switch {
	case since.IsZero(), since.Before(inv.SentAt.Truncate(time.Minute)):
		return 0, false
	case inv.Source == unvite.SourceSheet && since.Equal(inv.SentAt):
		return 0, false
	}
	return max(0, since.Sub(inv.SentAt)), true
}

// Report returns the figures so far; adding more afterwards is fine.
func (a *Accumulator) Report() Report {
	r := a.r
	r.ByStatus = make(map[unvite.Status]int, len(a.r.ByStatus))
	for s, n := range a.r.ByStatus {
		r.ByStatus[s] = n
	}
	r.PendingByAge = slices.Clone(a.r.PendingByAge)

	r.PendingCap = a.p.PendingCap
	if r.PendingCap > 0 {
		r.PendingCapPercent = 100 * float64(r.Pending) / float64(r.PendingCap)
	}
	if !r.OldestPendingSentAt.IsZero() {
		r.OldestPendingDays = (&unvite.Invitation{SentAt: r.OldestPendingSentAt}).AgeDays(a.asOf)
	}
	byAge, byCap, _ := a.tally.Withdrawals()
	r.Protected, r.Unlisted = a.tally.Protected, a.tally.Unlisted
	r.Withdrawable = byAge + byCap

	r.WithNote.finish()
	r.WithoutNote.finish()
	r.Cohorts = make([]Cohort, 0, len(a.cohorts))
	for _, c := range a.cohorts {
		c := *c
		c.finish()
		r.Cohorts = append(r.Cohorts, c)
	}
	slices.SortFunc(r.Cohorts, func(x, y Cohort) int { return strings.Compare(x.Month, y.Month) })

	if n := len(a.acceptDays); n > 0 {
		days := slices.Clone(a.acceptDays)
		slices.Sort(days)
		m := days[n/2]
		if n%2 == 0 {
			m = (days[n/2-1] + days[n/2]) / 2
		}
		r.MedianDaysToAccept = &m
		r.AcceptedTimed = n
	}
	return r
}

// edges are the lower bounds of the age buckets: 0, then each of the
// policy's ages (MinAge, Review, Consider, WithdrawAge) that is set and
// later than the one before.
func edges(p unvite.Policy) []int {
	e := []int{0}
	for _, d := range []int{p.MinAgeDays, p.ReviewAgeDays, p.ConsiderAgeDays, p.WithdrawAgeDays} {
		if d > e[len(e)-1] {
			e = append(e, d)
		}
	}
	return e
}

func buckets(edges []int) []Bucket {
	bs := make([]Bucket, len(edges))
	for i, lo := range edges {
		b := Bucket{MinDays: lo, MaxDays: -1, Label: strconv.Itoa(lo) + "+"}
		if i+1 < len(edges) {
			b.MaxDays = edges[i+1] - 1
			b.Label = strconv.Itoa(lo) + "-" + strconv.Itoa(b.MaxDays)
		}
		bs[i] = b
	}
	return bs
}
