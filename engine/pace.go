package engine

import (
	"hash/fnv"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// Pace is one account's withdrawal schedule: at most Limit a calendar day
// in Loc, inside the active Hours, with a gap between MinGap and MaxGap.
type Pace struct {
	Limit          int
	Hours          policy.Hours
	Loc            *time.Location
	MinGap, MaxGap time.Duration
}

// PaceFor reads an account's pace from its policy. The policy's time zone
// wins; "" means the account's own.
func PaceFor(p unvite.Policy, acct *unvite.Account) (Pace, error) {
	if err := policy.Validate(p); err != nil {
		return Pace{}, err
	}
	h, _ := policy.ParseHours(p.ActiveHours) // Validate checked it
	loc := acct.Location()
	if p.TimeZone != "" {
		if l, err := time.LoadLocation(p.TimeZone); err == nil {
			loc = l
		}
	}
	return Pace{Limit: p.DailyLimit, Hours: h, Loc: loc, MinGap: p.MinGap, MaxGap: p.MaxGap}, nil
}

// Day names t's calendar day in the pace's time zone: the budget's key.
func (p Pace) Day(t time.Time) string { return t.In(p.Loc).Format(time.DateOnly) }

// Next is t when t falls inside the active hours, else the next moment the
// window opens.
func (p Pace) Next(t time.Time) time.Time {
	lt := t.In(p.Loc)
	if p.Hours.Contains(lt) {
		return t
	}
	// Outside the window: it opens later today, or else tomorrow. Wall-clock
	// times are built with time.Date so that a DST change moves nothing.
	start := p.opening(lt.Year(), lt.Month(), lt.Day())
	if start.After(t) {
		return start
	}
	return p.opening(lt.Year(), lt.Month(), lt.Day()+1)
}

// NextDay is the first active moment on a later calendar day than t's: when
// the day's budget is spent.
func (p Pace) NextDay(t time.Time) time.Time {
	lt := t.In(p.Loc)
	return p.Next(time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, p.Loc))
}

func (p Pace) opening(y int, m time.Month, d int) time.Time {
	h, min := int(p.Hours.Start/time.Hour), int(p.Hours.Start%time.Hour/time.Minute)
	return time.Date(y, m, d, h, min, 0, 0, p.Loc)
}

// Gap is the wait after the attempt named prev: between MinGap and MaxGap,
// drawn from the attempt's id so that every process (and every retry)
// agrees on it.
func (p Pace) Gap(prev string) time.Duration {
	span := p.MaxGap - p.MinGap
	if span <= 0 {
		return p.MinGap
	}
	h := fnv.New64a()
	h.Write([]byte(prev))
	return p.MinGap + time.Duration(h.Sum64()%uint64(span/time.Second+1))*time.Second
}

// DaysNeeded is how many calendar days n queued withdrawals take at limit
// a day when today has spent spent already (today counts when it has room).
func DaysNeeded(n, spent, limit int) int {
	if n <= 0 || limit <= 0 {
		return 0
	}
	left := max(limit-spent, 0)
	if left == 0 {
		return (n + limit - 1) / limit
	}
	if n <= left {
		return 1
	}
	return 1 + (n-left+limit-1)/limit
}
