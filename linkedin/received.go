package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/unvite/unvite"
)

// ReceivedInvitation is an invitation someone sent the account.
type ReceivedInvitation struct {
	LinkedInID   string
	SharedSecret string // needed to accept or ignore it
	From         unvite.Person
	SentAt       time.Time // zero when the reply has no sentTime
	Message      string
	HadNote      bool
}

// receivedView is an element of invitationViews: the invitation inline or
// referenced, as in the sent listing (the reply is not documented; this
// reads it like the documented sent one).
type receivedView struct {
	InvitationRef string            `json:"*invitation"`
	Invitation    *legacyInvitation `json:"invitation"`
}

// ReceivedInvitations lists the invitations waiting for the account, all
// pages. Elements that are not member connection invitations are skipped.
func (c *Client) ReceivedInvitations(ctx context.Context) ([]ReceivedInvitation, error) {
	var out []ReceivedInvitation
	for page := 0; page < maxPages; page++ {
		cl := call{op: "list received invitations", method: http.MethodGet,
			path: "/relationships/invitationViews?q=receivedInvitation&start=" + strconv.Itoa(page*PageSize) +
				"&count=" + strconv.Itoa(PageSize) + "&includeInsights=true"}
		rep, err := c.do(ctx, cl)
		if err != nil {
			return out, err
		}
		invs, n, err := parseReceived(rep.body)
		if err != nil {
			return out, c.shapeError(cl, rep, err)
		}
		out = append(out, invs...)
		if n < PageSize {
			return out, nil
		}
	}
	return out, &Error{Kind: ErrUnexpected, Op: "list received invitations",
		Err: fmt.Errorf("more than %d full pages: paging does not end", maxPages)}
}

// parseReceived returns the invitations and the number of elements read.
func parseReceived(body []byte) ([]ReceivedInvitation, int, error) {
	d, elems, err := parseElements(body)
	if err != nil {
		return nil, 0, err
	}
	var out []ReceivedInvitation
	for i, raw := range elems {
		inv, keep, err := d.receivedInvitation(raw)
		if err != nil {
			return nil, 0, fmt.Errorf("element %d: %w", i, err)
		}
		if keep {
			out = append(out, inv)
		}
	}
	return out, len(elems), nil
}

func (d *document) receivedInvitation(raw json.RawMessage) (ReceivedInvitation, bool, error) {
	var view receivedView
	if err := json.Unmarshal(raw, &view); err != nil {
		return ReceivedInvitation{}, false, err
	}
	inv := view.Invitation
	if inv == nil {
		if view.InvitationRef == "" {
			return ReceivedInvitation{}, false, errors.New("view without invitation")
		}
		inv = new(legacyInvitation)
		if err := d.entity(view.InvitationRef, invitationType, inv); err != nil {
			return ReceivedInvitation{}, false, err
		}
	}
	if inv.InvitationType != "" && inv.InvitationType != "CONNECTION" {
		return ReceivedInvitation{}, false, nil
	}
	id, ok := urnNumber(inv.EntityURN, "fs_relInvitation")
	if !ok {
		return ReceivedInvitation{}, false, fmt.Errorf("invitation entityUrn %q", inv.EntityURN)
	}
	mp := inv.FromMember
	if mp == nil {
		if inv.FromMemberRef == "" {
			return ReceivedInvitation{}, false, fmt.Errorf("invitation %s: no fromMember", id)
		}
		mp = new(miniProfile)
		if err := d.entity(inv.FromMemberRef, miniProfileType, mp); err != nil {
			return ReceivedInvitation{}, false, fmt.Errorf("invitation %s: %w", id, err)
		}
	}
	from, err := mp.person()
	if err != nil {
		return ReceivedInvitation{}, false, fmt.Errorf("invitation %s: %w", id, err)
	}
	r := ReceivedInvitation{
		LinkedInID:   id,
		SharedSecret: inv.SharedSecret,
		From:         from,
		Message:      inv.Message,
		HadNote:      inv.CustomMessage || inv.Message != "",
	}
	if inv.SentTime > 0 {
		r.SentAt = time.UnixMilli(inv.SentTime).UTC()
	}
	return r, true, nil
}
