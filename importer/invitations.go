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
}

// NewInvitationsReader reads the header of an Invitations.csv; name is
// shown in errors.
func NewInvitationsReader(r io.Reader, name string) (*InvitationsReader, error) {
	c, err := newCSV(r, name)
	if err != nil {
		return nil, err
	}
	return newInvitationsReader(c)
}

func newInvitationsReader(c *csvIn) (*InvitationsReader, error) {
	cols := columns(c.header)
	if miss := missingColumns(cols, invitationColumns[:5]...); len(miss) > 0 {
		return nil, parseErr(c.file, c.headerLine, "", "not an Invitations.csv: missing column %s (header %s, want %s)",
			strings.Join(miss, ", "), showHeader(c.header), wantInvitations)
	}
	opt := func(k string) int {
		if i, ok := cols[k]; ok {
			return i
		}
		return -1
	}
	return &InvitationsReader{c: c,
		from: cols["from"], to: cols["to"], sent: cols["sentat"], msg: cols["message"], dir: cols["direction"],
		inviterURL: opt("inviterprofileurl"), inviteeURL: opt("inviteeprofileurl"),
	}, nil
}

// Next returns the next invitation, or io.EOF after the last. A sent
// invitation's Invitee is the To person; a received one's is the From
// person (the inviter). Status is pending: the store judges the rest.
func (r *InvitationsReader) Next() (*unvite.Invitation, error) {
	for {
		rec, err := r.c.row()
		if err != nil {
			return nil, err
		}
		sentAt, ok := parseSentAt(rec[r.sent])
		if !ok {
			return nil, parseErr(r.c.file, r.c.line, r.c.header[r.sent], "cannot parse %q as a date (want %s)", rec[r.sent], wantSentAt)
		}
		inv := &unvite.Invitation{Kind: unvite.KindPerson, Source: unvite.SourceExport, Status: unvite.StatusPending, SentAt: sentAt}
		switch d := strings.TrimSpace(rec[r.dir]); {
		case d == "OUTGOING" || strings.EqualFold(d, "outgoing"):
			inv.Direction = unvite.Sent
			inv.Invitee = unvite.Person{Name: cleanName(rec[r.to]), Slug: r.url(rec, r.inviteeURL)}
			if r.accountName == "" {
				r.accountName = cleanName(rec[r.from])
				r.accountSlug = r.inviterSlug(rec)
			}
		case d == "INCOMING" || strings.EqualFold(d, "incoming"):
			inv.Direction = unvite.Received
			inv.Invitee = unvite.Person{Name: cleanName(rec[r.from]), Slug: r.inviterSlug(rec)}
		default:
			return nil, parseErr(r.c.file, r.c.line, r.c.header[r.dir], "unknown direction %q (want OUTGOING or INCOMING)", d)
		}
		if inv.Invitee.Name == "" && inv.Invitee.Slug == "" {
			continue // a member who left LinkedIn: nobody to match or show
		}
		if note := rec[r.msg]; note != "" {
			inv.Note = strings.TrimSpace(note)
			inv.HadNote = inv.Note != ""
		}
		return inv, nil
	}
}

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
