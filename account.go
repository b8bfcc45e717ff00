package unvite

import (
	"strings"
	"time"
)

// Plan is the LinkedIn subscription of an account; it sets the note length.
type Plan string

const (
	PlanFree    Plan = "free"
	PlanPremium Plan = "premium"
)

// AccountState says whether unvite may work on an account.
type AccountState string

const (
	AccountActive     AccountState = "active"
	AccountPaused     AccountState = "paused"      // by the user
	AccountNeedsLogin AccountState = "needs-login" // session expired or security challenge
	AccountThrottled  AccountState = "throttled"   // until ThrottledUntil
	AccountOffline    AccountState = "offline"     // known from exports only: no session
)

// Account is the LinkedIn member whose invitations these are.
type Account struct {
	ID             int64        `json:"id"`
	Name           string       `json:"name"`
	Slug           string       `json:"slug,omitempty"`
	MemberID       string       `json:"member_id,omitempty"` // urn:li:member:<n> number, when connected
	Plan           Plan         `json:"plan"`
	TimeZone       string       `json:"time_zone"` // IANA name
	State          AccountState `json:"state"`
	StateReason    string       `json:"state_reason,omitempty"`
	ThrottledUntil time.Time    `json:"throttled_until,omitzero"`
	CreatedAt      time.Time    `json:"created_at"`
	// HasSession is true when encrypted session cookies are stored. The
	// cookies themselves never leave the store through this type.
	HasSession bool      `json:"has_session"`
	LastSyncAt time.Time `json:"last_sync_at,omitzero"`
}

// ProfileURL is the account's canonical profile address.
func (a *Account) ProfileURL() string {
	if a.Slug == "" {
		return ""
	}
	return ProfileURL(a.Slug)
}

// Location returns the account's time zone, UTC when unset or unknown.
func (a *Account) Location() *time.Location {
	if a.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate fills an account's defaults (premium plan, offline state) and
// checks what every store requires of it.
func (a *Account) Validate() error {
	if strings.TrimSpace(a.Name) == "" {
		return Errorf(EINVALID, "account name is required")
	}
	if a.Plan == "" {
		a.Plan = PlanPremium
	}
	if a.Plan != PlanFree && a.Plan != PlanPremium {
		return Errorf(EINVALID, "account plan %q: want free or premium", a.Plan)
	}
	if a.State == "" {
		a.State = AccountOffline
	}
	return nil
}

// Remedy says, in a user's words, what brings the account back to work;
// "" when it is active.
func (a *Account) Remedy() string {
	switch a.State {
	case AccountPaused:
		return "Paused by you: resume it (unvite account resume) when you want withdrawals to run again."
	case AccountNeedsLogin:
		return "LinkedIn asked for a new login: sign in to LinkedIn in your browser, then give unvite the new session (unvite account reconnect)."
	case AccountThrottled:
		if !a.ThrottledUntil.IsZero() {
			return "LinkedIn is limiting requests: unvite waits until " + a.ThrottledUntil.UTC().Format("2006-01-02 15:04 UTC") + " and then carries on by itself."
		}
		return "LinkedIn is limiting requests: unvite waits and carries on by itself."
	case AccountOffline:
		return "Known from an export only: connect a session (unvite account connect) to sync and withdraw, or import a newer export."
	}
	return ""
}
