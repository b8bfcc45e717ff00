package linkedin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
)

const connectionsRoute = "GET /voyager/api/relationships/dash/connections"

// The reply is not documented in LINKEDIN.md: these are the shapes the
// client assumes (see dashConnection).
func TestRecentConnections(t *testing.T) {
	t.Parallel()
	want := []unvite.Connection{
		{Person: unvite.Person{Name: "Daniel Kim", Headline: "VP Sales", Slug: "daniel-kim-b61e6ba5", MemberURN: "urn:li:fsd_profile:ACoAAD2p7Qr"},
			ConnectedOn: time.UnixMilli(1763700000000).UTC()},
		{Person: unvite.Person{Name: "Chloé Dubois", Slug: "chloé-dubois-1b2c3d4e", MemberURN: "urn:li:fsd_profile:ACoAAC9k1Lm"},
			ConnectedOn: time.UnixMilli(1763600000000).UTC()},
	}
	shapes := map[string]string{
		"normalized refs": `{"data":{"*elements":["urn:li:fsd_connection:1","urn:li:fsd_connection:2"],"paging":{"start":0,"count":40}},
			"included":[
			{"entityUrn":"urn:li:fsd_connection:1","createdAt":1763700000000,"connectedMember":"urn:li:fsd_profile:ACoAAD2p7Qr","*connectedMemberResolutionResult":"urn:li:fsd_profile:ACoAAD2p7Qr"},
			{"entityUrn":"urn:li:fsd_profile:ACoAAD2p7Qr","firstName":"Daniel","lastName":"Kim","headline":"VP Sales","publicIdentifier":"daniel-kim-b61e6ba5"},
			{"entityUrn":"urn:li:fsd_connection:2","createdAt":1763600000000,"connectedMember":"urn:li:fsd_profile:ACoAAC9k1Lm"},
			{"entityUrn":"urn:li:fsd_profile:ACoAAC9k1Lm","firstName":"Chloé","lastName":"Dubois","publicIdentifier":"chlo%C3%A9-dubois-1b2c3d4e"}]}`,
		"inline": `{"data":{"elements":[
			{"createdAt":1763700000000,"connectedMemberResolutionResult":{"entityUrn":"urn:li:fsd_profile:ACoAAD2p7Qr","firstName":"Daniel","lastName":"Kim","headline":"VP Sales","publicIdentifier":"daniel-kim-b61e6ba5"}},
			{"createdAt":1763600000000,"*connectedMember":"urn:li:fsd_profile:ACoAAC9k1Lm"}]},
			"included":[{"entityUrn":"urn:li:fsd_profile:ACoAAC9k1Lm","firstName":"Chloé","lastName":"Dubois","publicIdentifier":"chloé-dubois-1b2c3d4e"}]}`,
	}
	for name, body := range shapes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(connectionsRoute, respond(200, []byte(body)))
			got, err := newTestClient(t, f).RecentConnections(context.Background(), 0)
			require.NoError(t, err)
			require.Equal(t, want, got)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			require.Equal(t, http.MethodGet, reqs[0].Method)
			require.Equal(t, "decorationId=com.linkedin.voyager.dash.deco.web.mynetwork.ConnectionListWithProfile-15&count=40&q=search&sortType=RECENTLY_ADDED&start=0", reqs[0].RawQuery)
			requireHeaders(t, reqs[0], false)
		})
	}
}

func TestRecentConnectionsBadShapes(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"no createdAt":  `{"data":{"elements":[{"connectedMemberResolutionResult":{"firstName":"A","lastName":"B","publicIdentifier":"a"}}]}}`,
		"no profile":    `{"data":{"elements":[{"createdAt":1}]}}`,
		"dangling":      `{"data":{"elements":[{"createdAt":1,"connectedMember":"urn:li:fsd_profile:X"}]},"included":[]}`,
		"no elements":   `{"data":{"paging":{}}}`,
		"no identifier": `{"data":{"elements":[{"createdAt":1,"connectedMemberResolutionResult":{"firstName":"A"}}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on(connectionsRoute, respond(200, []byte(body)))
			_, err := newTestClient(t, f).RecentConnections(context.Background(), 10)
			require.ErrorIs(t, err, ErrUnexpected)
			require.Contains(t, f.requests()[0].RawQuery, "&count=10&")
		})
	}
}
