package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// need skips a test whose outside part is missing, saying which (CI fails
// on any skip).
func need(t *testing.T, ok bool, why string) {
	t.Helper()
	if !ok {
		t.Skip(why)
	}
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// axePath finds axe-core's browser bundle: UNVITE_AXE_JS, or where
// .ci/run installs it.
func axePath() string {
	if p := os.Getenv("UNVITE_AXE_JS"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(cache, "unvite-axe", "node_modules", "axe-core", "axe.min.js")
}

// artifacts is where screenshots go: UNVITE_ARTIFACTS, or testdata/artifacts.
func artifacts(t *testing.T) string {
	dir := os.Getenv("UNVITE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// browser starts a headless Chromium with the flags STACK.md gives for
// Debian's package, and collects the page's console errors.
func browser(t *testing.T) (context.Context, *consoleErrors) {
	t.Helper()
	bin := chromiumPath()
	need(t, bin != "", "no chromium on PATH (apt-get install chromium)")
	profile, err := os.MkdirTemp("", "unvite-chromium-")
	require.NoError(t, err)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(profile), chromedp.WindowSize(1366, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelC()
		cancelA()
		os.RemoveAll(profile) // Chromium may still be writing as it exits: best effort
	})
	errs := &consoleErrors{}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			errs.add(ev.ExceptionDetails.Text + " " + fmt.Sprint(ev.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value))
				}
				errs.add("console.error " + strings.Join(parts, " "))
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError {
				errs.add(string(ev.Entry.Source) + ": " + ev.Entry.Text)
			}
		}
	})
	require.NoError(t, chromedp.Run(ctx, log.Enable()))
	return ctx, errs
}

type consoleErrors struct {
	mu   sync.Mutex
	list []string
}

func (c *consoleErrors) add(s string) { c.mu.Lock(); c.list = append(c.list, s); c.mu.Unlock() }
func (c *consoleErrors) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.list
	c.list = nil
	return l
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Run(tctx, actions...))
}

// awaitPromise lets Evaluate wait for a promise, as axe.run returns.
func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

type axeResult struct {
	Violations []struct {
		ID, Impact, Help string
		Nodes            []struct{ Target []any }
	}
}

// checkAxe runs axe-core in the page and fails on serious or critical
// violations.
func checkAxe(t *testing.T, ctx context.Context, axe, name string) {
	t.Helper()
	var res axeResult
	run(t, ctx,
		chromedp.Evaluate(axe, nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"], runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})`, &res, awaitPromise),
	)
	var bad []string
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes[:min(len(v.Nodes), 3)] {
				where = append(where, fmt.Sprint(n.Target...))
			}
			bad = append(bad, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", ")))
		}
	}
	require.Empty(t, bad, "axe-core on %s", name)
}

