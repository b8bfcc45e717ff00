package web_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/secret"
	"github.com/unvite/unvite/web"
)

// withSandbox gives the server an account service that talks to a
// sandbox holding one member, as `unvite serve` talks to LinkedIn.
func withSandbox(t *testing.T) (option, *sandbox.Account) {
	sb := sandbox.New(sandbox.Options{Seed: 5, Start: now})
	member := sb.AddAccount(sandbox.AccountConfig{Key: "ada", FirstName: "Ada", LastName: "Bianchi", Slug: "ada-bianchi", SentInvitations: 20, Months: 2})
	li := httptest.NewServer(sb)
	t.Cleanup(li.Close)
	keys, err := secret.NewKeyring("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	require.NoError(t, err)
	return func(c *web.Config) {
		c.Accounts = &accounts.Service{
			Store: c.Store,
			Keys:  func(context.Context, bool) (*secret.Keyring, error) { return keys, nil },
			NewClient: func(s linkedin.Session) (*linkedin.Client, error) {
				return linkedin.New(linkedin.Config{BaseURL: li.URL, Session: s, Now: sb.Now})
			},
			Now: sb.Now,
		}
	}, member
}

// The Accounts page lists each account with its state and the fix, asks
// for a login, and draws the cookie fields as password fields.
func TestAccountsPage(t *testing.T) {
	b := setup(t, 30)
	code, _, h := get(t, b.client(t), b.url+"/accounts")
	require.Equal(t, http.StatusSeeOther, code)
	require.Contains(t, h.Get("Location"), "/login")

	c := b.login(t)
	code, body, _ := get(t, c, b.url+"/accounts")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `aria-current="page">Accounts</a>`)
	require.Contains(t, body, "Maya Lindqvist")
	require.Contains(t, body, "This account has no LinkedIn session.")
	require.Contains(t, body, fmt.Sprintf(`action="/accounts/%d/session"`, b.acct.ID), "the fix of an account without a session is to connect it")
	require.Contains(t, body, `name="li_at" type="password"`)
	require.Contains(t, body, `name="jsessionid" type="password"`)
	require.Contains(t, body, `href="/settings/webhook"`)
	require.Contains(t, body, `href="/settings/tokens"`)
	require.Contains(t, body, "This server does not talk to LinkedIn", "no account service: connecting is explained, not offered blindly")
}

// Pausing and resuming are POSTs that a cross-site form cannot make; the
// overview and the audit log say what happened.
func TestPauseResume(t *testing.T) {
	b := setup(t, 30)
	ctx := context.Background()
	_, err := b.store.PatchAccount(ctx, b.acct.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive)}, unvite.Change{Actor: "test"})
	require.NoError(t, err)
	c := b.login(t)
	pause := fmt.Sprintf("%s/accounts/%d/pause", b.url, b.acct.ID)

	code, resp := post(t, c, pause, form, "", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, resp, "cross-origin request refused")
	acct, err := b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Equal(t, unvite.AccountActive, acct.State, "a refused post changes nothing")

	code, _ = post(t, c, pause, form, "")
	require.Equal(t, http.StatusSeeOther, code)
	acct, err = b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Equal(t, unvite.AccountPaused, acct.State)
	_, body, _ := get(t, c, b.url+"/")
	require.Contains(t, body, "this account is paused (paused by the user)")
	_, body, _ = get(t, c, b.url+"/accounts")
	require.Contains(t, body, fmt.Sprintf(`id="resume-%d"`, b.acct.ID))
	require.NotContains(t, body, fmt.Sprintf(`id="pause-%d"`, b.acct.ID))

	code, _ = post(t, c, fmt.Sprintf("%s/accounts/%d/resume", b.url, b.acct.ID), form, "")
	require.Equal(t, http.StatusSeeOther, code)
	acct, err = b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Equal(t, unvite.AccountOffline, acct.State, "resumed, and without a session it is offline")
	events := accountEvents(t, b.store, b.acct.ID)
	require.Equal(t, "user:admin", events[0].Actor)
	require.Contains(t, events[0].Reason, "resumed by the user")
	require.Contains(t, events[1].Reason, "paused by the user")

	code, _ = post(t, c, b.url+"/accounts/999/pause", form, "")
	require.Equal(t, http.StatusNotFound, code)
}

