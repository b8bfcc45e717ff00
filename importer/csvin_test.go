package importer

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// The bulk text check must not mistake a character split across reads
// for bad bytes, and must catch bad bytes wherever they fall.
func TestGuardScan(t *testing.T) {
	text := strings.Repeat("Zoë Ó Súilleabháin 🙂 Søren, ", 200)
	for _, tc := range []struct {
		name  string
		in    string
		dirty bool
	}{
		{"clean", text, false},
		{"latin-1 byte", text + "Jos\xe9" + text, true},
		{"NUL", text + "\x00", true},
		{"cut at the end", text + "\xf0\x9f\x99", true},
		{"stray continuation byte", text + "\x80", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in)), iotest.HalfReader(strings.NewReader(tc.in))} {
				g := &guard{r: r, mark: 1 << 40}
				_, err := io.Copy(io.Discard, g)
				require.NoError(t, err)
				require.Equal(t, tc.dirty, g.dirty)
			}
		})
	}
}
