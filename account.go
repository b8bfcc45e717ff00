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

// OwnerAccount picks, among accounts, the one whose export owner describes:
// the account with owner's profile; else the account of the same name
// (spaces and case aside) whose profile is not yet known, as when a
// Connections.csv was imported with --name before the Invitations.csv that
// names the profile. An owner without a profile takes the account of its
// name. It returns nil when none is the owner's, and ECONFLICT when several
// could be.
func OwnerAccount(accounts []*Account, owner *Account) (*Account, error) {
	if owner.Slug != "" {
		for _, a := range accounts {
			if a.Slug == owner.Slug {
				return a, nil
			}
		}
	}
	name := NormalizeName(owner.Name)
	var found []*Account
	for _, a := range accounts {
		if NormalizeName(a.Name) == name && (owner.Slug == "" || a.Slug == "") {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, Errorf(ECONFLICT, "%d accounts are named %q: give --account", len(found), owner.Name)
}
