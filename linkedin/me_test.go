package linkedin

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
)

// requireHeaders checks the headers LINKEDIN.md lists, and nothing extra.
func requireHeaders(t *testing.T, r recorded, hasBody bool) {
	t.Helper()
	require.Equal(t, `li_at=`+testLiAt+`; JSESSIONID="`+testJSID+`"`, r.Header.Get("Cookie"))
	require.Equal(t, testJSID, r.Header.Get("Csrf-Token"))
	require.Equal(t, "2.0.0", r.Header.Get("X-Restli-Protocol-Version"))
	require.Equal(t, "en_US", r.Header.Get("X-Li-Lang"))
	require.Equal(t, "application/vnd.linkedin.normalized+json+2.1", r.Header.Get("Accept"))
	require.Contains(t, r.Header.Get("User-Agent"), "Chrome/")
	require.Equal(t, DefaultAcceptLanguage, r.Header.Get("Accept-Language"))
	allowed := []string{"Cookie", "Csrf-Token", "X-Restli-Protocol-Version", "X-Li-Lang", "Accept",
		"User-Agent", "Accept-Language", "Accept-Encoding"}
	if hasBody {
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		allowed = append(allowed, "Content-Type", "Content-Length")
	}
	for name := range r.Header {
		require.True(t, slices.Contains(allowed, name), "unexpected header %s", name)
	}
	require.Len(t, r.Header.Values("Cookie"), 1)
}

func TestMeGolden(t *testing.T) {
	t.Parallel()
	want := &Me{
		MemberID:   "48151623",
		ProfileURN: "urn:li:fs_miniProfile:ACoAAB1x2y3z",
		FirstName:  "Maya",
		LastName:   "Lindqvist",
		Occupation: "Head of Research at Northwind Analytics",
		Slug:       "maya-lindqvist-84e61ceb",
		Premium:    true,
	}
	for _, file := range []string{"me.plain.json", "me.normalized.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on("GET /voyager/api/me", respond(200, golden(t, file)))
			c := newTestClient(t, f)
			me, err := c.Me(context.Background())
			require.NoError(t, err)
			require.Equal(t, want, me)
			require.Equal(t, "Maya Lindqvist", me.Name())
			require.Equal(t, unvite.PlanPremium, me.Plan())

			reqs := f.requests()
			require.Len(t, reqs, 1)
			require.Equal(t, http.MethodGet, reqs[0].Method)
			require.Equal(t, "/voyager/api/me", reqs[0].Path)
			require.Empty(t, reqs[0].RawQuery)
			requireHeaders(t, reqs[0], false)
			require.Equal(t, int64(1), c.Requests())
		})
	}
}

func TestMeShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		wantErr    bool
		wantID     string
		wantSlug   string
	}{
		{"objectUrn only", `{"miniProfile":{"firstName":"A","lastName":"B","publicIdentifier":"J%C3%BCrgen-x","objectUrn":"urn:li:member:77"},"premiumSubscriber":false}`, false, "77", "jürgen-x"},
		{"ids disagree", `{"miniProfile":{"firstName":"A","lastName":"B","publicIdentifier":"a","objectUrn":"urn:li:member:77"},"plainId":78}`, true, "", ""},
		{"no id", `{"miniProfile":{"firstName":"A","lastName":"B","publicIdentifier":"a"}}`, true, "", ""},
		{"no profile", `{"plainId":1}`, true, "", ""},
		{"dangling ref", `{"data":{"*miniProfile":"urn:li:fs_miniProfile:X","plainId":1},"included":[]}`, true, "", ""},
		{"wrong type", `{"data":{"*miniProfile":"urn:li:fs_miniProfile:X","plainId":1},"included":[{"entityUrn":"urn:li:fs_miniProfile:X","$type":"com.linkedin.Other","publicIdentifier":"a"}]}`, true, "", ""},
		{"not an object", `[1,2]`, true, "", ""},
		{"empty", ``, true, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on("GET /voyager/api/me", respond(200, []byte(tc.body), "Content-Type", "application/json"))
			me, err := newTestClient(t, f).Me(context.Background())
			if tc.wantErr {
				require.ErrorIs(t, err, ErrUnexpected)
				require.False(t, Retryable(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantID, me.MemberID)
			require.Equal(t, tc.wantSlug, me.Slug)
			require.Equal(t, unvite.PlanFree, me.Plan())
		})
	}
}
