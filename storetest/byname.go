package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

func named(name string) unvite.Person { return unvite.Person{Name: name} }

// Invitations without profile URLs and connections with them (an old
// Invitations.csv beside a new Connections.csv), or the reverse, match by
// name and date; a name that belongs to two profiles never matches.
func testImportMatchesByName(t *testing.T, s unvite.Store) {
	// Invitations without URLs, connections with them.
	a := newAccount(t, s, "old-invitations")
	kim1 := unvite.Connection{Person: unvite.Person{Name: "Daniel Kim", Slug: "daniel-kim-1"}, ConnectedOn: day(-5)}
	kim2 := unvite.Connection{Person: unvite.Person{Name: "Daniel  KIM", Slug: "daniel-kim-2"}, ConnectedOn: day(-5)}
	sum := doImport(t, s, a.ID, unvite.ImportMeta{File: "mixed.zip", Snapshot: true, AsOf: day(0)}, importRows{
		conns: []unvite.Connection{conn("acc", -9), conn("early", -50), kim1, kim2},
		invs: []*unvite.Invitation{
			{Direction: unvite.Sent, Invitee: named("person ACC"), SentAt: day(-10)},
			{Direction: unvite.Sent, Invitee: named("Person early"), SentAt: day(-20)}, // connected before: not this one
			{Direction: unvite.Sent, Invitee: named("Daniel Kim"), SentAt: day(-10)},   // two profiles of that name
			{Direction: unvite.Sent, Invitee: named("Person none"), SentAt: day(-10)},
		},
	})
	require.Equal(t, 1, sum.Accepted)
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Sort: "name"})
	require.NoError(t, err)
	got := map[string]unvite.Status{}
	for _, inv := range list {
		got[inv.Invitee.Name] = inv.Status
	}
	require.Equal(t, map[string]unvite.Status{"person ACC": unvite.StatusAccepted, "Person early": unvite.StatusPending,
		"Daniel Kim": unvite.StatusPending, "Person none": unvite.StatusPending}, got)
	var acc *unvite.Invitation
	for _, inv := range list {
		if inv.Status == unvite.StatusAccepted {
			acc = inv
		}
	}
	require.True(t, acc.StatusSince.Equal(day(-9)))
	ev, err := s.Events(ctx, unvite.EventFilter{InvitationID: acc.ID})
	require.NoError(t, err)
	require.Len(t, ev, 1)
	require.Contains(t, ev[0].Reason, "matched by name")

	// The reverse: invitations with URLs, connections without (2018, 2022).
	b := newAccount(t, s, "old-connections")
	sum = doImport(t, s, b.ID, unvite.ImportMeta{File: "mixed2.zip"}, importRows{
		conns: []unvite.Connection{
			{Person: named("Person x"), ConnectedOn: day(-3)},
			{Person: named("Daniel Kim"), ConnectedOn: day(-3)},
		},
		invs: []*unvite.Invitation{
			sent("x", day(-4), ""), // named "Person x"
			{Direction: unvite.Sent, Invitee: unvite.Person{Name: "Daniel Kim", Slug: "daniel-kim-1"}, SentAt: day(-6)},
			{Direction: unvite.Sent, Invitee: unvite.Person{Name: "Daniel Kim", Slug: "daniel-kim-2"}, SentAt: day(-7)},
		},
	})
	require.Equal(t, 1, sum.Accepted)
	m := bySlug(t, s, b.ID)
	require.Equal(t, unvite.StatusAccepted, m["x"].Status)
	require.Equal(t, unvite.StatusPending, m["daniel-kim-1"].Status, "two people of that name: no match")
	require.Equal(t, unvite.StatusPending, m["daniel-kim-2"].Status)

	// Both sides with URLs: only the profile counts, never the name.
	c := newAccount(t, s, "urls")
	sum = doImport(t, s, c.ID, unvite.ImportMeta{File: "new.zip"}, importRows{
		conns: []unvite.Connection{{Person: unvite.Person{Name: "Person y", Slug: "someone-else"}, ConnectedOn: day(-1)}},
		invs:  []*unvite.Invitation{sent("y", day(-2), "")},
	})
	require.Zero(t, sum.Accepted)
}
