package linkedin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/unvite/unvite"
)

// withdrawVariant is one known way to withdraw an invitation.
type withdrawVariant struct {
	name string
	call func(n string) call
	// check reads a 2xx reply: nil only when it says the invitation was
	// withdrawn; *Error values as they are, other errors as unknown shapes.
	check func(n string, body []byte) error
}

var withdrawVariants = []withdrawVariant{
	{
		name: "closeInvitations",
		call: func(n string) call {
			return call{op: "withdraw invitation (closeInvitations)", method: http.MethodPost,
				path: "/relationships/invitations?action=closeInvitations",
				body: closeInvitations{
					InviteActionType: "ACTOR_WITHDRAW",
					InviteActionData: []closeItem{{EntityURN: "urn:li:fs_relInvitation:" + n, GenericInvitationType: "CONNECTION"}},
				}}
		},
		check: checkClose,
	},
	{
		name: "withdraw",
		call: func(n string) call {
			return call{op: "withdraw invitation (action)", method: http.MethodPost,
				path: "/relationships/invitations/" + n + "?action=withdraw", body: struct{}{}}
		},
		check: checkWithdrawAction,
	},
	{
		name: "dash",
		call: func(n string) call {
			return call{op: "withdraw invitation (dash)", method: http.MethodPost,
				path: "/voyagerRelationshipsDashInvitations/" + escapeURN("urn:li:fsd_invitation:"+n) + "?action=withdraw",
				body: map[string]string{"invitationType": "CONNECTION"}}
		},
		check: checkDashWithdraw,
	},
}

type closeInvitations struct {
	InviteActionType string      `json:"inviteActionType"`
	InviteActionData []closeItem `json:"inviteActionData"`
}

type closeItem struct {
	EntityURN             string `json:"entityUrn"`
	GenericInvitation     bool   `json:"genericInvitation"`
	GenericInvitationType string `json:"genericInvitationType"`
}

// Withdraw withdraws one pending sent invitation, by number or urn. It
// returns nil only when LinkedIn confirms the withdrawal; ErrNotPending when
// it says the invitation is no longer pending (re-read the list to learn
// whether it was accepted). Variants (closeInvitations, the withdraw action,
// Dash) are tried in order from the one that worked last, moving on only
// when one is not served (404, 405, 410): any other failure may have
// withdrawn it, so it is returned as is.
func (c *Client) Withdraw(ctx context.Context, invitationID string) error {
	n, ok := invitationNumber(invitationID)
	if !ok {
		return unvite.Errorf(unvite.EINVALID, "linkedin: withdraw: %q is not an invitation id", invitationID)
	}
	var firstErr error
	for _, i := range order(int(c.withdrawVariant.Load()), len(withdrawVariants)) {
		v := withdrawVariants[i]
		cl := v.call(n)
		rep, err := c.do(ctx, cl)
		if err == nil {
			c.withdrawVariant.Store(int32(i))
			err = v.check(n, rep.body)
			if err != nil && !isError(err) {
				err = c.shapeError(cl, rep, err)
			}
			c.attach(err, cl, rep)
			return err
		}
		if !unavailable(err) {
			return err
		}
		if firstErr == nil {
			firstErr = err
		}
		c.logVariant(ctx, "withdraw invitation", v.name, err)
	}
	return fmt.Errorf("linkedin: withdraw invitation: no known variant answered: %w", firstErr)
}

func checkClose(n string, body []byte) error {
	d, err := parseDocument(body)
	if err != nil {
		return err
	}
	var v struct {
		Value *struct {
			StatusCodeMap map[string]int `json:"statusCodeMap"`
		} `json:"value"`
	}
	if err := d.decodeData(&v); err != nil {
		return err
	}
	if v.Value == nil || v.Value.StatusCodeMap == nil {
		return errors.New("no value.statusCodeMap")
	}
	urn := "urn:li:fs_relInvitation:" + n
	code, ok := v.Value.StatusCodeMap[urn]
	switch {
	case !ok:
		return fmt.Errorf("statusCodeMap has no %s", urn)
	case code == http.StatusOK:
		return nil
	default:
		return &Error{Kind: ErrNotPending, Code: strconv.Itoa(code)}
	}
}

func checkWithdrawAction(_ string, body []byte) error {
	d, err := parseDocument(body)
	if err != nil {
		return err
	}
	var v struct {
		Value string `json:"value"`
	}
	if err := d.decodeData(&v); err != nil {
		return err
	}
	if v.Value != "Invitation withdrawn" {
		return fmt.Errorf("value %q, want \"Invitation withdrawn\"", v.Value)
	}
	return nil
}

// checkDashWithdraw accepts what a Rest.li action returns without a value:
// an empty body, or an ActionResponse. LINKEDIN.md documents no reply for
// this variant, so this is an assumption (unconfirmed).
func checkDashWithdraw(_ string, body []byte) error {
	if strings.TrimSpace(string(body)) == "" {
		return nil
	}
	d, err := parseDocument(body)
	if err != nil {
		return err
	}
	var v struct {
		Type string `json:"$type"`
	}
	if err := d.decodeData(&v); err != nil {
		return err
	}
	if v.Type != "com.linkedin.restli.common.ActionResponse" {
		return fmt.Errorf("$type %q, want an ActionResponse", v.Type)
	}
	return nil
}

// attach fills an *Error built by a check with the call's details.
func (c *Client) attach(err error, cl call, rep *reply) {
	var e *Error
	if errors.As(err, &e) && e.Op == "" {
		pathOnly, _, _ := strings.Cut(cl.path, "?")
		e.Op, e.Method, e.Path, e.Status = cl.op, cl.method, "/voyager/api"+pathOnly, rep.status
		e.Snippet = c.snippet(rep.body)
	}
}

func isError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// escapeURN percent-encodes a urn for use as one path segment: everything
// but RFC 3986 unreserved characters, so ':' becomes %3A.
func escapeURN(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("-._~", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}
