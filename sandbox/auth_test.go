package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{Key: "a", LiAt: "AQEDAStest", JSessionID: "ajax:1234567890123456789"})
	b.sb.AddAccount(AccountConfig{Key: "r", LiAt: "AQEDASredirect", JSessionID: "ajax:42", SessionTrouble: TroubleRedirect})
	cookie := func(v string) func(*http.Request) { return header("Cookie", v) }
	cases := []struct {
		name   string
		mods   []func(*http.Request)
		status int
	}{
		{"browser form", nil, 200},
		{"quoted, trailing separator", []func(*http.Request){cookie(`li_at="AQEDAStest"; JSESSIONID="ajax:1234567890123456789"; `)}, 200},
		{"unquoted", []func(*http.Request){cookie(`JSESSIONID=ajax:1234567890123456789;li_at=AQEDAStest`)}, 200},
		{"two Cookie headers", []func(*http.Request){func(r *http.Request) {
			r.Header.Set("Cookie", "li_at=AQEDAStest")
			r.Header.Add("Cookie", `JSESSIONID="ajax:1234567890123456789"`)
		}}, 200},
		{"csrf with quotes", []func(*http.Request){header("csrf-token", `"ajax:1234567890123456789"`)}, 403},
		{"csrf missing", []func(*http.Request){func(r *http.Request) { r.Header.Del("csrf-token") }}, 403},
		{"csrf mismatch", []func(*http.Request){header("csrf-token", "ajax:1")}, 403},
		{"no cookies", []func(*http.Request){func(r *http.Request) { r.Header.Del("Cookie") }}, 403},
		{"unknown li_at", []func(*http.Request){cookie(`li_at=AQEDASother; JSESSIONID="ajax:1234567890123456789"`)}, 401},
		{"other account's JSESSIONID", []func(*http.Request){
			cookie(`li_at=AQEDAStest; JSESSIONID="ajax:42"`), header("csrf-token", "ajax:42")}, 401},
		{"redirecting account", []func(*http.Request){
			cookie(`li_at=AQEDASredirect; JSESSIONID="ajax:43"`), header("csrf-token", "ajax:43")}, 302},
	}
	for _, c := range cases {
		r := b.get(t, pathMe, c.mods...)
		require.Equal(t, c.status, r.status, "%s: %s", c.name, r.body)
		switch c.status {
		case 403:
			require.Equal(t, "CSRF check failed.", string(r.body), c.name)
		case 302:
			require.Contains(t, r.header.Get("Location"), "/login")
			require.True(t, strings.HasPrefix(r.header.Get("Set-Cookie"), "li_at=delete me"))
		}
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 10})
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/voyager/api/nothing/here", 404},
		{"GET", "/elsewhere", 404},
		{"GET", "/voyager/api/graphql?variables=(start:0)&queryId=voyagerSearchDashClusters.abc", 404},
		{"POST", pathMe, 405},
		{"GET", pathClose, 405},
		// rest.li structure must arrive unescaped
		{"GET", "/voyager/api/graphql?variables=%28start%3A0%2Ccount%3A10%2CinvitationType%3ACONNECTION%29&queryId=voyagerRelationshipsDashSentInvitationViews.abc", 400},
		{"GET", "/voyager/api/relationships/invitationsSummaryV2?types=List%28SENT_INVITATION_COUNT%29", 400},
		{"GET", "/voyager/api/relationships/sentInvitationViewsV2?count=10&invitationType=CONNECTION&start=0", 400},
	} {
		r := b.do(t, c.method, c.path, "")
		require.Equal(t, c.status, r.status, "%s %s: %s", c.method, c.path, r.body)
		if c.status == 404 {
			require.JSONEq(t, `{"status":404}`, string(r.body))
		}
	}
}

