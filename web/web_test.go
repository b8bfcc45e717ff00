package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/web"
)

var pages = []string{"/", "/invitations", "/plan", "/activity", "/reconnect", "/settings/tokens", "/accounts", "/accounts/1/policy", "/review", "/settings/webhook", "/insights"}

var apiGets = []string{
	"/api/v1/accounts", "/api/v1/accounts/1/invitations", "/api/v1/accounts/1/plan", "/api/v1/accounts/1/activity",
	"/api/v1/accounts/1/stats", "/api/v1/accounts/1/reconnect", "/api/v1/invitations/1", "/api/v1/accounts/1/policy",
	"/api/v1/accounts/1/review", "/api/v1/accounts/1/report",
}

func TestSignInRequired(t *testing.T) {
	t.Parallel()
	b := setup(t, 30)
	c := b.client(t)
	for _, p := range pages {
		code, _, h := get(t, c, b.url+p)
		require.Equal(t, http.StatusSeeOther, code, p)
		require.Equal(t, "/login?next="+url.QueryEscape(p), h.Get("Location"), p)
	}
	for _, p := range []string{"/invitations/actions", "/settings/tokens", "/settings/tokens/1/delete",
		"/accounts", "/accounts/1/session", "/accounts/1/pause", "/accounts/1/resume", "/accounts/1/policy",
		"/settings/webhook", "/settings/webhook/test"} {
		code, _ := post(t, c, b.url+p, form, "id=1&action=protect")
		require.Equal(t, http.StatusUnauthorized, code, p)
	}
	for _, p := range apiGets {
		code, body, h := get(t, c, b.url+p)
		require.Equal(t, http.StatusUnauthorized, code, p)
		require.Equal(t, "application/json", h.Get("Content-Type"))
		require.JSONEq(t, `{"error":{"code":"unauthorized","message":"send a personal API token as Authorization: Bearer unv_…"}}`, body, p)
	}
	code, _, _ := get(t, c, b.url+"/login")
	require.Equal(t, http.StatusOK, code)
}

func TestLogin(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	c := b.client(t)
	code, body := post(t, c, b.url+"/login", form, url.Values{"username": {"admin"}, "password": {"wrong password!"}}.Encode())
	require.Equal(t, http.StatusUnauthorized, code)
	require.Contains(t, body, "do not match")
	code, body = post(t, c, b.url+"/login", form, url.Values{"username": {"nobody"}, "password": {"wrong password!"}}.Encode())
	require.Equal(t, http.StatusUnauthorized, code)
	require.Contains(t, body, "do not match", "an unknown name is refused in the same words")

	res, err := c.PostForm(b.url+"/login", url.Values{"username": {"admin"}, "password": {adminPassword}, "next": {"/plan?account=1"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/plan?account=1", res.Header.Get("Location"))
	cookies := res.Cookies()
	require.Len(t, cookies, 1)
	ck := cookies[0]
	require.Equal(t, "unvite_session", ck.Name)
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	require.False(t, ck.Secure, "plain HTTP without SecureCookies")
	// The store keeps a hash of the cookie, never the cookie.
	_, err = b.store.WebSession(context.Background(), []byte(ck.Value), now)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))

	code, body, _ = get(t, c, b.url+"/")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "No account yet")

	// A next that leaves the site is ignored.
	res, err = b.client(t).PostForm(b.url+"/login", url.Values{"username": {"admin"}, "password": {adminPassword}, "next": {"//evil.example/x"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, "/", res.Header.Get("Location"))

	// Signing out ends the session on the server, not just in the browser.
	code, _ = post(t, c, b.url+"/logout", form, "")
	require.Equal(t, http.StatusSeeOther, code)
	old := b.client(t)
	u, _ := url.Parse(b.url)
	old.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value}})
	code, _, _ = get(t, old, b.url+"/")
	require.Equal(t, http.StatusSeeOther, code)
}

func TestSecureCookie(t *testing.T) {
	t.Parallel()
	b := setup(t, 0, func(c *web.Config) { c.SecureCookies = true })
	res, err := b.client(t).PostForm(b.url+"/login", url.Values{"username": {"admin"}, "password": {adminPassword}})
	require.NoError(t, err)
	res.Body.Close()
	require.True(t, res.Cookies()[0].Secure)
}

