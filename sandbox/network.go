package sandbox

import (
	"container/heap"
	"slices"
	"sort"
	"time"
)

// person is someone in an account's network.
type person struct {
	profileID string // urn:li:fs_miniProfile:<id>, urn:li:fsd_profile:<id>
	memberNum int64  // urn:li:member:<n>
	first     string
	last      string
	headline  string
	role      string // the position of the headline, as Connections.csv gives it
	company   string
	slug      string

	latest    *invitation // the newest sent invitation to this person
	connected bool
	coolUntil time.Time // no re-invite before this (after a withdrawal)
}

func (p *person) name() string { return p.first + " " + p.last }

type invState uint8

const (
	statePending invState = iota
	stateAccepted
	stateWithdrawn
)

// invitation is one sent invitation. Its fate (acceptAt) is drawn when it
// is made and applied lazily when the clock has passed it.
type invitation struct {
	id       int64
	to       *person
	sentAt   time.Time
	note     string
	secret   string
	acceptAt time.Time // zero: never accepted
	state    invState
	closedAt time.Time // when accepted or withdrawn
}

// connection is a first-degree connection the sandbox lists.
type connection struct {
	p         *person
	createdAt time.Time
	inv       *invitation // the accepted sent invitation, nil for a received one
}

// receivedInv is an invitation someone sent to the account.
type receivedInv struct {
	id     int64
	from   *person
	sentAt time.Time
	note   string
	secret string
}

// acceptHeap orders pending fates by acceptance time.
type acceptHeap []*invitation

func (h acceptHeap) Len() int           { return len(h) }
func (h acceptHeap) Less(i, j int) bool { return h[i].acceptAt.Before(h[j].acceptAt) }
func (h acceptHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *acceptHeap) Push(x any)        { *h = append(*h, x.(*invitation)) }
func (h *acceptHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newerFirst orders invitations newest first, ids breaking ties.
func newerFirst(a, b *invitation) int {
	if c := b.sentAt.Compare(a.sentAt); c != 0 {
		return c
	}
	switch {
	case a.id > b.id:
		return -1
	case a.id < b.id:
		return 1
	}
	return 0
}

// settle applies every acceptance due by now. Callers hold a.mu.
func (a *Account) settle(now time.Time) {
	for len(a.fates) > 0 && !a.fates[0].acceptAt.After(now) {
		inv := heap.Pop(&a.fates).(*invitation)
		if inv.state != statePending {
			continue
		}
		inv.state, inv.closedAt = stateAccepted, inv.acceptAt
		a.addConnection(connection{p: inv.to, createdAt: inv.acceptAt, inv: inv})
		a.dirty = true
	}
}

// addConnection keeps a.conns ordered oldest first.
func (a *Account) addConnection(c connection) {
	c.p.connected = true
	i := sort.Search(len(a.conns), func(i int) bool { return a.conns[i].createdAt.After(c.createdAt) })
	a.conns = slices.Insert(a.conns, i, c)
}

// pending returns the pending invitations newest first. The list is rebuilt
// only after something changed, so paging through it costs a slice per page.
// Callers hold a.mu and have settled.
func (a *Account) pending() []*invitation {
	if a.dirty {
		a.pendingCache = a.pendingCache[:0]
		for _, inv := range a.invs {
			if inv.state == statePending {
				a.pendingCache = append(a.pendingCache, inv)
			}
		}
		a.dirty = false
	}
	return a.pendingCache
}

// visible applies the collection ceiling to the pending list.
func (a *Account) visible() []*invitation {
	p := a.pending()
	if c := a.ceiling; c > 0 && len(p) > c {
		return p[:c]
	}
	return p
}

// addInvitation records a new sent invitation. Callers hold a.mu.
func (a *Account) addInvitation(inv *invitation) {
	for a.byID[inv.id] != nil {
		inv.id++
	}
	a.byID[inv.id] = inv
	i, _ := slices.BinarySearchFunc(a.invs, inv, newerFirst)
	a.invs = slices.Insert(a.invs, i, inv)
	inv.to.latest = inv
	if !inv.acceptAt.IsZero() {
		heap.Push(&a.fates, inv)
	}
	a.dirty = true
}

// withdrawResult is the outcome of one withdrawal.
type withdrawResult int

const (
	withdrawOK withdrawResult = iota
	withdrawNotPending
	withdrawUnknown
)

// withdraw closes a pending invitation and starts the cool-down for its
// invitee. Callers hold a.mu.
func (a *Account) withdraw(id int64, now time.Time) withdrawResult {
	a.settle(now)
	inv := a.byID[id]
	switch {
	case inv == nil:
		return withdrawUnknown
	case inv.state != statePending:
		return withdrawNotPending
	}
	inv.state, inv.closedAt = stateWithdrawn, now
	inv.to.coolUntil = now.Add(a.coolDown)
	a.withdrawn = append(a.withdrawn, inv)
	a.dirty = true
	return withdrawOK
}

// sendError is a refused invitation: the status and data.code LinkedIn
// answers with.
type sendError struct {
	status int
	code   string
}

// send creates an invitation to profileID after LinkedIn's checks. Callers
// hold a.mu.
func (a *Account) send(profileID, note string, now time.Time) (*invitation, *sendError) {
	a.settle(now)
	if n := len([]rune(note)); n > a.noteLimit {
		return nil, &sendError{400, codeNoteTooLong}
	}
	p := a.people[profileID]
	switch {
	case p == nil:
		return nil, &sendError{404, ""}
	case p.connected:
		return nil, &sendError{400, codeAlreadyConnected}
	case p.latest != nil && p.latest.state == statePending:
		return nil, &sendError{400, codeAlreadyPending}
	case a.background+len(a.conns) >= a.connLimit:
		return nil, &sendError{400, codeConnectionLimit}
	case now.Before(p.coolUntil):
		return nil, &sendError{400, codeCantResendYet}
	}
	weekAgo, monthAgo := now.Add(-7*day), now.Add(-30*day)
	sent, notes := 0, 0
	for _, s := range a.sends {
		if s.at.After(weekAgo) {
			sent++
		}
		if s.note && s.at.After(monthAgo) {
			notes++
		}
	}
	if sent >= a.weeklyLimit {
		return nil, &sendError{429, codeWeeklyLimit}
	}
	if note != "" && !a.cfg.Premium && notes >= a.notesPerMonth {
		return nil, &sendError{429, codeCustomInviteLimit}
	}
	at := now.Truncate(time.Millisecond)
	inv := &invitation{id: a.gen.invitationID(at), to: p, sentAt: at, note: note, secret: a.gen.token("", 8)}
	if ok, d := drawFate(a.rng); ok {
		inv.acceptAt = at.Add(d)
	}
	a.addInvitation(inv)
	a.sends = append(a.sends, sendRecord{at: now, note: note != ""})
	return inv, nil
}

type sendRecord struct {
	at   time.Time
	note bool
}

// answerReceived accepts or ignores a received invitation. Callers hold
// a.mu.
func (a *Account) answerReceived(id int64, secret string, accept bool, now time.Time) (found, secretOK bool) {
	a.settle(now)
	i := slices.IndexFunc(a.received, func(r *receivedInv) bool { return r.id == id })
	if i < 0 {
		return false, false
	}
	r := a.received[i]
	if r.secret != secret {
		return true, false
	}
	a.received = slices.Delete(a.received, i, i+1)
	if accept {
		a.addConnection(connection{p: r.from, createdAt: now})
	}
	return true, true
}
