package linkedin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
)

const (
	sendDashRoute = "POST /voyager/api/voyagerRelationshipsDashMemberRelationships"
	sendNormRoute = "POST /voyager/api/growth/normInvitations"
	goldenNote    = "Hi Daniel, we spoke at the open banking meetup; glad to connect."
)

func TestSendDashGolden(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on(sendDashRoute, respond(200, golden(t, "send-dash.response.json")))
	c := newTestClient(t, f)
	id, err := c.SendInvitation(context.Background(), "urn:li:fsd_profile:ACoAAD2p7Qr", goldenNote, unvite.PlanPremium)
	require.NoError(t, err)
	require.Equal(t, "7399000000000000001", id)

	reqs := f.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, http.MethodPost, reqs[0].Method)
	require.Equal(t, "/voyager/api/voyagerRelationshipsDashMemberRelationships", reqs[0].Path)
	require.Equal(t, "action=verifyQuotaAndCreateV2&decorationId=com.linkedin.voyager.dash.deco.relationships.InvitationCreationResultWithInvitee-2", reqs[0].RawQuery)
	requireHeaders(t, reqs[0], true)
	requireJSONEq(t, golden(t, "send-dash.request.json"), reqs[0].Body)
}

func TestSendDashWithoutNote(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on(sendDashRoute, respond(200, golden(t, "send-dash.response.json")))
	// The mini profile urn and the bare id name the same profile.
	for _, ref := range []string{"urn:li:fs_miniProfile:ACoAAD2p7Qr", "ACoAAD2p7Qr"} {
		_, err := newTestClient(t, f).SendInvitation(context.Background(), ref, "", unvite.PlanFree)
		require.NoError(t, err)
	}
	for _, r := range f.requests() {
		requireJSONEq(t, []byte(`{"invitee":{"inviteeUnion":{"memberProfile":"urn:li:fsd_profile:ACoAAD2p7Qr"}}}`), r.Body)
		require.NotContains(t, string(r.Body), "customMessage")
	}
}

func TestSendLegacyAfterDashGone(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on(sendDashRoute, respond(404, nil))
	f.on(sendNormRoute, respond(201, []byte(`{"data":{"value":{"invitationUrn":"urn:li:fsd_invitation:7399000000000000002"}},"included":[]}`)))
	c := newTestClient(t, f)
	id, err := c.SendInvitation(context.Background(), "urn:li:fsd_profile:ACoAAD2p7Qr", goldenNote, unvite.PlanPremium)
	require.NoError(t, err)
	require.Equal(t, "7399000000000000002", id)

	reqs := f.requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "/voyager/api/growth/normInvitations", reqs[1].Path)
	require.Empty(t, reqs[1].RawQuery)
	requireHeaders(t, reqs[1], true)
	var body struct {
		TrackingID      string `json:"trackingId"`
		EmberEntityName string `json:"emberEntityName"`
		Invitee         map[string]map[string]string
		Message         string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(reqs[1].Body, &body))
	require.NotEmpty(t, body.TrackingID)
	require.Equal(t, "growth/invitation/norm-invitation", body.EmberEntityName)
	require.Equal(t, map[string]map[string]string{
		"com.linkedin.voyager.growth.invitation.InviteeProfile": {"profileId": "ACoAAD2p7Qr"},
	}, body.Invitee)
	require.Equal(t, goldenNote, body.Message)

	// Remembered.
	_, err = c.SendInvitation(context.Background(), "ACoAAD2p7Qr", "", unvite.PlanPremium)
	require.NoError(t, err)
	require.Equal(t, 1, f.count(sendDashRoute))
}

// A 2xx without the new invitation's urn is not a success.
func TestSendUnknownReply(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on(sendDashRoute, respond(200, []byte(`{"data":{"value":{}},"included":[]}`)))
	_, err := newTestClient(t, f).SendInvitation(context.Background(), "ACoAAD2p7Qr", "", unvite.PlanPremium)
	require.ErrorIs(t, err, ErrUnexpected)
	require.Equal(t, 0, f.count(sendNormRoute))
}

func TestSendNoteTooLong(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on(sendDashRoute, respond(200, golden(t, "send-dash.response.json")))
	c := newTestClient(t, f)
	ctx := context.Background()

	// Characters count, not bytes: 300 "é" fit a premium note.
	_, err := c.SendInvitation(ctx, "ACoAAD2p7Qr", strings.Repeat("é", 300), unvite.PlanPremium)
	require.NoError(t, err)
	_, err = c.SendInvitation(ctx, "ACoAAD2p7Qr", strings.Repeat("a", 301), unvite.PlanPremium)
	require.ErrorIs(t, err, ErrNoteTooLong)
	_, err = c.SendInvitation(ctx, "ACoAAD2p7Qr", strings.Repeat("a", 201), unvite.PlanFree)
	require.ErrorIs(t, err, ErrNoteTooLong)
	require.False(t, Retryable(err))
	require.Len(t, f.requests(), 1, "a refused note sends nothing")
}

func TestSendErrorsGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file   string
		status int
		want   error
		code   string
	}{
		{"error.cant-resend-yet.json", 400, ErrCoolDown, "CANT_RESEND_YET"},
		{"error.custom-invite-limit.json", 429, ErrCustomInviteLimit, "CUSTOM_INVITE_LIMIT_REACHED"},
		{"error.weekly-limit.json", 429, ErrWeeklyLimit, "MAX_INVITATION_SENT"},
		{"error.weekly-limit.json", 400, ErrWeeklyLimit, "MAX_INVITATION_SENT"},
		{"error.rate-limited.json", 429, ErrRateLimited, ""},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(sendDashRoute, respond(tc.status, golden(t, tc.file)))
			f.on(sendNormRoute, respond(200, golden(t, "send-dash.response.json")))
			_, err := newTestClient(t, f).SendInvitation(context.Background(), "ACoAAD2p7Qr", "hi", unvite.PlanPremium)
			require.ErrorIs(t, err, tc.want)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code)
			require.Equal(t, tc.status, e.Status)
			require.False(t, Retryable(err))
			require.Equal(t, 0, f.count(sendNormRoute))
		})
	}

	// Not in the golden set: the connection limit, in the same shape.
	f := newFake(t)
	f.on(sendDashRoute, respond(400, []byte(`{"data":{"code":"CANT_INVITE_CONNECTION_LIMIT_REACHED","status":400},"included":[]}`)))
	_, err := newTestClient(t, f).SendInvitation(context.Background(), "ACoAAD2p7Qr", "", unvite.PlanPremium)
	require.ErrorIs(t, err, ErrConnectionLimit)
}

func TestSendBadProfile(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newTestClient(t, f)
	for _, ref := range []string{"", "urn:li:fsd_profile:", "urn:li:company:1", "a/b", "x y"} {
		_, err := c.SendInvitation(context.Background(), ref, "", unvite.PlanPremium)
		require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), ref)
	}
	require.Empty(t, f.requests())
}
