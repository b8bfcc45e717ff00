package sandbox

import (
	"net/url"
	"strconv"
	"time"
)

// Wire types of the replies, written from LINKEDIN.md and the golden
// replies; deliberately not shared with the client package.

const (
	typeMiniProfile      = "com.linkedin.voyager.identity.shared.MiniProfile"
	typeMe               = "com.linkedin.voyager.common.Me"
	typeCollection       = "com.linkedin.restli.common.CollectionResponse"
	typeActionResponse   = "com.linkedin.restli.common.ActionResponse"
	typeSentView         = "com.linkedin.voyager.relationships.invitation.SentInvitationViewV2"
	typeInvitationView   = "com.linkedin.voyager.relationships.invitation.InvitationView"
	typeInvitation       = "com.linkedin.voyager.relationships.invitation.Invitation"
	typeProfileInvitee   = "com.linkedin.voyager.relationships.invitation.ProfileInvitee"
	typeSummary          = "com.linkedin.voyager.relationships.invitation.InvitationsSummaryV2"
	typeActionResult     = "com.linkedin.voyager.relationships.invitation.InvitationActionResponse"
	typeCreationResult   = "com.linkedin.voyager.dash.relationships.invitation.InvitationCreationResult"
	typeDashInvitation   = "com.linkedin.voyager.dash.relationships.invitation.Invitation"
	urnMiniProfile       = "urn:li:fs_miniProfile:"
	urnFsdProfile        = "urn:li:fsd_profile:"
	urnMember            = "urn:li:member:"
	urnSentView          = "urn:li:fs_relSentInvitationView:"
	urnInvitationView    = "urn:li:fs_relInvitationView:"
	urnRelInvitation     = "urn:li:fs_relInvitation:"
	urnMailboxInvitation = "urn:li:invitation:"
	urnFsdInvitation     = "urn:li:fsd_invitation:"
)

type miniProfile struct {
	EntityURN        string `json:"entityUrn"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Occupation       string `json:"occupation"`
	PublicIdentifier string `json:"publicIdentifier"`
	ObjectURN        string `json:"objectUrn"`
	TrackingID       string `json:"trackingId,omitempty"`
	Type             string `json:"$type"`
}

func miniProfileOf(p *person) miniProfile {
	return miniProfile{
		EntityURN: urnMiniProfile + p.profileID, FirstName: p.first, LastName: p.last,
		Occupation: p.headline, PublicIdentifier: p.slug,
		ObjectURN: urnMember + strconv.FormatInt(p.memberNum, 10), Type: typeMiniProfile,
	}
}

type meNormalized struct {
	MiniProfile       string `json:"*miniProfile"`
	PlainID           int64  `json:"plainId"`
	PremiumSubscriber bool   `json:"premiumSubscriber"`
	Type              string `json:"$type"`
}

type mePlain struct {
	MiniProfile       miniProfile    `json:"miniProfile"`
	PlainID           int64          `json:"plainId"`
	PremiumSubscriber bool           `json:"premiumSubscriber"`
	PublicContactInfo map[string]any `json:"publicContactInfo"`
}

type legacyPaging struct {
	Start int   `json:"start"`
	Count int   `json:"count"`
	Links []any `json:"links"`
}

type collection struct {
	Metadata map[string]string `json:"metadata,omitempty"`
	Elements []string          `json:"*elements"`
	Paging   legacyPaging      `json:"paging"`
	Type     string            `json:"$type"`
}

type viewRef struct {
	EntityURN  string `json:"entityUrn"`
	Invitation string `json:"*invitation"`
	Type       string `json:"$type"`
}

type profileInvitee struct {
	MiniProfile string `json:"*miniProfile"`
	Type        string `json:"$type"`
}

type legacyInvitation struct {
	EntityURN      string          `json:"entityUrn"`
	MailboxItemID  string          `json:"mailboxItemId"`
	SentTime       int64           `json:"sentTime"`
	SharedSecret   string          `json:"sharedSecret"`
	CustomMessage  bool            `json:"customMessage"`
	Message        string          `json:"message,omitempty"` // received invitations only
	InvitationType string          `json:"invitationType"`
	FromMember     string          `json:"*fromMember"`
	ToMember       string          `json:"*toMember"`
	Invitee        *profileInvitee `json:"invitee,omitempty"`
	Unseen         bool            `json:"unseen"`
	Type           string          `json:"$type"`
}

type textViewModel struct {
	Text string `json:"text"`
}

type dashPaging struct {
	Start int `json:"start"`
	Count int `json:"count"`
}

type dashSentView struct {
	InvitationURN    string        `json:"invitationUrn"`
	Title            textViewModel `json:"title"`
	Subtitle         textViewModel `json:"subtitle"`
	CardActionTarget string        `json:"cardActionTarget"`
	SentTimeLabel    string        `json:"sentTimeLabel"`
}

type dashCollection struct {
	Paging   dashPaging     `json:"paging"`
	Elements []dashSentView `json:"elements"`
}

type connectedMember struct {
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	PublicIdentifier string `json:"publicIdentifier"`
	EntityURN        string `json:"entityUrn"`
	Headline         string `json:"headline"`
}

type connectionElement struct {
	CreatedAt                       int64           `json:"createdAt"`
	ConnectedMember                 string          `json:"connectedMember"`
	ConnectedMemberResolutionResult connectedMember `json:"connectedMemberResolutionResult"`
}

type connectionCollection struct {
	Paging   dashPaging          `json:"paging"`
	Elements []connectionElement `json:"elements"`
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// profileURL is the canonical profile address, the slug percent-encoded.
func profileURL(slug string) string {
	return "https://www.linkedin.com/in/" + url.PathEscape(slug)
}

// sentTimeLabel is the Dash listing's relative time: "Sent today" under a
// day, then days (<7), weeks (<30 days), months of 30 days (<365 days),
// years.
func sentTimeLabel(now, sent time.Time) string {
	days := int(now.Sub(sent) / day)
	unit := func(n int, name string) string {
		if n == 1 {
			return "Sent 1 " + name + " ago"
		}
		return "Sent " + strconv.Itoa(n) + " " + name + "s ago"
	}
	switch {
	case days < 1:
		return "Sent today"
	case days < 7:
		return unit(days, "day")
	case days < 30:
		return unit(days/7, "week")
	case days < 365:
		return unit(days/30, "month")
	}
	return unit(days/365, "year")
}
