package sandbox

import (
	"net/http"
	"slices"
)

// receivedList answers GET /relationships/invitationViews?q=receivedInvitation
// in the normalized shape of the sent listing: InvitationView, Invitation
// (with message when there is one) and the inviter's MiniProfile.
func (s *Sandbox) receivedList(a *Account, c *call) *reply {
	if c.q.str("q") != "receivedInvitation" {
		return messageReply(http.StatusBadRequest, "want q=receivedInvitation")
	}
	start, count, bad := pageParams(c.q, 10)
	if bad != nil {
		return bad
	}
	a.mu.Lock()
	a.settle(c.now)
	page := pageOf(a.received, start, count)
	a.mu.Unlock()
	coll := collection{
		Elements: make([]string, 0, len(page)),
		Paging:   legacyPaging{Start: start, Count: count, Links: []any{}},
		Type:     typeCollection,
	}
	me := urnMiniProfile + a.me.profileID
	included := make([]any, 0, 3*len(page))
	for _, r := range page {
		n := id(r.id)
		coll.Elements = append(coll.Elements, urnInvitationView+n)
		included = append(included,
			viewRef{EntityURN: urnInvitationView + n, Invitation: urnRelInvitation + n, Type: typeInvitationView},
			legacyInvitation{
				EntityURN: urnRelInvitation + n, MailboxItemID: urnMailboxInvitation + n,
				SentTime: r.sentAt.UnixMilli(), SharedSecret: r.secret, CustomMessage: r.note != "",
				Message: r.note, InvitationType: "CONNECTION",
				FromMember: urnMiniProfile + r.from.profileID, ToMember: me,
				Unseen: true, Type: typeInvitation,
			},
			miniProfileOf(r.from))
	}
	return normalized(http.StatusOK, coll, included)
}

// receivedAction answers POST /relationships/invitations/<n>?action=accept|ignore
// with {"invitationId","invitationSharedSecret","isGenericInvitation":false}.
func (s *Sandbox) receivedAction(a *Account, c *call) *reply {
	n, bad := pathNumber(c)
	if bad != nil {
		return bad
	}
	var req struct {
		InvitationID           string `json:"invitationId"`
		InvitationSharedSecret string `json:"invitationSharedSecret"`
		IsGenericInvitation    bool   `json:"isGenericInvitation"`
	}
	if bad := decodeBody(c, &req); bad != nil {
		return bad
	}
	if req.InvitationID != id(n) {
		return messageReply(http.StatusBadRequest, "invitationId %q does not match the path", req.InvitationID)
	}
	a.mu.Lock()
	found, ok := a.answerReceived(n, req.InvitationSharedSecret, c.q.str("action") == "accept", c.now)
	a.mu.Unlock()
	switch {
	case !found:
		return statusReply(http.StatusNotFound)
	case !ok:
		return messageReply(http.StatusBadRequest, "invitationSharedSecret does not match")
	}
	return actionOK()
}

// connections answers GET /relationships/dash/connections?q=search&sortType=RECENTLY_ADDED,
// newest first, in the shape documented in doc.go.
func (s *Sandbox) connections(a *Account, c *call) *reply {
	if c.q.str("q") != "search" {
		return messageReply(http.StatusBadRequest, "want q=search")
	}
	if st := c.q.str("sortType"); st != "" && st != "RECENTLY_ADDED" {
		return messageReply(http.StatusBadRequest, "sortType=%q: only RECENTLY_ADDED is simulated", st)
	}
	start, count, bad := pageParams(c.q, 10)
	if bad != nil {
		return bad
	}
	a.mu.Lock()
	a.settle(c.now)
	var page []connection
	if total := len(a.conns); start < total {
		// a.conns is oldest first: the page is a reversed window of it.
		hi, lo := total-start, max(0, total-start-count)
		page = slices.Clone(a.conns[lo:hi])
		slices.Reverse(page)
	}
	a.mu.Unlock()
	out := connectionCollection{Paging: dashPaging{Start: start, Count: count}, Elements: make([]connectionElement, 0, len(page))}
	for _, cn := range page {
		urn := urnFsdProfile + cn.p.profileID
		out.Elements = append(out.Elements, connectionElement{
			CreatedAt:       cn.createdAt.UnixMilli(),
			ConnectedMember: urn,
			ConnectedMemberResolutionResult: connectedMember{
				FirstName: cn.p.first, LastName: cn.p.last, PublicIdentifier: cn.p.slug, EntityURN: urn, Headline: cn.p.headline,
			},
		})
	}
	return normalized(http.StatusOK, out, nil)
}
