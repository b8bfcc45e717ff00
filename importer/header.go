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

// The header rows LinkedIn writes, for detection and for messages.
var (
	invitationColumns = []string{"From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"}
	connectionColumns = []string{"First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"}
)

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

// classify tells LinkedIn's two files apart by their columns. Anything else
// may be a tracking sheet; the sheet reader decides.
func classify(header []string) Kind {
	cols := columns(header)
	score := func(names []string) int {
		n := 0
		for _, c := range names {
			if _, ok := cols[normKey(c)]; ok {
				n++
			}
		}
		return n
	}
	_, sentAt := cols["sentat"]
	_, direction := cols["direction"]
	if score(invitationColumns) >= 4 || sentAt && direction {
		return KindInvitations
	}
	if _, ok := cols["connectedon"]; ok || score(connectionColumns) >= 5 {
		return KindConnections
	}
	return KindSheet
}

// missingColumns returns the required names absent from cols, quoted.
func missingColumns(cols map[string]int, required ...string) []string {
	var miss []string
	for _, r := range required {
		if _, ok := cols[normKey(r)]; !ok {
			miss = append(miss, fmt.Sprintf("%q", r))
		}
	}
	return miss
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
		"(name a sheet's columns with --sheet-column FIELD=HEADER)", showHeader(c.header), wantInvitations, wantConnections)
}
