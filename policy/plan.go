package policy

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// Plan decides which of an account's pending sent invitations p withdraws
// as of now, oldest first, and why. Invitations sent after now's day are
// left out (Invitation.SentBy): a plan as of a past day is that day's plan. It is deterministic: the same input in
// any order gives the same plan.
//
// The max-age rule takes every unprotected invitation at least
// WithdrawAgeDays old; the pending-cap rule then takes the oldest of the
// rest until no more than PendingCap remain pending. Neither takes an
// invitation younger than MinAgeDays. A non-positive DailyLimit is taken as
// Default's, so a broken policy cannot plan everything for one day.
func Plan(p unvite.Policy, pending []*unvite.Invitation, now time.Time) unvite.WithdrawalPlan {
	return PlanLearned(p, pending, now, nil)
}

// PlanLearned is Plan given what the account's history learned (nil when
// unknown): max_age = "auto" then withdraws at the learned age (see
// MaxAge), order = "least-likely-first" lets the cap take the lowest
// chance of acceptance first, and every step names its chance.
func PlanLearned(p unvite.Policy, pending []*unvite.Invitation, now time.Time, l *Learned) unvite.WithdrawalPlan {
	limit := p.DailyLimit
	if limit <= 0 {
		limit = Default().DailyLimit
	}
	plan := unvite.WithdrawalPlan{AsOf: now, DailyLimit: limit}
	plan.MaxAgeDays, plan.MaxAgeSource, plan.MaxAgeWhy = MaxAge(p, l)
	p.WithdrawAgeDays = plan.MaxAgeDays
	plan.Order, plan.OrderWhy = order(p, l)
	tally := NewTally(p, now)

	// Every max-age pick is older than every other candidate, so the plan
	// is the max-age ones in order, then the oldest of the rest as the cap
	// needs. Too-young ones are never taken and not even sorted. Sorting
	// copies of the keys rather than pointers keeps the comparisons in one
	// block of memory, which matters at 100,000 invitations.
	keep := make([]candidate, 0, len(pending))
	for _, inv := range pending {
		c, age := tally.add(inv)
		if c != skipped && plan.AccountID == 0 {
			plan.AccountID = inv.AccountID
		}
		if c != maxAged && c != oldEnough {
			continue
		}
		keep = append(keep, candidate{
			sec: inv.SentAt.Unix(), nsec: int32(inv.SentAt.Nanosecond()), age: int32(age), id: inv.ID, inv: inv,
		})
	}
	// Max-age ones to the front, in place.
	split := 0
	for j, c := range keep {
		if p.WithdrawAgeDays > 0 && int(c.age) >= p.WithdrawAgeDays {
			keep[split], keep[j] = keep[j], keep[split]
			split++
		}
	}
	aged, rest := keep[:split], keep[split:]
	maxAge, capPicks, tooYoung := tally.Withdrawals()
	plan.Pending, plan.Protected, plan.Unlisted, plan.TooYoung = tally.Pending, tally.Protected, tally.Unlisted, tooYoung
	slices.SortFunc(aged, older)
	leastLikely := plan.Order == unvite.OrderLeastLikelyFirst
	if capPicks > 0 && leastLikely {
		for i := range rest {
			c, _ := l.ChanceFor(rest[i].inv, int(rest[i].age))
			rest[i].chance = float32(c)
		}
		slices.SortFunc(rest, lessLikely)
	} else if capPicks > 0 {
		slices.SortFunc(rest, older)
	}

	n := maxAge + capPicks
	plan.Withdrawals = make([]unvite.PlannedWithdrawal, 0, n)
	// Reasons repeat for invitations of one age (and note): made once each.
	type reasonKey struct {
		age  int32
		note bool
		cap  bool
	}
	reasons := make(map[reasonKey]string)
	capReason := fmt.Sprintf("pending %d > cap %d: oldest first", plan.Pending, p.PendingCap)
	if leastLikely {
		capReason = fmt.Sprintf("pending %d > cap %d: least likely first", plan.Pending, p.PendingCap)
	}
	// The steps' chances live in one block, not one allocation each.
	var chances []float64
	if l != nil {
		chances = make([]float64, 0, n)
	}
	add := func(c candidate, rule string) {
		step := unvite.PlannedWithdrawal{Invitation: c.inv, Rule: rule, AgeDays: int(c.age), Day: len(plan.Withdrawals)/limit + 1}
		chance, known := l.ChanceFor(c.inv, int(c.age))
		if known {
			chances = append(chances, chance)
			step.Chance = &chances[len(chances)-1]
		}
		// The note matters only through the learned chance.
		k := reasonKey{c.age, known && (c.inv.HadNote || c.inv.Note != ""), rule == unvite.RulePendingCap}
		reason, ok := reasons[k]
		if k.cap && !known {
			reason, ok = capReason, true
		}
		if !ok {
			switch {
			case k.cap:
				reason = fmt.Sprintf("%s (pending %s; chance of acceptance %s)", capReason, daysText(int(c.age)), pct(chance))
			case plan.MaxAgeSource == unvite.MaxAgeAuto:
				reason = fmt.Sprintf("pending %s; chance of acceptance %s (learned age %d)", daysText(int(c.age)), pct(chance), p.WithdrawAgeDays)
			default:
				reason = fmt.Sprintf("sent %s ago (≥ %d: withdraw by %d)", daysText(int(c.age)), p.WithdrawAgeDays, p.WithdrawAgeDays)
				if known {
					reason += fmt.Sprintf("; chance of acceptance %s", pct(chance))
				}
			}
			reasons[k] = reason
		}
		step.Reason = reason
		plan.Withdrawals = append(plan.Withdrawals, step)
	}
	for _, c := range aged {
		add(c, unvite.RuleMaxAge)
	}
	for _, c := range rest[:capPicks] {
		add(c, unvite.RulePendingCap)
	}
	plan.DaysNeeded = (n + limit - 1) / limit
	plan.PendingAfter = plan.Pending - n
	return plan
}

