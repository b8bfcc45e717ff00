package linkedin

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

const (
	sentViewType   = "com.linkedin.voyager.relationships.invitation.SentInvitationViewV2"
	invitationType = "com.linkedin.voyager.relationships.invitation.Invitation"
)

// legacyView is a SentInvitationViewV2: normalized ("*invitation") or
// plain (the invitation inline).
type legacyView struct {
	EntityURN     string            `json:"entityUrn"`
	InvitationRef string            `json:"*invitation"`
	Invitation    *legacyInvitation `json:"invitation"`
}

// legacyInvitation is a relationships Invitation. The invitee's profile is
// under invitee (*miniProfile or miniProfile), else under toMember.
type legacyInvitation struct {
	EntityURN      string       `json:"entityUrn"`
	MailboxItemID  string       `json:"mailboxItemId"`
	SentTime       int64        `json:"sentTime"`
	SharedSecret   string       `json:"sharedSecret"`
	CustomMessage  bool         `json:"customMessage"` // absent: no note
	Message        string       `json:"message"`
	InvitationType string       `json:"invitationType"`
	FromMemberRef  string       `json:"*fromMember"`
	FromMember     *miniProfile `json:"fromMember"`
	ToMemberRef    string       `json:"*toMember"`
	ToMember       *miniProfile `json:"toMember"`
	Invitee        *struct {
		MiniProfileRef string       `json:"*miniProfile"`
		MiniProfile    *miniProfile `json:"miniProfile"`
	} `json:"invitee"`
}

// parseLegacySent reads a sentInvitationViewsV2 page. The normalized form
// is the documented one: data["*elements"] lists view urns resolved through
// included[] by $type (view → invitation → mini profile). The plain form is
// assumed, not seen: {"elements":[{"entityUrn":…,"invitation":{…,
// "invitee":{"miniProfile":{…}}}}]} (or toMember inline), at the top level
// or under "data".
func parseLegacySent(body []byte) ([]unvite.SyncedInvitation, error) {
	d, elems, err := parseElements(body)
	if err != nil {
		return nil, err
	}
	out := make([]unvite.SyncedInvitation, 0, len(elems))
	for i, raw := range elems {
		inv, err := d.legacyInvitation(raw)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, inv)
	}
	return out, nil
}

func (d *document) legacyInvitation(raw json.RawMessage) (unvite.SyncedInvitation, error) {
	var view legacyView
	if err := decodeTyped(raw, sentViewType, &view); err != nil {
		return unvite.SyncedInvitation{}, err
	}
	inv := view.Invitation
	if inv == nil {
		if view.InvitationRef == "" {
			return unvite.SyncedInvitation{}, errors.New("view without invitation")
		}
		inv = new(legacyInvitation)
		if err := d.entity(view.InvitationRef, invitationType, inv); err != nil {
			return unvite.SyncedInvitation{}, err
		}
	}
	id, ok := urnNumber(inv.EntityURN, "fs_relInvitation")
	if !ok {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation entityUrn %q", inv.EntityURN)
	}
	// The view, invitation and mailbox item carry one number; a mismatch
	// means we misread the reply.
	for _, other := range []struct{ urn, typ string }{
		{view.EntityURN, "fs_relSentInvitationView"}, {inv.MailboxItemID, "invitation"},
	} {
		if other.urn == "" {
			continue
		}
		if n, ok := urnNumber(other.urn, other.typ); !ok || n != id {
			return unvite.SyncedInvitation{}, fmt.Errorf("%s does not match invitation %s", other.urn, id)
		}
	}
	if inv.InvitationType != "" && inv.InvitationType != "CONNECTION" {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation %s: invitationType %q", id, inv.InvitationType)
	}
	if inv.SentTime <= 0 {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation %s: no sentTime", id)
	}
	mp, err := d.invitee(inv)
	if err != nil {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation %s: %w", id, err)
	}
	person, err := mp.person()
	if err != nil {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation %s: %w", id, err)
	}
	return unvite.SyncedInvitation{
		LinkedInID: id,
		Invitee:    person,
		SentAt:     time.UnixMilli(inv.SentTime).UTC(),
		HadNote:    inv.CustomMessage || inv.Message != "",
		Kind:       unvite.KindPerson,
	}, nil
}