func TestRemovedVariants(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 10, Removed: []PathKind{KindSentLegacy}})
	require.Equal(t, 404, b.get(t, pathLegacy(0, 10)).status)
	require.Equal(t, 200, b.get(t, pathDash(0, 10)).status)
	b.acct.SetRemoved(KindSentDash, true)
	b.acct.SetRemoved(KindSentLegacy, false)
	require.Equal(t, 404, b.get(t, pathDash(0, 10)).status)
	require.Equal(t, 200, b.get(t, pathLegacy(0, 10)).status)
	require.Equal(t, []PathKind{KindSentDash}, b.acct.Removed())
	id := pendingWith(t, b, anyInv).ID
	b.acct.SetRemoved(KindWithdrawClose, true)
	require.Equal(t, 404, b.post(t, pathClose, closeBody(id)).status)
	require.Empty(t, b.sb.Withdrawn(b.acct.Key()), "a removed call changes nothing")
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 10})
	id := pendingWith(t, b, anyInv).ID
	b.get(t, pathLegacy(0, 100))
	b.post(t, pathWithdrawDash(id), `{"invitationType":"CONNECTION"}`)
	b.get(t, pathGraphQL(0, 100))
	key := b.acct.Key()
	require.Equal(t, 3, b.sb.RequestCount(key, ""))
	require.Equal(t, 1, b.sb.RequestCount(key, KindWithdrawDash))
	require.Equal(t, 3, b.sb.RequestCount("", ""))

	l := b.sb.Requests()
	require.Len(t, l, 3)
	require.Equal(t, KindSentLegacy, l[0].Kind)
	require.Equal(t, "count=100&invitationType=CONNECTION&q=invitationType&start=0", l[0].RawQuery)
	require.Empty(t, l[0].Header.Get("Cookie"), "cookies are not logged")
	require.Equal(t, "2.0.0", l[0].Header.Get("x-restli-protocol-version"))
	require.Equal(t, "/voyager/api/voyagerRelationshipsDashInvitations/urn%3Ali%3Afsd_invitation%3A"+id, l[1].Path)
	require.Equal(t, `{"invitationType":"CONNECTION"}`, l[1].Body)
	require.Equal(t, 200, l[1].Status)
	require.True(t, strings.HasPrefix(l[2].RawQuery, "variables=(start:0,count:100,invitationType:CONNECTION)&"))

	b.sb.ResetRequests()
	require.Zero(t, b.sb.RequestCount("", ""))
}

func TestParseRestli(t *testing.T) {
	t.Parallel()
	v, err := parseRestli("(start:0,count:100,invitationType:CONNECTION,nested:(a:List(x,y%2Cz,List())),u:urn%3Ali%3Ax%3A1)")
	require.NoError(t, err)
	require.Equal(t, byte('r'), v.kind)
	s, _ := v.field("count")
	require.Equal(t, "100", s)
	n := v.rec["nested"].rec["a"]
	require.Equal(t, byte('l'), n.kind)
	require.Equal(t, "y,z", n.list[1].str)
	require.Equal(t, byte('l'), n.list[2].kind)
	u, _ := v.field("u")
	require.Equal(t, "urn:li:x:1", u)

	v, err = parseRestli("List(SENT_INVITATION_COUNT)")
	require.NoError(t, err)
	require.Equal(t, "SENT_INVITATION_COUNT", v.list[0].str)

	v, err = parseRestli("%28start%3A0%29")
	require.NoError(t, err)
	require.Equal(t, byte('s'), v.kind, "escaped structure is plain text")

	for _, bad := range []string{"(start:0", "(start)", "List(a,b", "(a:1)x", "List(a(b))"} {
		_, err := parseRestli(bad)
		require.Error(t, err, bad)
	}
}

func TestParseCookies(t *testing.T) {
	t.Parallel()
	c := parseCookies([]string{`li_at="AQ=x"; JSESSIONID="ajax:1"; ; bcookie=v; li_at=second; `})
	require.Equal(t, map[string]string{"li_at": "AQ=x", "JSESSIONID": "ajax:1", "bcookie": "v"}, c)
}