// Connecting goes through package accounts against the sandbox; a
// missing cookie or one LinkedIn refuses is said at the form, and the
// values typed never come back in the page.
func TestConnectAccount(t *testing.T) {
	sb, member := withSandbox(t)
	b := setup(t, 0, sb)
	c := b.login(t)
	const fakeLiAt = "AQEDAR-not-a-real-cookie-0123456789"

	code, body := post(t, c, b.url+"/accounts", form, url.Values{"li_at": {fakeLiAt}}.Encode())
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "session: JSESSIONID is missing")
	require.NotContains(t, body, fakeLiAt, "a cookie is never echoed back")
	require.NotContains(t, body, `type="password" value=`)

	code, body = post(t, c, b.url+"/accounts", form, url.Values{"li_at": {fakeLiAt}, "jsessionid": {`"ajax:123"`}}.Encode())
	require.Equal(t, http.StatusBadGateway, code, body)
	require.Contains(t, body, "checking the session with LinkedIn")
	require.NotContains(t, body, fakeLiAt)
	require.NotContains(t, body, "ajax:123")
	list, err := b.store.Accounts(context.Background())
	require.NoError(t, err)
	require.Empty(t, list, "a refused session stores nothing")

	code, body = post(t, c, b.url+"/accounts", form, url.Values{"li_at": {member.LiAt()}, "jsessionid": {member.JSessionID()}, "time_zone": {"Europe/Rome"}}.Encode())
	require.Equal(t, http.StatusSeeOther, code, body)
	list, err = b.store.Accounts(context.Background())
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "Ada Bianchi", list[0].Name)
	require.Equal(t, "Europe/Rome", list[0].TimeZone)
	require.True(t, list[0].HasSession)
	require.Equal(t, unvite.AccountActive, list[0].State)
	_, body, _ = get(t, c, b.url+"/accounts")
	require.NotContains(t, body, member.LiAt())
	require.NotContains(t, body, member.JSessionID())

	// The session expires: the page offers a reconnect, which takes the
	// same member's new cookies.
	_, err = b.store.PatchAccount(context.Background(), list[0].ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountNeedsLogin), StateReason: unvite.Ptr("session expired")}, unvite.Change{Actor: "test"})
	require.NoError(t, err)
	_, body, _ = get(t, c, b.url+"/accounts")
	require.Contains(t, body, "This account needs a new LinkedIn session (session expired).")
	stopped, err := b.store.Account(context.Background(), list[0].ID)
	require.NoError(t, err)
	require.Contains(t, body, "needs login since "+stopped.StateSince.UTC().Format("2 Jan 2006, 15:04")+" UTC")
	require.Contains(t, body, "Reconnect: give Ada Bianchi a new session")
	code, body = post(t, c, fmt.Sprintf("%s/accounts/%d/session", b.url, list[0].ID), form, url.Values{"li_at": {member.LiAt()}, "jsessionid": {member.JSessionID()}}.Encode())
	require.Equal(t, http.StatusSeeOther, code, body)
	acct, err := b.store.Account(context.Background(), list[0].ID)
	require.NoError(t, err)
	require.Equal(t, unvite.AccountActive, acct.State)
}

// Without an account service the connect form is refused with the
// command that does it, and still echoes nothing.
func TestConnectNeedsService(t *testing.T) {
	b := setup(t, 0)
	c := b.login(t)
	code, body := post(t, c, b.url+"/accounts", form, url.Values{"li_at": {"secret-li-at"}, "jsessionid": {"secret-jsession"}}.Encode())
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "unvite account add")
	require.NotContains(t, body, "secret-li-at")
	require.NotContains(t, body, "secret-jsession")
}

