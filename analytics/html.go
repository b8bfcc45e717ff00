package analytics

import (
	"fmt"
	"html/template"
	"io"
)

// WriteHTML writes the report as one self-contained HTML page: the charts
// inline as SVG, the tables, no scripts and nothing fetched from elsewhere,
// so it can be mailed or archived as the weekly report.
func (r *Report) WriteHTML(w io.Writer) error {
	type chart struct {
		Name string
		SVG  template.HTML
	}
	var charts []chart
	for _, n := range []string{ChartCurve, ChartChance, ChartAges, ChartWeekly, ChartTrend} {
		b, err := r.ChartSVG(n)
		if err != nil {
			return err
		}
		// The SVG is ours, built with every text escaped.
		charts = append(charts, chart{n, template.HTML(b)}) //nolint:gosec
	}
	type group struct {
		Dimension
		SVG template.HTML
	}
	var groups []group
	var marked []Dimension
	for _, d := range r.Groups {
		if len(d.Groups) == 0 {
			continue
		}
		if d.NotComparable != "" {
			marked = append(marked, d)
			continue
		}
		groups = append(groups, group{d, template.HTML(GroupsSVG(d, r.Overall, r.Options.SettleDays))}) //nolint:gosec
	}
	err := reportPage.Execute(w, map[string]any{"R": r, "Charts": charts, "Groups": groups, "Marked": marked, "Rule": CoverageRule})
	if err != nil {
		return fmt.Errorf("analytics: write HTML: %w", err)
	}
	return nil
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":  pct,
	"days": days,
	"date": func(r *Report) string { return r.AsOf.In(r.Options.Location).Format("2 January 2006") },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>unvite report{{with .R.AccountName}} — {{.}}{{end}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#24292f;max-width:760px;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{padding:.2em .6em;text-align:right;border-bottom:1px solid #d0d7de}
td:first-child,th:first-child{text-align:left}.small{color:#57606a}.lead{font-size:1.1em;background:#fff8c5;padding:.6em .8em;border-radius:6px}
svg{max-width:100%;height:auto;display:block;margin:.8em 0}
</style></head><body>
<h1>Invitations report{{with .R.AccountName}}: {{.}}{{end}}</h1>
<p class="small">As of {{date .R}} ({{.R.TimeZone}}). {{.R.Sent}} sent invitations:
{{range $s, $n := .R.ByStatus}}{{$s}} {{$n}}; {{end}}</p>
<p class="lead">{{.R.Cutoff.Text}}</p>
<table><tr><th>Age</th><th>accepted by then</th><th>95% interval</th><th>chance if still pending</th><th>still pending</th></tr>
{{range .R.Milestones}}<tr><td>{{days .Days}}</td><td>{{pct .Accepted}}</td><td>{{pct .Low}}–{{pct .High}}</td><td>{{if .Reliable}}{{pct .Chance}}{{else}}–{{end}}</td><td>{{.AtRisk}}</td></tr>
{{end}}</table>
<p class="small">Time to acceptance is estimated with pending invitations censored at their age, withdrawn ones at their withdrawal, and gone ones as a competing outcome (Aalen–Johansen).{{if .R.UntimedAccepted}} {{.R.UntimedAccepted}} accepted invitations with no known acceptance time are left off the curve.{{end}}</p>
{{range .Charts}}{{.SVG}}{{end}}
<h2>Acceptance by group</h2>
<p class="small">Accepted within {{.R.Options.SettleDays}} days among invitations at least that old, with 95% Wilson intervals. Overall {{pct .R.Overall.Rate}} ({{.R.Overall.Accepted}} of {{.R.Overall.Settled}}). Groups with fewer than {{.R.Options.MinGroup}} are marked * (too few to compare).</p>
{{range .Groups}}<h3>{{.Title}}</h3>{{.SVG}}
<table><tr><th></th><th>sent</th><th>settled</th><th>accepted</th><th>rate</th><th>95% interval</th></tr>
{{range .Groups}}<tr><td>{{.Label}}{{if .TooSmall}} *{{end}}</td><td>{{.Sent}}</td><td>{{.Settled}}</td><td>{{.Accepted}}</td><td>{{if .Settled}}{{pct .Rate}}{{else}}–{{end}}</td><td>{{if .Settled}}{{pct .Low}}–{{pct .High}}{{else}}–{{end}}</td></tr>
{{end}}</table>{{if .Omitted}}<p class="small">{{.Omitted}} smaller groups not shown.</p>{{end}}
{{end}}
{{with .Marked}}<h3>Not comparable</h3>
<p class="small">Rates by these are left out: {{$.Rule}}; a group's rate would mostly tell where its data came from.</p>
<ul>{{range .}}<li>{{.Title}}: {{.NotComparable}}.</li>{{end}}</ul>
{{end}}
<p class="small">Made by unvite from your own invitations; nothing in this page is fetched from elsewhere.</p>
</body></html>
`))
