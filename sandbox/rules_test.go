package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// withdrawVariants are the three withdrawal calls, each reporting whether
// the reply said "withdrawn" and whether it said "not pending".
var withdrawVariants = []withdrawVariant{
	{"closeInvitations",
		func(id string) (string, string) { return pathClose, closeBody(id) },
		func(t *testing.T, r resp, id string) bool { return r.status == 200 && closeCode(t, r, id) == 200 },
		func(t *testing.T, r resp, id string) bool { return r.status == 200 && closeCode(t, r, id) == 400 }},
	{"action=withdraw",
		func(id string) (string, string) { return pathWithdrawAction(id), `{}` },
		func(t *testing.T, r resp, id string) bool {
			return r.status == 200 && r.json(t)["data"].(map[string]any)["value"] == "Invitation withdrawn"
		},
		func(t *testing.T, r resp, id string) bool { return r.status == 400 && r.code(t) == codeNotPending }},
	{"dash",
		func(id string) (string, string) { return pathWithdrawDash(id), `{"invitationType":"CONNECTION"}` },
		func(t *testing.T, r resp, id string) bool { return r.status == 200 },
		func(t *testing.T, r resp, id string) bool { return r.status == 400 && r.code(t) == codeNotPending }},
}

type withdrawVariant struct {
	name string
	call func(id string) (path, body string) // the POST that withdraws id
	ok   func(t *testing.T, r resp, id string) bool
	gone func(t *testing.T, r resp, id string) bool
}

func (v withdrawVariant) do(t *testing.T, b *bundle, id string) resp {
	t.Helper()
	path, body := v.call(id)
	return b.post(t, path, body)
}

func closeCode(t *testing.T, r resp, id string) int {
	t.Helper()
	m := r.json(t)["data"].(map[string]any)["value"].(map[string]any)["statusCodeMap"].(map[string]any)
	c, _ := m[urnRelInvitation+id].(float64)
	return int(c)
}

func TestWithdraw(t *testing.T) {
	t.Parallel()
	for _, v := range withdrawVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, AccountConfig{SentInvitations: 300, Months: 1})
			key := b.acct.Key()
			inv := pendingWith(t, b, anyInv)
			before := len(b.sb.PendingSent(key))

			require.True(t, v.ok(t, v.do(t, b, inv.ID), inv.ID), "withdraw a pending invitation")
			require.Len(t, b.sb.PendingSent(key), before-1)
			w := b.sb.Withdrawn(key)
			require.Len(t, w, 1)
			require.Equal(t, inv.ID, w[0].ID)
			require.Equal(t, b.sb.Now(), w[0].WithdrawnAt)

			require.True(t, v.gone(t, v.do(t, b, inv.ID), inv.ID), "withdraw it again")
			require.Len(t, b.sb.Withdrawn(key), 1)

			// Accepted in the meantime: not pending either, and now a connection.
			acc := pendingWith(t, b, func(i InvitationInfo) bool { return !i.AcceptsAt.IsZero() })
			b.sb.SetNow(acc.AcceptsAt)
			require.True(t, v.gone(t, v.do(t, b, acc.ID), acc.ID), "withdraw an accepted invitation")
			conns := b.sb.Connections(key)
			require.Equal(t, acc.ID, conns[0].InvitationID)
			require.Equal(t, acc.AcceptsAt, conns[0].CreatedAt)
		})
	}
}

func TestWithdrawUnknownAndMalformed(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 5})
	require.Equal(t, 404, b.post(t, pathWithdrawAction("123"), `{}`).status)
	require.Equal(t, 404, closeCode(t, b.post(t, pathClose, closeBody("123")), "123"))
	id := pendingWith(t, b, anyInv).ID
	for _, c := range []struct {
		name, path, body string
		mod              func(*http.Request)
		status           int
	}{
		{"urn not encoded", "/voyager/api/voyagerRelationshipsDashInvitations/urn:li:fsd_invitation:" + id + "?action=withdraw", `{"invitationType":"CONNECTION"}`, nil, 400},
		{"dash without invitationType", pathWithdrawDash(id), `{}`, nil, 400},
		{"withdraw without body", pathWithdrawAction(id), "", header("content-type", "application/json"), 400},
		{"not json", pathWithdrawAction(id), `{}`, header("content-type", "text/plain"), 415},
		{"wrong action type", pathClose, strings.Replace(closeBody(id), "ACTOR_WITHDRAW", "INVITEE_IGNORE", 1), nil, 400},
		{"missing action", "/voyager/api/relationships/invitations", closeBody(id), nil, 400},
	} {
		var mods []func(*http.Request)
		if c.mod != nil {
			mods = append(mods, c.mod)
		}
		r := b.post(t, c.path, c.body, mods...)
		require.Equal(t, c.status, r.status, "%s: %s", c.name, r.body)
	}
	require.Empty(t, b.sb.Withdrawn(b.acct.Key()))
}