func TestLoginRateLimited(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	c := b.client(t)
	bad := url.Values{"username": {"admin"}, "password": {"not the password"}}.Encode()
	for i := range 5 {
		code, _ := post(t, c, b.url+"/login", form, bad)
		require.Equal(t, http.StatusUnauthorized, code, "attempt %d", i+1)
	}
	code, body := post(t, c, b.url+"/login", form, url.Values{"username": {"admin"}, "password": {adminPassword}}.Encode())
	require.Equal(t, http.StatusTooManyRequests, code, "even the right password waits once the burst is spent")
	require.Contains(t, body, "Too many sign-in attempts")
	_, metrics, _ := get(t, c, b.url+"/metrics")
	require.Contains(t, metrics, `unvite_web_logins_total{result="failed"} 5`)
	require.Contains(t, metrics, `unvite_web_logins_total{result="limited"} 1`)
}

func TestCrossSitePostRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, 30)
	c := b.login(t)
	id := b.seeded[0].ID
	body := url.Values{"id": {fmt.Sprint(id)}, "action": {"tag"}, "tag": {"evil"}, "back": {"/invitations"}}.Encode()
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example"},
	} {
		code, resp := post(t, c, b.url+"/invitations/actions", form, body, h...)
		require.Equal(t, http.StatusForbidden, code, h)
		require.Contains(t, resp, "cross-origin request refused")
	}
	inv, err := b.store.Invitation(context.Background(), id)
	require.NoError(t, err)
	require.False(t, inv.HasTag("evil"), "nothing changed")
	code, _ := post(t, c, b.url+"/login", form, "username=admin&password=x", "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, code, "login CSRF too")

	// The same post from the site itself goes through.
	code, _ = post(t, c, b.url+"/invitations/actions", form, body, "Sec-Fetch-Site", "same-origin", "Origin", b.url)
	require.Equal(t, http.StatusSeeOther, code)
	inv, err = b.store.Invitation(context.Background(), id)
	require.NoError(t, err)
	require.True(t, inv.HasTag("evil"))
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	for _, p := range []string{"/login", "/healthz", "/static/app.css", "/api/v1/accounts"} {
		_, _, h := get(t, b.client(t), b.url+p)
		csp := h.Get("Content-Security-Policy")
		require.Contains(t, csp, "frame-ancestors 'none'", p)
		require.Contains(t, csp, "script-src 'self'", p)
		require.NotContains(t, csp, "unsafe-inline", p)
		require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), p)
		require.Equal(t, "same-origin", h.Get("Referrer-Policy"), p)
		_, err := serverTime(h)
		require.NoError(t, err, p)
	}
}

// Every page renders for a signed-in user, with its account's figures.
func TestPages(t *testing.T) {
	t.Parallel()
	b := setup(t, 400)
	c := b.login(t)
	ctx := context.Background()
	pending, err := b.store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: b.acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	plan, err := policy.PlanAccount(ctx, b.store, policy.Default(), b.acct.ID, now)
	require.NoError(t, err)
	reconnect, err := b.store.Invitations(ctx, unvite.ReconnectFilter(b.acct.ID, now))
	require.NoError(t, err)
	require.NotEmpty(t, reconnect)

	want := map[string][]string{
		"/":                {"Maya Lindqvist", ">" + strconv.Itoa(pending) + "<", "Pending by age", `role="img"`},
		"/invitations":     {"of <strong>", "Add tag", `aria-label="Select `},
		"/plan":            {fmt.Sprintf("<strong>%d</strong> invitation(s)", len(plan.Withdrawals)), plan.Withdrawals[0].Reason, plan.Withdrawals[0].Invitation.Invitee.Name},
		"/activity":        {"withdrawn on LinkedIn", "by user", "<strong>" + html.EscapeString(reconnect[0].Invitee.Name) + "</strong>"},
		"/reconnect":       {reconnect[0].Invitee.Name, `data-limit="300"`},
		"/settings/tokens": {"Create a token"},
		"/accounts":        {"Maya Lindqvist", "This account has no LinkedIn session.", "Connect an account"},
		fmt.Sprintf("/accounts/%d/policy", b.acct.ID): {`name="daily_limit" value="30"`, fmt.Sprintf("<dd id=\"current-withdraw\">%d</dd>", len(plan.Withdrawals))},
		"/review":           {"Became stale this week", "May be re-invited", `id="count-stale"`},
		"/settings/webhook": {"Send notices", "runs without webhooks"},
	}
	for p, needles := range want {
		code, body, h := get(t, c, b.url+p)
		require.Equal(t, http.StatusOK, code, p)
		require.Equal(t, "no-store", h.Get("Cache-Control"), p)
		for _, n := range needles {
			require.Contains(t, body, n, p)
		}
		require.NotContains(t, body, "<script>", "no inline script: "+p)
		require.NotContains(t, body, " style=", "no inline style: "+p)
	}
	code, body, _ := get(t, c, b.url+"/plan?account=99")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, "account 99 not found")
	code, _, _ = get(t, c, b.url+"/invitations?status=bogus")
	require.Equal(t, http.StatusBadRequest, code)
	code, _, _ = get(t, c, b.url+"/nope")
	require.Equal(t, http.StatusNotFound, code)
}

