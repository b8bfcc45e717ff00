package analytics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/unvite/unvite"
)

// Rate is how one group of invitations fared: of those Settled (whose
// fate within the settle window is known), how many were accepted within
// it, with a 95% Wilson interval.
type Rate struct {
	Label string `json:"label"`
	// Sent counts every sent invitation of the group; Settled those at
	// least SettleDays old (or ended), not withdrawn before then.
	Sent     int     `json:"sent"`
	Settled  int     `json:"settled"`
	Accepted int     `json:"accepted"` // within SettleDays
	Rate     float64 `json:"rate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	// TooSmall marks a group with fewer than MinGroup settled invitations:
	// its interval is too wide to tell it from the others.
	TooSmall bool `json:"too_small"`
}

// Dimension is one way of grouping invitations.
type Dimension struct {
	Key    string `json:"key"`   // "note", "note_length", "weekday", "hour", "company", "position", "tag", "month"
	Title  string `json:"title"` // in words
	Groups []Rate `json:"groups"`
	// Omitted counts groups left out of a long list (the smallest).
	Omitted int `json:"omitted,omitempty"`
	// Coverage is, for a dimension built from a field of the invitee
	// (company, headline), how often that field is known by outcome.
	Coverage *Coverage `json:"coverage,omitempty"`
	// NotComparable, when set, says why the groups' rates are no finding:
	// the field is known far more often for one outcome than for the
	// other, so a group's rate mostly tells where its data came from
	// (syncs list the headlines of pending invitations; an acceptance may
	// bring none). The groups are kept for the JSON, but not shown.
	NotComparable string `json:"not_comparable,omitempty"`
}

// The rule under which a field-built dimension is not comparable: the
// field's coverage among settled invitations accepted and among the others
// differ by more than MaxCoverageGap (in shares), or the smaller is under
// MinCoverageRatio of the larger.
const (
	MaxCoverageGap   = 0.25
	MinCoverageRatio = 0.5
)

// CoverageRule is the rule in words, for the outputs.
var CoverageRule = fmt.Sprintf("a field known for shares of accepted and of other invitations more than %d points apart, or one under %d%% of the other, is not comparable",
	int(MaxCoverageGap*100), int(MinCoverageRatio*100))

// Coverage counts, among settled invitations, those accepted and the
// others, and of each how many have the field known.
type Coverage struct {
	Field         string `json:"field"` // "company", "headline"
	Accepted      int    `json:"accepted"`
	AcceptedKnown int    `json:"accepted_known"`
	Others        int    `json:"others"`
	OthersKnown   int    `json:"others_known"`
}

func (c *Coverage) add(settled, accepted, known bool) {
	switch {
	case !settled:
	case accepted:
		c.Accepted++
		if known {
			c.AcceptedKnown++
		}
	default:
		c.Others++
		if known {
			c.OthersKnown++
		}
	}
}

// Skewed says whether the field's coverage differs by outcome beyond the
// rule, and in words how. With no settled invitation of one outcome there
// is nothing to compare, and no skew.
func (c Coverage) Skewed() (bool, string) {
	if c.Accepted == 0 || c.Others == 0 || c.AcceptedKnown+c.OthersKnown == 0 {
		return false, ""
	}
	acc := float64(c.AcceptedKnown) / float64(c.Accepted)
	oth := float64(c.OthersKnown) / float64(c.Others)
	lo, hi := min(acc, oth), max(acc, oth)
	if hi-lo <= MaxCoverageGap && lo >= MinCoverageRatio*hi {
		return false, ""
	}
	return true, fmt.Sprintf("%s known for %s of accepted and %s of others: not comparable", c.Field, wholePercent(acc), wholePercent(oth))
}

// wholePercent writes a share as a whole percentage, never rounding a
// share above zero down to 0% nor one under one up to 100%.
func wholePercent(x float64) string {
	v := math.Round(100 * x)
	switch {
	case v == 0 && x > 0:
		v = 1
	case v == 100 && x < 1:
		v = 99
	}
	return fmt.Sprintf("%d%%", int(v))
}

// fieldDim marks a dimension built from a field with the field's coverage,
// and as not comparable when the coverage is skewed.
func fieldDim(d Dimension, c Coverage) Dimension {
	d.Coverage = &c
	if skewed, why := c.Skewed(); skewed {
		d.NotComparable = why
	}
	return d
}

// tally counts one group while reading.
type tally struct{ sent, settled, accepted int }

func (t *tally) add(settled, accepted bool) {
	t.sent++
	if settled {
		t.settled++
		if accepted {
			t.accepted++
		}
	}
}

func (t tally) rate(label string, minGroup int) Rate {
	r := Rate{Label: label, Sent: t.sent, Settled: t.settled, Accepted: t.accepted}
	if t.settled > 0 {
		r.Rate = float64(t.accepted) / float64(t.settled)
	}
	r.Low, r.High = Wilson(t.accepted, t.settled)
	r.TooSmall = t.settled < minGroup
	return r
}

// fixedDim turns tallies in a fixed order into a dimension, leaving out
// groups nobody was sent in.
func fixedDim(key, title string, labels []string, ts []tally, minGroup int) Dimension {
	d := Dimension{Key: key, Title: title}
	for i, t := range ts {
		if t.sent > 0 {
			d.Groups = append(d.Groups, t.rate(labels[i], minGroup))
		}
	}
	return d
}

// openDim turns a map of tallies into a dimension: the top groups by
// settled count (then name), or all in name order when sorted is set.
func openDim(key, title string, m map[string]*tally, top int, byName bool, minGroup int) Dimension {
	d := Dimension{Key: key, Title: title}
	for label, t := range m {
		d.Groups = append(d.Groups, t.rate(label, minGroup))
	}
	slices.SortFunc(d.Groups, func(a, b Rate) int {
		if byName {
			return strings.Compare(a.Label, b.Label)
		}
		if c := cmp.Compare(b.Settled, a.Settled); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Sent, a.Sent); c != 0 {
			return c
		}
		return strings.Compare(a.Label, b.Label)
	})
	if top > 0 && len(d.Groups) > top {
		d.Omitted = len(d.Groups) - top
		d.Groups = d.Groups[:top]
	}
	return d
}

// Note length bands, in characters.
var noteBands = []string{"no note", "note, text unknown", "1-99 characters", "100-199 characters", "200+ characters"}

// noteBand is the band of an invitation's note (the store may load its
// length without its text).
func noteBand(inv *unvite.Invitation) int {
	n := inv.NoteChars()
	switch {
	case n == 0 && !inv.HadNote:
		return 0
	case n == 0:
		return 1
	case n < 100:
		return 2
	case n < 200:
		return 3
	}
	return 4
}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

var hours = func() []string {
	h := make([]string, 24)
	for i := range h {
		h[i] = string([]byte{'0' + byte(i/10), '0' + byte(i%10)}) + ":00"
	}
	return h
}()

// stopWords are left out of position keywords.
var stopWords = map[string]bool{
	"and": true, "the": true, "for": true, "of": true, "at": true, "in": true, "on": true, "with": true,
	"to": true, "a": true, "an": true, "de": true, "des": true, "du": true, "la": true, "le": true,
	"und": true, "der": true, "die": true, "y": true, "e": true, "i": true, "our": true, "my": true,
	"helping": true, "help": true, "we": true, "you": true, "your": true,
}

// companySeps end a headline's position: "at" and its usual words in the
// languages of LinkedIn's larger markets (French, German, Spanish,
// Portuguese, Italian, Dutch), then the common punctuation.
var companySeps = []string{" at ", " chez ", " bei ", " en ", " na ", " em ", " presso ", " bij ",
	" @ ", "@", " | ", "|", " - ", " – ", ","}

// positionKeywords picks the words of a headline's position: the part
// before " at " (or its like) or "@" or a "|", lower-cased, each word once.
func positionKeywords(headline string, out []string) []string {
	out = out[:0]
	h := strings.ToLower(headline)
	for _, sep := range companySeps {
		if i := strings.Index(h, sep); i > 0 {
			h = h[:i]
		}
	}
	for _, w := range strings.FieldsFunc(h, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '+' && r != '#' }) {
		if len(w) < 2 || stopWords[w] || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}
