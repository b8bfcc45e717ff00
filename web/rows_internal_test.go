package web

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The rows drawn in Go escape every value from the data, in text and in
// attributes, as the template they replaced did.
func TestDrawRowsEscapes(t *testing.T) {
	h := string(drawRows([]rowView{{
		ID: 12, Name: `Eve <script>alert(1)</script>`, URL: `https://www.linkedin.com/in/x"onmouseover="y`,
		Sub: "R&D <b>lead</b>", SentISO: "2026-11-02", SentDate: "2 Nov 2026", AgeDays: 30,
		Status: "pending", Stage: "review", Note: `say "hi" <now>`, Tags: []string{"<i>vip</i>", "a&b"},
	}, {ID: 13, Name: "Plain", Status: "accepted", HadNote: true}}))
	require.NotContains(t, h, "<script>")
	require.NotContains(t, h, "<b>")
	require.NotContains(t, h, "<i>")
	require.NotContains(t, h, `"onmouseover`)
	for _, want := range []string{
		`value="12" id="sel-12" aria-label="Select Eve &lt;script&gt;alert(1)&lt;/script&gt;"`,
		`href="https://www.linkedin.com/in/x&#34;onmouseover=&#34;y"`,
		`<span class="sub">R&amp;D &lt;b&gt;lead&lt;/b&gt;</span>`,
		`title="say &#34;hi&#34; &lt;now&gt;">yes</span>`,
		`<span class="tag">&lt;i&gt;vip&lt;/i&gt;</span> <span class="tag">a&amp;b</span>`,
		`<span class="badge stage-review">review</span>`,
		`<time datetime="2026-11-02">2 Nov 2026</time> <span class="sub">30 days</span>`,
		`aria-label="Select Plain"></td>` + "\n" + `<td data-label="Person" class="person">Plain</td>`,
		`<td data-label="Note">yes</td>`,
	} {
		require.Contains(t, h, want)
	}
	require.Equal(t, 2, strings.Count(h, "<tr>"))
	require.Equal(t, 2, strings.Count(h, "</tr>"))
}