func TestCoolDown(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 20})
	inv := pendingWith(t, b, anyInv)
	require.Equal(t, 200, b.post(t, pathWithdrawAction(inv.ID), `{}`).status)

	for _, d := range []time.Duration{0, 20 * day, day - time.Minute} {
		b.sb.Advance(d)
		r := b.post(t, pathSendDash, sendBody(inv.ProfileID, ""))
		require.Equal(t, 400, r.status)
		require.Equal(t, codeCantResendYet, r.code(t))
	}
	b.sb.Advance(time.Minute)
	r := b.post(t, pathSendDash, sendBody(inv.ProfileID, "Second try"))
	require.Equal(t, 200, r.status, "%s", r.body)
	urn := r.json(t)["data"].(map[string]any)["value"].(map[string]any)["invitationUrn"].(string)

	newest := b.sb.PendingSent(b.acct.Key())[0]
	require.Equal(t, urnFsdInvitation+newest.ID, urn)
	require.Equal(t, inv.ProfileID, newest.ProfileID)
	require.True(t, newest.HadNote)
	require.Equal(t, b.sb.Now(), newest.SentAt)

	page := b.get(t, pathDash(0, 1)).json(t)["data"].(map[string]any)["elements"].([]any)
	require.Equal(t, urn, page[0].(map[string]any)["invitationUrn"])
	require.Equal(t, "Sent today", page[0].(map[string]any)["sentTimeLabel"])

	r = b.post(t, pathSendDash, sendBody(inv.ProfileID, ""))
	require.Equal(t, codeAlreadyPending, r.code(t), "a second invitation while one is pending")
}

func TestWeeklyLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 30, WeeklyLimit: 2})
	ids := withdrawAndWait(t, b, 3)
	require.Equal(t, 200, b.post(t, pathSendDash, sendBody(ids[0], "")).status)
	b.sb.Advance(3 * day)
	require.Equal(t, 201, b.post(t, pathSendLegacy, legacySendBody(ids[1], "")).status)
	r := b.post(t, pathSendDash, sendBody(ids[2], ""))
	require.Equal(t, 429, r.status)
	require.Equal(t, codeWeeklyLimit, r.code(t))
	b.sb.Advance(4*day + time.Minute) // the first send leaves the rolling week
	require.Equal(t, 200, b.post(t, pathSendDash, sendBody(ids[2], "")).status)
}

func TestDefaultWeeklyLimitByPlan(t *testing.T) {
	t.Parallel()
	free := setup(t, AccountConfig{})
	premium := setup(t, AccountConfig{Premium: true})
	require.Equal(t, DefaultWeeklyFree, free.acct.weeklyLimit)
	require.Equal(t, DefaultWeeklyPremium, premium.acct.weeklyLimit)
}

func legacySendBody(profileID, note string) string {
	b, _ := json.Marshal(map[string]any{
		"trackingId": "zVgE3sZrT1ugFmWQyG3v5w==", "emberEntityName": "growth/invitation/norm-invitation",
		"invitee": map[string]any{"com.linkedin.voyager.growth.invitation.InviteeProfile": map[string]any{"profileId": profileID}},
		"message": note,
	})
	return string(b)
}