type candidate struct {
	sec    int64
	id     int64
	inv    *unvite.Invitation
	nsec   int32
	age    int32
	chance float32 // for least-likely-first
}

// lessLikely orders candidates by chance of acceptance, then oldest first.
func lessLikely(a, b candidate) int {
	if a.chance != b.chance {
		return cmp.Compare(a.chance, b.chance)
	}
	return older(a, b)
}

// order decides the pending cap's order: least-likely-first needs the
// learned chances, and falls back to oldest first without them.
func order(p unvite.Policy, l *Learned) (string, string) {
	if p.Order != unvite.OrderLeastLikelyFirst {
		return unvite.OrderOldestFirst, ""
	}
	if l == nil || l.All.Reliable == 0 {
		return unvite.OrderOldestFirst, `order = "least-likely-first", but no history of acceptance was given: oldest first instead`
	}
	return unvite.OrderLeastLikelyFirst, ""
}

// older orders candidates by sending time, then id.
func older(a, b candidate) int {
	if a.sec != b.sec {
		return cmp.Compare(a.sec, b.sec)
	}
	if a.nsec != b.nsec {
		return cmp.Compare(a.nsec, b.nsec)
	}
	return cmp.Compare(a.id, b.id)
}

// class is what the policy makes of one invitation, before ordering.
type class int8

const (
	skipped   class = iota // not a pending sent invitation
	protected              // kept by a protection
	unlisted               // unvite cannot withdraw it (Invitation.UnlistedAt)
	tooYoung               // younger than MinAgeDays
	maxAged                // at or past WithdrawAgeDays
	oldEnough              // the rest: what the cap may take
)

// Tally counts what Plan would withdraw without holding or ordering the
// invitations, for stores too big to load: the counts equal those of the
// plan over the same invitations.
type Tally struct {
	Pending   int // pending sent invitations added
	Protected int // of which kept by a protection
	Unlisted  int // of which out of reach: not on LinkedIn's list, no LinkedIn id
	Young     int // unprotected but younger than MinAgeDays
	MaxAge    int // unprotected and at least WithdrawAgeDays old (and MinAgeDays)
	Rest      int // unprotected, old enough, under WithdrawAgeDays

	p    unvite.Policy
	prot *Protector
	now  time.Time
}

// NewTally starts counting for p as of now.
func NewTally(p unvite.Policy, now time.Time) *Tally {
	return &Tally{p: p, prot: NewProtector(p.Protect), now: now}
}

// Add counts inv if it is a pending sent invitation that existed as of the
// tally's day (Invitation.SentBy).
func (t *Tally) Add(inv *unvite.Invitation) { t.add(inv) }