var rowRE = regexp.MustCompile(`name="id" value="(\d+)"`)

// The invitations page lists exactly what its filters select, as computed
// here from the seeded invitations.
func TestInvitationFilters(t *testing.T) {
	t.Parallel()
	b := setup(t, 600)
	c := b.login(t)
	pol := policy.Default()
	cases := []struct {
		query string
		keep  func(*unvite.Invitation) bool
	}{
		{"status=pending&age=90%2B", func(i *unvite.Invitation) bool { return i.Status == unvite.StatusPending && i.AgeDays(now) >= 90 }},
		{"age=30-59", func(i *unvite.Invitation) bool { d := i.AgeDays(now); return d >= 30 && d <= 59 }},
		{"status=pending&stage=review", func(i *unvite.Invitation) bool {
			return i.Status == unvite.StatusPending && policy.Stage(pol, i, now) == policy.StageReview
		}},
		{"note=yes&status=accepted", func(i *unvite.Invitation) bool { return i.HadNote && i.Status == unvite.StatusAccepted }},
		{"note=no&tag=recruiter", func(i *unvite.Invitation) bool { return !i.HadNote && i.HasTag("recruiter") }},
		{"q=northwind&status=pending", func(i *unvite.Invitation) bool {
			return i.Status == unvite.StatusPending && strings.Contains(strings.ToLower(i.Invitee.Headline+i.Invitee.Company+i.Note), "northwind")
		}},
	}
	for _, tc := range cases {
		var want []string
		for _, inv := range b.seeded {
			if tc.keep(inv) {
				want = append(want, strconv.FormatInt(inv.ID, 10))
			}
		}
		require.NotEmpty(t, want, tc.query)
		var got []string
		for page := 1; ; page++ {
			code, body, _ := get(t, c, fmt.Sprintf("%s/invitations?%s&page=%d", b.url, tc.query, page))
			require.Equal(t, http.StatusOK, code, tc.query)
			require.Contains(t, body, fmt.Sprintf("of <strong>%d</strong>", len(want)), tc.query)
			for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if !strings.Contains(body, `rel="next"`) {
				break
			}
		}
		require.ElementsMatch(t, want, got, tc.query)
	}
	_, body, _ := get(t, c, b.url+"/invitations?status=pending&page=999")
	require.Contains(t, body, "Page 999 is past the end")
	require.NotContains(t, body, `name="id"`)
}

// The page, read again and again (kept by the store, its rows by the
// server), shows at once what another process changed in the file, as
// `unvite withdraw` or an import does.
func TestInvitationsPageSeesOtherProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 600)
	c := b.login(t)
	page := func(query string) (ids []string, body string) {
		t.Helper()
		code, body, _ := get(t, c, b.url+"/invitations?"+query)
		require.Equal(t, http.StatusOK, code)
		for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		return ids, body
	}
	const query = "status=pending&sort=name&page=2"
	var before []string
	var body string
	for range 3 {
		before, body = page(query)
	}
	total := regexp.MustCompile(`of <strong>([\d,]+)</strong>`).FindStringSubmatch(body)
	require.NotNil(t, total, body)

	other, err := sqlite.Open(ctx, b.store.Path())
	require.NoError(t, err)
	defer other.Close()
	gone, _ := strconv.ParseInt(before[0], 10, 64)
	_, err = other.Transition(ctx, gone, unvite.StatusAccepted, unvite.Change{Reason: "test"})
	require.NoError(t, err)
	tagged, _ := strconv.ParseInt(before[1], 10, 64)
	require.NoError(t, other.Tag(ctx, []int64{tagged}, []string{"met-in-person"}, false, unvite.Change{}))

	after, body := page(query)
	require.NotContains(t, after, before[0])
	require.Equal(t, before[1:], after[:len(before)-1])
	require.Contains(t, body, `<span class="tag">met-in-person</span>`)
	require.NotContains(t, body, fmt.Sprintf("of <strong>%s</strong>", total[1]))
}