func TestNotes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		premium bool
		length  int
		status  int
		code    string
	}{
		{"free at limit", false, 200, 200, ""},
		{"free over limit", false, 201, 400, codeNoteTooLong},
		{"premium at limit", true, 300, 200, ""},
		{"premium over limit", true, 301, 400, codeNoteTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, AccountConfig{SentInvitations: 5, Premium: c.premium})
			id := withdrawAndWait(t, b, 1)[0]
			note := strings.Repeat("é", c.length) // characters, not bytes
			r := b.post(t, pathSendDash, sendBody(id, note))
			require.Equal(t, c.status, r.status, "%s", r.body)
			if c.code != "" {
				require.Equal(t, c.code, r.code(t))
			}
		})
	}

	t.Run("free notes a month", func(t *testing.T) {
		t.Parallel()
		b := setup(t, AccountConfig{SentInvitations: 20})
		ids := withdrawAndWait(t, b, 7)
		for _, id := range ids[:DefaultNotesPerMonth] {
			require.Equal(t, 200, b.post(t, pathSendDash, sendBody(id, "Hi there")).status)
		}
		r := b.post(t, pathSendDash, sendBody(ids[5], "Hi there"))
		require.Equal(t, 429, r.status)
		require.Equal(t, codeCustomInviteLimit, r.code(t))
		require.Equal(t, 200, b.post(t, pathSendDash, sendBody(ids[5], "")).status, "without a note")
		b.sb.Advance(30 * day)
		require.Equal(t, 200, b.post(t, pathSendDash, sendBody(ids[6], "Hi there")).status, "a month later")
	})

	t.Run("premium has no note quota", func(t *testing.T) {
		t.Parallel()
		b := setup(t, AccountConfig{SentInvitations: 20, Premium: true})
		for _, id := range withdrawAndWait(t, b, 7) {
			require.Equal(t, 200, b.post(t, pathSendDash, sendBody(id, "Hi there")).status)
		}
	})
}

func TestSendRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 30, BackgroundConnections: DefaultConnectionLimit})
	ids := withdrawAndWait(t, b, 1)
	r := b.post(t, pathSendDash, sendBody(ids[0], ""))
	require.Equal(t, 400, r.status)
	require.Equal(t, codeConnectionLimit, r.code(t))

	b2 := setup(t, AccountConfig{SentInvitations: 200})
	conn := b2.sb.Connections(b2.acct.Key())[0]
	r = b2.post(t, pathSendDash, sendBody(conn.ProfileID, ""))
	require.Equal(t, codeAlreadyConnected, r.code(t))
	require.Equal(t, 404, b2.post(t, pathSendDash, sendBody("ACoAAnobody", "")).status)
	require.Equal(t, 400, b2.post(t, pathSendDash, `{"invitee":{}}`).status)
}

func TestPageSize(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 10, ReceivedInvitations: 3})
	for _, p := range []string{
		pathLegacy(0, 101), pathDash(0, 101), pathGraphQL(0, 101), pathLegacy(0, 0),
		"/voyager/api/relationships/invitationViews?q=receivedInvitation&start=0&count=101&includeInsights=true",
		strings.Replace(pathConnections, "count=40", "count=101", 1),
		strings.Replace(pathLegacy(0, 10), "start=0", "start=-1", 1),
	} {
		r := b.get(t, p)
		require.Equal(t, 400, r.status, p)
		require.Equal(t, float64(400), r.json(t)["status"])
	}
	require.Equal(t, 200, b.get(t, pathLegacy(0, 100)).status)
}

// listAll pages through one listing variant until a short page and returns
// the invitation numbers in order.
func listAll(t testing.TB, b *bundle, variant string, count int) []string {
	t.Helper()
	var ids []string
	for start := 0; ; start += count {
		var got []string
		switch variant {
		case "legacy":
			r := b.get(t, pathLegacy(start, count))
			require.Equal(t, 200, r.status)
			for _, e := range r.json(t)["data"].(map[string]any)["*elements"].([]any) {
				got = append(got, strings.TrimPrefix(e.(string), urnSentView))
			}
		case "dash", "graphql":
			var data map[string]any
			if variant == "dash" {
				data = b.get(t, pathDash(start, count)).json(t)["data"].(map[string]any)
			} else {
				data = b.get(t, pathGraphQL(start, count)).json(t)["data"].(map[string]any)["relationshipsDashSentInvitationViewsByInvitationType"].(map[string]any)
			}
			for _, e := range data["elements"].([]any) {
				got = append(got, strings.TrimPrefix(e.(map[string]any)["invitationUrn"].(string), urnFsdInvitation))
			}
		}
		ids = append(ids, got...)
		if len(got) < count {
			return ids
		}
	}
}

