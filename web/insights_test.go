package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
)

// The insights page shows the account's report as `unvite report` computes
// it: the cut-off sentence, the milestones, every chart drawn on the server
// (no inline style, which the CSP forbids), and groups too small to compare
// marked as such.
func TestInsightsPage(t *testing.T) {
	t.Parallel()
	b := setup(t, 400)
	c := b.login(t)
	want, err := analytics.Compute(context.Background(), b.store, b.acct, analytics.OptionsFor(b.acct, now))
	require.NoError(t, err)
	require.True(t, want.Cutoff.Found, "the seed's history shows a cut-off")

	code, body, _ := get(t, c, fmt.Sprintf("%s/insights?account=%d", b.url, b.acct.ID))
	require.Equal(t, http.StatusOK, code)
	// Contains without the whole page in the message.
	has := func(s string, msg ...any) {
		t.Helper()
		require.True(t, strings.Contains(body, s), append([]any{"page lacks %q", s}, msg...)...)
	}
	has(html.EscapeString(want.Cutoff.Text))
	has(`href="/insights?account=1" aria-current="page"`)
	// The curve, the chance, the weekly bars, the ages, the trend, and one
	// chart for each way of grouping.
	groups, marked := 0, 0
	for _, d := range want.Groups {
		switch {
		case len(d.Groups) == 0:
		case d.NotComparable != "":
			// Known far more often for one outcome: named, not charted.
			marked++
			has(`<li id="g-` + d.Key + `">` + html.EscapeString(d.Title+": "+d.NotComparable) + `.</li>`)
		default:
			groups++
			has(`id="g-` + d.Key + `"`)
		}
	}
	t.Logf("%d dimensions charted, %d not comparable", groups, marked)
	require.Equal(t, 5+groups, strings.Count(body, "<svg "), "charts")
	has("Share accepted by age (95% band)")
	has(fmt.Sprintf("last 7 days: %d of %d", want.Weekly.Last7Days, want.Weekly.Limit))
	require.Equal(t, 200, want.Weekly.Limit, "the premium plan's weekly limit")
	require.False(t, strings.Contains(body, "style="), "no inline style")
	require.False(t, strings.Contains(body, "<script>"), "no inline script")

	// Every group's rate and interval, and the small ones marked.
	small, big := 0, 0
	for _, d := range want.Groups {
		if d.NotComparable != "" {
			continue
		}
		for _, g := range d.Groups {
			if g.Settled > 0 {
				cell := fmt.Sprintf(`<td data-label="95%%">%.1f%%–%.1f%%</td>`, 100*g.Low, 100*g.High)
				has(cell)
			}
			if g.TooSmall {
				small++
			} else {
				big++
			}
		}
	}
	require.Positive(t, small, "some groups too small")
	require.Positive(t, big, "some groups large enough")
	require.Equal(t, small, strings.Count(body, `<tr class="too-small">`))
	has(fmt.Sprintf(`%.1f%%<span class="of"> accepted within 30 days`, 100*want.Overall.Rate))

	code, _, _ = get(t, c, b.url+"/insights?account=99")
	require.Equal(t, http.StatusNotFound, code)
}

// An account without invitations gets a report with nothing in it, not an
// error; no account at all gets the page that says how to add one.
func TestInsightsEmpty(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	c := b.login(t)
	code, body, _ := get(t, c, b.url+"/insights")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "No account yet")

	acct := &unvite.Account{Name: "Fresh", Slug: "fresh", Plan: unvite.PlanFree}
	require.NoError(t, b.store.CreateAccount(context.Background(), acct))
	code, body, _ = get(t, c, b.url+"/insights")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "0 sent invitations")
	require.Contains(t, body, "No history yet")
	require.Contains(t, body, "does not yet show an age")
	require.Contains(t, body, "of ~100 a week", "the free plan's weekly limit")
}

// The report API answers the JSON of `unvite report --json`.
func TestAPIReport(t *testing.T) {
	t.Parallel()
	b := setup(t, 200)
	token := createToken(t, b, b.login(t), "report", false)
	auth := "Bearer " + token
	code, body, _ := get(t, b.client(t), fmt.Sprintf("%s/api/v1/accounts/%d/report", b.url, b.acct.ID), "Authorization", auth)
	require.Equal(t, http.StatusOK, code, body)
	want, err := analytics.Compute(context.Background(), b.store, b.acct, analytics.OptionsFor(b.acct, now))
	require.NoError(t, err)
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	require.JSONEq(t, string(wantJSON), body)
	var got analytics.Report
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Equal(t, 200, got.Sent)
	require.NotEmpty(t, got.Curve.Points)

	code, body, _ = get(t, b.client(t), b.url+"/api/v1/accounts/99/report", "Authorization", auth)
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, `"not_found"`)
}

// The age not worth keeping is read at the account's policy threshold
// (auto_age.threshold_percent), the one its plan learns from.
func TestInsightsUsePolicyThreshold(t *testing.T) {
	t.Parallel()
	b := setup(t, 400)
	c := b.login(t)
	ctx := context.Background()
	acct, err := b.store.PatchAccount(ctx, b.acct.ID, unvite.AccountPatch{Policy: map[string]*string{"auto_age.threshold_percent": unvite.Ptr("10")}}, unvite.Change{Actor: "test"})
	require.NoError(t, err)
	o := analytics.OptionsFor(acct, now)
	o.Threshold = 0.10
	want, err := analytics.Compute(ctx, b.store, acct, o)
	require.NoError(t, err)
	byDefault, err := analytics.Compute(ctx, b.store, acct, analytics.OptionsFor(acct, now))
	require.NoError(t, err)
	require.True(t, want.Cutoff.Found)
	require.NotEqual(t, byDefault.Cutoff.Text, want.Cutoff.Text, "the two thresholds give two ages")

	code, body, _ := get(t, c, fmt.Sprintf("%s/insights?account=%d", b.url, acct.ID))
	require.Equal(t, http.StatusOK, code)
	require.True(t, strings.Contains(body, html.EscapeString(want.Cutoff.Text)), "page lacks %q", want.Cutoff.Text)
}

// A dimension whose field is known far more often for accepted invitations
// than for the others (here companies from Connections.csv only) is named
// as not comparable, with no chart or table of its rates.
func TestInsightsNotComparable(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	ctx := context.Background()
	acct := &unvite.Account{Name: "Export Only", Slug: "export-only", TimeZone: "UTC"}
	require.NoError(t, b.store.CreateAccount(ctx, acct))
	batch, err := b.store.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "export.zip", AsOf: now})
	require.NoError(t, err)
	for i := range 80 {
		p := unvite.Person{Name: fmt.Sprintf("Person %d", i), Slug: fmt.Sprintf("person-%d", i)}
		sentAt := now.AddDate(0, 0, -60)
		require.NoError(t, batch.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Invitee: p, SentAt: sentAt}))
		if i%2 == 0 {
			p.Company = "Acme"
			require.NoError(t, batch.PutConnection(ctx, unvite.Connection{Person: p, ConnectedOn: sentAt.AddDate(0, 0, 2)}))
		}
	}
	_, err = batch.Commit(ctx)
	require.NoError(t, err)

	c := b.login(t)
	code, body, _ := get(t, c, fmt.Sprintf("%s/insights?account=%d", b.url, acct.ID))
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `<li id="g-company">Company: company known for 100% of accepted and 0% of others: not comparable.</li>`)
	require.NotContains(t, body, `<h3 id="g-company">`)
	require.NotContains(t, body, "Acceptance by Company")
}
