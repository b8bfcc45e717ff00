package unvite

import "time"

// Event is one entry of the append-only audit log: a status change, or an
// action on an account (tagging, protection, session changes).
type Event struct {
	ID           int64 `json:"id"`
	AccountID    int64 `json:"account_id"`
	InvitationID int64 `json:"invitation_id,omitempty"`
	// Person is the invitee's name as the invitation has it now, for
	// reading the log; empty for an account's events.
	Person string    `json:"person,omitempty"`
	At     time.Time `json:"at"`
	Type   string    `json:"type"` // "status", "tag", "untag", "protect", "account", ...
	From   Status    `json:"from,omitempty"`
	To     Status    `json:"to,omitempty"`
	Reason string    `json:"reason"` // why, in words
	Actor  string    `json:"actor"`  // who: "import:<file>", "sync", "policy:<rule>", "user"
}