func (t *Tally) add(inv *unvite.Invitation) (class, int) {
	if inv == nil || inv.Direction != unvite.Sent || inv.Status != unvite.StatusPending || !inv.SentBy(t.now) {
		return skipped, 0
	}
	t.Pending++
	if t.prot.Protects(inv) {
		t.Protected++
		return protected, 0
	}
	if !inv.UnlistedAt.IsZero() {
		// Still pending on LinkedIn, so it counts against the cap, but no
		// withdrawal can reach it: never planned, never "withdrawable".
		t.Unlisted++
		return unlisted, 0
	}
	age := inv.AgeDays(t.now)
	switch {
	case age < t.p.MinAgeDays:
		t.Young++
		return tooYoung, age
	case t.p.WithdrawAgeDays > 0 && age >= t.p.WithdrawAgeDays:
		t.MaxAge++
		return maxAged, age
	}
	t.Rest++
	return oldEnough, age
}

// Withdrawals returns how many the max-age and pending-cap rules take, and
// how many more the cap would need that are too young (WithdrawalPlan.TooYoung).
func (t *Tally) Withdrawals() (maxAge, pendingCap, tooYoung int) {
	if t.p.PendingCap > 0 {
		if over := t.Pending - t.MaxAge - t.p.PendingCap; over > 0 {
			pendingCap = min(over, t.Rest)
			tooYoung = min(over-pendingCap, t.Young)
		}
	}
	return t.MaxAge, pendingCap, tooYoung
}

func daysText(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// Protector tells the invitations a policy's protections keep, with the
// lists normalised once.
type Protector struct {
	tags     []string
	profiles map[string]bool
	withNote bool
}

// NewProtector prepares pr for matching: tags match in any case, profiles
// by normalised slug whether written as URL or slug.
func NewProtector(pr unvite.Protections) *Protector {
	x := &Protector{withNote: pr.WithNote, profiles: make(map[string]bool, len(pr.Profiles))}
	for _, t := range pr.Tags {
		if t = strings.TrimSpace(t); t != "" {
			x.tags = append(x.tags, t)
		}
	}
	for _, e := range pr.Profiles {
		if k := profileKey(e); k != "" {
			x.profiles[k] = true
		}
	}
	return x
}

// Protects reports whether inv must never be withdrawn: marked protected,
// carrying a protected tag, sent to a protected profile, or (when the
// policy says so) sent with a note.
func (x *Protector) Protects(inv *unvite.Invitation) bool {
	if inv.Protected || x.withNote && inv.HadNote {
		return true
	}
	for _, have := range inv.Tags {
		for _, t := range x.tags {
			if strings.EqualFold(strings.TrimSpace(have), t) {
				return true
			}
		}
	}
	if len(x.profiles) > 0 && inv.Invitee.Slug != "" {
		return x.profiles[strings.ToLower(inv.Invitee.Slug)]
	}
	return false
}

// profileKey normalises a protected profile entry, a profile URL or a bare
// slug, to a slug; "" when it is neither.
func profileKey(e string) string {
	e = strings.TrimSpace(e)
	if s := unvite.SlugFromURL(e); s != "" {
		return s
	}
	if e == "" || strings.ContainsAny(e, "/?# \t") {
		return ""
	}
	if dec, err := url.PathUnescape(e); err == nil {
		e = dec
	}
	return strings.ToLower(e)
}

// Stages of the 30-60-90 rule, as Stage labels an invitation.
const (
	StageNew      = "new"
	StageReview   = "review"
	StageConsider = "consider"
	StageWithdraw = "withdraw"
)

// Stage labels inv by its age for listings: new, then review at
// ReviewAgeDays, consider at ConsiderAgeDays, withdraw at WithdrawAgeDays.
// A threshold of 0 is off.
func Stage(p unvite.Policy, inv *unvite.Invitation, now time.Time) string {
	age := inv.AgeDays(now)
	switch {
	case p.WithdrawAgeDays > 0 && age >= p.WithdrawAgeDays:
		return StageWithdraw
	case p.ConsiderAgeDays > 0 && age >= p.ConsiderAgeDays:
		return StageConsider
	case p.ReviewAgeDays > 0 && age >= p.ReviewAgeDays:
		return StageReview
	}
	return StageNew
}
