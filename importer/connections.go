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
	first, last, on               int
	url, email, company, position int // -1 when absent
}

// NewConnectionsReader reads up to and including the header of a
// Connections.csv; name is shown in errors.
func NewConnectionsReader(r io.Reader, name string) (*ConnectionsReader, error) {
	c, err := newCSV(r, name)
	if err != nil {
		return nil, err
	}
	return newConnectionsReader(c)
}

func newConnectionsReader(c *csvIn) (*ConnectionsReader, error) {
	cols := columns(c.header)
	if miss := missingColumns(cols, "First Name", "Last Name", "Connected On"); len(miss) > 0 {
		return nil, parseErr(c.file, c.headerLine, "", "not a Connections.csv: missing column %s (header %s, want %s)",
			strings.Join(miss, ", "), showHeader(c.header), wantConnections)
	}
	opt := func(k string) int {
		if i, ok := cols[k]; ok {
			return i
		}
		return -1
	}
	return &ConnectionsReader{c: c, first: cols["firstname"], last: cols["lastname"], on: cols["connectedon"],
		url: opt("url"), email: opt("emailaddress"), company: opt("company"), position: opt("position")}, nil
}

// Next returns the next connection, or io.EOF after the last. ConnectedOn
// is midnight UTC of the day, or the time too where the file gives one
// (exports from 2018).
func (r *ConnectionsReader) Next() (unvite.Connection, error) {
	for {
		rec, err := r.c.row()
		if err != nil {
			return unvite.Connection{}, err
		}
		on, ok := parseDay(rec[r.on])
		if !ok {
			return unvite.Connection{}, parseErr(r.c.file, r.c.line, r.c.header[r.on], "cannot parse %q as a date (want %s)", rec[r.on], wantConnectedOn)
		}
		p := unvite.Person{Name: collapse(rec[r.first] + " " + rec[r.last]), Company: field(rec, r.company), Headline: field(rec, r.position)}
		if r.url >= 0 {
			p.Slug = slugFromURL(rec[r.url])
		}
		if p.Name == "" && p.Slug == "" {
			continue // LinkedIn lists members who hide their details as empty rows
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

func field(rec []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// Line is the line where the last row returned starts.
func (r *ConnectionsReader) Line() int { return r.c.line }