func pendingIDs(b *bundle) []string {
	var ids []string
	for _, p := range b.sb.PendingSent(b.acct.Key()) {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestListingVariantsAgree(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 700})
	want := pendingIDs(b)
	require.Greater(t, len(want), 300)
	for _, v := range []string{"legacy", "dash", "graphql"} {
		require.Equal(t, want, listAll(t, b, v, 100), v)
	}
	r := b.get(t, pathSummary)
	require.Equal(t, float64(len(want)), r.json(t)["data"].(map[string]any)["numTotalSentInvitations"])
}

func TestCeiling(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 400}, Options{Ceiling: 150})
	all := pendingIDs(b)
	require.Greater(t, len(all), 200)
	for _, v := range []string{"legacy", "dash", "graphql"} {
		require.Equal(t, all[:150], listAll(t, b, v, 100), v)
	}
	require.Empty(t, listAll(t, b, "legacy", 100)[150:])
	r := b.get(t, pathLegacy(200, 100))
	require.Empty(t, r.json(t)["data"].(map[string]any)["*elements"])
	// The summary still counts everything pending.
	n := b.get(t, pathSummary).json(t)["data"].(map[string]any)["numTotalSentInvitations"]
	require.Equal(t, float64(len(all)), n)

	// A withdrawal lets the next one in under the ceiling.
	require.Equal(t, 200, b.post(t, pathWithdrawAction(all[0]), `{}`).status)
	require.Equal(t, all[1:151], listAll(t, b, "dash", 100))

	// Per-account override: off.
	off := b.sb.AddAccount(AccountConfig{Key: "nocap", SentInvitations: 400, Ceiling: -1})
	b2 := &bundle{sb: b.sb, srv: b.srv, acct: off, client: b.client}
	require.Len(t, listAll(t, b2, "legacy", 100), len(b.sb.PendingSent("nocap")))
}

