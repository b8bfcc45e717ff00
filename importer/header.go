package importer

import (
	"fmt"
	"strings"
)

// Kind is what an input file holds, told by its header row.
type Kind string

const (
	KindInvitations Kind = "invitations" // LinkedIn's Invitations.csv
	KindConnections Kind = "connections" // LinkedIn's Connections.csv
	KindSheet       Kind = "sheet"       // a hand-kept tracking sheet
)

// describe says what a kind of file is, for messages.
func (k Kind) describe() string {
	switch k {
	case KindInvitations:
		return "an Invitations.csv"
	case KindConnections:
		return "a Connections.csv"
	}
	return "a tracking sheet"
}

// The header rows LinkedIn writes, for messages.
const (
	wantInvitations = "From,To,Sent At,Message,Direction[,inviterProfileUrl,inviteeProfileUrl]"
	wantConnections = "First Name,Last Name,[URL,]Email Address,Company,Position,Connected On"
)

// normKey reduces a header cell to lower-case letters and digits, so that
// "Follow-up date", "follow up date" and "FollowUpDate" compare equal.
func normKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && !isSpaceOrPunct(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isSpaceOrPunct(r rune) bool {
	return r == '\u00a0' || r == '\u202f' || r == '\ufeff' || r >= '\u2000' && r <= '\u206f'
}

// columns maps normalised header cells to their first index.
func columns(header []string) map[string]int {
	m := make(map[string]int, len(header))
	for i, h := range header {
		k := normKey(h)
		if _, dup := m[k]; !dup && k != "" {
			m[k] = i
		}
	}
	return m
}

// classify tells LinkedIn's two files apart by their columns, known by
// any of their usual names or as the mapping names them. Anything else may
// be a tracking sheet; the sheet reader decides.
func classify(header []string, mapping map[string]string) Kind {
	inv := resolve(header, invitationFields, mapping)
	if inv.has("direction") && (inv.has("sent") || inv.has("from") && inv.has("to")) ||
		inv.has("from") && inv.has("to") && inv.has("sent") {
		return KindInvitations
	}
	con := resolve(header, connectionFields, mapping)
	if con.has("connected") && (con.has("first") || con.has("last") || !resolve(header, sheetFields, mapping).has("sent")) {
		return KindConnections
	}
	return KindSheet
}

// showHeader quotes a header row for a message, shortened.
func showHeader(h []string) string {
	s := strings.Join(h, ",")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func unknownHeader(c *csvIn) error {
	return parseErr(c.file, c.headerLine, "", "unknown header %s: want LinkedIn's Invitations.csv (%s), "+
		"Connections.csv (%s), or a tracking sheet with a Name or Profile URL column and a Date sent column "+
		"(name any file's columns with --column FIELD=HEADER)", showHeader(c.header), wantInvitations, wantConnections)
}
