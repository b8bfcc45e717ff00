package importer

import (
	"io"
	"strings"

	"github.com/unvite/unvite"
)

// InvitationsReader streams the rows of LinkedIn's Invitations.csv, in the
// five-column (before late 2023) or seven-column format.
type InvitationsReader struct {
	c                               *csvIn
	from, to, sent, msg, dir        int
	inviterURL, inviteeURL          int // -1 when absent
	accountName, accountSlug        string
	lastInviterURL, lastInviterSlug string
	ignored                         []string
}

// NewInvitationsReader reads the header of an Invitations.csv; name is
// shown in errors. Columns are found by their usual names (see
// ColumnFields); Import also takes Options.Columns.
func NewInvitationsReader(r io.Reader, name string) (*InvitationsReader, error) {
	c, err := newCSV(r, name)
	if err != nil {
		return nil, err
	}
	return newInvitationsReader(c, nil)
}

func newInvitationsReader(c *csvIn, mapping map[string]string) (*InvitationsReader, error) {
	l := resolve(c.header, invitationFields, mapping)
	if miss := missingFields(l, invitationFields, mapping, "from", "to", "sent", "note", "direction"); miss != "" {
		return nil, parseErr(c.file, c.headerLine, "", "not an Invitations.csv: missing column %s (header %s, want %s)",
			miss, showHeader(c.header), wantInvitations)
	}
	return &InvitationsReader{c: c, ignored: l.ignored,
		from: l.index("from"), to: l.index("to"), sent: l.index("sent"), msg: l.index("note"), dir: l.index("direction"),
		inviterURL: l.index("inviter_url"), inviteeURL: l.index("invitee_url"),
	}, nil
}

// Next returns the next invitation, or io.EOF after the last. A sent
// invitation's Invitee is the To person; a received one's is the From
// person (the inviter). Status is pending: the store judges the rest.
// Rows naming nobody are skipped and counted (see Skipped).
func (r *InvitationsReader) Next() (*unvite.Invitation, error) {
	for {
		rec, err := r.c.row()
		if err != nil {
			return nil, err
		}
		inv := &unvite.Invitation{Kind: unvite.KindPerson, Source: unvite.SourceExport, Status: unvite.StatusPending}
		switch d := strings.TrimSpace(rec[r.dir]); {
		case d == "OUTGOING" || strings.EqualFold(d, "outgoing") || strings.EqualFold(d, "sent"):
			inv.Direction = unvite.Sent
			inv.Invitee = unvite.Person{Name: cleanName(rec[r.to]), Slug: r.url(rec, r.inviteeURL)}
			if r.accountName == "" {
				r.accountName = cleanName(rec[r.from])
				r.accountSlug = r.inviterSlug(rec)
			}
		case d == "INCOMING" || strings.EqualFold(d, "incoming") || strings.EqualFold(d, "received"):
			inv.Direction = unvite.Received
			inv.Invitee = unvite.Person{Name: cleanName(rec[r.from]), Slug: r.inviterSlug(rec)}
		default:
			return nil, parseErr(r.c.file, r.c.line, r.c.header[r.dir], "unknown direction %q (want OUTGOING or INCOMING)", d)
		}
		if inv.Invitee.Name == "" && inv.Invitee.Slug == "" {
			r.c.skip("no_name_or_url", "no name and no profile URL (a member who left LinkedIn or hides their details)")
			continue
		}
		sentAt, ok := parseSentAt(rec[r.sent])
		if !ok {
			return nil, parseErr(r.c.file, r.c.line, r.c.header[r.sent], "cannot parse %q as a date (want %s)", rec[r.sent], wantSentAt)
		}
		inv.SentAt = sentAt
		if note := rec[r.msg]; note != "" {
			inv.Note = strings.TrimSpace(note)
			inv.HadNote = inv.Note != ""
		}
		return inv, nil
	}
}

// Skipped counts the rows left out so far, by reason.
func (r *InvitationsReader) Skipped() []unvite.SkippedRows { return r.c.skipped }

// Ignored lists the header's columns that nothing reads.
func (r *InvitationsReader) Ignored() []string { return r.ignored }

func (r *InvitationsReader) url(rec []string, i int) string {
	if i < 0 {
		return ""
	}
	return slugFromURL(rec[i])
}

// inviterSlug caches the last inviter URL: in sent rows it is always the
// account's own.
func (r *InvitationsReader) inviterSlug(rec []string) string {
	if r.inviterURL < 0 {
		return ""
	}
	u := rec[r.inviterURL]
	if u != r.lastInviterURL {
		r.lastInviterURL, r.lastInviterSlug = u, slugFromURL(u)
	}
	return r.lastInviterSlug
}

// Line is the line where the last row returned starts.
func (r *InvitationsReader) Line() int { return r.c.line }

// Account is the export's owner as the first sent row names it: the From
// person and, in the seven-column format, the slug of inviterProfileUrl.
// Empty until a sent row has been read.
func (r *InvitationsReader) Account() (name, slug string) { return r.accountName, r.accountSlug }
