package analytics

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/unvite/unvite"
)

// WriteText prints the report for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("Sent invitations as of %s (%s): %d", r.AsOf.In(r.Options.Location).Format("2006-01-02"), r.TimeZone, r.Sent)
	for _, s := range unvite.Statuses {
		p(", %s %d", s, r.ByStatus[s])
	}
	p("\n\n%s\n\n", r.Cutoff.Text)

	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Age\taccepted by then\t95% interval\tchance if still pending\tstill pending\t")
	for _, m := range r.Milestones {
		chance := "-"
		if m.Reliable {
			chance = percent(m.Chance)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s-%s\t%s\t%d\t\n", days(m.Days), percent(m.Accepted), percent(m.Low), percent(m.High), chance, m.AtRisk)
	}
	tw.Flush()
	p("Censored: pending at their age, withdrawn at their withdrawal; gone is a competing outcome.\n")
	if r.UntimedAccepted > 0 {
		p("%d accepted invitations have no acceptance time and are left off the curve.\n", r.UntimedAccepted)
	}
	p("\nSent in the last 7 days: %d of the weekly limit of %d.\n", r.Weekly.Last7Days, r.Weekly.Limit)
	if n := len(r.PendingTrend); n > 1 {
		p("Pending: %d at the end of the week of %s, %d now.\n", r.PendingTrend[n-2].Count, r.PendingTrend[n-2].Start, r.PendingTrend[n-1].Count)
	}

	p("\nAccepted within %d days, of invitations at least that old (95%% Wilson interval; * fewer than %d: too few to compare)\n",
		r.Options.SettleDays, r.Options.MinGroup)
	// Labels padded to one width: right-aligned cells of equal width read
	// as a left-aligned column.
	width := 0
	for _, d := range r.Groups {
		width = max(width, utf8.RuneCountInString(d.Title))
		for _, g := range d.Groups {
			width = max(width, utf8.RuneCountInString(g.Label)+4)
		}
	}
	pad := func(s string) string { return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s))) }
	tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, g Rate) {
		rate, ci := "-", "-"
		if g.Settled > 0 {
			rate, ci = percent(g.Rate), percent(g.Low)+"-"+percent(g.High)
		}
		if g.TooSmall {
			label += " *"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t\n", pad("  "+label), g.Sent, g.Settled, g.Accepted, rate, ci)
	}
	fmt.Fprintf(tw, "%s\tsent\tsettled\taccepted\trate\t95%% interval\t\n", pad(""))
	row("all", r.Overall)
	for _, d := range r.Groups {
		if len(d.Groups) == 0 || d.NotComparable != "" {
			continue
		}
		fmt.Fprintf(tw, "%s\t\t\t\t\t\t\n", pad(d.Title))
		for _, g := range d.Groups {
			row(strings.ReplaceAll(g.Label, "\t", " "), g)
		}
		if d.Omitted > 0 {
			fmt.Fprintf(tw, "%s\t\t\t\t\t\t\n", pad(fmt.Sprintf("  (%d smaller groups)", d.Omitted)))
		}
	}
	tw.Flush()
	marked := false
	for _, d := range r.Groups {
		if len(d.Groups) > 0 && d.NotComparable != "" {
			if !marked {
				p("\nNot comparable (%s):\n", CoverageRule)
				marked = true
			}
			p("  %s: %s.\n", d.Title, d.NotComparable)
		}
	}
	return bw.Flush()
}
