package linkedin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// PendingCount asks how many sent invitations are pending
// (invitationsSummaryV2, numTotalSentInvitations). Compare it with a
// listing's count to tell whether LinkedIn's collection ceiling hid some.
func (c *Client) PendingCount(ctx context.Context) (int, error) {
	// Rest.li List(...) syntax: the parentheses stay unescaped.
	cl := call{op: "count pending invitations", method: http.MethodGet,
		path: "/relationships/invitationsSummaryV2?types=List(SENT_INVITATION_COUNT)"}
	rep, err := c.do(ctx, cl)
	if err != nil {
		return 0, err
	}
	n, err := parseSummary(rep.body)
	if err != nil {
		return 0, c.shapeError(cl, rep, err)
	}
	return n, nil
}

func parseSummary(body []byte) (int, error) {
	d, err := parseDocument(body)
	if err != nil {
		return 0, err
	}
	var v struct {
		Total *int `json:"numTotalSentInvitations"`
	}
	if err := d.decodeData(&v); err != nil {
		return 0, err
	}
	if v.Total == nil {
		return 0, errors.New("no numTotalSentInvitations")
	}
	if *v.Total < 0 {
		return 0, fmt.Errorf("numTotalSentInvitations %d", *v.Total)
	}
	return *v.Total, nil
}
