package unvite

import (
	"fmt"
	"slices"
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
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	Slug        string       `json:"slug,omitempty"`
	MemberID    string       `json:"member_id,omitempty"` // urn:li:member:<n> number, when connected
	Plan        Plan         `json:"plan"`
	TimeZone    string       `json:"time_zone"` // IANA name
	State       AccountState `json:"state"`
	StateReason string       `json:"state_reason,omitempty"`
	// StateSince is when the account entered its state: set by the patch
	// that changes the state (zero for a state older than the record).
	StateSince     time.Time `json:"state_since,omitzero"`
	ThrottledUntil time.Time `json:"throttled_until,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	// HasSession is true when encrypted session cookies are stored. The
	// cookies themselves never leave the store through this type.
	HasSession bool      `json:"has_session"`
	LastSyncAt time.Time `json:"last_sync_at,omitzero"`
	// Failures counts the account's LinkedIn calls that failed in a row
	// (server errors, no reply, replies unvite cannot read); any answered
	// call sets it back to 0. At the policy's max_failures the account is
	// paused (see accounts.Fail).
	Failures int `json:"failures,omitempty"`
	// RateLimitedAt is when LinkedIn last rate-limited the account: the
	// rest of that calendar day runs at half the daily limit, in every
	// process and across restarts.
	RateLimitedAt time.Time `json:"rate_limited_at,omitzero"`
	// Policy holds the account's own policy values, set from the dashboard,
	// the API or `unvite policy set`, by policy key ("daily_limit") with the
	// value as the policy file would write it ("20"). They apply over the
	// policy file's (see package policy).
	Policy map[string]string `json:"policy,omitempty"`
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

// OwnerPatch is what an import of owner's export changes on the account
// OwnerAccount found without a profile: it takes the export's profile and
// its spelling of the name (over one typed with --name).
func OwnerPatch(owner *Account) AccountPatch {
	return AccountPatch{Name: Ptr(owner.Name), Slug: Ptr(owner.Slug)}
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

// AccountPatch changes some of an account's fields: nil fields stay as they
// are. Stores apply a patch to the row as it is at that moment, in one
// transaction with its audit event, so two processes patching different
// fields (a pause from the CLI, a last-sync time from a worker) never undo
// each other, as whole-row writes of a stale copy would.
type AccountPatch struct {
	// Identity and plan, as LinkedIn's "me" tells them when connecting.
	Name     *string
	Slug     *string
	MemberID *string
	Plan     *Plan
	TimeZone *string

	// The state fields change together, and only when the account's current
	// state is one of OnlyFrom (any state when OnlyFrom is empty): so a
	// throttle a worker records never replaces the user's pause.
	State          *AccountState
	StateReason    *string
	ThrottledUntil *time.Time
	OnlyFrom       []AccountState

	LastSyncAt *time.Time

	// FailedCall adds one to Failures, after ResetFailures sets it back to
	// 0. Stores count in SQL (failures + 1) on the locked row, so calls
	// failing in several processes at once are all counted.
	FailedCall    bool
	ResetFailures bool
	// RateLimitedAt records a rate limit whatever the state (a user's pause
	// keeps its state, but the day still runs at half pace).
	RateLimitedAt *time.Time
	// Policy sets the account's own policy values by key; a nil value
	// removes the key, so that the policy file's value applies again. Keys
	// not named stay as they are. Package policy checks keys and values.
	Policy map[string]*string
}

// Ptr returns a pointer to v, for building patches.
func Ptr[T any](v T) *T { return &v }

// Apply changes a to what the patch says and returns the audit event that
// describes it (type "account"; nil when the patch changes nothing). Both
// stores call it on the row they hold locked, so they cannot drift apart.
func (p AccountPatch) Apply(a *Account, ch Change) (*Event, error) {
	var changes []string
	set := func(dst *string, v *string, what string) {
		if v != nil && *dst != *v {
			changes = append(changes, fmt.Sprintf("%s %q → %q", what, *dst, *v))
			*dst = *v
		}
	}
	set(&a.Name, p.Name, "name")
	set(&a.Slug, p.Slug, "profile")
	set(&a.MemberID, p.MemberID, "member")
	if p.Plan != nil && a.Plan != *p.Plan {
		changes = append(changes, fmt.Sprintf("plan %s → %s", a.Plan, *p.Plan))
		a.Plan = *p.Plan
	}
	if p.TimeZone != nil {
		if _, err := time.LoadLocation(*p.TimeZone); err != nil {
			return nil, Errorf(EINVALID, "time zone %q: %v", *p.TimeZone, err)
		}
		set(&a.TimeZone, p.TimeZone, "time zone")
	}
	if p.State != nil && !validState(*p.State) {
		return nil, Errorf(EINVALID, "account state %q: want active, paused, needs-login, throttled or offline", *p.State)
	}
	if len(p.OnlyFrom) == 0 || slices.Contains(p.OnlyFrom, a.State) {
		if p.State != nil && a.State != *p.State {
			changes = append(changes, fmt.Sprintf("state %s → %s", a.State, *p.State))
			a.State = *p.State
			a.StateSince = ch.At.UTC().Truncate(time.Second)
		}
		set(&a.StateReason, p.StateReason, "reason")
		if t := p.ThrottledUntil; t != nil && !a.ThrottledUntil.Equal(t.UTC().Truncate(time.Second)) {
			a.ThrottledUntil = t.UTC().Truncate(time.Second)
			if a.ThrottledUntil.IsZero() {
				changes = append(changes, "throttle lifted")
			} else {
				changes = append(changes, "throttled until "+a.ThrottledUntil.Format(time.RFC3339))
			}
		}
	}
	if t := p.LastSyncAt; t != nil && !a.LastSyncAt.Equal(t.UTC().Truncate(time.Second)) {
		a.LastSyncAt = t.UTC().Truncate(time.Second)
		changes = append(changes, "synced "+a.LastSyncAt.Format(time.RFC3339))
	}
	if t := p.RateLimitedAt; t != nil && !a.RateLimitedAt.Equal(t.UTC().Truncate(time.Second)) {
		a.RateLimitedAt = t.UTC().Truncate(time.Second)
		changes = append(changes, "rate limited at "+a.RateLimitedAt.Format(time.RFC3339))
	}
	if n := a.Failures; p.ResetFailures && n != 0 || p.FailedCall {
		if p.ResetFailures {
			a.Failures = 0
		}
		if p.FailedCall {
			a.Failures++
		}
		changes = append(changes, fmt.Sprintf("failed calls in a row %d → %d", n, a.Failures))
	}
	keys := make([]string, 0, len(p.Policy))
	for k := range p.Policy {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.TrimSpace(k) == "" {
			return nil, Errorf(EINVALID, "policy: an empty key")
		}
		old, had := a.Policy[k]
		switch v := p.Policy[k]; {
		case v == nil && had:
			delete(a.Policy, k)
			changes = append(changes, fmt.Sprintf("policy %s %s → the policy file's", k, old))
		case v != nil && (!had || old != *v):
			if a.Policy == nil {
				a.Policy = map[string]string{}
			}
			a.Policy[k] = *v
			if had {
				changes = append(changes, fmt.Sprintf("policy %s %s → %s", k, old, *v))
			} else {
				changes = append(changes, fmt.Sprintf("policy %s → %s", k, *v))
			}
		}
	}
	if len(a.Policy) == 0 {
		a.Policy = nil
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	reason := strings.Join(changes, "; ")
	if ch.Reason != "" {
		reason = ch.Reason + ": " + reason
	}
	return &Event{AccountID: a.ID, At: ch.At, Type: "account", Reason: reason, Actor: ch.Actor}, nil
}

func validState(s AccountState) bool {
	switch s {
	case AccountActive, AccountPaused, AccountNeedsLogin, AccountThrottled, AccountOffline:
		return true
	}
	return false
}
