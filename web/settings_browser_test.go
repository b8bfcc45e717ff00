package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

var planLead = regexp.MustCompile(`would withdraw (\d[\d,]*) invitation\(s\),\s+(\d+) a day, over (\d+) day\(s\)`)

// Editing the policy in a browser: change the daily limit and the max age,
// see the preview beside today's figures, save, and see the Plan page
// follow; then pause the account and see the overview say so. The policy
// preview passes axe-core and fits a phone.
func TestBrowserPolicyAndPause(t *testing.T) {
	ctx, console := browser(t)
	b := setup(t, 1200)
	_, err := b.store.PatchAccount(context.Background(), b.acct.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive)}, unvite.Change{Actor: "test"})
	require.NoError(t, err)
	dir := artifacts(t)
	axeJS, axeErr := os.ReadFile(axePath())
	axe := func(name string) {
		if axeErr == nil {
			checkAxe(t, ctx, string(axeJS), name)
		}
	}
	planFigures := func() (withdraw, perDay, days int, text string) {
		t.Helper()
		run(t, ctx, chromedp.Navigate(b.url+"/plan"), chromedp.WaitVisible(".summary", chromedp.ByQuery),
			chromedp.Text(".summary", &text, chromedp.ByQuery))
		m := planLead.FindStringSubmatch(text)
		require.NotNil(t, m, text)
		withdraw, _ = strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		perDay, _ = strconv.Atoi(m[2])
		days, _ = strconv.Atoi(m[3])
		return withdraw, perDay, days, text
	}

	run(t, ctx,
		chromedp.Navigate(b.url+"/"),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", "admin", chromedp.ByID),
		chromedp.SendKeys("#password", adminPassword, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible(".figures", chromedp.ByQuery),
	)
	before, perDay, daysBefore, text := planFigures()
	require.Equal(t, 30, perDay)
	require.Contains(t, text, "WITHDRAW AT\n90 days")

	// Accounts → Policy; change the daily limit and the max age (the age
	// at which the max-age rule withdraws), then preview.
	var current, today, days, cap string
	run(t, ctx,
		chromedp.Navigate(b.url+"/accounts"),
		chromedp.WaitVisible(fmt.Sprintf("#policy-%d", b.acct.ID), chromedp.ByID),
		chromedp.Click(fmt.Sprintf("#policy-%d", b.acct.ID), chromedp.ByID),
		chromedp.WaitVisible("#pf-daily-limit", chromedp.ByID),
		chromedp.Text("#current-withdraw", &current, chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("pf-daily-limit").value = ""`, nil),
		chromedp.SendKeys("#pf-daily-limit", "10", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("pf-withdraw-age-days").value = ""`, nil),
		chromedp.SendKeys("#pf-withdraw-age-days", "60", chromedp.ByID),
		chromedp.Click("#preview-policy", chromedp.ByID),
		chromedp.WaitVisible("#policy-preview", chromedp.ByID),
		chromedp.Text("#preview-today", &today, chromedp.ByID),
		chromedp.Text("#preview-days", &days, chromedp.ByID),
		chromedp.Text("#preview-cap", &cap, chromedp.ByID),
	)
	require.Equal(t, thousandsOf(before), current, "the policy page's current figure is the plan's")
	require.Equal(t, "10 (10 a day)", today)
	var preview string
	run(t, ctx, chromedp.Text("#preview-withdraw", &preview, chromedp.ByID))
	previewN, _ := strconv.Atoi(strings.ReplaceAll(preview, ",", ""))
	require.Greater(t, previewN, before, "withdrawing at 60 days instead of 90 selects more")
	wantDays := (previewN + 9) / 10
	require.Equal(t, strconv.Itoa(wantDays), days)
	t.Logf("preview: %d to withdraw over %s days (was %d over %d); cap: %s", previewN, days, before, daysBefore, cap)
	acct, err := b.store.Account(context.Background(), b.acct.ID)
	require.NoError(t, err)
	require.Nil(t, acct.Policy, "the preview saved nothing")
	for _, w := range []int64{1366, 390} {
		var png []byte
		var fits bool
		run(t, ctx, emulation.SetDeviceMetricsOverride(w, 900, 1, w < 500),
			chromedp.Evaluate(`document.documentElement.scrollWidth <= window.innerWidth`, &fits),
			chromedp.FullScreenshot(&png, 100))
		require.True(t, fits, "the policy preview scrolls sideways at %d px", w)
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("policy-preview-%d.png", w)), png, 0o644))
		axe(fmt.Sprintf("the policy preview at %d px", w))
	}
	run(t, ctx, emulation.SetDeviceMetricsOverride(1366, 900, 1, false))

	// Save: the plan follows.
	var notice string
	run(t, ctx,
		chromedp.Click("#save-policy", chromedp.ByID),
		chromedp.WaitVisible(".notice", chromedp.ByQuery),
		chromedp.Text(".notice", &notice, chromedp.ByQuery),
	)
	require.Contains(t, notice, "Saved the policy for Maya Lindqvist")
	after, perDay, daysAfter, text := planFigures()
	require.Equal(t, previewN, after, "the plan is what the preview said")
	require.Equal(t, 10, perDay)
	require.Equal(t, wantDays, daysAfter)
	require.Contains(t, text, "WITHDRAW AT\n60 days")

	// Pause: the overview says so and offers the fix.
	var body string
	run(t, ctx,
		chromedp.Navigate(b.url+"/accounts"),
		chromedp.WaitVisible(fmt.Sprintf("#pause-%d", b.acct.ID), chromedp.ByID),
		chromedp.Click(fmt.Sprintf("#pause-%d", b.acct.ID), chromedp.ByID),
		chromedp.WaitVisible(fmt.Sprintf("#resume-%d", b.acct.ID), chromedp.ByID),
		chromedp.Navigate(b.url+"/"),
		chromedp.WaitVisible(".figures", chromedp.ByQuery),
		chromedp.Text(".remedy", &body, chromedp.ByQuery),
	)
	require.Contains(t, body, "this account is paused (paused by the user)")
	require.Contains(t, body, "Fix it under Accounts")
	require.Empty(t, console.take(), "no script or CSP error in the console")
}
