package stats

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/unvite/unvite"
)

// WriteText prints r as aligned tables for a terminal: labels to the left,
// figures to the right.
func WriteText(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	d := strconv.Itoa

	t := table{{"Sent invitations as of " + r.AsOf.Format("2006-01-02"), d(r.Sent)}}
	for _, s := range unvite.Statuses {
		t = append(t, []string{"  " + string(s), d(r.ByStatus[s])})
	}
	if r.PendingCap > 0 {
		t = append(t, []string{fmt.Sprintf("Pending against the cap of %d", r.PendingCap), fmt.Sprintf("%.0f%%", r.PendingCapPercent)})
	}
	t = append(t,
		[]string{"Protected (pending)", d(r.Protected)},
		[]string{"Withdrawable now", d(r.Withdrawable)},
	)
	if r.Unlisted > 0 {
		t = append(t, []string{"Unlisted (withdraw by hand)", d(r.Unlisted)})
	}
	t.write(bw)

	t = table{{"Pending by age (days)", "count"}}
	for _, b := range r.PendingByAge {
		t = append(t, []string{"  " + b.Label, d(b.Count)})
	}
	t.write(bw)
	if !r.OldestPendingSentAt.IsZero() {
		fmt.Fprintf(bw, "Oldest pending: sent %s, %d days ago\n\n",
			r.OldestPendingSentAt.UTC().Format("2006-01-02 15:04 UTC"), r.OldestPendingDays)
	}

	head := []string{"", "sent", "accepted", "pending", "gone", "withdrawn", "rate"}
	row := func(name string, a Acceptance) []string {
		return []string{"  " + name, d(a.Sent), d(a.Accepted), d(a.Pending), d(a.Gone), d(a.Withdrawn), rate(a)}
	}
	head[0] = "Acceptance"
	table{head, row("with a note", r.WithNote), row("without a note", r.WithoutNote)}.write(bw)
	if len(r.Cohorts) > 0 {
		head[0] = "By month sent"
		t = table{head}
		for _, c := range r.Cohorts {
			t = append(t, row(c.Month, c.Acceptance))
		}
		t.write(bw)
	}
	fmt.Fprintln(bw, "Rates leave withdrawn invitations out: accepted / (accepted + pending + gone).")
	if r.MedianDaysToAccept != nil {
		fmt.Fprintf(bw, "Median days to accept: %.1f (of %d accepted with a known date).\n", *r.MedianDaysToAccept, r.AcceptedTimed)
	}
	return bw.Flush()
}

func rate(a Acceptance) string {
	if a.Accepted+a.Pending+a.Gone == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*a.Rate)
}

// table is rows of cells: the first column is left-aligned, the rest
// right-aligned, two spaces apart; a blank line follows.
type table [][]string

func (t table) write(w io.Writer) {
	var widths []int
	for _, row := range t {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range t {
		var b strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
				continue
			}
			b.WriteString("  " + pad + c)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintln(w)
}
