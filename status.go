package unvite

import "fmt"

// Status is where an invitation stands. See CanTransition for the machine.
type Status string

const (
	// StatusPending: sent and not yet answered.
	StatusPending Status = "pending"
	// StatusWithdrawing: a withdrawal is in flight; its outcome is not yet known.
	StatusWithdrawing Status = "withdrawing"
	// StatusAccepted: the invitee is now a connection.
	StatusAccepted Status = "accepted"
	// StatusWithdrawn: withdrawn by us (through unvite, by hand, or superseded by a re-invite).
	StatusWithdrawn Status = "withdrawn"
	// StatusGone: vanished without becoming a connection (declined, or withdrawn elsewhere).
	StatusGone Status = "gone"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusPending, StatusWithdrawing, StatusAccepted, StatusWithdrawn, StatusGone}

// ParseStatus checks s names a status.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", Errorf(EINVALID, "unknown status %q (want one of pending, withdrawing, accepted, withdrawn, gone)", s)
}

// Final reports whether no further transition leaves s, except the
// evidence-driven correction gone → accepted.
func (s Status) Final() bool {
	return s == StatusAccepted || s == StatusWithdrawn || s == StatusGone
}

// transitions is the status machine. An invitation only moves forward:
// nothing returns to pending except a withdrawal whose attempt failed while
// the invitation was still pending.
var transitions = map[Status][]Status{
	StatusPending:     {StatusWithdrawing, StatusAccepted, StatusWithdrawn, StatusGone},
	StatusWithdrawing: {StatusPending, StatusWithdrawn, StatusAccepted, StatusGone},
	// A later export or sync may show that a vanished invitee did connect.
	StatusGone: {StatusAccepted},
}

// CanTransition returns nil when from → to is a legal move, and an EINVALID
// error naming both ends otherwise (for example withdrawing an accepted one).
func CanTransition(from, to Status) error {
	for _, t := range transitions[from] {
		if t == to {
			return nil
		}
	}
	if from == to {
		return Errorf(EINVALID, "invitation is already %s", from)
	}
	return Errorf(EINVALID, "illegal status change %s → %s", from, to)
}

func (s Status) String() string { return string(s) }

// MarshalText lets Status be used in flags and JSON.
func (s Status) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText parses a status name.
func (s *Status) UnmarshalText(b []byte) error {
	st, err := ParseStatus(string(b))
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	*s = st
	return nil
}
