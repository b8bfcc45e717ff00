package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

func conn(slug string, on int) unvite.Connection {
	return unvite.Connection{Person: person(slug), ConnectedOn: day(on)}
}

func testImportStatuses(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	sum := doImport(t, s, a.ID, unvite.ImportMeta{File: "export.zip", Snapshot: true, AsOf: day(0)}, importRows{
		conns: []unvite.Connection{
			conn("acc", -9),     // connected after sending: accepted
			conn("before", -50), // connected before this invitation was sent: not its acceptance
			conn("re", -1),      // re-invited: the connection belongs to the latest invitation
		},
		invs: []*unvite.Invitation{
			sent("acc", day(-10), "hi"),
			sent("before", day(-20), ""),
			sent("pend", day(-100), ""),
			sent("re", day(-5), "second try"),
			sent("re", day(-60), ""),
			{Direction: unvite.Received, Invitee: person("inbound"), SentAt: day(-3)},
		},
	})
	require.Equal(t, unvite.ImportSummary{Rows: 6, Added: 6, Connections: 3, Accepted: 2, Superseded: 1, AsOf: day(0)}, sum)
	require.Equal(t, map[unvite.Status]int{unvite.StatusAccepted: 2, unvite.StatusPending: 2, unvite.StatusWithdrawn: 1}, statusCounts(t, s, a.ID))

	m := bySlug(t, s, a.ID)
	require.Equal(t, unvite.StatusAccepted, m["acc"].Status)
	require.True(t, m["acc"].StatusSince.Equal(day(-9)), "accepted since the connection date")
	require.True(t, m["acc"].HadNote)
	require.Equal(t, "hi", m["acc"].Note)
	require.Equal(t, unvite.StatusPending, m["before"].Status)
	require.Equal(t, unvite.SourceExport, m["pend"].Source)

	all, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Search: "person re", Sort: "sent"})
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, unvite.StatusWithdrawn, all[0].Status, "the earlier invitation was superseded")
	require.True(t, all[0].StatusSince.Equal(day(-5)))
	require.Equal(t, unvite.StatusAccepted, all[1].Status)

	ev, err := s.Events(ctx, unvite.EventFilter{InvitationID: m["acc"].ID})
	require.NoError(t, err)
	require.Len(t, ev, 1)
	require.Equal(t, unvite.StatusPending, ev[0].From)
	require.Equal(t, unvite.StatusAccepted, ev[0].To)
	require.Equal(t, "import:export.zip", ev[0].Actor)
	require.Contains(t, ev[0].Reason, "connected on")

	recv, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Direction: unvite.Received})
	require.NoError(t, err)
	require.Len(t, recv, 1)

	conns, err := s.Connections(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, conns, 3)
}

func exportOne() importRows {
	return importRows{
		conns: []unvite.Connection{conn("acc", -30)},
		invs: []*unvite.Invitation{
			sent("acc", day(-31), ""), sent("p1", day(-40), "note"), sent("p2", day(-50), ""), sent("p3", day(-60), ""),
		},
	}
}

func testImportIdempotent(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	meta := unvite.ImportMeta{File: "e.zip", Snapshot: true, AsOf: day(-20)}
	doImport(t, s, a.ID, meta, exportOne())
	before, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	evBefore, err := s.Events(ctx, unvite.EventFilter{AccountID: a.ID})
	require.NoError(t, err)

	sum := doImport(t, s, a.ID, meta, exportOne())
	require.Equal(t, unvite.ImportSummary{Rows: 4, Unchanged: 4, Connections: 1, AsOf: meta.AsOf}, sum)
	after, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Equal(t, before, after, "re-importing the same export changes nothing")
	evAfter, err := s.Events(ctx, unvite.EventFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Equal(t, evBefore, evAfter)
}

func testImportNewerExport(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "old.zip", Snapshot: true, AsOf: day(-20)}, exportOne())
	// p1 vanished and is a connection now; p2 vanished otherwise; p3 still pending; p4 new.
	newer := importRows{
		conns: []unvite.Connection{conn("acc", -30), conn("p1", -10)},
		invs:  []*unvite.Invitation{sent("p4", day(-5), ""), sent("acc", day(-31), ""), sent("p3", day(-60), "")},
	}
	sum := doImport(t, s, a.ID, unvite.ImportMeta{File: "new.zip", Snapshot: true, AsOf: day(0)}, newer)
	require.Equal(t, 1, sum.Added)
	require.Equal(t, 1, sum.Accepted)
	require.Equal(t, 1, sum.Gone)
	m := bySlug(t, s, a.ID)
	require.Equal(t, unvite.StatusAccepted, m["p1"].Status)
	require.Equal(t, unvite.StatusGone, m["p2"].Status)
	require.True(t, m["p2"].StatusSince.Equal(day(0)))
	require.Equal(t, unvite.StatusPending, m["p3"].Status)
	require.Equal(t, unvite.StatusPending, m["p4"].Status)
	require.Equal(t, "note", m["p1"].Note, "details a newer file lacks are kept")

	// The old export again: nothing moves backward.
	doImport(t, s, a.ID, unvite.ImportMeta{File: "old.zip", Snapshot: true, AsOf: day(-20)}, exportOne())
	m = bySlug(t, s, a.ID)
	require.Equal(t, unvite.StatusAccepted, m["p1"].Status)
	require.Equal(t, unvite.StatusGone, m["p2"].Status)
	require.Equal(t, unvite.StatusPending, m["p4"].Status, "an older export does not judge later invitations")
}

