package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/unvite/unvite"
)

// Me is the signed-in member.
type Me struct {
	MemberID   string // the urn:li:member:<n> number (plainId)
	ProfileURN string // urn:li:fs_miniProfile:<id>
	FirstName  string
	LastName   string
	Occupation string
	Slug       string // publicIdentifier: lower-case, percent-decoded
	Premium    bool
}

// Name is the member's full name.
func (m *Me) Name() string { return fullName(m.FirstName, m.LastName) }

// Plan is the account's plan as LinkedIn reports it.
func (m *Me) Plan() unvite.Plan {
	if m.Premium {
		return unvite.PlanPremium
	}
	return unvite.PlanFree
}

const miniProfileType = "com.linkedin.voyager.identity.shared.MiniProfile"

// miniProfile is the member card embedded in most legacy replies.
type miniProfile struct {
	EntityURN        string `json:"entityUrn"`
	ObjectURN        string `json:"objectUrn"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Occupation       string `json:"occupation"`
	PublicIdentifier string `json:"publicIdentifier"`
}

func (p *miniProfile) person() (unvite.Person, error) {
	slug := normalizeSlug(p.PublicIdentifier)
	name := fullName(p.FirstName, p.LastName)
	if slug == "" || name == "" {
		return unvite.Person{}, fmt.Errorf("mini profile %s: no name or publicIdentifier", p.EntityURN)
	}
	return unvite.Person{Name: name, Headline: strings.TrimSpace(p.Occupation), Slug: slug, MemberURN: p.EntityURN}, nil
}

// Me asks who the session belongs to (GET /me, plain or normalized reply).
func (c *Client) Me(ctx context.Context) (*Me, error) {
	cl := call{op: "who am I", method: http.MethodGet, path: "/me"}
	rep, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	me, err := parseMe(rep.body)
	if err != nil {
		return nil, c.shapeError(cl, rep, err)
	}
	return me, nil
}

func parseMe(body []byte) (*Me, error) {
	d, err := parseDocument(body)
	if err != nil {
		return nil, err
	}
	var top struct {
		MiniProfile    *miniProfile `json:"miniProfile"`
		MiniProfileRef string       `json:"*miniProfile"`
		PlainID        json.Number  `json:"plainId"`
		Premium        bool         `json:"premiumSubscriber"`
	}
	if err := d.decodeData(&top); err != nil {
		return nil, err
	}
	mp := top.MiniProfile
	if mp == nil {
		if top.MiniProfileRef == "" {
			return nil, errors.New("no miniProfile")
		}
		mp = new(miniProfile)
		if err := d.entity(top.MiniProfileRef, miniProfileType, mp); err != nil {
			return nil, err
		}
	}
	id := top.PlainID.String()
	objID, hasObj := urnNumber(mp.ObjectURN, "member")
	switch {
	case id == "" && hasObj:
		id = objID
	case id != "" && !isDigits(id):
		return nil, fmt.Errorf("plainId %q is not a number", id)
	case id != "" && hasObj && id != objID:
		return nil, fmt.Errorf("plainId %s and objectUrn %s disagree", id, mp.ObjectURN)
	case id == "":
		return nil, errors.New("no plainId nor member objectUrn")
	}
	slug := normalizeSlug(mp.PublicIdentifier)
	if slug == "" {
		return nil, errors.New("no publicIdentifier")
	}
	return &Me{
		MemberID:   id,
		ProfileURN: mp.EntityURN,
		FirstName:  strings.TrimSpace(mp.FirstName),
		LastName:   strings.TrimSpace(mp.LastName),
		Occupation: strings.TrimSpace(mp.Occupation),
		Slug:       slug,
		Premium:    top.Premium,
	}, nil
}
