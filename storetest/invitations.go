package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

func testTransitions(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e.zip"}, exportOne())
	m := bySlug(t, s, a.ID)

	inv, err := s.Transition(ctx, m["p1"].ID, unvite.StatusWithdrawing, unvite.Change{At: day(0), Actor: "policy:max-age", Reason: "old"})
	require.NoError(t, err)
	require.Equal(t, unvite.StatusWithdrawing, inv.Status)
	inv, err = s.Transition(ctx, m["p1"].ID, unvite.StatusWithdrawn, unvite.Change{At: day(0), Actor: "policy:max-age", Reason: "withdrawn on LinkedIn", CoolDown: unvite.DefaultCoolDown})
	require.NoError(t, err)
	require.Equal(t, unvite.StatusWithdrawn, inv.Status)
	require.True(t, inv.StatusSince.Equal(day(0)))
	require.True(t, inv.ReinviteAfter.Equal(day(21)), "cool-down of 21 days")

	_, err = s.Transition(ctx, m["acc"].ID, unvite.StatusWithdrawing, unvite.Change{At: day(0), Actor: "user"})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), "an accepted invitation cannot be withdrawn")
	_, err = s.Transition(ctx, m["p1"].ID, unvite.StatusPending, unvite.Change{At: day(0)})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	_, err = s.Transition(ctx, 12345, unvite.StatusGone, unvite.Change{})
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err))

	ev, err := s.Events(ctx, unvite.EventFilter{InvitationID: m["p1"].ID})
	require.NoError(t, err)
	require.Len(t, ev, 2)
	require.Equal(t, unvite.StatusWithdrawing, ev[0].From, "newest first")
	require.Equal(t, unvite.StatusWithdrawn, ev[0].To)
	require.Equal(t, "policy:max-age", ev[0].Actor)
	require.Equal(t, "withdrawn on LinkedIn", ev[0].Reason)
	require.Equal(t, m["p1"].Invitee.Name, ev[0].Person)
	require.NotEmpty(t, ev[0].Person)

	// reconnect: cool-down over by day 21, not by day 20.
	due, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Statuses: []unvite.Status{unvite.StatusWithdrawn}, ReinviteBy: day(21)})
	require.NoError(t, err)
	require.Len(t, due, 1)
	due, err = s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Statuses: []unvite.Status{unvite.StatusWithdrawn}, ReinviteBy: day(20)})
	require.NoError(t, err)
	require.Empty(t, due)
}

func testFilterAndSort(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	other := newAccount(t, s, "other")
	rows := importRows{invs: []*unvite.Invitation{
		sent("zed", day(-100), "Loved your talk on 50% faster builds"),
		sent("amy", day(-10), ""),
		sent("bob", day(-61), ""),
	}}
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e"}, rows)
	doImport(t, s, other.ID, unvite.ImportMeta{File: "e"}, rows)

	names := func(f unvite.InvitationFilter) []string {
		t.Helper()
		f.AccountID = a.ID
		list, err := s.Invitations(ctx, f)
		require.NoError(t, err)
		var out []string
		for _, inv := range list {
			out = append(out, inv.Invitee.Slug)
		}
		return out
	}
	require.Equal(t, []string{"zed", "bob", "amy"}, names(unvite.InvitationFilter{}))
	require.Equal(t, []string{"amy", "bob", "zed"}, names(unvite.InvitationFilter{Sort: "-sent"}))
	require.Equal(t, []string{"amy", "bob", "zed"}, names(unvite.InvitationFilter{Sort: "name"}))
	require.Equal(t, []string{"zed", "bob"}, names(unvite.InvitationFilter{SentBefore: day(-60)}))
	require.Equal(t, []string{"amy"}, names(unvite.InvitationFilter{SentAfter: day(-60)}))
	require.Equal(t, []string{"zed"}, names(unvite.InvitationFilter{Search: "50%"}))
	require.Empty(t, names(unvite.InvitationFilter{Search: "5_%"}), "LIKE wildcards in a search are literal")
	require.Equal(t, []string{"bob"}, names(unvite.InvitationFilter{Search: "CO BOB"}))
	yes, no := true, false
	require.Equal(t, []string{"zed"}, names(unvite.InvitationFilter{HasNote: &yes}))
	require.Equal(t, []string{"bob", "amy"}, names(unvite.InvitationFilter{HasNote: &no}))
	require.Equal(t, []string{"bob"}, names(unvite.InvitationFilter{Sort: "name", Limit: 1, Offset: 1}))
	_, err := s.Invitations(ctx, unvite.InvitationFilter{Sort: "bogus"})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	n, err := s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, 3, n, "count ignores limit")
	n, _ = s.CountInvitations(ctx, unvite.InvitationFilter{})
	require.Equal(t, 6, n)

	// Brief rows carry what a plan needs, the same as full rows.
	full, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.NoError(t, s.Tag(ctx, []int64{full[0].ID}, []string{"vip"}, false, unvite.Change{Actor: "user"}))
	require.NoError(t, s.SetProtected(ctx, []int64{full[1].ID}, true, unvite.Change{Actor: "user"}))
	full, _ = s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	brief, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Brief: true})
	require.NoError(t, err)
	require.Len(t, brief, len(full))
	for i, b := range brief {
		f := full[i]
		require.Equal(t, []any{f.ID, f.AccountID, f.Direction, f.Invitee.Name, f.Invitee.Slug, f.SentAt, f.HadNote, f.Status, f.Protected, f.Tags},
			[]any{b.ID, b.AccountID, b.Direction, b.Invitee.Name, b.Invitee.Slug, b.SentAt, b.HadNote, b.Status, b.Protected, b.Tags})
	}
}

