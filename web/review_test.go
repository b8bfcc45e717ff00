package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/review"
	"github.com/unvite/unvite/sandbox"
)

var tickedRE = regexp.MustCompile(`name="id" value="(\d+)" checked`)

// The weekly review on the whole product: the page and the API show the
// week package review computes; the stale invitations due for withdrawal
// are ticked, go through the usual confirmation (with the days the daily
// limit takes) back to the review, are withdrawn by the engine against the
// sandbox, and then show as withdrawn this week.
func TestWeeklyReview(t *testing.T) {
	p := setupProduct(t)
	ctx := context.Background()
	c := p.signIn(t)
	want, err := review.ForAccount(ctx, p.store, p.acct, policy.Default(), p.sb.Now())
	require.NoError(t, err)
	var due []int64
	for _, s := range want.Stale {
		if s.Stage == policy.StageWithdraw && !s.Protected {
			due = append(due, s.ID)
		}
	}
	require.NotEmpty(t, due, "the seeded member has invitations that reached 90 days this week")

	// The API answers the same week.
	token := productToken(t, p, c)
	code, body, _ := get(t, &http.Client{}, fmt.Sprintf("%s/api/v1/accounts/%d/review", p.url, p.acct.ID), "Authorization", "Bearer "+token)
	require.Equal(t, http.StatusOK, code, body)
	var api review.Account
	require.NoError(t, json.Unmarshal([]byte(body), &api))
	require.Equal(t, want.Counts, api.Counts)
	require.Len(t, api.Stale, len(want.Stale))
	require.Equal(t, 90, api.WithdrawAgeDays)

	code, body = getPage(t, c, p.url+"/review")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<dd id="count-stale">`+strconv.Itoa(want.Counts.Stale)+`</dd>`)
	for _, s := range want.Stale {
		require.Contains(t, body, s.Invitee.Name)
	}
	var ticked []int64
	for _, m := range tickedRE.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ticked = append(ticked, id)
	}
	require.ElementsMatch(t, due, ticked, "those due for withdrawal are ticked")

	// Withdraw them: the confirmation first, nothing queued yet.
	back := fmt.Sprintf("/review?account=%d", p.acct.ID)
	v := url.Values{"action": {"withdraw"}, "back": {back}}
	for _, id := range ticked {
		v.Add("id", strconv.FormatInt(id, 10))
	}
	code, body = post(t, c, p.url+"/invitations/actions", form, v.Encode())
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, fmt.Sprintf("Withdraw %d invitation(s)?", len(ticked)))
	require.Contains(t, body, "takes <strong>1 day(s)</strong>")
	require.Contains(t, body, `href="`+strings.ReplaceAll(back, "&", "&amp;")+`">Cancel</a>`)
	queued, err := p.store.Queued(ctx, p.acct.ID)
	require.NoError(t, err)
	require.Empty(t, queued)
	v.Set("confirm", "yes")
	res, err := c.PostForm(p.url+"/invitations/actions", v)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	loc := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, back+"&done="), loc)
	require.Contains(t, loc, url.QueryEscape(fmt.Sprintf("Queued %d withdrawal(s)", len(ticked))))

	p.untilWithdrawn(t, ticked)
	_, body = getPage(t, c, p.url+"/review")
	require.Contains(t, body, `<dd id="count-withdrawn">`+strconv.Itoa(want.Counts.Withdrawn+len(ticked))+`</dd>`)
	require.Contains(t, body, `<dd id="count-stale">`+strconv.Itoa(want.Counts.Stale-len(ticked))+`</dd>`)
	require.Empty(t, tickedRE.FindAllString(body, -1), "nothing due is left")
}

func productToken(t *testing.T, p *product, c *http.Client) string {
	t.Helper()
	code, body := post(t, c, p.url+"/settings/tokens", form, url.Values{"name": {"review"}}.Encode())
	require.Equal(t, http.StatusOK, code)
	m := tokenRE.FindStringSubmatch(body)
	require.NotNil(t, m)
	return m[1]
}

// hookReceiver is a webhook endpoint on loopback; fail makes it answer 500.
type hookReceiver struct {
	mu     sync.Mutex
	fail   bool
	bodies []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail {
		http.Error(w, "receiver down", http.StatusInternalServerError)
		return
	}
	h.bodies = append(h.bodies, string(b))
}

func (h *hookReceiver) set(fail bool) { h.mu.Lock(); h.fail = fail; h.mu.Unlock() }
func (h *hookReceiver) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...)
}

// Settings → Webhook: a bad URL is refused without being echoed; a saved
// URL is shown by its host only; "Send test" posts Slack's body to a real
// receiver, and says why when the receiver fails; a delivery that fails
// after a session expired against the sandbox shows in Activity, without
// the URL's token.
func TestWebhookSettings(t *testing.T) {
	p := setupProduct(t)
	ctx := context.Background()
	c := p.signIn(t)
	rc := &hookReceiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	const token = "XoXbSeCrEt42"
	hookURL := srv.URL + "/services/T1/B2/" + token

	_, body := getPage(t, c, p.url+"/settings/webhook")
	require.Contains(t, body, "No URL yet.")

	code, body := post(t, c, p.url+"/settings/webhook", form, url.Values{"url": {"ftp://files.example.com/" + token}, "format": {"json"}, "enabled": {"on"}}.Encode())
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "webhook URL: want an http:// or https:// address")
	require.NotContains(t, body, token, "the URL typed is not echoed")
	code, body = post(t, c, p.url+"/settings/webhook", form, url.Values{"format": {"json"}, "enabled": {"on"}}.Encode())
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "give a URL before enabling it")

	code, _ = post(t, c, p.url+"/settings/webhook", form, url.Values{"url": {hookURL}, "format": {"slack"}, "enabled": {"on"}}.Encode())
	require.Equal(t, http.StatusSeeOther, code)
	_, body = getPage(t, c, p.url+"/settings/webhook")
	require.Contains(t, body, "<code>"+srv.URL+"/…</code>")
	require.NotContains(t, body, token)
	require.Contains(t, body, `id="fmt-slack" name="format" value="slack" checked`)
	require.Contains(t, body, `id="hook-enabled" name="enabled" type="checkbox" checked`)

	// Send test: Slack's body reaches the receiver.
	res, err := c.PostForm(p.url+"/settings/webhook/test", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Contains(t, res.Header.Get("Location"), url.QueryEscape("Sent a test message to "+srv.URL+"/…"))
	got := rc.got()
	require.Len(t, got, 1)
	var slack map[string]string
	require.NoError(t, json.Unmarshal([]byte(got[0]), &slack))
	require.Contains(t, slack["text"], "unvite test message")

	rc.set(true)
	code, body = post(t, c, p.url+"/settings/webhook/test", form, "")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "The test message was not delivered: webhook "+srv.URL+"/… answered 500 Internal Server Error: receiver down")
	require.NotContains(t, body, token)

	// The session expires: the engine's notice fails, and Activity says so.
	p.member.SetFaults(sandbox.Faults{SessionExpired: true})
	_, err = p.eng.Sync(ctx, p.acct.ID)
	require.NoError(t, err)
	acct, err := p.store.Account(ctx, p.acct.ID)
	require.NoError(t, err)
	require.Equal(t, unvite.AccountNeedsLogin, acct.State)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body = getPage(t, c, p.url+"/activity")
		if strings.Contains(body, "answered 500") {
			break
		}
		require.True(t, time.Now().Before(deadline), "the failed delivery never shows in Activity:\n%s", body)
		time.Sleep(100 * time.Millisecond)
	}
	require.Contains(t, body, "Webhook")
	require.Contains(t, body, `<span class="badge state-retrying">retrying</span>`)
	require.NotContains(t, body, token)
	_, body = getPage(t, c, p.url+"/settings/webhook")
	require.Contains(t, body, "Recent deliveries")
	require.Contains(t, body, "answered 500")

	// Removing the URL switches the webhook off.
	code, _ = post(t, c, p.url+"/settings/webhook", form, url.Values{"clear": {"on"}, "format": {"slack"}, "enabled": {"on"}}.Encode())
	require.Equal(t, http.StatusSeeOther, code)
	hook, err := p.store.Webhook(ctx)
	require.NoError(t, err)
	require.False(t, hook.HasURL())
	require.False(t, hook.Enabled)
}

// The weekly review with its actions and Settings → Webhook with a stored
// URL, in Chromium at laptop and phone width: no sideways scrolling, no
// serious axe-core violation, and "Withdraw the ticked ones" leads to the
// usual confirmation.
func TestBrowserReviewAndWebhook(t *testing.T) {
	axeFile := axePath()
	_, err := os.Stat(axeFile)
	need(t, err == nil, "axe-core not found at "+axeFile+" (npm install --prefix ~/.cache/unvite-axe axe-core, or set UNVITE_AXE_JS)")
	axeJS, err := os.ReadFile(axeFile)
	require.NoError(t, err)
	ctx, console := browser(t)
	p := setupProduct(t)
	dir := artifacts(t)
	_, err = p.notify.Save(context.Background(), notify.Settings{URL: "https://hooks.example.com/services/T1/B2/secret", Format: "slack", Enabled: true}, "test")
	require.NoError(t, err)

	run(t, ctx,
		chromedp.Navigate(p.url+"/review"),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", "admin", chromedp.ByID),
		chromedp.SendKeys("#password", adminPassword, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible("#withdraw-stale", chromedp.ByID),
	)
	for _, w := range []int64{1366, 390} {
		for name, path := range map[string]string{"review-actions": "/review", "webhook-set": "/settings/webhook"} {
			var png []byte
			var fits bool
			run(t, ctx,
				emulation.SetDeviceMetricsOverride(w, 900, 1, w < 500),
				chromedp.Navigate(p.url+path),
				chromedp.WaitVisible("main", chromedp.ByQuery),
				chromedp.Evaluate(`document.documentElement.scrollWidth <= window.innerWidth`, &fits),
				chromedp.FullScreenshot(&png, 100),
			)
			require.True(t, fits, "%s scrolls sideways at %d px", name, w)
			require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644))
			checkAxe(t, ctx, string(axeJS), fmt.Sprintf("%s at %d px", name, w))
		}
	}
	var page string
	run(t, ctx, chromedp.Navigate(p.url+"/settings/webhook"), chromedp.WaitVisible("#hook-test", chromedp.ByID),
		chromedp.Evaluate(`document.documentElement.outerHTML`, &page))
	require.NotContains(t, page, "/services/T1/B2/secret", "the URL is never shown back")

	var confirm string
	run(t, ctx,
		emulation.SetDeviceMetricsOverride(390, 900, 1, true),
		chromedp.Navigate(p.url+"/review"),
		chromedp.WaitVisible("#withdraw-stale", chromedp.ByID),
		chromedp.Click("#withdraw-stale", chromedp.ByID),
		chromedp.WaitVisible("#confirm-withdraw", chromedp.ByID),
		chromedp.Text("#confirm-days", &confirm, chromedp.ByID),
	)
	require.Contains(t, confirm, "At most 30 a day")
	require.Empty(t, console.take(), "no script or CSP error in the console")
}