func TestAcceptanceOverTime(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 300})
	key := b.acct.Key()
	inv := pendingWith(t, b, func(i InvitationInfo) bool { return !i.AcceptsAt.IsZero() })
	connsBefore := len(b.sb.Connections(key))

	b.sb.SetNow(inv.AcceptsAt.Add(-time.Millisecond))
	require.Contains(t, listAll(t, b, "legacy", 100), inv.ID)
	b.sb.SetNow(inv.AcceptsAt)
	require.NotContains(t, listAll(t, b, "legacy", 100), inv.ID)

	r := b.get(t, pathConnections)
	require.Equal(t, 200, r.status)
	var page struct {
		Data struct {
			Elements []connEl `json:"elements"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.body, &page))
	require.Greater(t, len(b.sb.Connections(key)), connsBefore)
	// Newest first; the fresh connection is among those created at the latest time.
	i := slices.IndexFunc(page.Data.Elements, func(e connEl) bool {
		return e.ConnectedMember == urnFsdProfile+inv.ProfileID
	})
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, inv.AcceptsAt.UnixMilli(), page.Data.Elements[i].CreatedAt)
	require.Equal(t, inv.Slug, page.Data.Elements[i].ConnectedMemberResolutionResult.PublicIdentifier)
	require.True(t, slices.IsSortedFunc(page.Data.Elements, func(a, b connEl) int {
		return int(b.CreatedAt - a.CreatedAt)
	}))

	// Moving the clock back does not undo the acceptance.
	b.sb.SetNow(inv.AcceptsAt.Add(-day))
	require.NotContains(t, listAll(t, b, "legacy", 100), inv.ID)
}

type connEl struct {
	CreatedAt                       int64  `json:"createdAt"`
	ConnectedMember                 string `json:"connectedMember"`
	ConnectedMemberResolutionResult struct {
		PublicIdentifier string `json:"publicIdentifier"`
	} `json:"connectedMemberResolutionResult"`
}

func TestReceived(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{ReceivedInvitations: 3})
	key := b.acct.Key()
	rec := b.sb.Received(key)
	require.Len(t, rec, 3)
	r := b.get(t, "/voyager/api/relationships/invitationViews?q=receivedInvitation&start=0&count=10&includeInsights=true")
	require.Equal(t, 200, r.status)
	require.Len(t, r.json(t)["data"].(map[string]any)["*elements"], 3)

	act := func(n ReceivedInfo, action, secret string) resp {
		body, _ := json.Marshal(map[string]any{"invitationId": n.ID, "invitationSharedSecret": secret, "isGenericInvitation": false})
		return b.post(t, "/voyager/api/relationships/invitations/"+n.ID+"?action="+action, string(body))
	}
	require.Equal(t, 400, act(rec[0], "accept", "wrong").status)
	require.Equal(t, 200, act(rec[0], "accept", rec[0].Secret).status)
	require.Equal(t, 200, act(rec[1], "ignore", rec[1].Secret).status)
	require.Equal(t, 404, act(rec[1], "ignore", rec[1].Secret).status)
	require.Equal(t, []ReceivedInfo{rec[2]}, b.sb.Received(key))
	conns := b.sb.Connections(key)
	require.Equal(t, rec[0].ProfileID, conns[0].ProfileID)
	require.Equal(t, b.sb.Now(), conns[0].CreatedAt)
	require.Equal(t, 1, b.sb.RequestCount(key, KindReceived))
	require.Equal(t, 4, b.sb.RequestCount(key, KindReceivedAction))
}

func TestSentTimeLabel(t *testing.T) {
	now := DefaultStart
	for _, c := range []struct {
		ago  time.Duration
		want string
	}{
		{-time.Hour, "Sent today"},
		{23 * time.Hour, "Sent today"},
		{day, "Sent 1 day ago"},
		{3*day + time.Hour, "Sent 3 days ago"},
		{7 * day, "Sent 1 week ago"},
		{16 * day, "Sent 2 weeks ago"},
		{29 * day, "Sent 4 weeks ago"},
		{30 * day, "Sent 1 month ago"},
		{100 * day, "Sent 3 months ago"},
		{400 * day, "Sent 1 year ago"},
		{800 * day, "Sent 2 years ago"},
	} {
		require.Equal(t, c.want, sentTimeLabel(now, now.Add(-c.ago)), c.ago)
	}
}

// Concurrent withdrawals of the same invitations through all three calls:
// each invitation is withdrawn exactly once.
func TestConcurrentWithdrawals(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 200})
	invs := b.sb.PendingSent(b.acct.Key())[:20]
	// The goroutines only make the calls; replies are judged here.
	type outcome struct {
		id  string
		v   withdrawVariant // nil call: a listing
		r   resp
		err error
	}
	results := make(chan outcome, len(invs)*(len(withdrawVariants)+1))
	var wg sync.WaitGroup
	for _, inv := range invs {
		for _, v := range withdrawVariants {
			wg.Go(func() {
				path, body := v.call(inv.ID)
				r, err := b.send(t, http.MethodPost, path, body)
				results <- outcome{inv.ID, v, r, err}
			})
		}
		wg.Go(func() {
			r, err := b.send(t, http.MethodGet, pathLegacy(0, 100), "")
			results <- outcome{r: r, err: err}
		})
	}
	wg.Wait()
	close(results)
	wins := map[string]int{}
	for o := range results {
		require.NoError(t, o.err)
		if o.v.call == nil {
			require.Equal(t, 200, o.r.status, "listing")
		} else if o.v.ok(t, o.r, o.id) {
			wins[o.id]++
		}
	}
	for _, inv := range invs {
		require.Equal(t, 1, wins[inv.ID], inv.ID)
	}
	require.Len(t, b.sb.Withdrawn(b.acct.Key()), len(invs))
}

func TestLiveClock(t *testing.T) {
	t.Parallel()
	sb := New(Options{Live: true, Start: DefaultStart})
	frozen := New(Options{})
	require.Eventually(t, func() bool { return sb.Now().After(DefaultStart) }, 5*time.Second, time.Millisecond, "the live clock moves")
	require.Equal(t, DefaultStart, frozen.Now(), "the frozen one does not")
	ran := sb.Now().Sub(DefaultStart)
	at := sb.Advance(time.Hour)
	require.GreaterOrEqual(t, at.Sub(DefaultStart), time.Hour+ran)
}

func TestUnknownSessionRedirect(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{}, Options{UnknownSession: TroubleRedirect})
	r := b.get(t, pathMe, header("Cookie", `li_at=gone; JSESSIONID="ajax:1"`), header("csrf-token", "ajax:1"))
	require.Equal(t, 302, r.status)
	require.Contains(t, r.header.Values("Set-Cookie")[0], "li_at=delete me")
}