func testTagsAndProtection(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e"}, exportOne())
	m := bySlug(t, s, a.ID)
	ids := []int64{m["p1"].ID, m["p2"].ID}
	require.NoError(t, s.Tag(ctx, ids, []string{"vip", "conf-2026"}, false, unvite.Change{Actor: "user"}))
	require.NoError(t, s.Tag(ctx, ids, []string{"vip"}, false, unvite.Change{Actor: "user"}), "tagging twice is harmless")
	m = bySlug(t, s, a.ID)
	require.Equal(t, []string{"conf-2026", "vip"}, m["p1"].Tags)
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Tag: "vip"})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.NoError(t, s.Tag(ctx, ids[:1], []string{"vip"}, true, unvite.Change{Actor: "user"}))
	m = bySlug(t, s, a.ID)
	require.Equal(t, []string{"conf-2026"}, m["p1"].Tags)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(s.Tag(ctx, ids, []string{"a,b"}, false, unvite.Change{})))
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(s.Tag(ctx, []int64{999}, []string{"x"}, false, unvite.Change{})))

	require.NoError(t, s.SetProtected(ctx, ids[1:], true, unvite.Change{Actor: "user", Reason: "keep"}))
	yes := true
	list, err = s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Protected: &yes})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "p2", list[0].Invitee.Slug)
	ev, err := s.Events(ctx, unvite.EventFilter{InvitationID: m["p2"].ID})
	require.NoError(t, err)
	var types []string
	for _, e := range ev {
		types = append(types, e.Type)
	}
	require.Equal(t, []string{"protect", "tag", "tag"}, types)
}

// A brief listing (what a plan reads) holds the same invitations in the same
// order as a full one, whatever share of the store the account is.
func testBriefListing(t *testing.T, s unvite.Store) {
	big, small := newAccount(t, s, "big"), newAccount(t, s, "small")
	load := func(a *unvite.Account, n int) {
		var rows importRows
		for i := range n {
			// Every third pair shares a sent time: ties go by id.
			inv := sent(fmt.Sprintf("p%03d", i), day(-1-i/2), "")
			if i%5 == 0 {
				inv.Direction = unvite.Received
			}
			rows.invs = append(rows.invs, inv)
			if i%7 == 0 {
				rows.conns = append(rows.conns, unvite.Connection{Person: inv.Invitee, ConnectedOn: day(0)})
			}
		}
		doImport(t, s, a.ID, unvite.ImportMeta{File: "e"}, rows)
	}
	load(big, 400)
	load(small, 30)
	for _, a := range []*unvite.Account{big, small} {
		list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Direction: unvite.Sent})
		require.NoError(t, err)
		require.NoError(t, s.Tag(ctx, []int64{list[0].ID, list[3].ID}, []string{"vip"}, false, unvite.Change{Reason: "test"}))
		require.NoError(t, s.SetProtected(ctx, []int64{list[1].ID}, true, unvite.Change{Reason: "test"}))

		f := unvite.InvitationFilter{AccountID: a.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}}
		full, err := s.Invitations(ctx, f)
		require.NoError(t, err)
		require.NotEmpty(t, full)
		f.Brief = true
		brief, err := s.Invitations(ctx, f)
		require.NoError(t, err)
		type row struct {
			ID              int64
			Name, Slug      string
			Sent            time.Time
			Protected, Note bool
			Tags            []string
			Status          unvite.Status
		}
		view := func(list []*unvite.Invitation) []row {
			var out []row
			for _, inv := range list {
				out = append(out, row{inv.ID, inv.Invitee.Name, inv.Invitee.Slug, inv.SentAt, inv.Protected, inv.HadNote, inv.Tags, inv.Status})
			}
			return out
		}
		require.Equal(t, view(full), view(brief), "account %s", a.Slug)
	}
}