func testImportAtomic(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, exportOne())
	before, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)

	b, err := s.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "bad.zip", Snapshot: true, AsOf: day(0)})
	require.NoError(t, err)
	require.NoError(t, b.PutConnection(ctx, conn("p1", -1)))
	require.NoError(t, b.PutInvitation(ctx, sent("new", day(-2), "")))
	// The importer hit a bad line: it rolls back.
	require.NoError(t, b.Rollback())
	require.NoError(t, b.Rollback(), "rollback twice is harmless")

	after, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Equal(t, before, after)
	conns, err := s.Connections(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, conns, 1)

	// A row the store itself refuses leaves things as they were too.
	b, err = s.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "bad2.csv"})
	require.NoError(t, err)
	require.Error(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: "sideways", Invitee: person("x"), SentAt: day(-1)}))
	require.Error(t, b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Invitee: person("x")}))
	require.NoError(t, b.Rollback())
	after, _ = s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.Equal(t, before, after)

	_, err = s.BeginImport(ctx, 999, unvite.ImportMeta{File: "x"})
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))
}

func testImportTracked(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, exportOne())
	sum := doImport(t, s, a.ID, unvite.ImportMeta{File: "sheet.csv"}, importRows{sheet: []unvite.TrackedRow{
		{Line: 2, Person: person("p1"), SentOn: day(-40), HadNote: true, FollowUpOn: day(3), Comment: "met at conf"},
		{Line: 3, Person: person("solo"), SentOn: day(-8), Status: unvite.StatusPending, Comment: "not in export"},
		// No profile URL in the sheet: matched by name (white space and case aside) and day.
		{Line: 4, Person: unvite.Person{Name: "  person   P2 "}, SentOn: day(-50), Comment: "by name"},
	}})
	require.Equal(t, 2, sum.Matched)
	require.Equal(t, 1, sum.Unmatched)
	m := bySlug(t, s, a.ID)
	require.Equal(t, "met at conf", m["p1"].Comment)
	require.True(t, m["p1"].FollowUpOn.Equal(day(3)))
	require.Equal(t, unvite.SourceExport, m["p1"].Source)
	require.Equal(t, unvite.SourceSheet, m["solo"].Source)
	require.Equal(t, unvite.StatusPending, m["solo"].Status)
	require.Equal(t, "by name", m["p2"].Comment)
	require.Len(t, m, 5)
}

// Repeated rows in one file, and rows an earlier import stored, fold into
// one invitation each, as row-by-row upserts would: the earliest row keeps
// its id and status, the latest name and the latest non-empty details win.
// A store that loads large files another way must give the same.
func testImportDuplicates(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "dups")
	at := day(-30)
	doImport(t, s, a.ID, unvite.ImportMeta{File: "old.csv"}, importRows{invs: []*unvite.Invitation{
		{Direction: unvite.Sent, Invitee: unvite.Person{Name: "Old Name", Slug: "q0", Headline: "Old role"}, SentAt: at},
	}})
	old := bySlug(t, s, a.ID)["q0"]
	_, err := s.Transition(ctx, old.ID, unvite.StatusAccepted, unvite.Change{At: day(-1), Reason: "test"})
	require.NoError(t, err)

	const n = 2500
	var rows []*unvite.Invitation
	for i := range n {
		slug := fmt.Sprintf("p%d", i%(n-3)) // the last three repeat the first three
		inv := &unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: "P " + slug, Slug: slug}, SentAt: at}
		switch i {
		case 0:
			inv.Invitee.Company, inv.Note = "First Co", "first note"
		case n - 3:
			inv.Invitee.Name, inv.Invitee.Company = "Renamed", "" // a later row without company keeps it
		case 1:
			inv.HadNote = true
		}
		rows = append(rows, inv)
	}
	// The invitation stored before, listed twice more: once as it was, once with a new name.
	rows = append(rows,
		&unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: "Old Name", Slug: "q0"}, SentAt: at},
		&unvite.Invitation{Direction: unvite.Sent, Invitee: unvite.Person{Name: "New Name", Slug: "q0", Company: "Q Co"}, SentAt: at})
	sum := doImport(t, s, a.ID, unvite.ImportMeta{File: "dups.csv"}, importRows{invs: rows})
	require.Equal(t, unvite.ImportSummary{Rows: n + 2, Added: n - 3, Unchanged: 5, AsOf: at}, sum,
		"no date in the meta: the day of the newest row")

	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Len(t, list, n-3+1)
	slices.SortFunc(list, func(x, y *unvite.Invitation) int { return cmp.Compare(x.ID, y.ID) })
	require.Equal(t, []string{"q0", "p0", "p1", "p2"}, []string{list[0].Invitee.Slug, list[1].Invitee.Slug, list[2].Invitee.Slug, list[3].Invitee.Slug}, "ids follow file order")
	q := list[0]
	require.Equal(t, old.ID, q.ID)
	require.Equal(t, unvite.StatusAccepted, q.Status, "the stored status stays")
	require.Equal(t, "New Name", q.Invitee.Name)
	require.Equal(t, "Old role", q.Invitee.Headline, "not blanked by rows without one")
	require.Equal(t, "Q Co", q.Invitee.Company)
	require.Equal(t, "Renamed", list[1].Invitee.Name)
	require.Equal(t, "First Co", list[1].Invitee.Company)
	require.Equal(t, "first note", list[1].Note)
	require.True(t, list[2].HadNote)
	require.False(t, list[3].HadNote)

	// Once more: nothing changes.
	again := doImport(t, s, a.ID, unvite.ImportMeta{File: "dups.csv"}, importRows{invs: rows})
	require.Equal(t, 0, again.Added)
	after, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	slices.SortFunc(after, func(x, y *unvite.Invitation) int { return cmp.Compare(x.ID, y.ID) })
	require.Equal(t, list, after)
}
