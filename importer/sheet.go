package importer

import (
	"io"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// SheetReader streams the rows of a hand-kept tracking sheet.
type SheetReader struct {
	c       *csvIn
	col     map[string]int // field → column index
	ignored []string
}

// NewSheetReader reads a tracking sheet's header and finds its columns by
// name; columns (field → header, see ColumnFields) overrides detection.
func NewSheetReader(r io.Reader, name string, columns map[string]string) (*SheetReader, error) {
	mapping, err := checkColumns(columns)
	if err != nil {
		return nil, err
	}
	c, err := newCSV(r, name)
	if err != nil {
		return nil, err
	}
	return newSheetReader(c, mapping)
}

func newSheetReader(c *csvIn, mapping map[string]string) (*SheetReader, error) {
	l := resolve(c.header, sheetFields, mapping)
	s := &SheetReader{c: c, col: l.col, ignored: l.ignored}
	hasName, hasURL, hasSent := l.has("name"), l.has("url"), l.has("sent")
	if !hasName && !hasURL || !hasSent {
		if len(mapping) == 0 && !hasName && !hasURL && !hasSent {
			return nil, unknownHeader(c)
		}
		var miss []string
		if !hasName && !hasURL {
			miss = append(miss, "a name (Name, Full Name) or a profile URL (Profile URL, URL, LinkedIn)")
		}
		if !hasSent {
			miss = append(miss, "the date sent (Date sent, Sent, Sent on)")
		}
		return nil, parseErr(c.file, c.headerLine, "", "tracking sheet lacks a column for %s (header %s; name columns with --column FIELD=HEADER)",
			strings.Join(miss, " and "), showHeader(c.header))
	}
	return s, nil
}

// Skipped counts the rows left out so far, by reason.
func (s *SheetReader) Skipped() []unvite.SkippedRows { return s.c.skipped }

// Ignored lists the header's columns that nothing reads.
func (s *SheetReader) Ignored() []string { return s.ignored }

func (s *SheetReader) get(rec []string, f string) (string, int) {
	i, ok := s.col[f]
	if !ok {
		return "", -1
	}
	return strings.TrimSpace(rec[i]), i
}

// Next returns the next row, or io.EOF after the last. Blank rows are skipped.
func (s *SheetReader) Next() (unvite.TrackedRow, error) {
	rec, err := s.c.row()
	if err != nil {
		return unvite.TrackedRow{}, err
	}
	fail := func(i int, format string, args ...any) (unvite.TrackedRow, error) {
		return unvite.TrackedRow{}, parseErr(s.c.file, s.c.line, s.c.fieldName(i), format, args...)
	}
	row := unvite.TrackedRow{Line: s.c.line}
	name, ni := s.get(rec, "name")
	url, ui := s.get(rec, "url")
	row.Person = unvite.Person{Name: collapse(name), Slug: unvite.SlugFromURL(url)}
	row.Person.Company, _ = s.get(rec, "company")
	if row.Person.Name == "" && row.Person.Slug == "" {
		if url != "" {
			return fail(ui, "%q is not a LinkedIn profile URL (want https://www.linkedin.com/in/…)", url)
		}
		return fail(max(ni, ui), "no name or profile URL")
	}
	sent, si := s.get(rec, "sent")
	if sent == "" {
		return fail(si, "empty: the date sent is needed to match the invitation")
	}
	day, ok := parseDay(sent)
	if !ok {
		return fail(si, "cannot parse %q as a date (want %s)", sent, wantSheetDate)
	}
	row.SentOn = day.Truncate(24 * time.Hour)
	if v, i := s.get(rec, "followup"); v != "" {
		d, ok := parseDay(v)
		if !ok {
			return fail(i, "cannot parse %q as a date (want %s)", v, wantSheetDate)
		}
		row.FollowUpOn = d.Truncate(24 * time.Hour)
	}
	note, _ := s.get(rec, "note")
	row.HadNote = truthy(note)
	st, _ := s.get(rec, "status")
	row.Status = sheetStatus(st)
	row.Comment, _ = s.get(rec, "comment")
	return row, nil
}

// Line is the line where the last row returned starts.
func (s *SheetReader) Line() int { return s.c.line }

// truthy reads a "note included" cell: yes/no words and marks, and any
// other text (the note itself) as yes.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "", "no", "n", "false", "f", "0", "-", "none", "✗":
		return false
	}
	return true
}

// sheetStatus maps the words people use to statuses; "" when unusable.
func sheetStatus(v string) unvite.Status {
	switch normKey(v) {
	case "pending", "sent", "waiting", "open", "invited", "noresponse", "noreply":
		return unvite.StatusPending
	case "accepted", "connected", "done":
		return unvite.StatusAccepted
	case "withdrawn", "cancelled", "canceled", "retracted":
		return unvite.StatusWithdrawn
	case "declined", "rejected", "ignored", "gone":
		return unvite.StatusGone
	}
	return ""
}
