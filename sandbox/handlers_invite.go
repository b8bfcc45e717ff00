package sandbox

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// decodeBody wants a JSON object body sent as application/json.
func decodeBody(c *call, v any) *reply {
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return messageReply(http.StatusUnsupportedMediaType, "content-type must be application/json")
	}
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 || body[0] != '{' {
		return messageReply(http.StatusBadRequest, "body must be a JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return messageReply(http.StatusBadRequest, "body: %v", err)
	}
	return nil
}

func wantAction(c *call, action string) *reply {
	if got := c.q.str("action"); got != action {
		return messageReply(http.StatusBadRequest, "action=%q: want %s", got, action)
	}
	return nil
}

// pathNumber reads the trailing /<n> of the request path.
func pathNumber(c *call) (int64, *reply) {
	n, err := strconv.ParseInt(path.Base(c.r.URL.EscapedPath()), 10, 64)
	if err != nil || n <= 0 {
		return 0, messageReply(http.StatusBadRequest, "invitation id must be a number")
	}
	return n, nil
}

func (a *Account) withdrawAt(c *call, n int64) withdrawResult {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.withdraw(n, c.now)
}

// withdrawReply maps a single withdrawal's outcome for the two per-id
// calls: 200 with ok, 400 INVITATION_NOT_PENDING, or 404.
func withdrawReply(res withdrawResult, ok *reply) *reply {
	switch res {
	case withdrawNotPending:
		return codeReply(http.StatusBadRequest, codeNotPending)
	case withdrawUnknown:
		return statusReply(http.StatusNotFound)
	}
	return ok
}

// withdrawClose answers POST /relationships/invitations?action=closeInvitations:
// always 200, with each urn's own status in value.statusCodeMap (200
// withdrawn, 400 not pending, 404 unknown or malformed).
func (s *Sandbox) withdrawClose(a *Account, c *call) *reply {
	if bad := wantAction(c, "closeInvitations"); bad != nil {
		return bad
	}
	var req struct {
		InviteActionType string `json:"inviteActionType"`
		InviteActionData []struct {
			EntityURN             string `json:"entityUrn"`
			GenericInvitation     bool   `json:"genericInvitation"`
			GenericInvitationType string `json:"genericInvitationType"`
		} `json:"inviteActionData"`
	}
	if bad := decodeBody(c, &req); bad != nil {
		return bad
	}
	if req.InviteActionType != "ACTOR_WITHDRAW" || len(req.InviteActionData) == 0 {
		return messageReply(http.StatusBadRequest, "want inviteActionType ACTOR_WITHDRAW and inviteActionData")
	}
	codes := map[string]int{}
	for _, d := range req.InviteActionData {
		n, err := strconv.ParseInt(strings.TrimPrefix(d.EntityURN, urnRelInvitation), 10, 64)
		if !strings.HasPrefix(d.EntityURN, urnRelInvitation) || err != nil {
			codes[d.EntityURN] = http.StatusBadRequest
			continue
		}
		switch a.withdrawAt(c, n) {
		case withdrawOK:
			codes[d.EntityURN] = http.StatusOK
		case withdrawNotPending:
			codes[d.EntityURN] = http.StatusBadRequest
		default:
			codes[d.EntityURN] = http.StatusNotFound
		}
	}
	return normalized(http.StatusOK, map[string]any{
		"value": map[string]any{"statusCodeMap": codes, "$type": typeActionResult},
		"$type": typeActionResponse,
	}, nil)
}

// withdrawAction answers POST /relationships/invitations/<n>?action=withdraw with {}.
func (s *Sandbox) withdrawAction(a *Account, c *call) *reply {
	if bad := wantAction(c, "withdraw"); bad != nil {
		return bad
	}
	n, bad := pathNumber(c)
	if bad != nil {
		return bad
	}
	var req map[string]any
	if bad := decodeBody(c, &req); bad != nil {
		return bad
	}
	return withdrawReply(a.withdrawAt(c, n), normalized(http.StatusOK,
		map[string]any{"value": "Invitation withdrawn", "$type": typeActionResponse}, nil))
}

