package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/password"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/secret"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/syncer"
	"github.com/unvite/unvite/web"
)

// product is the whole product on real parts: the sandbox speaking
// LinkedIn's protocol, a member connected through package accounts and
// synced, the engine running River workers on a SQLite file, and the
// dashboard acting through that engine.
type product struct {
	sb     *sandbox.Sandbox
	member *sandbox.Account
	store  *sqlite.DB
	eng    *engine.Engine
	acct   *unvite.Account
	url    string
	notify *notify.Service
}

func setupProduct(t *testing.T) *product {
	t.Helper()
	ctx := context.Background()
	p := &product{sb: sandbox.New(sandbox.Options{Seed: 11, Start: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)})}
	p.member = p.sb.AddAccount(sandbox.AccountConfig{Key: "maya", FirstName: "Maya", LastName: "Lindqvist", Slug: "maya-lindqvist",
		Premium: true, SentInvitations: 300, Months: 6})
	li := httptest.NewServer(p.sb)
	t.Cleanup(li.Close)

	var err error
	p.store, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	p.store.Now = p.sb.Now
	t.Cleanup(func() { p.store.Close() })
	hash, err := password.Hash(adminPassword)
	require.NoError(t, err)
	require.NoError(t, p.store.CreateUser(ctx, &unvite.User{Name: web.AdminName, PasswordHash: hash}))

	keys, err := secret.NewKeyring("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	require.NoError(t, err)
	svc := &accounts.Service{
		Store: p.store,
		Keys:  func(context.Context, bool) (*secret.Keyring, error) { return keys, nil },
		NewClient: func(s linkedin.Session) (*linkedin.Client, error) {
			return linkedin.New(linkedin.Config{BaseURL: li.URL, Session: s, Now: p.sb.Now})
		},
		Now: p.sb.Now,
	}
	p.notify = &notify.Service{Store: p.store, Keys: svc.Keys, Now: p.sb.Now}
	p.acct, err = svc.Connect(ctx, linkedin.Session{LiAt: p.member.LiAt(), JSESSIONID: p.member.JSessionID()}, nil, "Europe/Paris", "test")
	require.NoError(t, err)
	cl, err := svc.Open(ctx, p.acct)
	require.NoError(t, err)
	_, err = (&syncer.Syncer{Store: p.store, Now: p.sb.Now}).Sync(ctx, p.acct, cl)
	require.NoError(t, err)

	// The web reads the default policy (no file); the engine the same,
	// without pacing so that the test need not wait for gaps. The daily
	// limit still holds.
	p.eng, err = engine.New(engine.Config{
		Store:     p.store,
		Client:    func(ctx context.Context, a *unvite.Account) (engine.LinkedIn, error) { return svc.Open(ctx, a) },
		Policy:    policy.DefaultFile().ForAccount, // as the web reads it: the defaults and the account's own values
		Now:       p.sb.Now,
		NoPacing:  true,
		FetchPoll: 100 * time.Millisecond,
		Notify:    p.notify,
	}, true)
	require.NoError(t, err)
	t.Cleanup(func() { p.eng.Close() })
	require.NoError(t, p.eng.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		require.NoError(t, p.eng.Stop(sctx))
	})

	srv, err := web.New(web.Config{Store: p.store, Now: p.sb.Now, Engine: p.eng, Notify: p.notify})
	require.NoError(t, err)
	require.NoError(t, srv.Listen("127.0.0.1:0"))
	p.url = srv.URL()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return p
}

// untilWithdrawn waits for the engine to settle the invitations, by the
// store's record and the engine's own idea of idle, not by a sleep.
func (p *product) untilWithdrawn(t *testing.T, ids []int64) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		invs, err := p.store.Invitations(ctx, unvite.InvitationFilter{IDs: ids, Brief: true})
		require.NoError(t, err)
		settled := 0
		for _, inv := range invs {
			if inv.Status == unvite.StatusWithdrawn {
				settled++
			}
		}
		idle, err := p.eng.Idle(ctx)
		require.NoError(t, err)
		if settled == len(ids) && idle {
			return
		}
		require.True(t, time.Now().Before(deadline), "the engine did not withdraw %v within a minute (%d settled)", ids, settled)
		time.Sleep(50 * time.Millisecond) // a poll interval, not a guess: the loop ends on the state above
	}
}

