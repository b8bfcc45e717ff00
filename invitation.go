package unvite

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind is what an invitation invites to.
type Kind string

const (
	KindPerson Kind = "person"
	KindPage   Kind = "page"
	KindEvent  Kind = "event"
)

// Direction tells sent from received invitations.
type Direction string

const (
	Sent     Direction = "sent"
	Received Direction = "received"
)

// Source is where unvite learned of an invitation.
type Source string

const (
	SourceExport Source = "export" // LinkedIn's data export
	SourceSync   Source = "sync"   // LinkedIn's web API
	SourceSheet  Source = "sheet"  // a hand-kept tracking sheet
	SourceManual Source = "manual"
)

// DefaultCoolDown is how long LinkedIn refuses a re-invite after a
// withdrawal (CANT_RESEND_YET): about three weeks.
const DefaultCoolDown = 21 * 24 * time.Hour

// Invitation is one connection invitation, normally one we sent.
type Invitation struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	Direction Direction `json:"direction"`
	Kind      Kind      `json:"kind"`
	Invitee   Person    `json:"invitee"` // for received invitations: the inviter
	// LinkedInID is LinkedIn's invitation number, known once synced.
	LinkedInID string    `json:"linkedin_id,omitempty"`
	SentAt     time.Time `json:"sent_at"`
	// SentAtApprox is set when SentAt is only the bound of a relative label
	// ("Sent 2 weeks ago"); an exact time from an export replaces it.
	SentAtApprox bool `json:"sent_at_approx,omitempty"`
	// Note is the message sent with the invitation; HadNote is true when
	// there was one even if its text is unknown.
	Note    string `json:"note,omitempty"`
	HadNote bool   `json:"had_note"`
	// NoteLength is the note's length in characters when a store loads
	// the length without the text (InvitationFilter.Outcomes); read it
	// through NoteChars.
	NoteLength int `json:"-"`

	Status        Status    `json:"status"`
	StatusSince   time.Time `json:"status_since"`
	ReinviteAfter time.Time `json:"reinvite_after,omitzero"` // set on withdrawal: withdrawn at + cool-down
	Source        Source    `json:"source"`
	Tags          []string  `json:"tags,omitempty"`
	Protected     bool      `json:"protected,omitempty"`
	FollowUpOn    time.Time `json:"follow_up_on,omitzero"` // from a tracking sheet
	Comment       string    `json:"comment,omitempty"`     // from a tracking sheet
	// UnlistedAt is when a sync first did not find this pending
	// invitation, known only from an export (no LinkedInID), on LinkedIn's
	// sent list, which shows only the newest so many: unvite cannot
	// withdraw it, so plans leave it out. A sync that lists it again
	// clears it. (One with a LinkedInID is withdrawn by that id, listed
	// or not.)
	UnlistedAt time.Time `json:"unlisted_at,omitzero"`
}

// NoteChars is the note's length in characters: of Note when its text is
// loaded, else NoteLength.
func (inv *Invitation) NoteChars() int {
	if inv.Note != "" {
		return utf8.RuneCountInString(inv.Note)
	}
	return inv.NoteLength
}

// HasNote reports whether the invitation was sent with a note, known by
// its text, its length or the note flag.
func (inv *Invitation) HasNote() bool { return inv.HadNote || inv.Note != "" || inv.NoteLength > 0 }

// Age is how long ago the invitation was sent, as of now.
func (inv *Invitation) Age(now time.Time) time.Duration { return now.Sub(inv.SentAt) }

// AgeDays counts whole days since sending (floor), as of now.
func (inv *Invitation) AgeDays(now time.Time) int {
	d := now.Sub(inv.SentAt)
	if d < 0 {
		return 0
	}
	return int(d / (24 * time.Hour))
}

// SentBy reports whether inv had been sent by the end of asOf's day (UTC).
// A report as of a day describes the whole of that day, so invitations sent
// on it count and those sent later, which did not exist yet, are left out.
func (inv *Invitation) SentBy(asOf time.Time) bool { return inv.SentAt.Before(DayAfter(asOf)) }

// DayAfter is the start of the UTC day after t's: the exclusive bound of
// what a report as of t includes.
func DayAfter(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour) }

// HasTag reports whether the invitation carries tag t.
func (inv *Invitation) HasTag(t string) bool {
	for _, x := range inv.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// MaxNoteLength is LinkedIn's limit on an invitation note for a plan.
func MaxNoteLength(p Plan) int {
	if p == PlanFree {
		return 200
	}
	return 300
}

// ValidateTags checks tags before they are stored: each is non-empty and
// holds no comma (the CLI splits on commas) and no control character.
func ValidateTags(tags []string) error {
	for _, t := range tags {
		if t == "" || strings.ContainsFunc(t, func(r rune) bool { return r == ',' || unicode.IsControl(r) }) {
			return Errorf(EINVALID, "tag %q: tags are non-empty and hold no commas", t)
		}
	}
	return nil
}

// WeeklyInviteLimit is about how many invitations LinkedIn lets a plan send
// in a rolling week (see LINKEDIN.md): past it, sending is refused.
func WeeklyInviteLimit(p Plan) int {
	if p == PlanFree {
		return 100
	}
	return 200
}

// ReconnectFilter selects an account's withdrawn invitations whose
// re-invite cool-down is over by now: the people one may invite again.
func ReconnectFilter(accountID int64, now time.Time) InvitationFilter {
	f := InvitationFilter{
		AccountID: accountID, Direction: Sent, Statuses: []Status{StatusWithdrawn}, ReinviteBy: now, Sort: "sent",
	}
	f.SentBy(now)
	return f
}