// The dashboard in a real browser: sign in, read the overview, filter the
// invitations with the keyboard and htmx, count a note against its limit;
// every page at laptop and phone width passes axe-core and fits the screen.
func TestBrowser(t *testing.T) {
	axeFile := axePath()
	_, err := os.Stat(axeFile)
	need(t, err == nil, "axe-core not found at "+axeFile+" (npm install --prefix ~/.cache/unvite-axe axe-core, or set UNVITE_AXE_JS)")
	axeJS, err := os.ReadFile(axeFile)
	require.NoError(t, err)
	ctx, console := browser(t)
	b := setup(t, 1200)
	dir := artifacts(t)

	// Sign in.
	var heading string
	run(t, ctx,
		chromedp.Navigate(b.url+"/"),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", "admin", chromedp.ByID),
		chromedp.SendKeys("#password", adminPassword, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible(".figures", chromedp.ByQuery),
		chromedp.Text("h1", &heading, chromedp.ByQuery),
	)
	require.Equal(t, "Overview", heading)
	pending, err := b.store.CountInvitations(context.Background(), unvite.InvitationFilter{AccountID: b.acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	var big string
	run(t, ctx, chromedp.Text(".figure .big", &big, chromedp.ByQuery))
	require.Contains(t, big, thousandsOf(pending))
	// Time to first render of the overview, loaded afresh (the sign-in's
	// password check is not part of it). Logged, not asserted: speed is
	// for benchmarks.
	var fcp float64
	run(t, ctx, chromedp.Navigate(b.url+"/"), chromedp.WaitVisible(".figures", chromedp.ByQuery),
		chromedp.Evaluate(`(performance.getEntriesByName("first-contentful-paint")[0] || {startTime: -1}).startTime`, &fcp))
	t.Logf("overview first contentful paint: %.0f ms (1,200 invitations)", fcp)

	// Filter invitations: a status from the select, then a search typed in.
	want := 0
	for _, inv := range b.seeded {
		if inv.Status == unvite.StatusPending && strings.Contains(strings.ToLower(inv.Invitee.Headline), "recruiter") {
			want++
		}
	}
	// Read the page in single script calls: htmx replaces #results under
	// the test's feet, so node handles from an earlier query go stale.
	var count, loc string
	strong := `document.querySelector("#results .count strong")`
	run(t, ctx,
		chromedp.Navigate(b.url+"/invitations"),
		chromedp.WaitVisible("#f-status", chromedp.ByID),
		chromedp.SetValue("#f-status", "pending", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("f-status").dispatchEvent(new Event("change", {bubbles: true}))`, nil),
		chromedp.Poll(`location.search.includes("status=pending") && !!`+strong, nil, chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Focus("#f-q", chromedp.ByID),
		chromedp.SendKeys("#f-q", "recruiter", chromedp.ByID),
		chromedp.Poll(fmt.Sprintf(`location.search.includes("q=recruiter") && !!%s && %s.textContent === %q`, strong, strong, thousandsOf(want)), nil,
			chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Evaluate(`document.querySelector("#results .count").textContent`, &count),
		chromedp.Evaluate(`location.href`, &loc),
	)
	require.Contains(t, count, "of "+thousandsOf(want))
	require.Contains(t, loc, "status=pending", "htmx pushed the filtered URL")
	require.Contains(t, loc, "q=recruiter")

	// A note over the account's limit is flagged as the user types.
	var counter, invalid string
	run(t, ctx,
		chromedp.Navigate(b.url+"/reconnect"),
		chromedp.WaitVisible("textarea[data-limit]", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("textarea[data-limit]").value = ""`, nil),
		chromedp.SendKeys("textarea[data-limit]", strings.Repeat("é", 301), chromedp.ByQuery),
		chromedp.Text(".counter", &counter, chromedp.ByQuery),
		chromedp.AttributeValue("textarea[data-limit]", "aria-invalid", &invalid, nil, chromedp.ByQuery),
	)
	require.Equal(t, "301 / 300 characters: 1 too many", counter)
	require.Equal(t, "true", invalid)
	require.Empty(t, console.take(), "no script or CSP error in the console")

	// Every page at 1366 and 390 pixels: a screenshot, no sideways
	// scrolling, no serious accessibility violation.
	shots := map[string]string{
		"overview": "/", "invitations": "/invitations?status=pending", "plan": "/plan", "activity": "/activity",
		"reconnect": "/reconnect", "tokens": "/settings/tokens", "review": "/review", "webhook": "/settings/webhook", "insights": "/insights",
		"accounts": "/accounts", "policy": fmt.Sprintf("/accounts/%d/policy", b.acct.ID),
	}
	for _, w := range []int64{1366, 390} {
		for name, path := range shots {
			var png, top []byte
			var fits bool
			run(t, ctx,
				emulation.SetDeviceMetricsOverride(w, 900, 1, w < 500),
				chromedp.Navigate(b.url+path),
				chromedp.WaitVisible("main", chromedp.ByQuery),
				chromedp.Evaluate(`document.documentElement.scrollWidth <= window.innerWidth`, &fits),
				chromedp.FullScreenshot(&png, 100),
				chromedp.CaptureScreenshot(&top),
			)
			require.True(t, fits, "%s scrolls sideways at %d px", name, w)
			file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w))
			require.NoError(t, os.WriteFile(file, png, 0o644))
			require.NoError(t, os.WriteFile(strings.TrimSuffix(file, ".png")+"-top.png", top, 0o644))
			checkAxe(t, ctx, string(axeJS), fmt.Sprintf("%s at %d px", name, w))
		}
	}
	// And the login page, signed out.
	run(t, ctx, emulation.SetDeviceMetricsOverride(1366, 900, 1, false), chromedp.Navigate(b.url+"/"),
		chromedp.Submit(".signout button", chromedp.ByQuery), chromedp.WaitVisible("#username", chromedp.ByID))
	checkAxe(t, ctx, string(axeJS), "login")
	require.Empty(t, console.take(), "no script or CSP error in the console")
	t.Logf("screenshots in %s", dir)
}

func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

var _ = json.Valid