// An unordered listing of outcome rows (what analytics read) holds the
// same invitations as a full listing, with the fields analytics use, for
// an account that is most of the store or a small part of it; an error
// from the callback stops it and comes back.
func testOutcomeListing(t *testing.T, s unvite.Store) {
	big, small := newAccount(t, s, "big"), newAccount(t, s, "small")
	load := func(a *unvite.Account, n int) {
		var rows importRows
		for i := range n {
			// Notes of every length band, in letters of one to three
			// bytes; companies with digits, colons and letters of
			// several bytes, or none.
			inv := sent(fmt.Sprintf("p%04d", i), day(-1-i/3), strings.Repeat([]string{"n", "é", "€"}[i%3], i%4*70))
			inv.HadNote = inv.Note != "" || i%5 == 0
			inv.Invitee.Company, inv.Invitee.Headline = fmt.Sprintf("Co %d: Zürich", i%9), fmt.Sprintf("Role %d at Co %d", i%5, i%9)
			if i%7 == 0 {
				inv.Invitee.Company = ""
			}
			if i%11 == 0 {
				inv.Invitee.Headline = ""
			}
			if i%6 == 0 {
				inv.Direction = unvite.Received
			}
			rows.invs = append(rows.invs, inv)
			if i%4 == 0 {
				rows.conns = append(rows.conns, unvite.Connection{Person: inv.Invitee, ConnectedOn: day(-i / 3)})
			}
		}
		doImport(t, s, a.ID, unvite.ImportMeta{File: "e"}, rows)
	}
	load(big, 3000)
	load(small, 40)
	for _, a := range []*unvite.Account{big, small} {
		list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Direction: unvite.Sent})
		require.NoError(t, err)
		require.NoError(t, s.Tag(ctx, []int64{list[0].ID, list[5].ID}, []string{"vip"}, false, unvite.Change{Reason: "test"}))
		require.NoError(t, s.SetProtected(ctx, []int64{list[1].ID}, true, unvite.Change{Reason: "test"}))
		_, err = s.Transition(ctx, list[2].ID, unvite.StatusWithdrawn, unvite.Change{At: day(0), Reason: "test"})
		require.NoError(t, err)

		f := unvite.InvitationFilter{AccountID: a.ID, Direction: unvite.Sent}
		full := outcomeView(t, s, f)
		f.Outcomes, f.Unordered, f.Sort = true, true, "-name"
		require.Equal(t, full, outcomeView(t, s, f), "account %s", a.Slug)
		for _, n := range []int{0, 70, 140, 210} {
			require.True(t, slices.ContainsFunc(full, func(r outcomeRow) bool { return r.NoteChars == n }), "a note of %d letters", n)
		}
		accepted := slices.IndexFunc(full, func(r outcomeRow) bool { return r.Status == unvite.StatusAccepted })
		require.GreaterOrEqual(t, accepted, 0, "some accepted")
		require.False(t, full[accepted].Since.IsZero(), "with a time")

		stop := errors.New("enough")
		seen := 0
		err = s.EachInvitation(ctx, f, func(*unvite.Invitation) error {
			if seen++; seen == 7 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop)
		require.Equal(t, 7, seen, "nothing after the error")
	}
	// Every account's at once: the account is read.
	f := unvite.InvitationFilter{Direction: unvite.Sent}
	full := outcomeView(t, s, f)
	f.Outcomes, f.Unordered = true, true
	require.Equal(t, full, outcomeView(t, s, f), "all accounts")
}