// The policy form: bad values are named by key and nothing is saved; a
// good edit is previewed against the account's invitations next to the
// current figures, and saved only by the preview's own form, as a patch of
// the account's own values with an audit event; the plan follows.
func TestPolicyEdit(t *testing.T) {
	b := setup(t, 400)
	ctx := context.Background()
	c := b.login(t)
	path := fmt.Sprintf("%s/accounts/%d/policy", b.url, b.acct.ID)
	code, body, _ := get(t, c, path)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `name="daily_limit" value="30"`)
	require.Contains(t, body, "Withdrawals a day at most")
	require.Contains(t, body, "What the policy does now")

	vals := func(kv ...string) string {
		v := url.Values{"action": {"preview"}, "min_age_days": {"14"}, "review_age_days": {"30"}, "consider_age_days": {"60"},
			"withdraw_age_days": {"90"}, "pending_cap": {"400"}, "max_age": {"fixed"}, "order": {"oldest-first"}, "daily_limit": {"30"},
			"active_hours": {"09:00-17:00"}, "time_zone": {"UTC"}, "cool_down_days": {"21"}, "min_gap": {"45s"}, "max_gap": {"4m"},
			"sync_every": {"6h"}, "max_failures": {"5"}, "protect.tags": {"vip"}, "auto_age.threshold_percent": {"2"}, "auto_age.floor_days": {"21"},
			"auto_age.ceiling_days": {"120"}, "auto_age.min_accepted": {"100"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	code, body = post(t, c, path, form, vals("daily_limit", "500", "max_age", "sometimes", "min_gap", "soon"))
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "Fix 3 value(s)")
	require.Contains(t, body, "daily_limit</code>: must be at most 100 a day")
	require.Contains(t, body, "max_age</code>: unknown value")
	require.Contains(t, body, "min_gap</code>: want a duration")
	require.Contains(t, body, `name="daily_limit" value="500"`, "the value typed stays for fixing")
	require.Contains(t, body, `aria-invalid="true"`)
	require.NotContains(t, body, "save-policy", "no save without a clean preview")
	// A save straight away with bad values is refused the same way.
	code, _ = post(t, c, path, form, strings.Replace(vals("daily_limit", "0"), "action=preview", "action=save", 1))
	require.Equal(t, http.StatusBadRequest, code)
	acct, err := b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Nil(t, acct.Policy, "nothing saved")

	code, body = post(t, c, path, form, vals("daily_limit", "10", "withdraw_age_days", "60"))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "Preview: with this policy")
	require.Contains(t, body, `<td id="preview-today">10 (10 a day)</td>`)
	require.Contains(t, body, `<input type="hidden" name="daily_limit" value="10">`)
	require.Contains(t, body, `<input type="hidden" name="withdraw_age_days" value="60">`)
	acct, err = b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Nil(t, acct.Policy, "a preview saves nothing")

	res, err := c.PostForm(path, mustParse(t, strings.Replace(vals("daily_limit", "10", "withdraw_age_days", "60"), "action=preview", "action=save", 1)))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	acct, err = b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"daily_limit": "10", "withdraw_age_days": "60"}, acct.Policy, "only what differs from the file")
	events := accountEvents(t, b.store, b.acct.ID)
	require.Equal(t, "policy set from the dashboard: policy daily_limit → 10; policy withdraw_age_days → 60", events[0].Reason)
	require.Equal(t, "user:admin", events[0].Actor)

	_, body, _ = get(t, c, b.url+"/plan")
	require.Contains(t, body, "10 a day")
	require.Contains(t, body, "<dd>60 days</dd>")
	_, body, _ = get(t, c, path)
	require.Contains(t, body, `name="daily_limit" value="10"`)
	require.Contains(t, body, `this account</span>`)
}

// accountEvents are the account's "account" events, the newest first.
func accountEvents(t *testing.T, s unvite.Store, id int64) []*unvite.Event {
	t.Helper()
	all, err := s.Events(context.Background(), unvite.EventFilter{AccountID: id})
	require.NoError(t, err)
	var out []*unvite.Event
	for _, e := range all {
		if e.Type == "account" {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *unvite.Event) int { return cmp.Compare(b.ID, a.ID) })
	return out
}

func mustParse(t *testing.T, q string) url.Values {
	v, err := url.ParseQuery(q)
	require.NoError(t, err)
	return v
}

// The API pauses, resumes and sets the policy: a dry run previews and
// saves nothing, bad values are named, a read-only token may not change.
func TestAPIAccountSettings(t *testing.T) {
	b := setup(t, 300)
	ctx := context.Background()
	c := b.login(t)
	write := createToken(t, b, c, "script", true)
	read := createToken(t, b, c, "reader", false)
	call := func(token, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, b.url+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		return res.StatusCode, out
	}
	acctPath := fmt.Sprintf("/api/v1/accounts/%d", b.acct.ID)

	code, out := call(read, "POST", acctPath+"/pause", "")
	require.Equal(t, http.StatusForbidden, code, out)
	code, out = call(write, "POST", acctPath+"/pause", "")
	require.Equal(t, http.StatusOK, code, out)
	require.Equal(t, "paused", out["state"])
	require.Equal(t, fmt.Sprintf("unvite account resume %d", b.acct.ID), out["next_step"])
	code, out = call(write, "POST", acctPath+"/resume", "")
	require.Equal(t, http.StatusOK, code, out)
	require.Equal(t, "offline", out["state"])

	code, out = call(write, "PUT", acctPath+"/policy", `{"daily_limit": 500, "max_age": "sometimes", "dailylimit": 3}`)
	require.Equal(t, http.StatusBadRequest, code, out)
	msg := out["error"].(map[string]any)["message"].(string)
	require.Contains(t, msg, "daily_limit: must be at most 100")
	require.Contains(t, msg, "max_age: unknown value")
	require.Contains(t, msg, "dailylimit: is not a policy key (did you mean daily_limit?)")

	code, out = call(write, "PUT", acctPath+"/policy?dry_run=1", `{"daily_limit": 10, "protect.tags": ["vip", "recruiter"]}`)
	require.Equal(t, http.StatusOK, code, out)
	require.Equal(t, true, out["dry_run"])
	prev := out["preview"].(map[string]any)
	require.EqualValues(t, 10, prev["figures"].(map[string]any)["daily_limit"])
	require.EqualValues(t, 30, out["current"].(map[string]any)["daily_limit"])
	require.Equal(t, map[string]any{"daily_limit": "10", "protect.tags": "vip, recruiter"}, prev["own"])
	acct, err := b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Nil(t, acct.Policy, "a dry run saves nothing")

	code, out = call(write, "PUT", acctPath+"/policy", `{"daily_limit": 10, "enabled": false}`)
	require.Equal(t, http.StatusOK, code, out)
	require.Equal(t, "10", out["policy"].(map[string]any)["daily_limit"])
	acct, err = b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"daily_limit": "10"}, acct.Policy)
	// null gives a key back to the policy file.
	code, out = call(write, "PUT", acctPath+"/policy", `{"daily_limit": null}`)
	require.Equal(t, http.StatusOK, code, out)
	acct, err = b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Nil(t, acct.Policy)
	code, out = call(read, "GET", acctPath+"/policy", "")
	require.Equal(t, http.StatusOK, code, out)
	require.Equal(t, "30", out["policy"].(map[string]any)["daily_limit"])
	code, _ = call(read, "PUT", acctPath+"/policy", `{"daily_limit": 12}`)
	require.Equal(t, http.StatusForbidden, code)
}

