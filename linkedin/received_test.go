package linkedin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
)

// LINKEDIN.md documents the request, not the reply: these replies follow
// the documented sent-invitation shapes (normalized, then plain).
const receivedNormalized = `{"data":{"*elements":["urn:li:fs_relInvitationView:555","urn:li:fs_relInvitationView:556"],
 "paging":{"start":0,"count":100,"links":[]}},
 "included":[
  {"entityUrn":"urn:li:fs_relInvitationView:555","*invitation":"urn:li:fs_relInvitation:555","$type":"com.linkedin.voyager.relationships.invitation.InvitationView"},
  {"entityUrn":"urn:li:fs_relInvitation:555","mailboxItemId":"urn:li:invitation:555","sentTime":1763630040000,"sharedSecret":"s3cr3tAB",
   "customMessage":true,"message":"Hello!","invitationType":"CONNECTION","*fromMember":"urn:li:fs_miniProfile:F1",
   "$type":"com.linkedin.voyager.relationships.invitation.Invitation"},
  {"entityUrn":"urn:li:fs_miniProfile:F1","firstName":"Zoë","lastName":"Park","occupation":"Designer","publicIdentifier":"zo%C3%AB-park","$type":"com.linkedin.voyager.identity.shared.MiniProfile"},
  {"entityUrn":"urn:li:fs_relInvitationView:556","*invitation":"urn:li:fs_relInvitation:556"},
  {"entityUrn":"urn:li:fs_relInvitation:556","invitationType":"EVENT","sharedSecret":"x"}
 ]}`

func TestReceivedInvitations(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("GET /voyager/api/relationships/invitationViews", respond(200, []byte(receivedNormalized)))
	got, err := newTestClient(t, f).ReceivedInvitations(context.Background())
	require.NoError(t, err)
	require.Equal(t, []ReceivedInvitation{{
		LinkedInID:   "555",
		SharedSecret: "s3cr3tAB",
		From:         unvite.Person{Name: "Zoë Park", Headline: "Designer", Slug: "zoë-park", MemberURN: "urn:li:fs_miniProfile:F1"},
		SentAt:       time.UnixMilli(1763630040000).UTC(),
		Message:      "Hello!",
		HadNote:      true,
	}}, got, "the event invitation is skipped")

	reqs := f.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, http.MethodGet, reqs[0].Method)
	require.Equal(t, "q=receivedInvitation&start=0&count=100&includeInsights=true", reqs[0].RawQuery)
	requireHeaders(t, reqs[0], false)
}

func TestReceivedInvitationsPlainAndBad(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("GET /voyager/api/relationships/invitationViews", respond(200, []byte(`{"elements":[{"invitation":{
		"entityUrn":"urn:li:fs_relInvitation:9","sharedSecret":"q","fromMember":{"firstName":"A","lastName":"B","publicIdentifier":"a-b"}}}]}`)))
	got, err := newTestClient(t, f).ReceivedInvitations(context.Background())
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "9", got[0].LinkedInID)
	require.True(t, got[0].SentAt.IsZero())

	f.on("GET /voyager/api/relationships/invitationViews", respond(200, []byte(`{"data":{"elements":[{"invitation":{"entityUrn":"urn:li:x:9"}}]}}`)))
	_, err = newTestClient(t, f).ReceivedInvitations(context.Background())
	require.ErrorIs(t, err, ErrUnexpected)
}
