package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/unvite/unvite"
)

// printLeftOut says which rows and columns of the files an import left
// out, and why: a count that looks short must be explained.
func printLeftOut(w io.Writer, sum unvite.ImportSummary) {
	for _, s := range sum.Skipped {
		lines := make([]string, len(s.Lines))
		for i, l := range s.Lines {
			lines[i] = strconv.Itoa(l)
		}
		more := ""
		if s.Count > len(s.Lines) {
			more = ", …"
		}
		fmt.Fprintf(w, "Skipped %d row(s) of %s: %s (line %s%s).\n", s.Count, s.File, s.Why, strings.Join(lines, ", "), more)
	}
	for _, c := range sum.IgnoredColumns {
		q := make([]string, len(c.Columns))
		for i, h := range c.Columns {
			q[i] = strconv.Quote(h)
		}
		fmt.Fprintf(w, "Ignored column(s) of %s: %s (not read; name one with --column FIELD=HEADER).\n", c.File, strings.Join(q, ", "))
	}
}
