package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
)

// report measures one account's history as `unvite report` does, with the
// same defaults (package analytics holds them), and the age not worth
// keeping at the threshold of the account's policy (auto_age), as its plan
// learns it.
func (s *Server) report(r *http.Request, acct *unvite.Account) (*analytics.Report, error) {
	o := analytics.OptionsFor(acct, s.now())
	// A policy that does not load is shown on the account's pages; the
	// report keeps the default threshold meanwhile.
	if pol, err := s.policyFor(acct); err == nil && pol.AutoAge.ThresholdPercent > 0 {
		o.Threshold = pol.AutoAge.ThresholdPercent / 100
	}
	return analytics.Compute(r.Context(), s.store, acct, o)
}

// insights shows the acceptance analytics of one account: the report of
// `unvite report`, with its charts drawn on the server as SVG.
func (s *Server) insights(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Insights", "insights")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Account == nil {
		s.render(w, r, http.StatusOK, "empty", p)
		return
	}
	rep, err := s.report(r, p.Account)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = newInsightsView(rep)
	s.render(w, r, http.StatusOK, "insights", p)
}

func (s *Server) apiReport(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	return s.report(r, acct)
}

// insightsView is a report as the page shows it: shares in words, charts
// as markup.
type insightsView struct {
	R          *analytics.Report
	AsOf       string
	Overall    rateRow
	Milestones []milestoneRow
	WeekLevel  string
	// Charts, drawn by package analytics with every text escaped.
	Curve, Chance, Weekly, Ages, Trend template.HTML
	Groups                             []groupView
	// NotComparable are the dimensions whose field is known far more
	// often for one outcome than the other: their rates are not shown.
	NotComparable []groupView
	Rule          string
}

type rateRow struct {
	Label                   string
	Sent, Settled, Accepted int
	Rate, Interval          string // "–" while nothing is settled
	TooSmall                bool
}

type milestoneRow struct {
	Days            string
	Accepted, Range string
	Chance          string // "–" when too few are left to tell
	AtRisk          int
}

type groupView struct {
	Key, Title string
	Chart      template.HTML
	Rows       []rateRow
	Omitted    int
	Why        string // not comparable, and why
}

func newInsightsView(r *analytics.Report) insightsView {
	v := insightsView{
		R: r, AsOf: r.AsOf.In(r.Options.Location).Format("2 Jan 2006"),
		Overall:   newRateRow(r.Overall),
		WeekLevel: level(r.Weekly.Last7Days, r.Weekly.Limit),
		Curve:     svg(r.CurveSVG()), Chance: svg(r.ChanceSVG()),
		Weekly: svg(r.WeeklySVG()), Ages: svg(r.AgesSVG()), Trend: svg(r.TrendSVG()),
		Rule: analytics.CoverageRule,
	}
	for _, m := range r.Milestones {
		row := milestoneRow{Days: dayWords(m.Days), Accepted: share(m.Accepted), Range: share(m.Low) + "–" + share(m.High),
			Chance: "–", AtRisk: m.AtRisk}
		if m.Reliable {
			row.Chance = share(m.Chance)
		}
		v.Milestones = append(v.Milestones, row)
	}
	for _, d := range r.Groups {
		if len(d.Groups) == 0 {
			continue
		}
		if d.NotComparable != "" {
			v.NotComparable = append(v.NotComparable, groupView{Key: d.Key, Title: d.Title, Why: d.NotComparable})
			continue
		}
		g := groupView{Key: d.Key, Title: d.Title, Omitted: d.Omitted,
			Chart: svg(analytics.GroupsSVG(d, r.Overall, r.Options.SettleDays))}
		for _, rate := range d.Groups {
			g.Rows = append(g.Rows, newRateRow(rate))
		}
		v.Groups = append(v.Groups, g)
	}
	return v
}

func newRateRow(r analytics.Rate) rateRow {
	row := rateRow{Label: r.Label, Sent: r.Sent, Settled: r.Settled, Accepted: r.Accepted, Rate: "–", Interval: "–", TooSmall: r.TooSmall}
	if r.Settled > 0 {
		row.Rate, row.Interval = share(r.Rate), share(r.Low)+"–"+share(r.High)
	}
	return row
}

// svg marks a chart of package analytics as safe markup: it builds the
// SVG itself and escapes every text in it.
func svg(b []byte) template.HTML { return template.HTML(b) } //nolint:gosec

// share writes a share as a percentage with one decimal: 37.2%.
func share(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

func dayWords(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
