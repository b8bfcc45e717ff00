package analytics_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
)

// coverageReport measures 100 settled invitations accepted and 100 not,
// the first accKnown and othKnown of each with a company and a headline
// (or only the one named by field).
func coverageReport(t *testing.T, accKnown, othKnown int, field string) *analytics.Report {
	t.Helper()
	acc := analytics.New(analytics.Options{AsOf: asOf, MinGroup: 5})
	for i := range 200 {
		st, known := unvite.StatusAccepted, i < accKnown
		if i >= 100 {
			st, known = unvite.StatusPending, i-100 < othKnown
		}
		acc.Add(sent(40*day, st, day, func(inv *unvite.Invitation) {
			if !known {
				return
			}
			if field != "headline" {
				inv.Invitee.Company = fmt.Sprintf("Acme %d", i%3)
			}
			if field != "company" {
				inv.Invitee.Headline = "Engineering Manager at Acme"
			}
		}))
	}
	return acc.Report()
}

func dimension(t *testing.T, r *analytics.Report, key string) analytics.Dimension {
	t.Helper()
	for _, d := range r.Groups {
		if d.Key == key {
			return d
		}
	}
	t.Fatalf("no dimension %q", key)
	return analytics.Dimension{}
}

// A dimension built from a field known for about as many accepted
// invitations as others is shown; one known far more often for one
// outcome, either way, is marked not comparable and its rates are left out
// of every output.
func TestFieldCoverageMarksSkewedDimensions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name               string
		accKnown, othKnown int
		field              string
		company, headline  string // NotComparable wanted
	}{
		{name: "equal", accKnown: 50, othKnown: 50},
		{name: "within the rule", accKnown: 60, othKnown: 40},
		{name: "all known", accKnown: 100, othKnown: 100},
		{name: "only accepted known", accKnown: 96, othKnown: 3,
			company:  "company known for 96% of accepted and 3% of others: not comparable",
			headline: "headline known for 96% of accepted and 3% of others: not comparable"},
		{name: "only others known", accKnown: 0, othKnown: 97,
			company:  "company known for 0% of accepted and 97% of others: not comparable",
			headline: "headline known for 0% of accepted and 97% of others: not comparable"},
		{name: "gap over 25 points", accKnown: 60, othKnown: 34,
			company:  "company known for 60% of accepted and 34% of others: not comparable",
			headline: "headline known for 60% of accepted and 34% of others: not comparable"},
		{name: "under half", accKnown: 8, othKnown: 20,
			company:  "company known for 8% of accepted and 20% of others: not comparable",
			headline: "headline known for 8% of accepted and 20% of others: not comparable"},
		{name: "company only skewed", accKnown: 90, othKnown: 10, field: "company",
			company:  "company known for 90% of accepted and 10% of others: not comparable",
			headline: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := coverageReport(t, tc.accKnown, tc.othKnown, tc.field)
			company, position := dimension(t, r, "company"), dimension(t, r, "position")
			require.Equal(t, tc.company, company.NotComparable)
			require.Equal(t, tc.headline, position.NotComparable)
			require.Equal(t, &analytics.Coverage{Field: "company", Accepted: 100, AcceptedKnown: tc.accKnown, Others: 100, OthersKnown: tc.othKnown},
				company.Coverage)
			require.NotEmpty(t, company.Groups, "the groups stay in the JSON")

			var text, html bytes.Buffer
			require.NoError(t, r.WriteText(&text))
			require.NoError(t, r.WriteHTML(&html))
			js, err := json.Marshal(r)
			require.NoError(t, err)
			for _, d := range []analytics.Dimension{company, position} {
				if len(d.Groups) == 0 {
					continue
				}
				if d.NotComparable == "" {
					require.Contains(t, text.String(), " "+d.Title+" ")
					require.Contains(t, html.String(), "<h3>"+d.Title+"</h3>")
					require.Contains(t, r.ChartNames(), analytics.ChartGroups+d.Key)
					continue
				}
				require.Contains(t, text.String(), d.Title+": "+d.NotComparable+".\n")
				require.NotContains(t, text.String(), " "+d.Title+" ", "no table of its rates")
				require.Contains(t, html.String(), "<li>"+d.Title+": "+d.NotComparable+".</li>")
				require.NotContains(t, html.String(), "<h3>"+d.Title+"</h3>")
				require.NotContains(t, r.ChartNames(), analytics.ChartGroups+d.Key)
				_, err := r.ChartSVG(analytics.ChartGroups + d.Key)
				require.ErrorContains(t, err, "not comparable")
				require.Contains(t, string(js), `"not_comparable":"`+d.NotComparable+`"`)
			}
			if tc.company != "" {
				require.Contains(t, text.String(), analytics.CoverageRule)
			}
		})
	}
}

// With no settled invitation of one outcome there is no coverage to
// compare: the dimension is not marked.
func TestFieldCoverageNeedsBothOutcomes(t *testing.T) {
	t.Parallel()
	acc := analytics.New(analytics.Options{AsOf: asOf})
	for range 40 {
		acc.Add(sent(40*day, unvite.StatusPending, 0, func(inv *unvite.Invitation) { inv.Invitee.Company = "Acme" }))
	}
	r := acc.Report()
	require.Empty(t, dimension(t, r, "company").NotComparable)
	require.Len(t, dimension(t, r, "company").Groups, 1)
}