func TestInvitationActions(t *testing.T) {
	t.Parallel()
	b := setup(t, 40)
	c := b.login(t)
	ctx := context.Background()
	ids := []string{fmt.Sprint(b.seeded[1].ID), fmt.Sprint(b.seeded[2].ID)}
	do := func(action, tag string) string {
		t.Helper()
		res, err := c.PostForm(b.url+"/invitations/actions", url.Values{"id": ids, "action": {action}, "tag": {tag}, "back": {"/invitations?account=1&status=pending"}})
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		return res.Header.Get("Location")
	}
	loc := do("tag", "warm lead")
	require.True(t, strings.HasPrefix(loc, "/invitations?"), loc)
	require.Contains(t, loc, "status=pending")
	for _, id := range []int64{b.seeded[1].ID, b.seeded[2].ID} {
		inv, err := b.store.Invitation(ctx, id)
		require.NoError(t, err)
		require.True(t, inv.HasTag("warm lead"))
	}
	do("protect", "")
	inv, err := b.store.Invitation(ctx, b.seeded[1].ID)
	require.NoError(t, err)
	require.True(t, inv.Protected)
	ev, err := b.store.Events(ctx, unvite.EventFilter{InvitationID: b.seeded[1].ID, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, "user:admin", ev[0].Actor, "the audit log names who did it")
	do("unprotect", "")
	do("untag", "warm lead")
	inv, err = b.store.Invitation(ctx, b.seeded[1].ID)
	require.NoError(t, err)
	require.False(t, inv.Protected)
	require.False(t, inv.HasTag("warm lead"))

	code, body := post(t, c, b.url+"/invitations/actions", form, "id=1&action=explode")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "want tag, untag, protect or unprotect")
}

var tokenRE = regexp.MustCompile(`value="(unv_[A-Za-z0-9_-]+)"`)

