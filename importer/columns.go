package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/unvite/unvite"
)

// A fieldSpec is something a reader takes from a column. Its synonyms are the
// headers that name it in LinkedIn's files, spreadsheet-kept copies of them
// and hand-kept sheets, best first; they compare by normKey, so case,
// spacing and punctuation do not matter.
type fieldSpec struct {
	name     string // the key of Options.Columns
	synonyms []string
}

// The fields of each kind of file.
var (
	invitationFields = []fieldSpec{
		{"from", []string{"From", "Inviter", "From Name", "Inviter Name", "Sender"}},
		{"to", []string{"To", "Invitee", "To Name", "Invitee Name", "Recipient"}},
		{"sent", []string{"Sent At", "Date Sent", "Sent On", "Sent Date", "Sent", "Time Sent", "Sent Time", "Date"}},
		{"note", []string{"Message", "Note", "Invitation Message", "Custom Message", "Personal Message"}},
		{"direction", []string{"Direction", "Invitation Direction"}},
		{"inviter_url", []string{"inviterProfileUrl", "Inviter Profile URL", "Inviter URL", "From Profile URL", "From URL"}},
		{"invitee_url", []string{"inviteeProfileUrl", "Invitee Profile URL", "Invitee URL", "To Profile URL", "To URL"}},
	}
	connectionFields = []fieldSpec{
		{"first", []string{"First Name", "First", "Given Name", "Forename"}},
		{"last", []string{"Last Name", "Last", "Surname", "Family Name"}},
		{"name", []string{"Full Name", "Name"}},
		{"url", []string{"URL", "Profile URL", "LinkedIn URL", "LinkedIn Profile", "Profile", "LinkedIn"}},
		{"email", []string{"Email Address", "Email", "E-mail", "E-mail Address"}},
		{"company", []string{"Company", "Company Name", "Organization", "Organisation", "Employer"}},
		{"position", []string{"Position", "Title", "Job Title", "Headline"}},
		{"connected", []string{"Connected On", "Connected", "Connected At", "Connection Date", "Date Connected", "Connected Date"}},
	}
	sheetFields = []fieldSpec{
		{"name", []string{"Name", "Full Name", "Person", "Contact"}},
		{"company", []string{"Company", "Organization", "Organisation", "Employer"}},
		{"url", []string{"Profile URL", "URL", "LinkedIn", "LinkedIn URL", "LinkedIn Profile", "Profile", "Link"}},
		{"sent", []string{"Date sent", "Sent", "Sent on", "Sent at", "Sent date", "Date", "Invited", "Invited on", "Date invited"}},
		{"note", []string{"Note included", "Note", "Had note", "With note", "Note sent", "Message"}},
		{"followup", []string{"Follow-up date", "Follow up", "Follow-up", "Follow up on", "Next follow-up"}},
		{"status", []string{"Status", "State", "Result"}},
		{"comment", []string{"Comments", "Comment", "Notes", "Remarks"}},
	}
)

// knownNames holds every header name any field is known by, normalised.
var knownNames = func() map[string]bool {
	m := map[string]bool{}
	for _, fs := range [][]fieldSpec{invitationFields, connectionFields, sheetFields} {
		for _, f := range fs {
			for _, s := range f.synonyms {
				m[normKey(s)] = true
			}
		}
	}
	return m
}()

// knownColumns counts the cells of a header that name a known column.
func knownColumns(header []string) int {
	n := 0
	for _, h := range header {
		if knownNames[normKey(h)] {
			n++
		}
	}
	return n
}

// fieldAliases are other names Options.Columns accepts for a field.
var fieldAliases = map[string]string{"message": "note", "connectedon": "connected", "sentat": "sent"}

// ColumnFields lists the field names Options.Columns accepts.
func ColumnFields() []string {
	var names []string
	for _, fs := range [][]fieldSpec{invitationFields, connectionFields, sheetFields} {
		for _, f := range fs {
			if !slices.Contains(names, f.name) {
				names = append(names, f.name)
			}
		}
	}
	return names
}

// checkColumns refuses a mapping with an unknown field, and keys the rest
// by field name.
func checkColumns(m map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(m))
	for k, v := range m {
		f, ok := fieldName(k)
		if !ok {
			return nil, unvite.Errorf(unvite.EINVALID, "unknown column field %q (want one of %s)", k, strings.Join(ColumnFields(), ", "))
		}
		if strings.TrimSpace(v) == "" {
			return nil, unvite.Errorf(unvite.EINVALID, "column field %q: empty header", k)
		}
		out[f] = v
	}
	return out, nil
}

func fieldName(k string) (string, bool) {
	n := normKey(k)
	if a, ok := fieldAliases[n]; ok {
		return a, true
	}
	for _, f := range ColumnFields() {
		if normKey(f) == n {
			return f, true
		}
	}
	return "", false
}

// layout is where a file's fields are: field name → column index.
type layout struct {
	col     map[string]int
	ignored []string // header cells no field reads
}

func (l layout) has(f string) bool { _, ok := l.col[f]; return ok }

// index is the column of f, or -1.
func (l layout) index(f string) int {
	if i, ok := l.col[f]; ok {
		return i
	}
	return -1
}

// resolve finds fields in a header: a column the mapping names first, then
// the synonyms, rank by rank across fields (so that an exact "Sent At"
// wins over a generic "Date"), each column read by one field only. A
// mapped header the file lacks is left to detection: with several files,
// one mapping serves them all (inspect checks each header is somewhere).
func resolve(header []string, fields []fieldSpec, mapping map[string]string) layout {
	cols := columns(header)
	l := layout{col: map[string]int{}}
	taken := map[int]bool{}
	for _, f := range fields {
		if h, ok := mapping[f.name]; ok {
			if i, ok := cols[normKey(h)]; ok && !taken[i] {
				l.col[f.name], taken[i] = i, true
			}
		}
	}
	for rank := 0; ; rank++ {
		more := false
		for _, f := range fields {
			if rank >= len(f.synonyms) {
				continue
			}
			more = true
			if l.has(f.name) {
				continue
			}
			if i, ok := cols[normKey(f.synonyms[rank])]; ok && !taken[i] {
				l.col[f.name], taken[i] = i, true
			}
		}
		if !more {
			break
		}
	}
	for i, h := range header {
		if !taken[i] && strings.TrimSpace(h) != "" {
			l.ignored = append(l.ignored, h)
		}
	}
	return l
}

// fieldsOf are the fields files of kind k have.
func fieldsOf(k Kind) []fieldSpec {
	switch k {
	case KindInvitations:
		return invitationFields
	case KindConnections:
		return connectionFields
	}
	return sheetFields
}

// missingFields names required fields absent from l for an error: the
// column the mapping names, or the usual header, the other names read,
// and how to name another.
func missingFields(l layout, fields []fieldSpec, mapping map[string]string, required ...string) string {
	var miss []string
	for _, f := range fields {
		if !slices.Contains(required, f.name) || l.has(f.name) {
			continue
		}
		if h, ok := mapping[f.name]; ok {
			miss = append(miss, fmt.Sprintf("%q for the %s field (as --column names it)", h, f.name))
		} else {
			alt := f.synonyms[1:min(len(f.synonyms), 4)]
			miss = append(miss, fmt.Sprintf("%q (or %s; name it with --column %s=HEADER)", f.synonyms[0], strings.Join(alt, ", "), f.name))
		}
	}
	return strings.Join(miss, ", ")
}
