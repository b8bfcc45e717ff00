package unvite

import "time"

// NameCandidate is an invitation the name rule may find accepted: pending
// (or gone), and the latest to its person in its direction.
type NameCandidate struct {
	ID     int64
	Person Person
	SentAt time.Time
}

// Acceptance is an invitation found accepted, and when its person connected.
type Acceptance struct {
	ID          int64
	ConnectedOn time.Time
	// The connection's headline and company, to fill the invitee's empty
	// ones.
	Headline, Company string
}

// AcceptByName finds acceptances where one side lacks profile URLs: an
// invitation without one and a connection with one (an old Invitations.csv
// with a new Connections.csv), or the reverse. Then the person is the one of
// the same name (NormalizeName), connected on or after the day the
// invitation was sent, as when neither side has URLs. A name is ambiguous,
// and never matched, when it belongs to more than one profile: among the
// connections for an invitation without URL, among invitees (the people,
// name and slug, the account's invitations with a URL go to) for a
// connection without one. Invitations and connections that both have URLs
// are matched by profile only, elsewhere.
func AcceptByName(cands []NameCandidate, conns []Connection, invitees []Person) []Acceptance {
	withURL := map[string][]Connection{} // by name
	withoutURL := map[string]Connection{}
	for _, c := range conns {
		n := NormalizeName(c.Person.Name)
		if c.Person.Slug == "" {
			withoutURL[n] = c
		} else {
			withURL[n] = append(withURL[n], c)
		}
	}
	profiles := map[string]map[string]bool{} // name → slugs
	for _, p := range invitees {
		if p.Slug == "" {
			continue
		}
		n := NormalizeName(p.Name)
		if profiles[n] == nil {
			profiles[n] = map[string]bool{}
		}
		profiles[n][p.Slug] = true
	}
	var out []Acceptance
	for _, inv := range cands {
		n := NormalizeName(inv.Person.Name)
		var c Connection
		if inv.Person.Slug == "" {
			cs := withURL[n]
			if len(cs) != 1 {
				continue
			}
			c = cs[0]
		} else {
			var ok bool
			if c, ok = withoutURL[n]; !ok || len(profiles[n]) > 1 {
				continue
			}
		}
		if !c.ConnectedOn.Before(inv.SentAt.UTC().Truncate(24 * time.Hour)) {
			out = append(out, Acceptance{ID: inv.ID, ConnectedOn: c.ConnectedOn, Headline: c.Person.Headline, Company: c.Person.Company})
		}
	}
	return out
}

// NameMatchReason is the audit reason of an acceptance found by name.
func NameMatchReason(connectedOn time.Time) string {
	return "connected on " + connectedOn.UTC().Format("2006-01-02") + " (matched by name: one file has no profile URLs)"
}