var wasField = regexp.MustCompile(`<input type="hidden" name="(was\.[a-z_.]+)" value="([^"]*)">`)

// A save patches only the keys the user changed on the form: a change of
// another key made meanwhile (another tab, the API, the CLI) stays.
func TestPolicySaveKeepsOtherEdits(t *testing.T) {
	b := setup(t, 100)
	ctx := context.Background()
	c := b.login(t)
	path := fmt.Sprintf("%s/accounts/%d/policy", b.url, b.acct.ID)
	_, body, _ := get(t, c, path)
	v := url.Values{"action": {"save"}}
	for _, m := range wasField.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
		v.Set(strings.TrimPrefix(m[1], "was."), html.UnescapeString(m[2]))
	}
	require.Equal(t, "400", v.Get("pending_cap"))
	v.Set("daily_limit", "12")

	// Meanwhile, someone else sets the pending cap.
	file := policy.DefaultFile()
	other, _ := policy.WithValues(policy.Default(), map[string]string{"pending_cap": "300"})
	_, err := file.Save(ctx, b.store, b.acct, other, []string{"pending_cap"}, unvite.Change{Actor: "api:script"})
	require.NoError(t, err)

	res, err := c.PostForm(path, v)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	acct, err := b.store.Account(ctx, b.acct.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"daily_limit": "12", "pending_cap": "300"}, acct.Policy, "the other edit stays")
}

// Pending invitations a partial sync left unlisted (no LinkedIn id, not
// on LinkedIn's list) are out of the plan: the page and the API say how
// many, and where to withdraw them by hand.
func TestPlanUnlisted(t *testing.T) {
	t.Parallel()
	b := setup(t, 60)
	ctx := context.Background()
	pending, err := b.store.Invitations(ctx, unvite.InvitationFilter{AccountID: b.acct.ID, Statuses: []unvite.Status{unvite.StatusPending}, Sort: "-sent"})
	require.NoError(t, err)
	newest := pending[0]
	sum, err := b.store.ApplySync(ctx, b.acct.ID, unvite.SyncSnapshot{At: now, Pending: []unvite.SyncedInvitation{
		{LinkedInID: "1", Invitee: newest.Invitee, SentAt: newest.SentAt},
	}})
	require.NoError(t, err)
	require.Equal(t, len(pending)-1, sum.Unlisted)

	c := b.login(t)
	token := createToken(t, b, c, "plan", false)
	code, body, _ := get(t, b.client(t), fmt.Sprintf("%s/api/v1/accounts/%d/plan", b.url, b.acct.ID), "Authorization", "Bearer "+token)
	require.Equal(t, http.StatusOK, code, body)
	var plan unvite.WithdrawalPlan
	require.NoError(t, json.Unmarshal([]byte(body), &plan))
	// A protected one is counted as protected.
	list, err := b.store.Invitations(ctx, unvite.InvitationFilter{AccountID: b.acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	prot, want := policy.NewProtector(policy.Default().Protect), 0
	for _, inv := range list {
		if !inv.UnlistedAt.IsZero() && !prot.Protects(inv) {
			want++
		}
	}
	require.Positive(t, want)
	require.Equal(t, want, plan.Unlisted)

	_, body, _ = get(t, c, b.url+"/plan")
	require.Contains(t, body, fmt.Sprintf("%d pending invitation(s) are left out of the plan", plan.Unlisted))
	require.Contains(t, body, `href="https://www.linkedin.com/mynetwork/invitation-manager/sent/"`)
	require.Contains(t, body, "Nothing unvite can withdraw today")
	require.Empty(t, plan.Withdrawals)
}