// withdrawDash answers POST /voyagerRelationshipsDashInvitations/urn%3Ali%3Afsd_invitation%3A<n>?action=withdraw
// with {"invitationType":"CONNECTION"}. The urn must be percent-encoded.
func (s *Sandbox) withdrawDash(a *Account, c *call) *reply {
	if bad := wantAction(c, "withdraw"); bad != nil {
		return bad
	}
	seg := path.Base(c.r.URL.EscapedPath())
	if strings.Contains(seg, ":") {
		return messageReply(http.StatusBadRequest, "the invitation urn must be percent-encoded in the path")
	}
	urn, err := url.PathUnescape(seg)
	n, perr := strconv.ParseInt(strings.TrimPrefix(urn, urnFsdInvitation), 10, 64)
	if err != nil || !strings.HasPrefix(urn, urnFsdInvitation) || perr != nil {
		return messageReply(http.StatusBadRequest, "want urn:li:fsd_invitation:<n> in the path")
	}
	var req struct {
		InvitationType string `json:"invitationType"`
	}
	if bad := decodeBody(c, &req); bad != nil {
		return bad
	}
	if req.InvitationType != "CONNECTION" {
		return messageReply(http.StatusBadRequest, `want {"invitationType":"CONNECTION"}`)
	}
	return withdrawReply(a.withdrawAt(c, n), actionOK())
}

// sendAs runs LinkedIn's checks and creates the invitation, answering as
// send-dash.response.json (status 200, or 201 for the legacy create).
func (a *Account) sendAs(c *call, profileID, note string, status int) *reply {
	a.mu.Lock()
	inv, serr := a.send(profileID, note, c.now)
	a.mu.Unlock()
	if serr != nil {
		if serr.code == "" {
			return statusReply(serr.status)
		}
		return codeReply(serr.status, serr.code)
	}
	urn := urnFsdInvitation + id(inv.id)
	rep := normalized(status, map[string]any{
		"value": map[string]any{"invitationUrn": urn, "*invitation": urn, "$type": typeCreationResult},
		"$type": typeActionResponse,
	}, []any{map[string]any{"entityUrn": urn, "$type": typeDashInvitation}})
	if status == http.StatusCreated {
		rep.header.Set("X-RestLi-Id", id(inv.id))
	}
	return rep
}

// sendDash answers POST /voyagerRelationshipsDashMemberRelationships?action=verifyQuotaAndCreateV2&decorationId=….
func (s *Sandbox) sendDash(a *Account, c *call) *reply {
	if bad := wantAction(c, "verifyQuotaAndCreateV2"); bad != nil {
		return bad
	}
	var req struct {
		Invitee struct {
			InviteeUnion struct {
				MemberProfile string `json:"memberProfile"`
			} `json:"inviteeUnion"`
		} `json:"invitee"`
		CustomMessage string `json:"customMessage"`
	}
	if bad := decodeBody(c, &req); bad != nil {
		return bad
	}
	profile, ok := strings.CutPrefix(req.Invitee.InviteeUnion.MemberProfile, urnFsdProfile)
	if !ok || profile == "" {
		return messageReply(http.StatusBadRequest, "want invitee.inviteeUnion.memberProfile urn:li:fsd_profile:<id>")
	}
	return a.sendAs(c, profile, req.CustomMessage, http.StatusOK)
}

// sendLegacy answers POST /growth/normInvitations: 201 with the same body
// as the Dash create and an X-RestLi-Id header.
func (s *Sandbox) sendLegacy(a *Account, c *call) *reply {
	var req struct {
		Invitee map[string]struct {
			ProfileID string `json:"profileId"`
		} `json:"invitee"`
		Message string `json:"message"`
	}
	if bad := decodeBody(c, &req); bad != nil {
		return bad
	}
	profile := req.Invitee["com.linkedin.voyager.growth.invitation.InviteeProfile"].ProfileID
	if profile == "" {
		return messageReply(http.StatusBadRequest, "want invitee.com.linkedin.voyager.growth.invitation.InviteeProfile.profileId")
	}
	return a.sendAs(c, profile, req.Message, http.StatusCreated)
}