// createToken makes an API token through the settings page.
func createToken(t *testing.T, b *bundle, c *http.Client, name string, write bool) string {
	t.Helper()
	v := url.Values{"name": {name}}
	if write {
		v.Set("write", "on")
	}
	code, body := post(t, c, b.url+"/settings/tokens", form, v.Encode())
	require.Equal(t, http.StatusOK, code)
	m := tokenRE.FindStringSubmatch(body)
	require.NotNil(t, m, "the new token is shown once")
	return m[1]
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	b := setup(t, 50)
	c := b.login(t)
	read := createToken(t, b, c, "reader", false)
	write := createToken(t, b, c, "writer", true)
	_, body, _ := get(t, c, b.url+"/settings/tokens")
	require.NotContains(t, body, read, "a token is never shown again")
	require.Contains(t, body, "read only")

	api := b.client(t)
	auth := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	for _, p := range apiGets {
		code, body, _ := get(t, api, b.url+p, auth(read)...)
		require.Equal(t, http.StatusOK, code, p+": "+body)
		require.True(t, json.Valid([]byte(body)), p)
	}
	id := b.seeded[5].ID
	tag := fmt.Sprintf(`{"ids":[%d],"tags":["api"]}`, id)
	code, resp := post(t, api, b.url+"/api/v1/invitations/tag", "application/json", tag, auth(read)...)
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, resp, `"code":"forbidden"`)
	code, resp = post(t, api, b.url+"/api/v1/invitations/protect", "application/json", fmt.Sprintf(`{"ids":[%d],"protected":true}`, id), auth(read)...)
	require.Equal(t, http.StatusForbidden, code, resp)

	code, resp = post(t, api, b.url+"/api/v1/invitations/tag", "application/json", tag, auth(write)...)
	require.Equal(t, http.StatusOK, code, resp)
	inv, err := b.store.Invitation(context.Background(), id)
	require.NoError(t, err)
	require.True(t, inv.HasTag("api"))
	code, resp = post(t, api, b.url+"/api/v1/invitations/protect", "application/json", fmt.Sprintf(`{"ids":[%d],"protected":true,"reason":"friend"}`, id), auth(write)...)
	require.Equal(t, http.StatusOK, code, resp)
	ev, err := b.store.Events(context.Background(), unvite.EventFilter{InvitationID: id, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, "api:writer", ev[0].Actor)
	require.Equal(t, "friend", ev[0].Reason)

	// Errors are JSON with a code, and the code sets the status.
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", "/api/v1/accounts/99/plan", "", 404, "not_found"},
		{"GET", "/api/v1/accounts/x/plan", "", 400, "invalid"},
		{"GET", "/api/v1/accounts/1/invitations?status=maybe", "", 400, "invalid"},
		{"GET", "/api/v1/accounts/1/invitations?age=7-8", "", 400, "invalid"},
		{"GET", "/api/v1/nothing", "", 404, "not_found"},
		{"POST", "/api/v1/invitations/tag", `{"ids":[1],"tags":["a,b"]}`, 400, "invalid"},
		{"POST", "/api/v1/invitations/tag", `{"ids":[1],"tagz":["a"]}`, 400, "invalid"},
		{"POST", "/api/v1/invitations/protect", `{"ids":[1]}`, 400, "invalid"},
		{"POST", "/api/v1/accounts/99/pause", "", 404, "not_found"},
		{"PUT", "/api/v1/accounts/1/policy", `{}`, 400, "invalid"},
		{"PUT", "/api/v1/accounts/1/policy", `{"daily_limit": {"a": 1}}`, 400, "invalid"},
		{"PUT", "/api/v1/accounts/1/policy", `[1]`, 400, "invalid"},
		{"GET", "/api/v1/accounts/99/policy", "", 404, "not_found"},
	} {
		req, err := http.NewRequest(tc.method, b.url+tc.path, strings.NewReader(tc.body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+write)
		res, err := api.Do(req)
		require.NoError(t, err)
		var e struct {
			Error struct{ Code, Message string }
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&e))
		res.Body.Close()
		require.Equal(t, tc.status, res.StatusCode, tc.path)
		require.Equal(t, tc.code, e.Error.Code, tc.path)
		require.NotEmpty(t, e.Error.Message)
	}

	huge := fmt.Sprintf(`{"ids":[%d],"tags":["%s"]}`, id, strings.Repeat("x", 2<<20))
	code, resp = post(t, api, b.url+"/api/v1/invitations/tag", "application/json", huge, auth(write)...)
	require.Equal(t, http.StatusBadRequest, code, "a body over a megabyte is refused")
	require.Contains(t, resp, "request body too large")

	code, _, _ = get(t, api, b.url+"/api/v1/accounts", auth("unv_madeup")...)
	require.Equal(t, http.StatusUnauthorized, code)

	// Revoking a token shuts it out.
	toks, err := b.store.APITokens(context.Background(), 1)
	require.NoError(t, err)
	code, _ = post(t, c, fmt.Sprintf("%s/settings/tokens/%d/delete", b.url, toks[0].ID), form, "")
	require.Equal(t, http.StatusSeeOther, code)
	code, _, _ = get(t, api, b.url+"/api/v1/accounts", auth(read)...)
	require.Equal(t, http.StatusUnauthorized, code)
}

