package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// testPages pages through listings as the dashboard does, with each filter
// and sort it offers: the pages put together are the whole listing, in its
// order and with its tags, and the count is its length. A store reads a
// page and counts by other ways than a whole listing (indexes, ids first).
func testPages(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	other := newAccount(t, s, "other")
	firsts := []string{"amy", "Bob", "chen", "Dana", "amy"} // "amy" twice: ties go by id
	companies := []string{"Northwind", "acme", "Globex", "northwind labs"}
	var rows importRows
	for i := range 40 {
		inv := sent(fmt.Sprintf("p%02d", i), day(-3*i-1), "")
		inv.Invitee.Name = firsts[i%len(firsts)] + " " + []string{"Smith", "Jones"}[i%2]
		inv.Invitee.Company = companies[i%len(companies)]
		inv.Invitee.Headline = "Engineer at " + inv.Invitee.Company
		if i%3 == 0 {
			inv.Note, inv.HadNote = fmt.Sprintf("Hello %d, met at the fair", i), true
		}
		if i%10 == 7 {
			inv.SentAt = day(-3*(i-1) - 1) // the same time as another: ties go by id
		}
		rows.invs = append(rows.invs, inv)
	}
	doImport(t, s, a.ID, unvite.ImportMeta{File: "e"}, rows)
	// A few for another account: the first one's are most of the table, as
	// a store may treat a search of most of it differently.
	doImport(t, s, other.ID, unvite.ImportMeta{File: "e"}, importRows{invs: rows.invs[:5]})
	all, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	require.Len(t, all, 40)
	var tagged []int64
	for i, inv := range all {
		switch {
		case i%4 == 1:
			_, err = s.Transition(ctx, inv.ID, unvite.StatusWithdrawn, unvite.Change{At: day(0), Actor: "user"})
		case i%5 == 2:
			_, err = s.Transition(ctx, inv.ID, unvite.StatusAccepted, unvite.Change{At: day(0), Actor: "sync"})
		}
		require.NoError(t, err)
		if i%3 == 1 {
			tagged = append(tagged, inv.ID)
		}
	}
	require.NoError(t, s.Tag(ctx, tagged, []string{"recruiter"}, false, unvite.Change{Actor: "user"}))
	require.NoError(t, s.Tag(ctx, tagged[:3], []string{"vip"}, false, unvite.Change{Actor: "user"}))

	yes, no := true, false
	filters := map[string]unvite.InvitationFilter{
		"all":             {},
		"pending":         {Statuses: []unvite.Status{unvite.StatusPending}},
		"two statuses":    {Statuses: []unvite.Status{unvite.StatusPending, unvite.StatusAccepted}},
		"age":             {SentAfter: day(-60), SentBefore: day(-30)},
		"pending and age": {Statuses: []unvite.Status{unvite.StatusPending}, SentBefore: day(-45)},
		"note":            {HasNote: &yes, Statuses: []unvite.Status{unvite.StatusPending}},
		"no note":         {HasNote: &no},
		"tag":             {Tag: "recruiter"},
		"tag and status":  {Tag: "vip", Statuses: []unvite.Status{unvite.StatusPending}},
		"search":          {Search: "NORTHWIND"},
		"search note":     {Search: "the fair", Statuses: []unvite.Status{unvite.StatusPending}},
		"search and tag":  {Search: "amy", Tag: "recruiter"},
		"nothing":         {Search: "nobody"},
	}
	for name, f := range filters {
		f.AccountID, f.Direction = a.ID, unvite.Sent
		for _, sort := range []string{"sent", "-sent", "name", "-name", "company", "-company", "status"} {
			f.Sort, f.Limit, f.Offset = sort, 0, 0
			whole, err := s.Invitations(ctx, f)
			require.NoError(t, err)
			n, err := s.CountInvitations(ctx, f)
			require.NoError(t, err)
			require.Equal(t, len(whole), n, "%s: count", name)
			if name != "nothing" {
				require.NotEmpty(t, whole, "%s: a filter that selects nothing tests little", name)
			}
			var paged []*unvite.Invitation
			for f.Limit = 7; ; f.Offset += f.Limit {
				page, err := s.Invitations(ctx, f)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), f.Limit)
				paged = append(paged, page...)
				if len(page) < f.Limit {
					break
				}
			}
			require.Equal(t, summary(whole), summary(paged), "%s sorted by %s: pages", name, sort)
		}
	}
	n, err := s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: other.ID, Tag: "recruiter"})
	require.NoError(t, err)
	require.Zero(t, n, "another account's invitations have no tags")
}

// summary is what a listing shows of its rows.
func summary(list []*unvite.Invitation) []string {
	var out []string
	for _, inv := range list {
		out = append(out, fmt.Sprintf("%d %s %s %s %v %v", inv.ID, inv.Invitee.Name, inv.Status, inv.SentAt, inv.HadNote, inv.Tags))
	}
	return out
}
