package unvite

import "time"

// Policy is the readable rule set that selects invitations to withdraw.
// Ages are in whole days as of the plan's clock. The policy package reads
// it from TOML and fills the defaults below.
type Policy struct {
	// MinAgeDays: never withdraw an invitation younger than this.
	MinAgeDays int `toml:"min_age_days" json:"min_age_days"`
	// ReviewAgeDays and ConsiderAgeDays mark the 30-60-90 rule's first two
	// steps; they label invitations in listings but select nothing.
	ReviewAgeDays   int `toml:"review_age_days" json:"review_age_days"`
	ConsiderAgeDays int `toml:"consider_age_days" json:"consider_age_days"`
	// WithdrawAgeDays: withdraw every pending invitation at least this old (0 = off).
	WithdrawAgeDays int `toml:"withdraw_age_days" json:"withdraw_age_days"`
	// PendingCap: keep pending at or under this, withdrawing oldest first (0 = off).
	PendingCap int `toml:"pending_cap" json:"pending_cap"`
	// DailyLimit: withdrawals a day at most.
	DailyLimit int `toml:"daily_limit" json:"daily_limit"`
	// ActiveHours is the window, in TimeZone, in which withdrawals run ("09:00-17:00").
	ActiveHours string `toml:"active_hours" json:"active_hours"`
	TimeZone    string `toml:"time_zone" json:"time_zone"`
	// CoolDownDays: how long after a withdrawal a re-invite is refused.
	CoolDownDays int `toml:"cool_down_days" json:"cool_down_days"`
	// Enabled lets the scheduler carry out the plan without a confirm.
	Enabled bool `toml:"enabled" json:"enabled"`
	// MinGap and MaxGap bound the random gap between two withdrawals of
	// one account ("45s", "4m"); SyncEvery is how often serve syncs it.
	MinGap    time.Duration `toml:"min_gap" json:"min_gap"`
	MaxGap    time.Duration `toml:"max_gap" json:"max_gap"`
	SyncEvery time.Duration `toml:"sync_every" json:"sync_every"`
	// MaxFailures pauses an account after this many LinkedIn calls failed
	// in a row (server errors, no reply, unreadable replies): the circuit
	// breaker. 0 means DefaultMaxFailures.
	MaxFailures int `toml:"max_failures" json:"max_failures"`
	// MaxAge chooses the age rule: MaxAgeFixed ("fixed", or "") withdraws
	// at WithdrawAgeDays; MaxAgeAuto ("auto") at the age the account's own
	// history learned (see AutoAge), falling back to WithdrawAgeDays.
	MaxAge string `toml:"max_age" json:"max_age"`
	// Order is how the pending cap picks: OrderOldestFirst (default) or
	// OrderLeastLikelyFirst (lowest chance of acceptance first, learned).
	Order   string  `toml:"order" json:"order"`
	AutoAge AutoAge `toml:"auto_age" json:"auto_age"`

	Protect Protections `toml:"protect" json:"protect"`
}

// Values of Policy.MaxAge and Policy.Order.
const (
	MaxAgeFixed           = "fixed"
	MaxAgeAuto            = "auto"
	OrderOldestFirst      = "oldest-first"
	OrderLeastLikelyFirst = "least-likely-first"
)

// AutoAge bounds the learned age of max_age = "auto": the age after which
// fewer than ThresholdPercent of pending invitations still get accepted,
// kept between FloorDays and CeilingDays, and only trusted once the history
// holds MinAccepted acceptances with a known time.
type AutoAge struct {
	ThresholdPercent float64 `toml:"threshold_percent" json:"threshold_percent"`
	FloorDays        int     `toml:"floor_days" json:"floor_days"`
	CeilingDays      int     `toml:"ceiling_days" json:"ceiling_days"`
	MinAccepted      int     `toml:"min_accepted" json:"min_accepted"`
}

// Protections are invitations a policy never selects.
type Protections struct {
	Tags     []string `toml:"tags" json:"tags"`
	Profiles []string `toml:"profiles" json:"profiles"` // profile URLs or slugs
	WithNote bool     `toml:"with_note" json:"with_note"`
}

// DefaultMaxFailures is Policy.MaxFailures when unset.
const DefaultMaxFailures = 5

// FailureLimit is how many failed calls in a row pause an account.
func (p *Policy) FailureLimit() int {
	if p.MaxFailures <= 0 {
		return DefaultMaxFailures
	}
	return p.MaxFailures
}

// CoolDown returns the policy's cool-down as a duration.
func (p *Policy) CoolDown() time.Duration {
	if p.CoolDownDays <= 0 {
		return DefaultCoolDown
	}
	return time.Duration(p.CoolDownDays) * 24 * time.Hour
}

// Rule names, as shown in plans and written in the audit log.
const (
	RuleMaxAge     = "max-age"     // older than WithdrawAgeDays
	RulePendingCap = "pending-cap" // over PendingCap, oldest first
)

// PlannedWithdrawal is one step of a WithdrawalPlan.
type PlannedWithdrawal struct {
	Invitation *Invitation `json:"invitation"`
	Rule       string      `json:"rule"`
	Reason     string      `json:"reason"`
	AgeDays    int         `json:"age_days"`
	Day        int         `json:"day"` // 1-based day it falls on at the daily limit
	// Chance is the learned chance that it would still be accepted, when
	// the plan was given the account's history.
	Chance *float64 `json:"chance,omitempty"`
}

// WithdrawalPlan is what a policy would withdraw, in order, and why.
type WithdrawalPlan struct {
	AccountID int64     `json:"account_id"`
	AsOf      time.Time `json:"as_of"`
	Pending   int       `json:"pending"`
	Protected int       `json:"protected"` // pending invitations a protection kept out
	// Unlisted counts pending invitations left out because LinkedIn's
	// sent list no longer shows them and unvite has no LinkedIn id to
	// withdraw them by (Invitation.UnlistedAt): they are withdrawn by hand.
	Unlisted     int                 `json:"unlisted"`
	TooYoung     int                 `json:"too_young"` // over the cap but younger than MinAgeDays
	Withdrawals  []PlannedWithdrawal `json:"withdrawals"`
	DailyLimit   int                 `json:"daily_limit"`
	DaysNeeded   int                 `json:"days_needed"` // ⌈len(Withdrawals)/DailyLimit⌉
	PendingAfter int                 `json:"pending_after"`
	// MaxAgeDays is the age the max-age rule used (0: off), MaxAgeSource
	// MaxAgeFixed or MaxAgeAuto (learned), and MaxAgeWhy the reason in words
	// when the policy asked for more than the fixed age.
	MaxAgeDays   int    `json:"max_age_days"`
	MaxAgeSource string `json:"max_age_source"`
	MaxAgeWhy    string `json:"max_age_why,omitempty"`
	// Order is the order the pending cap used, OrderWhy why when it is
	// not the one asked for.
	Order    string `json:"order"`
	OrderWhy string `json:"order_why,omitempty"`
}