// outcomeRow is what analytics read of an invitation.
type outcomeRow struct {
	ID, Account        int64
	Sent, Since        time.Time
	NoteChars          int
	HadNote, Prot, Has bool
	Status             unvite.Status
	Company, Headline  string
	Tags               []string
}

// outcomeView lists the analytics fields of what f selects, by id.
func outcomeView(t *testing.T, s unvite.Store, f unvite.InvitationFilter) []outcomeRow {
	t.Helper()
	var out []outcomeRow
	require.NoError(t, s.EachInvitation(ctx, f, func(inv *unvite.Invitation) error {
		out = append(out, outcomeRow{inv.ID, inv.AccountID, inv.SentAt, inv.StatusSince, inv.NoteChars(), inv.HadNote,
			inv.Protected, inv.HasNote(), inv.Status, inv.Invitee.Company, inv.Invitee.Headline, inv.Tags})
		return nil
	}))
	slices.SortFunc(out, func(a, b outcomeRow) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// As of a day, a listing holds what existed that day: invitations sent
// during it, not those sent later. Every way to read invitations agrees.
func testAsOf(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e"}, importRows{invs: []*unvite.Invitation{
		sent("old", day(-5).Add(10*time.Hour), ""),
		sent("morning", day(0).Add(time.Second), ""),
		sent("night", day(1).Add(-time.Second), ""),
		sent("next", day(1), ""),
		sent("later", day(3), ""),
	}})
	f := unvite.InvitationFilter{AccountID: a.ID}
	f.SentBy(day(0).Add(9 * time.Hour)) // any time of the day: the whole day
	list, err := s.Invitations(ctx, f)
	require.NoError(t, err)
	var slugs []string
	for _, inv := range list {
		slugs = append(slugs, inv.Invitee.Slug)
	}
	require.Equal(t, []string{"old", "morning", "night"}, slugs)
	n, err := s.CountInvitations(ctx, f)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	streamed := 0
	require.NoError(t, s.EachInvitation(ctx, f, func(*unvite.Invitation) error { streamed++; return nil }))
	require.Equal(t, 3, streamed)

	// An earlier bound already set is kept.
	f = unvite.InvitationFilter{AccountID: a.ID, SentBefore: day(-1)}
	f.SentBy(day(0))
	n, err = s.CountInvitations(ctx, f)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// The audit log is newest first by time; events of the same second come
// by invitation, then event id, descending, so every store gives the same
// order however it numbered the events of one import.
func testEventOrder(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e"}, importRows{invs: []*unvite.Invitation{
		sent("x", day(-30), ""), sent("y", day(-20), ""), sent("z", day(-10), ""),
	}})
	inv := bySlug(t, s, a.ID)
	x, y, z := inv["x"].ID, inv["y"].ID, inv["z"].ID
	require.True(t, x < y && y < z)
	ch := unvite.Change{Actor: "test"}
	for _, id := range []int64{x, z, y} { // not in invitation order
		_, err := s.Transition(ctx, id, unvite.StatusWithdrawn, ch)
		require.NoError(t, err)
	}
	require.NoError(t, s.Tag(ctx, []int64{z}, []string{"later"}, false, ch))

	events, err := s.Events(ctx, unvite.EventFilter{AccountID: a.ID})
	require.NoError(t, err)
	var got []*unvite.Event
	for _, e := range events {
		if e.Actor == "test" {
			got = append(got, e)
		}
	}
	require.Len(t, got, 4)
	for i := 1; i < len(got); i++ {
		p, e := got[i-1], got[i]
		require.True(t, p.At.After(e.At) || p.At.Equal(e.At) && (p.InvitationID > e.InvitationID ||
			p.InvitationID == e.InvitationID && p.ID > e.ID), "event %d (%v, #%d) before event %d (%v, #%d)",
			p.ID, p.At, p.InvitationID, e.ID, e.At, e.InvitationID)
	}
	if got[0].At.Equal(got[3].At) { // recorded within one second, as almost always
		require.Equal(t, []int64{z, z, y, x}, []int64{got[0].InvitationID, got[1].InvitationID, got[2].InvitationID, got[3].InvitationID})
		require.Equal(t, "tag", got[0].Type)
	}
	first, err := s.Events(ctx, unvite.EventFilter{AccountID: a.ID, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, events[0].ID, first[0].ID, "the limit applies after ordering")
}
