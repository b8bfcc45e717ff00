// Package spreadsheet writes invitations as CSV for spreadsheet apps, with
// every text cell made safe to open: a cell that a spreadsheet would run as
// a formula (=, +, -, @, tab, carriage return first) is prefixed with an
// apostrophe, as OWASP's CSV injection guidance advises, and control
// characters and bidi overrides are replaced by visible stand-ins (see
// package printable; line breaks and tabs inside a cell are kept).
package spreadsheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/printable"
)

// Header is the first row, one column a field.
var Header = []string{
	"id", "status", "name", "headline", "company", "profile_url",
	"sent_at", "sent_at_approx", "age_days", "had_note", "note",
	"status_since", "reinvite_after", "source", "tags", "protected", "linkedin_id",
	"follow_up_on", "comment",
}

// Writer writes invitations as CSV rows under Header.
type Writer struct {
	// AsOf is the clock for age_days; when zero the column is left empty.
	// BOM starts the file with a UTF-8 byte-order mark, which Excel needs
	// to read non-ASCII names right. Set both before the first Write.
	AsOf time.Time
	BOM  bool

	w       io.Writer
	csv     *csv.Writer
	started bool
	row     []string
}

// NewWriter writes to w; call Flush at the end.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, csv: csv.NewWriter(w), row: make([]string, len(Header))}
}

// Write adds one invitation, after the header on the first call.
func (w *Writer) Write(inv *unvite.Invitation) error {
	if err := w.start(); err != nil {
		return err
	}
	age := ""
	if !w.AsOf.IsZero() {
		age = strconv.Itoa(inv.AgeDays(w.AsOf))
	}
	r := w.row
	r[0] = strconv.FormatInt(inv.ID, 10)
	r[1] = string(inv.Status)
	r[2] = Escape(inv.Invitee.Name)
	r[3] = Escape(inv.Invitee.Headline)
	r[4] = Escape(inv.Invitee.Company)
	r[5] = Escape(inv.Invitee.ProfileURL())
	r[6] = stamp(inv.SentAt)
	r[7] = strconv.FormatBool(inv.SentAtApprox)
	r[8] = age
	r[9] = strconv.FormatBool(inv.HadNote)
	r[10] = Escape(inv.Note)
	r[11] = stamp(inv.StatusSince)
	r[12] = stamp(inv.ReinviteAfter)
	r[13] = Escape(string(inv.Source))
	r[14] = Escape(strings.Join(inv.Tags, ";"))
	r[15] = strconv.FormatBool(inv.Protected)
	r[16] = Escape(inv.LinkedInID)
	r[17] = day(inv.FollowUpOn)
	r[18] = Escape(inv.Comment)
	if err := w.csv.Write(r); err != nil {
		return fmt.Errorf("spreadsheet: write invitation %d: %w", inv.ID, err)
	}
	return nil
}

// Flush writes out what is buffered, the header too when no invitation
// came, and reports the first write error.
func (w *Writer) Flush() error {
	if err := w.start(); err != nil {
		return err
	}
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("spreadsheet: %w", err)
	}
	return nil
}

func (w *Writer) start() error {
	if w.started {
		return nil
	}
	w.started = true
	if w.BOM {
		if _, err := io.WriteString(w.w, "\ufeff"); err != nil {
			return fmt.Errorf("spreadsheet: write: %w", err)
		}
	}
	if err := w.csv.Write(Header); err != nil {
		return fmt.Errorf("spreadsheet: write header: %w", err)
	}
	return nil
}

// Escape makes a text cell safe: control characters and bidi overrides
// become visible (printable.Text; line breaks stay, CRLF as LF), and a cell a spreadsheet would take for
// a formula gets an apostrophe in front.
func Escape(s string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "\r\n") {
		s = strings.ReplaceAll(s, "\r\n", "\n") // a line break, not a stray CR
	}
	s = printable.Text(s)
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// day writes a date without a time (a tracking sheet's follow-up day).
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