func TestAPIListingMatchesPlanAndFilters(t *testing.T) {
	t.Parallel()
	b := setup(t, 300)
	c := b.login(t)
	tok := createToken(t, b, c, "r", false)
	var list struct {
		Total       int
		Invitations []struct {
			ID      int64
			Status  string
			AgeDays int `json:"age_days"`
			Stage   string
		}
	}
	_, body, _ := get(t, b.client(t), b.url+"/api/v1/accounts/1/invitations?status=pending&stage=withdraw&limit=500", "Authorization", "Bearer "+tok)
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	want := 0
	for _, inv := range b.seeded {
		if inv.Status == unvite.StatusPending && inv.AgeDays(now) >= 90 {
			want++
		}
	}
	require.Equal(t, want, list.Total)
	require.Len(t, list.Invitations, want)
	for _, inv := range list.Invitations {
		require.Equal(t, "withdraw", inv.Stage)
		require.GreaterOrEqual(t, inv.AgeDays, 90)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	b := setup(t, 80, func(c *web.Config) { c.MetricsNetworks = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	c := b.client(t)
	code, body, _ := get(t, c, b.url+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok\n", body)
	code, _, _ = get(t, c, b.url+"/readyz")
	require.Equal(t, http.StatusOK, code)

	code, _, _ = get(t, c, b.url+"/metrics")
	require.Equal(t, http.StatusForbidden, code, "loopback is not in the configured networks")
	tok := createToken(t, b, b.login(t), "prometheus", false)
	code, body, _ = get(t, c, b.url+"/metrics", "Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusOK, code)
	pending, err := b.store.CountInvitations(context.Background(), unvite.InvitationFilter{AccountID: b.acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	require.Contains(t, body, fmt.Sprintf(`unvite_pending_invitations{account="maya-lindqvist",account_id="1"} %d`, pending))
	require.Contains(t, body, "go_goroutines")

	// The engine registers its own metrics on the server's registry.
	require.NotNil(t, b.srv.Registry())
}

func TestReadyzFailsWithoutStore(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	require.NoError(t, b.store.Close())
	code, _, _ := get(t, b.client(t), b.url+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
}

func TestEnsureAdmin(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	ctx := context.Background()
	var out bytes.Buffer
	created, err := web.EnsureAdmin(ctx, b.store, "", &out)
	require.NoError(t, err)
	require.False(t, created, "a user exists already")
	require.Empty(t, out.String())

	fresh := setupStoreOnly(t)
	created, err = web.EnsureAdmin(ctx, fresh, "", &out)
	require.NoError(t, err)
	require.True(t, created)
	m := regexp.MustCompile(`\n    (\S+)\n`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	u, err := fresh.UserByName(ctx, "admin")
	require.NoError(t, err)
	require.NotContains(t, u.PasswordHash, m[1], "stored as a hash")

	other := setupStoreOnly(t)
	out.Reset()
	_, err = web.EnsureAdmin(ctx, other, "short", &out)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	_, err = web.EnsureAdmin(ctx, other, "a long enough password", &out)
	require.NoError(t, err)
	require.NotContains(t, out.String(), "a long enough password", "a given password is not echoed")
}

func TestAdminPassword(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	pw, err := web.AdminPassword(getenv)
	require.NoError(t, err)
	require.Empty(t, pw)
	f := t.TempDir() + "/pw"
	require.NoError(t, writeFile(f, "from a file\n"))
	env["UNVITE_ADMIN_PASSWORD_FILE"] = f
	pw, err = web.AdminPassword(getenv)
	require.NoError(t, err)
	require.Equal(t, "from a file", pw)
	env["UNVITE_ADMIN_PASSWORD"] = "from the env"
	pw, _ = web.AdminPassword(getenv)
	require.Equal(t, "from the env", pw)
	env = map[string]string{"UNVITE_ADMIN_PASSWORD_FILE": f + ".missing"}
	_, err = web.AdminPassword(getenv)
	require.ErrorContains(t, err, "UNVITE_ADMIN_PASSWORD_FILE")
}

// Serve stops on cancel and lets a request in flight finish.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	store := setupStoreOnly(t)
	srv, err := web.New(web.Config{Store: store})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(u string) { ready <- u }) }()
	u := <-ready
	res, err := http.Get(u + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	cancel()
	require.NoError(t, <-done)
	_, err = (&http.Client{Timeout: time.Second}).Get(u + "/healthz")
	require.Error(t, err, "no longer listening")
}

// The overview, with everything it loads, stays under 200 KB.
func TestOverviewWeight(t *testing.T) {
	t.Parallel()
	b := setup(t, 1200)
	c := b.login(t)
	code, html, _ := get(t, c, b.url+"/")
	require.Equal(t, http.StatusOK, code)
	total := len(html)
	for _, asset := range []string{"/static/app.css", "/static/app.js", "/static/htmx.min.js", "/static/favicon.svg"} {
		require.Contains(t, html, asset)
		code, body, _ := get(t, c, b.url+asset)
		require.Equal(t, http.StatusOK, code, asset)
		total += len(body)
	}
	require.Less(t, total, 200_000, "overview page weight")
	t.Logf("overview page weight: %d bytes (HTML %d)", total, len(html))
	require.False(t, strings.Contains(html, "http://") && strings.Contains(html, "<script src=\"http"), "no third-party scripts")
}

// With more accounts than a page, the overview shows a page of cards, those
// that wait for the user first, a summary of all the accounts from counts,
// and a pager; a page past the last is not found.
func TestOverviewPages(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	ctx := context.Background()
	var stopped *unvite.Account
	for i := range 23 {
		a, _ := seed(t, b.store, fmt.Sprintf("Member %02d", i), fmt.Sprintf("member-%02d", i), 5)
		require.NoError(t, b.store.SetSession(ctx, a.ID, []byte("sealed")))
		p := unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive)}
		if i == 21 {
			p.State, p.StateReason = unvite.Ptr(unvite.AccountNeedsLogin), unvite.Ptr("session expired")
			stopped = a
		}
		_, err := b.store.PatchAccount(ctx, a.ID, p, unvite.Change{Actor: "test"})
		require.NoError(t, err)
	}
	pending, err := b.store.CountInvitations(ctx, unvite.InvitationFilter{Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	c := b.login(t)
	cardRE := regexp.MustCompile(`<h2 id="acct-(\d+)">`)

	code, body, _ := get(t, c, b.url+"/")
	require.Equal(t, http.StatusOK, code)
	cards := cardRE.FindAllStringSubmatch(body, -1)
	require.Len(t, cards, 20)
	require.Equal(t, fmt.Sprint(stopped.ID), cards[0][1], "the account that waits for the user comes first")
	require.Contains(t, body, "All 23 accounts")
	require.Contains(t, body, fmt.Sprintf("<strong>%d</strong> pending", pending))
	require.Contains(t, body, `<strong class="warn-text">1</strong> waiting for you`)
	require.Contains(t, body, "Page 1 of 2")
	require.Contains(t, body, `<a href="/?page=2" rel="next">`)
	require.NotContains(t, body, `id="acct-all"`, "no total card summing every account's figures")

	code, body, _ = get(t, c, b.url+"/?page=2")
	require.Equal(t, http.StatusOK, code)
	require.Len(t, cardRE.FindAllStringSubmatch(body, -1), 3)
	require.Contains(t, body, `<a href="/?page=1" rel="prev">`)

	code, _, _ = get(t, c, b.url+"/?page=3")
	require.Equal(t, http.StatusNotFound, code)
	code, _, _ = get(t, c, b.url+"/?page=x")
	require.Equal(t, http.StatusBadRequest, code)

	// The weekly review's table is paged the same way, without totals; the
	// chosen account's week shows whatever page of the table is shown.
	rowRE := regexp.MustCompile(`<td data-label="Account" class="person"><a href="/review\?account=(\d+)"`)
	review := fmt.Sprintf("%s/review?account=%d", b.url, stopped.ID)
	code, body, _ = get(t, c, review+"&page=1")
	require.Equal(t, http.StatusOK, code)
	require.Len(t, rowRE.FindAllStringSubmatch(body, -1), 20)
	require.Contains(t, body, "All 23 accounts")
	require.NotContains(t, body, `<tr class="total">`)
	require.Contains(t, body, fmt.Sprintf(`<a href="/review?account=%d&amp;page=2" rel="next">`, stopped.ID))
	require.Contains(t, body, "Member 21's week", "the chosen account's week, though its row is on page 2")
	code, body, _ = get(t, c, review+"&page=2")
	require.Equal(t, http.StatusOK, code)
	rows := rowRE.FindAllStringSubmatch(body, -1)
	require.Len(t, rows, 3)
	require.Equal(t, fmt.Sprint(stopped.ID), rows[1][1])
	require.Contains(t, body, "Member 21's week")
	code, _, _ = get(t, c, review+"&page=3")
	require.Equal(t, http.StatusNotFound, code)
}
