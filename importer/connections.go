package importer

import (
	"io"
	"strings"

	"github.com/unvite/unvite"
)

// ConnectionsReader streams the rows of LinkedIn's Connections.csv, with or
// without the "Notes:" preamble and the URL column.
type ConnectionsReader struct {
	c                             *csvIn
	first, last, name, on         int // first and last, or name: -1 when absent
	url, email, company, position int // -1 when absent
	ignored                       []string
}

// NewConnectionsReader reads up to and including the header of a
// Connections.csv; name is shown in errors. Columns are found by their
// usual names (see ColumnFields); Import also takes Options.Columns.
func NewConnectionsReader(r io.Reader, name string) (*ConnectionsReader, error) {
	c, err := newCSV(r, name)
	if err != nil {
		return nil, err
	}
	return newConnectionsReader(c, nil)
}

func newConnectionsReader(c *csvIn, mapping map[string]string) (*ConnectionsReader, error) {
	l := resolve(c.header, connectionFields, mapping)
	required := []string{"first", "last", "connected"}
	if l.has("name") && !l.has("first") && !l.has("last") {
		required = []string{"connected"} // one column for the whole name
	}
	if miss := missingFields(l, connectionFields, mapping, required...); miss != "" {
		return nil, parseErr(c.file, c.headerLine, "", "not a Connections.csv: missing column %s (header %s, want %s)",
			miss, showHeader(c.header), wantConnections)
	}
	return &ConnectionsReader{c: c, ignored: l.ignored,
		first: l.index("first"), last: l.index("last"), name: l.index("name"), on: l.index("connected"),
		url: l.index("url"), email: l.index("email"), company: l.index("company"), position: l.index("position")}, nil
}

// Next returns the next connection, or io.EOF after the last. ConnectedOn
// is midnight UTC of the day, or the time too where the file gives one
// (exports from 2018). Rows naming nobody (LinkedIn lists members who hide
// their details so) are skipped and counted (see Skipped).
func (r *ConnectionsReader) Next() (unvite.Connection, error) {
	for {
		rec, err := r.c.row()
		if err != nil {
			return unvite.Connection{}, err
		}
		var p unvite.Person
		if r.first >= 0 {
			p.Name = collapse(rec[r.first] + " " + field(rec, r.last))
		} else {
			p.Name = collapse(rec[r.name])
		}
		if r.url >= 0 {
			p.Slug = slugFromURL(rec[r.url])
		}
		if p.Name == "" && p.Slug == "" {
			r.c.skip("no_name_or_url", "no name and no profile URL (a member who hides their details)")
			continue
		}
		p.Company, p.Headline = field(rec, r.company), field(rec, r.position)
		on, ok := parseDay(rec[r.on])
		if !ok {
			return unvite.Connection{}, parseErr(r.c.file, r.c.line, r.c.header[r.on], "cannot parse %q as a date (want %s)", rec[r.on], wantConnectedOn)
		}
		c := unvite.Connection{Person: p, ConnectedOn: on}
		// One real 2018 export holds a member URN where the address belongs.
		if e := field(rec, r.email); strings.HasPrefix(strings.ToLower(e), "urn:li:") {
			c.Person.MemberURN = e
		} else {
			c.Email = e
		}
		return c, nil
	}
}

// Skipped counts the rows left out so far, by reason.
func (r *ConnectionsReader) Skipped() []unvite.SkippedRows { return r.c.skipped }

// Ignored lists the header's columns that nothing reads.
func (r *ConnectionsReader) Ignored() []string { return r.ignored }

func field(rec []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// Line is the line where the last row returned starts.
func (r *ConnectionsReader) Line() int { return r.c.line }
