package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// bare is an invitee as an export knows it: a name and a profile, no
// headline or company.
func bare(slug string) unvite.Person { return unvite.Person{Name: "Person " + slug, Slug: slug} }

func connWith(slug, headline, company string, on int) unvite.Connection {
	p := bare(slug)
	p.Headline, p.Company = headline, company
	return unvite.Connection{Person: p, ConnectedOn: day(on)}
}

type known struct{ headline, company string }

func invitees(t *testing.T, s unvite.Store, acct int64) map[string]known {
	t.Helper()
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: acct, Direction: unvite.Sent})
	require.NoError(t, err)
	m := map[string]known{}
	for _, inv := range list {
		k := inv.Invitee.Slug
		if k == "" {
			k = inv.Invitee.Name
		}
		m[k] = known{inv.Invitee.Headline, inv.Invitee.Company}
	}
	return m
}

// An import fills an invitee's empty headline and company from the
// connection of the same person (Connections.csv's Position and Company),
// matched by profile or by name, in the same import or a later one; a known
// field is never overwritten, and an export without them erases nothing.
func testImportFillsInvitees(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	half := &unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: "Person half", Slug: "half", Headline: "Founder"}, SentAt: day(-30)}
	keep := &unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: "Person keep", Slug: "keep", Headline: "Designer", Company: "Keep Co"}, SentAt: day(-30)}
	doImport(t, s, a.ID, unvite.ImportMeta{File: "export.zip", AsOf: day(0)}, importRows{
		conns: []unvite.Connection{
			connWith("acc", "Engineering Manager", "Acme", -9),
			connWith("half", "Head of Sales", "Half Co", -9), // headline known: only the company fills
			connWith("keep", "Other", "Other Co", -9),
			connWith("plain", "", "", -9), // nothing to give
			{Person: unvite.Person{Name: "Kim Lee", Slug: "kim-lee", Headline: "Recruiter", Company: "Byname"}, ConnectedOn: day(-9)},
		},
		invs: []*unvite.Invitation{
			{Direction: unvite.Sent, Invitee: bare("acc"), SentAt: day(-30)},
			half, keep,
			{Direction: unvite.Sent, Invitee: bare("plain"), SentAt: day(-30)},
			{Direction: unvite.Sent, Invitee: bare("pend"), SentAt: day(-30)},
			{Direction: unvite.Sent, Invitee: unvite.Person{Name: "Kim Lee"}, SentAt: day(-30)}, // no profile: matched by name
		},
	})
	require.Equal(t, map[string]known{
		"acc":     {"Engineering Manager", "Acme"},
		"half":    {"Founder", "Half Co"},
		"keep":    {"Designer", "Keep Co"},
		"plain":   {},
		"pend":    {},
		"Kim Lee": {"Recruiter", "Byname"},
	}, invitees(t, s, a.ID))

	// Connections first, the invitations in a later import; then a
	// Connections.csv without the columns erases nothing.
	b := newAccount(t, s, "later")
	doImport(t, s, b.ID, unvite.ImportMeta{File: "Connections.csv"}, importRows{conns: []unvite.Connection{connWith("acc", "CTO", "Acme", -9)}})
	doImport(t, s, b.ID, unvite.ImportMeta{File: "Invitations.csv"}, importRows{invs: []*unvite.Invitation{
		{Direction: unvite.Sent, Invitee: bare("acc"), SentAt: day(-30)},
		{Direction: unvite.Sent, Invitee: bare("acc"), SentAt: day(-90)}, // an earlier invitation to the same person
	}})
	doImport(t, s, b.ID, unvite.ImportMeta{File: "Connections.csv"}, importRows{conns: []unvite.Connection{connWith("acc", "", "", -9)}})
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: b.ID, Direction: unvite.Sent})
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, inv := range list {
		require.Equal(t, known{"CTO", "Acme"}, known{inv.Invitee.Headline, inv.Invitee.Company})
	}
	conns, err := s.Connections(ctx, b.ID)
	require.NoError(t, err)
	require.Equal(t, "CTO", conns[0].Person.Headline)
	require.Equal(t, "Acme", conns[0].Person.Company)
}

// A sync whose connections listing carries a headline fills the accepted
// invitee's empty one, and keeps a known one.
func testSyncFillsInvitees(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "export.zip", AsOf: day(-5)}, importRows{invs: []*unvite.Invitation{
		{Direction: unvite.Sent, Invitee: bare("exp"), SentAt: day(-30)},
	}})
	listed := synced("101", "listed", -20, false)
	listed.Invitee.Headline, listed.Invitee.Company = "Sales at Listed", ""
	exp := synced("102", "exp", -30, true)
	exp.Invitee = bare("exp") // listed without a headline
	_, err := s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(-2), Complete: true,
		Pending: []unvite.SyncedInvitation{listed, exp}})
	require.NoError(t, err)
	before := invitees(t, s, a.ID)
	require.Equal(t, known{"Sales at Listed", ""}, before["listed"])

	sum, err := s.ApplySync(ctx, a.ID, unvite.SyncSnapshot{At: day(0), Complete: true, Connections: []unvite.Connection{
		connWith("exp", "CTO at Acme", "", -1),
		connWith("listed", "VP Sales at Listed", "", -1),
	}})
	require.NoError(t, err)
	require.Equal(t, 2, sum.Accepted)
	require.Equal(t, map[string]known{
		"exp":    {"CTO at Acme", ""},
		"listed": {"Sales at Listed", ""},
	}, invitees(t, s, a.ID))
}