// invitee resolves the invited member's mini profile.
func (d *document) invitee(inv *legacyInvitation) (*miniProfile, error) {
	switch {
	case inv.Invitee != nil && inv.Invitee.MiniProfile != nil:
		return inv.Invitee.MiniProfile, nil
	case inv.ToMember != nil:
		return inv.ToMember, nil
	}
	ref := inv.ToMemberRef
	if inv.Invitee != nil && inv.Invitee.MiniProfileRef != "" {
		ref = inv.Invitee.MiniProfileRef
	}
	if ref == "" {
		return nil, errors.New("no invitee profile")
	}
	mp := new(miniProfile)
	if err := d.entity(ref, miniProfileType, mp); err != nil {
		return nil, err
	}
	return mp, nil
}

// dashView is an element of the Dash and GraphQL listings.
type dashView struct {
	InvitationURN    string    `json:"invitationUrn"`
	Title            *textView `json:"title"`
	Subtitle         *textView `json:"subtitle"`
	CardActionTarget string    `json:"cardActionTarget"`
	SentTimeLabel    string    `json:"sentTimeLabel"`
}

type textView struct {
	Text string `json:"text"`
}

// parseDashSent reads a voyagerRelationshipsDashSentInvitationViews page:
// data.elements inline (as documented) or data["*elements"] resolved
// through included[].
func parseDashSent(body []byte, now time.Time) ([]unvite.SyncedInvitation, error) {
	d, err := parseDocument(body)
	if err != nil {
		return nil, err
	}
	return d.dashCollection(d.data, now)
}

// graphQLCollection is where the GraphQL listing puts its collection.
const graphQLCollection = "relationshipsDashSentInvitationViewsByInvitationType"

// parseGraphQLSent reads the GraphQL listing. The collection is documented
// under data.relationshipsDash…; GraphQL replies commonly nest one more
// data (data.data.relationshipsDash…): both are read.
func parseGraphQLSent(body []byte, now time.Time) ([]unvite.SyncedInvitation, error) {
	d, err := parseDocument(body)
	if err != nil {
		return nil, err
	}
	obj := d.data
	if _, ok := obj[graphQLCollection]; !ok {
		if inner, ok := obj["data"]; ok && isObject(inner) {
			obj = nil
			if err := json.Unmarshal(inner, &obj); err != nil {
				return nil, fmt.Errorf("data.data: %w", err)
			}
		}
	}
	raw, ok := obj[graphQLCollection]
	if !ok || !isObject(raw) {
		return nil, errors.New("no " + graphQLCollection)
	}
	var coll map[string]json.RawMessage
	if err := json.Unmarshal(raw, &coll); err != nil {
		return nil, err
	}
	return d.dashCollection(coll, now)
}

func (d *document) dashCollection(coll map[string]json.RawMessage, now time.Time) ([]unvite.SyncedInvitation, error) {
	elems, ok, err := d.elements(coll)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("no elements")
	}
	out := make([]unvite.SyncedInvitation, 0, len(elems))
	for i, raw := range elems {
		inv, err := dashInvitation(raw, now)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, inv)
	}
	return out, nil
}

func dashInvitation(raw json.RawMessage, now time.Time) (unvite.SyncedInvitation, error) {
	var v dashView
	if err := json.Unmarshal(raw, &v); err != nil {
		return unvite.SyncedInvitation{}, err
	}
	id, ok := urnNumber(v.InvitationURN, "fsd_invitation")
	if !ok {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitationUrn %q", v.InvitationURN)
	}
	if v.Title == nil || strings.TrimSpace(v.Title.Text) == "" {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation %s: no title", id)
	}
	slug := unvite.SlugFromURL(v.CardActionTarget)
	if slug == "" {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation %s: cardActionTarget %q is not a profile URL", id, v.CardActionTarget)
	}
	earliest, _, err := SentLabelBounds(v.SentTimeLabel, now)
	if err != nil {
		return unvite.SyncedInvitation{}, fmt.Errorf("invitation %s: %w", id, err)
	}
	p := unvite.Person{Name: strings.Join(strings.Fields(v.Title.Text), " "), Slug: slug}
	if v.Subtitle != nil {
		p.Headline = strings.TrimSpace(v.Subtitle.Text)
	}
	return unvite.SyncedInvitation{
		LinkedInID: id,
		Invitee:    p,
		// The oldest time the label allows: an age is never understated.
		SentAt:       earliest.UTC(),
		SentAtApprox: true,
		Kind:         unvite.KindPerson,
		// The Dash views say nothing of a note: HadNote stays false.
	}, nil
}