// The whole product in a browser: sign in, filter, select three pending
// invitations and withdraw them through the confirmation, let the engine
// carry them out against the sandbox, then see them done in Activity and
// today's budget spent on the overview; a re-invite whose note is over the
// account's limit is refused by the engine's rule.
func TestBrowserWithdrawAndReinvite(t *testing.T) {
	ctx, console := browser(t)
	p := setupProduct(t)
	dir := artifacts(t)
	// The pages this test adds to (the confirmation, Activity's jobs) pass
	// axe-core too, where TestBrowser finds it.
	axeJS, axeErr := os.ReadFile(axePath())
	axe := func(name string) {
		if axeErr == nil {
			checkAxe(t, ctx, string(axeJS), name)
		}
	}

	run(t, ctx,
		chromedp.Navigate(p.url+"/"),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", "admin", chromedp.ByID),
		chromedp.SendKeys("#password", adminPassword, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible(".figures", chromedp.ByQuery),
	)
	var done, left string
	run(t, ctx,
		chromedp.Text(".budget .done", &done, chromedp.ByQuery),
		chromedp.Text(".budget .left", &left, chromedp.ByQuery),
	)
	require.Equal(t, "0", done)
	require.Equal(t, "30", left)

	// Filter: pending only (htmx swaps the results in).
	strong := `document.querySelector("#results .count strong")`
	run(t, ctx,
		chromedp.Navigate(p.url+"/invitations"),
		chromedp.WaitVisible("#f-status", chromedp.ByID),
		chromedp.SetValue("#f-status", "pending", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("f-status").dispatchEvent(new Event("change", {bubbles: true}))`, nil),
		chromedp.Poll(`location.search.includes("status=pending") && !!`+strong+
			` && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`, nil, chromedp.WithPollingTimeout(15*time.Second)),
	)
	// Select the first three and withdraw them: the confirmation says how
	// many and how long the daily limit takes.
	var picked []string
	// One script ticks and clicks: a node handle from an earlier query may
	// be stale once htmx has swapped the results.
	run(t, ctx, chromedp.Evaluate(`(() => {
		const boxes = [...document.querySelectorAll('#results input[name="id"]')].slice(0, 3);
		boxes.forEach(b => { b.checked = true; });
		document.getElementById("withdraw-selected").click();
		return boxes.map(b => b.value);
	})()`, &picked))
	require.Len(t, picked, 3)
	var confirm string
	run(t, ctx,
		chromedp.WaitVisible("#confirm-withdraw", chromedp.ByID),
		chromedp.Text("#confirm-days", &confirm, chromedp.ByID),
	)
	require.Contains(t, confirm, "At most 30 a day")
	require.Contains(t, confirm, "takes 1 day(s)")
	var png []byte
	run(t, ctx, chromedp.CaptureScreenshot(&png))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "withdraw-confirm-1366.png"), png, 0o644))
	axe("the withdrawal confirmation")
	var notice string
	run(t, ctx,
		chromedp.Click("#confirm-withdraw", chromedp.ByID),
		chromedp.WaitVisible("#f-status", chromedp.ByID),
		chromedp.Evaluate(`document.body.innerText`, &notice),
	)
	require.Contains(t, notice, "Queued 3 withdrawal(s)")

	var ids []int64
	for _, v := range picked {
		var id int64
		_, err := fmt.Sscan(v, &id)
		require.NoError(t, err)
		ids = append(ids, id)
	}
	p.untilWithdrawn(t, ids)
	// LinkedIn (the sandbox) withdrew exactly those three.
	var gone []string
	for _, w := range p.sb.Withdrawn("maya") {
		gone = append(gone, w.Slug)
	}
	require.Len(t, gone, 3)
	for _, id := range ids {
		inv, err := p.store.Invitation(context.Background(), id)
		require.NoError(t, err)
		require.Contains(t, gone, inv.Invitee.Slug)
	}

	// Activity: three withdrawal jobs done, each naming its invitation.
	run(t, ctx, chromedp.Navigate(p.url+"/activity"), chromedp.WaitVisible("table.jobs", chromedp.ByQuery))
	for _, id := range ids {
		var state string
		run(t, ctx, chromedp.Text(fmt.Sprintf(`tr[data-invitation="%d"] .badge`, id), &state, chromedp.ByQuery))
		require.Equal(t, "done", state, "job of invitation %d", id)
	}
	run(t, ctx, chromedp.CaptureScreenshot(&png))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "activity-jobs-1366.png"), png, 0o644))
	axe("Activity with jobs")

	// The overview: today's budget went down by three.
	run(t, ctx,
		chromedp.Navigate(p.url+"/"),
		chromedp.WaitVisible(".figures", chromedp.ByQuery),
		chromedp.Text(".budget .done", &done, chromedp.ByQuery),
		chromedp.Text(".budget .left", &left, chromedp.ByQuery),
	)
	require.Equal(t, "3", done)
	require.Equal(t, "27", left)
	// The plan with its approval form.
	run(t, ctx, chromedp.Navigate(p.url+"/plan"), chromedp.WaitVisible("#approve-plan", chromedp.ByID))
	axe("the plan with its approval form")

	require.Empty(t, console.take(), "no script or CSP error in the console")

	// Three weeks on, the cool-down is over: Reconnect offers them again.
	// A note one character over the premium limit is refused.
	// (The dashboard's session, 14 days, has run out by then: sign in again.)
	p.sb.Advance(22 * 24 * time.Hour)
	var body string
	run(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/reconnect", p.url)),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", "admin", chromedp.ByID),
		chromedp.SendKeys("#password", adminPassword, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible(fmt.Sprintf("#note-%d", ids[0]), chromedp.ByID),
		chromedp.Evaluate(fmt.Sprintf(`document.getElementById("note-%d").value = ""`, ids[0]), nil),
		chromedp.SendKeys(fmt.Sprintf("#note-%d", ids[0]), strings.Repeat("é", 301), chromedp.ByID),
		chromedp.Evaluate(fmt.Sprintf(`document.getElementById("reinvite-%d").click()`, ids[0]), nil),
		chromedp.WaitNotPresent(fmt.Sprintf("#reinvite-%d", ids[0]), chromedp.ByID),
		chromedp.Evaluate(`document.body.innerText`, &body),
	)
	require.Contains(t, body, "note: 301 characters, the premium plan allows 300")
	jobs, err := p.eng.Jobs(context.Background(), engine.JobFilter{Kinds: []string{"reinvite"}})
	require.NoError(t, err)
	require.Empty(t, jobs, "nothing queued for a refused re-invite")
	// The refusal is a 400, which Chromium logs; nothing else.
	for _, msg := range console.take() {
		require.Contains(t, msg, "status of 400", "no script or CSP error in the console")
	}
}

// signIn returns a client signed in as the admin (redirects not followed).
func (p *product) signIn(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(p.url+"/login", url.Values{"username": {web.AdminName}, "password": {adminPassword}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	return c
}

var hiddenID = regexp.MustCompile(`<input type="hidden" name="id" value="(\d+)">`)

// "Withdraw all pending that match": the confirmation counts exactly the
// filter's pending invitations and the days the daily limit takes, queues
// nothing until confirmed, then queues exactly those ids; past the daily
// limit, Activity says the rest waits, until when and why.
func TestWithdrawAllMatching(t *testing.T) {
	p := setupProduct(t)
	ctx := context.Background()
	c := p.signIn(t)
	pending, err := p.store.Invitations(ctx, unvite.InvitationFilter{AccountID: p.acct.ID, Statuses: []unvite.Status{unvite.StatusPending}, Sort: "sent"})
	require.NoError(t, err)
	require.Greater(t, len(pending), 40)
	var batch []int64
	for _, inv := range pending[:32] {
		batch = append(batch, inv.ID)
	}
	require.NoError(t, p.store.Tag(ctx, batch, []string{"batch"}, false, unvite.Change{At: p.sb.Now(), Actor: "test"}))
	back := fmt.Sprintf("/invitations?account=%d&tag=batch", p.acct.ID)

	code, body := post(t, c, p.url+"/invitations/actions?scope=all", form, url.Values{"action": {"withdraw"}, "back": {back}}.Encode())
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "Withdraw 32 invitation(s)?")
	require.Contains(t, body, "takes <strong>2 day(s)</strong>", "32 at 30 a day")
	var shown []int64
	for _, m := range hiddenID.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		shown = append(shown, id)
	}
	require.ElementsMatch(t, batch, shown, "the confirmation carries exactly the matching ids")
	queued, err := p.store.Queued(ctx, p.acct.ID)
	require.NoError(t, err)
	require.Empty(t, queued, "nothing is queued before the user confirms")

	v := url.Values{"action": {"withdraw"}, "confirm": {"yes"}, "back": {back}}
	for _, id := range shown {
		v.Add("id", strconv.FormatInt(id, 10))
	}
	res, err := c.PostForm(p.url+"/invitations/actions", v)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Contains(t, res.Header.Get("Location"), url.QueryEscape("Queued 32 withdrawal(s)"))

	// The engine does today's 30; two wait for tomorrow.
	deadline := time.Now().Add(2 * time.Minute)
	for len(p.sb.Withdrawn("maya")) < 30 {
		require.True(t, time.Now().Before(deadline), "30 not withdrawn within 2 minutes")
		time.Sleep(50 * time.Millisecond) // a poll of the sandbox's record, not a guess
	}
	var waiting int
	for waiting < 2 {
		require.True(t, time.Now().Before(deadline), "the last two never wait")
		jobs, err := p.eng.Jobs(ctx, engine.JobFilter{AccountID: p.acct.ID, Kinds: []string{"withdraw"}, Live: true})
		require.NoError(t, err)
		waiting = 0
		for _, j := range jobs {
			if j.Waiting != "" {
				waiting++
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Len(t, p.sb.Withdrawn("maya"), 30, "never more than the daily limit")
	_, body = getPage(t, c, p.url+"/activity")
	require.Equal(t, 2, strings.Count(body, `<span class="badge state-waiting">waiting</span>`), body)
	require.Contains(t, body, "waiting until ")
	require.Contains(t, body, ": daily limit reached")
	require.Equal(t, 30, strings.Count(body, `<span class="badge state-done">done</span>`))
	_, body = getPage(t, c, p.url+"/")
	require.Contains(t, body, `<span class="done">30</span>`)
	require.Contains(t, body, `<span class="left">0</span> left today · 2 queued`)
}

// Without an engine (a server built with none), acting is refused with a
// hint; reading still works.
func TestWithdrawNeedsEngine(t *testing.T) {
	b := setup(t, 20)
	c := b.login(t)
	code, body := post(t, c, b.url+"/invitations/actions", form,
		url.Values{"action": {"withdraw"}, "id": {fmt.Sprint(b.seeded[0].ID)}, "back": {"/invitations"}}.Encode())
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "unvite serve")
	code, _ = getPage(t, c, b.url+"/activity")
	require.Equal(t, http.StatusOK, code)
}

func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	code, body, _ := get(t, c, u)
	return code, body
}

// The API acts through the same engine: a dry run says what a withdrawal
// would cost, a confirmed one is carried out, the jobs endpoint shows it
// done; a re-invite with a note over the limit is refused, one within it
// is sent to LinkedIn (the sandbox) once the cool-down is over.
func TestAPIWithdrawAndReinvite(t *testing.T) {
	p := setupProduct(t)
	ctx := context.Background()
	c := p.signIn(t)
	token := createToken(t, &bundle{url: p.url}, c, "script", true)
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, p.url+path, strings.NewReader(body))
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
	pending, err := p.store.Invitations(ctx, unvite.InvitationFilter{AccountID: p.acct.ID, Statuses: []unvite.Status{unvite.StatusPending}, Sort: "sent", Limit: 1})
	require.NoError(t, err)
	inv := pending[0]
	path := fmt.Sprintf("/api/v1/accounts/%d/withdrawals", p.acct.ID)

	code, out := call("POST", path, fmt.Sprintf(`{"ids": [%d]}`, inv.ID))
	require.Equal(t, http.StatusOK, code, out)
	require.Equal(t, false, out["confirmed"])
	require.EqualValues(t, 1, out["days"])
	queued, err := p.store.Queued(ctx, p.acct.ID)
	require.NoError(t, err)
	require.Empty(t, queued, "a dry run queues nothing")

	code, out = call("POST", path, fmt.Sprintf(`{"ids": [%d], "confirm": true}`, inv.ID))
	require.Equal(t, http.StatusOK, code, out)
	require.Len(t, out["queued_withdrawals"], 1)
	p.untilWithdrawn(t, []int64{inv.ID})
	code, out = call("POST", path, fmt.Sprintf(`{"ids": [%d, 999999]}`, inv.ID))
	require.Equal(t, http.StatusBadRequest, code, out)
	require.Contains(t, fmt.Sprint(out), "is sent withdrawn, not a pending sent one")
	code, out = call("GET", fmt.Sprintf("/api/v1/accounts/%d/jobs", p.acct.ID), "")
	require.Equal(t, http.StatusOK, code, out)
	jobs := out["jobs"].([]any)
	require.Len(t, jobs, 1)
	require.Equal(t, "done", jobs[0].(map[string]any)["status"])
	require.EqualValues(t, inv.ID, jobs[0].(map[string]any)["invitation_id"])

	// Re-invites: refused inside the cool-down, and for a note too long.
	reinvite := fmt.Sprintf("/api/v1/invitations/%d/reinvite", inv.ID)
	code, out = call("POST", reinvite, `{"note": "Hello again"}`)
	require.Equal(t, http.StatusConflict, code, out)
	require.Contains(t, fmt.Sprint(out), "cool-down runs until")
	p.sb.Advance(22 * 24 * time.Hour)
	code, out = call("POST", reinvite, fmt.Sprintf(`{"note": %q}`, strings.Repeat("x", 301)))
	require.Equal(t, http.StatusBadRequest, code, out)
	require.Contains(t, fmt.Sprint(out), "note: 301 characters, the premium plan allows 300")
	code, out = call("POST", reinvite, `{"note": "Glad to reconnect after the conference"}`)
	require.Equal(t, http.StatusOK, code, out)
	deadline := time.Now().Add(time.Minute)
	for !slices.ContainsFunc(p.sb.PendingSent("maya"), func(i sandbox.InvitationInfo) bool { return i.Slug == inv.Invitee.Slug }) {
		require.True(t, time.Now().Before(deadline), "the re-invite was not sent within a minute")
		time.Sleep(50 * time.Millisecond) // a poll of the sandbox's record, not a guess
	}
}

var planBox = regexp.MustCompile(`<input type="checkbox" name="id" value="(\d+)" checked`)

// The plan is approved from its page: untick one to leave it out, and
// exactly the rest is queued after the confirmation; "the whole plan"
// counts every step, including those past the page.
func TestApprovePlan(t *testing.T) {
	p := setupProduct(t)
	ctx := context.Background()
	c := p.signIn(t)
	_, body := getPage(t, c, p.url+"/plan")
	var steps []string
	for _, m := range planBox.FindAllStringSubmatch(body, -1) {
		steps = append(steps, m[1])
	}
	require.Greater(t, len(steps), 3, "the default policy plans withdrawals for this member")
	back := fmt.Sprintf("/plan?account=%d", p.acct.ID)

	code, body := post(t, c, p.url+"/invitations/actions?scope=plan", form, url.Values{"action": {"withdraw"}, "back": {back}}.Encode())
	require.Equal(t, http.StatusOK, code, body)
	plan, err := p.eng.PlannedIDs(ctx, p.acct)
	require.NoError(t, err)
	require.Contains(t, body, fmt.Sprintf("Withdraw %s invitation(s)?", thousandsOf(len(plan))))

	kept := steps[1:] // the first is left out
	code, body = post(t, c, p.url+"/invitations/actions", form, url.Values{"action": {"withdraw"}, "back": {back}, "id": kept}.Encode())
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, fmt.Sprintf("Withdraw %d invitation(s)?", len(kept)))
	v := url.Values{"action": {"withdraw"}, "confirm": {"yes"}, "back": {back}, "id": kept}
	res, err := c.PostForm(p.url+"/invitations/actions", v)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.True(t, strings.HasPrefix(res.Header.Get("Location"), back+"&done="), res.Header.Get("Location"))

	// The jobs, done or not (the engine is running), are one per ticked step.
	jobs, err := p.eng.Jobs(ctx, engine.JobFilter{AccountID: p.acct.ID, Kinds: []string{"withdraw"}})
	require.NoError(t, err)
	var got []string
	for _, j := range jobs {
		got = append(got, strconv.FormatInt(j.InvitationID, 10))
	}
	require.ElementsMatch(t, kept, got, "exactly the ticked steps are queued")
	require.NotContains(t, got, steps[0], "the one left out is not")
}
