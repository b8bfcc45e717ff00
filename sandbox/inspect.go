package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// InvitationInfo is a sent invitation as tests see it.
type InvitationInfo struct {
	ID        string    `json:"id"` // the number in its urns
	ProfileID string    `json:"profileId"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Headline  string    `json:"headline"`
	Company   string    `json:"company,omitempty"`
	SentAt    time.Time `json:"sentAt"`
	HadNote   bool      `json:"hadNote"`
	Note      string    `json:"note,omitempty"`
	// AcceptsAt is the invitation's hidden fate: when the invitee will
	// accept, zero if never. Tests use it to pick invitations.
	AcceptsAt   time.Time `json:"acceptsAt,omitzero"`
	WithdrawnAt time.Time `json:"withdrawnAt,omitzero"`
}

// ConnectionInfo is a listed connection.
type ConnectionInfo struct {
	ProfileID string `json:"profileId"`
	Slug      string `json:"slug"`
	Name      string `json:"name"`
	Headline  string `json:"headline"`
	// Company and Position are what the member's Connections.csv gives.
	Company   string    `json:"company"`
	Position  string    `json:"position"`
	CreatedAt time.Time `json:"createdAt"`
	// InvitationID and InvitationSentAt are set when the connection came
	// from accepting one of the account's sent invitations.
	InvitationID     string    `json:"invitationId,omitempty"`
	InvitationSentAt time.Time `json:"invitationSentAt,omitzero"`
	InvitationNote   string    `json:"invitationNote,omitempty"`
}

// ReceivedInfo is a pending received invitation.
type ReceivedInfo struct {
	ID        string    `json:"id"`
	ProfileID string    `json:"profileId"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	SentAt    time.Time `json:"sentAt"`
	Secret    string    `json:"sharedSecret"`
}

func infoOf(inv *invitation) InvitationInfo {
	i := InvitationInfo{
		ID: strconv.FormatInt(inv.id, 10), ProfileID: inv.to.profileID, Slug: inv.to.slug,
		Name: inv.to.name(), Headline: inv.to.headline, Company: inv.to.company, SentAt: inv.sentAt,
		HadNote: inv.note != "", Note: inv.note, AcceptsAt: inv.acceptAt,
	}
	if inv.state == stateWithdrawn {
		i.WithdrawnAt = inv.closedAt
	}
	return i
}

// locked runs f on the account settled at the current time; it does
// nothing for an unknown key.
func (s *Sandbox) locked(key string, f func(a *Account)) {
	a := s.Account(key)
	if a == nil {
		return
	}
	now := s.clock.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settle(now)
	f(a)
}

// PendingSent lists the account's pending sent invitations, newest first,
// ignoring the collection ceiling.
func (s *Sandbox) PendingSent(accountKey string) []InvitationInfo {
	var out []InvitationInfo
	s.locked(accountKey, func(a *Account) {
		for _, inv := range a.pending() {
			out = append(out, infoOf(inv))
		}
	})
	return out
}

// Sent lists every sent invitation of the account, newest first, whatever
// became of it: the history a data export would show, with each hidden fate
// (AcceptsAt) for tests that check estimates against the truth.
func (s *Sandbox) Sent(accountKey string) []InvitationInfo {
	var out []InvitationInfo
	s.locked(accountKey, func(a *Account) {
		for _, inv := range a.invs {
			out = append(out, infoOf(inv))
		}
	})
	return out
}

// Withdrawn lists the invitations withdrawn through the API, in order.
func (s *Sandbox) Withdrawn(accountKey string) []InvitationInfo {
	var out []InvitationInfo
	s.locked(accountKey, func(a *Account) {
		for _, inv := range a.withdrawn {
			out = append(out, infoOf(inv))
		}
	})
	return out
}

// Connections lists the account's connections, newest first (background
// connections are only counted, not listed).
func (s *Sandbox) Connections(accountKey string) []ConnectionInfo {
	var out []ConnectionInfo
	s.locked(accountKey, func(a *Account) {
		for _, c := range slices.Backward(a.conns) {
			ci := ConnectionInfo{ProfileID: c.p.profileID, Slug: c.p.slug, Name: c.p.name(), Headline: c.p.headline,
				Company: c.p.company, Position: c.p.role, CreatedAt: c.createdAt}
			if c.inv != nil {
				ci.InvitationID = strconv.FormatInt(c.inv.id, 10)
				ci.InvitationSentAt = c.inv.sentAt
				ci.InvitationNote = c.inv.note
			}
			out = append(out, ci)
		}
	})
	return out
}

// Received lists the account's pending received invitations, newest first.
func (s *Sandbox) Received(accountKey string) []ReceivedInfo {
	var out []ReceivedInfo
	s.locked(accountKey, func(a *Account) {
		for _, r := range a.received {
			out = append(out, ReceivedInfo{ID: strconv.FormatInt(r.id, 10), ProfileID: r.from.profileID,
				Slug: r.from.slug, Name: r.from.name(), SentAt: r.sentAt, Secret: r.secret})
		}
	})
	return out
}

// RequestLog is one request as received, for request-shape assertions.
type RequestLog struct {
	Time     time.Time   `json:"time"` // simulated
	Account  string      `json:"account,omitempty"`
	Kind     PathKind    `json:"kind"`
	Method   string      `json:"method"`
	Path     string      `json:"path"` // escaped, as sent
	RawQuery string      `json:"rawQuery,omitempty"`
	Header   http.Header `json:"header"` // without Cookie
	Body     string      `json:"body,omitempty"`
	Status   int         `json:"status"` // 0: connection dropped or client gone
}

func (s *Sandbox) record(now time.Time, a *Account, kind PathKind, r *http.Request, body []byte, status int) {
	h := r.Header.Clone()
	h.Del("Cookie")
	e := RequestLog{Time: now, Kind: kind, Method: r.Method, Path: r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery, Header: h, Body: string(body), Status: status}
	if a != nil {
		e.Account = a.cfg.Key
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = append(s.log, e)
	if n := s.opts.MaxLoggedRequests; len(s.log) > 2*n {
		s.log = append(s.log[:0], s.log[len(s.log)-n:]...)
	}
	m := s.counts[e.Account]
	if m == nil {
		m = map[PathKind]int{}
		s.counts[e.Account] = m
	}
	m[kind]++
}

// Requests returns the most recent requests (at most
// Options.MaxLoggedRequests), oldest first.
func (s *Sandbox) Requests() []RequestLog {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	l := s.log
	if n := s.opts.MaxLoggedRequests; len(l) > n {
		l = l[len(l)-n:]
	}
	return slices.Clone(l)
}

// RequestCount counts the requests of one account ("" = all, including
// those with no known session) and one kind ("" = all kinds).
func (s *Sandbox) RequestCount(accountKey string, kind PathKind) int {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	n := 0
	for acct, m := range s.counts {
		if accountKey != "" && acct != accountKey {
			continue
		}
		for k, c := range m {
			if kind == "" || k == kind {
				n += c
			}
		}
	}
	return n
}

// ResetRequests forgets the request log and counts.
func (s *Sandbox) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = nil
	s.counts = map[string]map[PathKind]int{}
}
