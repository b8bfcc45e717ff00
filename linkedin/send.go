package linkedin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/unvite/unvite"
)

// sendVariant is one known way to send an invitation.
type sendVariant struct {
	name string
	call func(profileID, note string) call
}

var sendVariants = []sendVariant{
	{
		name: "dash",
		call: func(profileID, note string) call {
			body := dashInvite{CustomMessage: note}
			body.Invitee.InviteeUnion.MemberProfile = "urn:li:fsd_profile:" + profileID
			return call{op: "send invitation (dash)", method: http.MethodPost,
				path: "/voyagerRelationshipsDashMemberRelationships?action=verifyQuotaAndCreateV2" +
					"&decorationId=com.linkedin.voyager.dash.deco.relationships.InvitationCreationResultWithInvitee-2",
				body: body}
		},
	},
	{
		name: "normInvitations",
		call: func(profileID, note string) call {
			body := normInvitation{TrackingID: trackingID(), EmberEntityName: "growth/invitation/norm-invitation", Message: note}
			body.Invitee.Profile.ProfileID = profileID
			return call{op: "send invitation (normInvitations)", method: http.MethodPost,
				path: "/growth/normInvitations", body: body}
		},
	},
}

type dashInvite struct {
	Invitee struct {
		InviteeUnion struct {
			MemberProfile string `json:"memberProfile"`
		} `json:"inviteeUnion"`
	} `json:"invitee"`
	CustomMessage string `json:"customMessage,omitempty"` // no key without a note
}

type normInvitation struct {
	TrackingID      string `json:"trackingId"`
	EmberEntityName string `json:"emberEntityName"`
	Invitee         struct {
		Profile struct {
			ProfileID string `json:"profileId"`
		} `json:"com.linkedin.voyager.growth.invitation.InviteeProfile"`
	} `json:"invitee"`
	Message string `json:"message,omitempty"`
}

// trackingID is a random 16-byte id, base64 as the web app sends it.
func trackingID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// SendInvitation invites a member, with an optional note, and returns the
// new invitation's number. profileURN is urn:li:fsd_profile:<id>,
// urn:li:fs_miniProfile:<id> or the bare <id>. A note longer than the
// plan allows (unvite.MaxNoteLength) is refused with ErrNoteTooLong before
// any request. Variants: Dash verifyQuotaAndCreateV2, then the legacy
// normInvitations, moving on only when one is not served (404, 405, 410).
// A 2xx reply without an invitationUrn is ErrUnexpected: the invitation may
// exist, so re-sync rather than send again.
func (c *Client) SendInvitation(ctx context.Context, profileURN, note string, plan unvite.Plan) (string, error) {
	id, ok := profileID(profileURN)
	if !ok {
		return "", unvite.Errorf(unvite.EINVALID, "linkedin: send invitation: %q is not a profile urn", profileURN)
	}
	note = strings.TrimSpace(note)
	if n, limit := utf8.RuneCountInString(note), unvite.MaxNoteLength(plan); n > limit {
		return "", &Error{Kind: ErrNoteTooLong, Op: "send invitation", Err: fmt.Errorf("%d characters, the %s plan allows %d", n, plan, limit)}
	}
	var firstErr error
	for _, i := range order(int(c.sendVariant.Load()), len(sendVariants)) {
		v := sendVariants[i]
		cl := v.call(id, note)
		rep, err := c.do(ctx, cl)
		if err == nil {
			c.sendVariant.Store(int32(i))
			n, err := parseCreated(rep.body)
			if err != nil {
				return "", c.shapeError(cl, rep, err)
			}
			return n, nil
		}
		if !unavailable(err) {
			return "", err
		}
		if firstErr == nil {
			firstErr = err
		}
		c.logVariant(ctx, "send invitation", v.name, err)
	}
	return "", fmt.Errorf("linkedin: send invitation: no known variant answered: %w", firstErr)
}

func profileID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, p := range []string{"urn:li:fsd_profile:", "urn:li:fs_miniProfile:", "urn:li:fs_profile:"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s = rest
			break
		}
	}
	if s == "" || strings.Contains(s, ":") || !cookieSafe(s) || strings.ContainsAny(s, "/?#%") {
		return "", false
	}
	return s, true
}

// parseCreated reads {"data":{"value":{"invitationUrn":"urn:li:fsd_invitation:<n>"}}}.
func parseCreated(body []byte) (string, error) {
	d, err := parseDocument(body)
	if err != nil {
		return "", err
	}
	var v struct {
		Value *struct {
			InvitationURN string `json:"invitationUrn"`
		} `json:"value"`
	}
	if err := d.decodeData(&v); err != nil {
		return "", err
	}
	if v.Value == nil {
		return "", errors.New("no value.invitationUrn")
	}
	n, ok := invitationNumber(v.Value.InvitationURN)
	if !ok {
		return "", fmt.Errorf("invitationUrn %q", v.Value.InvitationURN)
	}
	return n, nil
}
