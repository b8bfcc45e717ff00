package policy

import (
	"time"

	"github.com/unvite/unvite"
)

// Default is common practice: the 30-60-90 rule (review at 30 days, consider
// at 60, withdraw at 90), never anything younger than two weeks, at most 400
// pending, 30 withdrawals a day in office hours, and nothing tagged vip.
// The scheduler only previews until Enabled is set.
func Default() unvite.Policy {
	return unvite.Policy{
		MinAgeDays:      14,
		ReviewAgeDays:   30,
		ConsiderAgeDays: 60,
		WithdrawAgeDays: 90,
		PendingCap:      400,
		DailyLimit:      30,
		ActiveHours:     "09:00-17:00",
		TimeZone:        "UTC",
		CoolDownDays:    21,
		Enabled:         false,
		MinGap:          45 * time.Second,
		MaxGap:          4 * time.Minute,
		SyncEvery:       6 * time.Hour,
		MaxFailures:     unvite.DefaultMaxFailures,
		MaxAge:          unvite.MaxAgeFixed,
		Order:           unvite.OrderOldestFirst,
		AutoAge:         unvite.AutoAge{ThresholdPercent: 2, FloorDays: 21, CeilingDays: 120, MinAccepted: 100},
		Protect:         unvite.Protections{Tags: []string{"vip"}},
	}
}

// clone copies p so that decoding into the copy cannot write through to
// slices p shares (the TOML decoder reuses a slice's backing array).
func clone(p unvite.Policy) unvite.Policy {
	p.Protect.Tags = cloneStrings(p.Protect.Tags)
	p.Protect.Profiles = cloneStrings(p.Protect.Profiles)
	return p
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// tidy makes an empty list nil, so that a policy read from a file compares
// equal to one built in code.
func tidy(p *unvite.Policy) {
	p.Protect.Tags = cloneStrings(p.Protect.Tags)
	p.Protect.Profiles = cloneStrings(p.Protect.Profiles)
}
