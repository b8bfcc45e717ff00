package linkedin

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
)

const (
	closeRoute  = "POST /voyager/api/relationships/invitations"
	actionRoute = "POST /voyager/api/relationships/invitations/7397990000000000000"
	dashWRoute  = "POST /voyager/api/voyagerRelationshipsDashInvitations/urn%3Ali%3Afsd_invitation%3A7397990000000000000"
	goldenInvID = "7397990000000000000"
)

func TestWithdrawCloseGolden(t *testing.T) {
	t.Parallel()
	for _, id := range []string{goldenInvID, "urn:li:fs_relInvitation:" + goldenInvID, "urn:li:fsd_invitation:" + goldenInvID} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(closeRoute, respond(200, golden(t, "withdraw-close.response.json")))
			c := newTestClient(t, f)
			require.NoError(t, c.Withdraw(context.Background(), id))

			reqs := f.requests()
			require.Len(t, reqs, 1)
			require.Equal(t, http.MethodPost, reqs[0].Method)
			require.Equal(t, "/voyager/api/relationships/invitations", reqs[0].Path)
			require.Equal(t, "action=closeInvitations", reqs[0].RawQuery)
			requireHeaders(t, reqs[0], true)
			requireJSONEq(t, golden(t, "withdraw-close.request.json"), reqs[0].Body)
		})
	}
}

func TestWithdrawCloseNotPending(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on(closeRoute, respond(200, golden(t, "withdraw-close.not-pending.response.json")))
	f.on(actionRoute, respond(200, golden(t, "withdraw-action.response.json")))
	err := newTestClient(t, f).Withdraw(context.Background(), goldenInvID)
	require.ErrorIs(t, err, ErrNotPending)
	require.NotErrorIs(t, err, ErrUnexpected)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "400", e.Code)
	require.Equal(t, 200, e.Status)
	require.False(t, Retryable(err))
	require.Equal(t, 0, f.count(actionRoute), "a known answer never falls through")
}

// A 200 that does not confirm the withdrawal is never a success.
func TestWithdrawUnconfirmedIsError(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"other urn":   `{"data":{"value":{"statusCodeMap":{"urn:li:fs_relInvitation:1":200}}},"included":[]}`,
		"no map":      `{"data":{"value":{}},"included":[]}`,
		"empty":       `{}`,
		"string code": `{"data":{"value":{"statusCodeMap":{"urn:li:fs_relInvitation:7397990000000000000":"OK"}}}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(closeRoute, respond(200, []byte(body)))
			f.on(actionRoute, respond(200, golden(t, "withdraw-action.response.json")))
			err := newTestClient(t, f).Withdraw(context.Background(), goldenInvID)
			require.ErrorIs(t, err, ErrUnexpected)
			require.False(t, Retryable(err))
			require.Equal(t, 0, f.count(actionRoute))
		})
	}
}

func TestWithdrawActionGolden(t *testing.T) {
	t.Parallel()
	for _, status := range []int{404, 405, 410} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(closeRoute, respond(status, nil))
			f.on(actionRoute, respond(200, golden(t, "withdraw-action.response.json")))
			c := newTestClient(t, f)
			require.NoError(t, c.Withdraw(context.Background(), goldenInvID))
			reqs := f.requests()
			require.Len(t, reqs, 2)
			require.Equal(t, "/voyager/api/relationships/invitations/7397990000000000000", reqs[1].Path)
			require.Equal(t, "action=withdraw", reqs[1].RawQuery)
			require.Equal(t, "{}", string(reqs[1].Body))
			requireHeaders(t, reqs[1], true)

			// Remembered: the next withdrawal skips closeInvitations.
			require.NoError(t, c.Withdraw(context.Background(), goldenInvID))
			require.Equal(t, 1, f.count(closeRoute))
			require.Equal(t, 2, f.count(actionRoute))
		})
	}
}

func TestWithdrawActionWrongValue(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on(actionRoute, respond(200, []byte(`{"data":{"value":"Invitation accepted"},"included":[]}`)))
	err := newTestClient(t, f).Withdraw(context.Background(), goldenInvID)
	require.ErrorIs(t, err, ErrUnexpected)
	require.Equal(t, 0, f.count(dashWRoute))
}

func TestWithdrawDash(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"empty":           ``,
		"action response": `{"data":{"$type":"com.linkedin.restli.common.ActionResponse"},"included":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(dashWRoute, respond(200, []byte(body)))
			require.NoError(t, newTestClient(t, f).Withdraw(context.Background(), goldenInvID))
			reqs := f.requests()
			require.Len(t, reqs, 3)
			require.Equal(t, "/voyager/api/voyagerRelationshipsDashInvitations/urn%3Ali%3Afsd_invitation%3A7397990000000000000", reqs[2].Path)
			require.Equal(t, "action=withdraw", reqs[2].RawQuery)
			requireJSONEq(t, []byte(`{"invitationType":"CONNECTION"}`), reqs[2].Body)
			requireHeaders(t, reqs[2], true)
		})
	}
	f := newFake(t)
	f.on(dashWRoute, respond(200, []byte(`{"data":{"$type":"com.linkedin.Something"}}`)))
	require.ErrorIs(t, newTestClient(t, f).Withdraw(context.Background(), goldenInvID), ErrUnexpected)
}

// Only "not served" moves on: anything else may have withdrawn it.
func TestWithdrawNoFallThrough(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		h         http.HandlerFunc
		want      error
		retryable bool
	}{
		{"500", respond(500, nil), ErrUnexpected, true},
		{"400", respond(400, []byte(`{"data":{"status":400}}`)), ErrUnexpected, false},
		{"401", respond(401, nil), ErrSessionExpired, false},
		{"429", respond(429, nil, "Retry-After", "60"), ErrRateLimited, false},
		{"csrf", respond(403, []byte("CSRF check failed.")), ErrCSRF, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(closeRoute, tc.h)
			f.on(actionRoute, respond(200, golden(t, "withdraw-action.response.json")))
			err := newTestClient(t, f).Withdraw(context.Background(), goldenInvID)
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, tc.retryable, Retryable(err))
			require.Len(t, f.requests(), 1)
		})
	}
}

func TestWithdrawAllGone(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	err := newTestClient(t, f).Withdraw(context.Background(), goldenInvID)
	require.ErrorIs(t, err, ErrUnexpected)
	require.Len(t, f.requests(), 3)
}

func TestWithdrawBadID(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newTestClient(t, f)
	for _, id := range []string{"", "abc", "12/34", "urn:li:fs_miniProfile:ACoA", "1 OR 1"} {
		err := c.Withdraw(context.Background(), id)
		require.Error(t, err, id)
		require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	}
	require.Empty(t, f.requests())
}
