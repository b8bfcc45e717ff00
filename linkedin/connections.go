package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// DefaultRecentConnections is the page the web app asks for.
const DefaultRecentConnections = 40

// dashConnection is an element of relationships/dash/connections. LINKEDIN.md
// does not document this reply; the assumed (unconfirmed) shape is
// {createdAt: epoch ms, and the member's profile as
// connectedMemberResolutionResult (inline), *connectedMemberResolutionResult,
// *connectedMember, or connectedMember (inline object or a urn into
// included[])}, the profile carrying publicIdentifier, firstName, lastName
// and headline.
type dashConnection struct {
	EntityURN          string          `json:"entityUrn"`
	CreatedAt          int64           `json:"createdAt"`
	Resolution         *dashProfile    `json:"connectedMemberResolutionResult"`
	ResolutionRef      string          `json:"*connectedMemberResolutionResult"`
	ConnectedMemberRef string          `json:"*connectedMember"`
	ConnectedMember    json.RawMessage `json:"connectedMember"`
}

type dashProfile struct {
	EntityURN        string `json:"entityUrn"`
	PublicIdentifier string `json:"publicIdentifier"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Headline         string `json:"headline"`
}

// RecentConnections returns the account's newest connections, newest first
// (count ≤ 0 means 40; at most 100), to tell accepted invitations from gone.
func (c *Client) RecentConnections(ctx context.Context, count int) ([]unvite.Connection, error) {
	if count <= 0 {
		count = DefaultRecentConnections
	}
	count = min(count, PageSize)
	cl := call{op: "list recent connections", method: http.MethodGet,
		path: "/relationships/dash/connections?decorationId=com.linkedin.voyager.dash.deco.web.mynetwork.ConnectionListWithProfile-15" +
			"&count=" + strconv.Itoa(count) + "&q=search&sortType=RECENTLY_ADDED&start=0"}
	rep, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	conns, err := parseConnections(rep.body)
	if err != nil {
		return nil, c.shapeError(cl, rep, err)
	}
	return conns, nil
}

func parseConnections(body []byte) ([]unvite.Connection, error) {
	d, elems, err := parseElements(body)
	if err != nil {
		return nil, err
	}
	out := make([]unvite.Connection, 0, len(elems))
	for i, raw := range elems {
		var dc dashConnection
		if err := json.Unmarshal(raw, &dc); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		if dc.CreatedAt <= 0 {
			return nil, fmt.Errorf("element %d: no createdAt", i)
		}
		p, err := d.connectedProfile(&dc)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		slug, name := normalizeSlug(p.PublicIdentifier), fullName(p.FirstName, p.LastName)
		if slug == "" || name == "" {
			return nil, fmt.Errorf("element %d: profile without name or publicIdentifier", i)
		}
		out = append(out, unvite.Connection{
			Person:      unvite.Person{Name: name, Headline: strings.TrimSpace(p.Headline), Slug: slug, MemberURN: p.EntityURN},
			ConnectedOn: time.UnixMilli(dc.CreatedAt).UTC(),
		})
	}
	return out, nil
}

func (d *document) connectedProfile(dc *dashConnection) (*dashProfile, error) {
	if dc.Resolution != nil {
		return dc.Resolution, nil
	}
	ref := dc.ResolutionRef
	if ref == "" {
		ref = dc.ConnectedMemberRef
	}
	if ref == "" && len(dc.ConnectedMember) > 0 {
		if isObject(dc.ConnectedMember) {
			p := new(dashProfile)
			return p, json.Unmarshal(dc.ConnectedMember, p)
		}
		_ = json.Unmarshal(dc.ConnectedMember, &ref)
	}
	if ref == "" {
		return nil, errors.New("no connected member profile")
	}
	p := new(dashProfile)
	if err := d.entity(ref, "", p); err != nil {
		return nil, err
	}
	return p, nil
}
