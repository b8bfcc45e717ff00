package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sqlite"
)

// seedList makes an account of n sent invitations of every status, some
// with notes, tags and shared sent times, for listings.
func seedList(t *testing.T, s *sqlite.DB, slug string, n int) *unvite.Account {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	a := &unvite.Account{Name: "Maya Lindqvist", Slug: slug}
	require.NoError(t, s.CreateAccount(ctx, a))
	b, err := s.BeginImport(ctx, a.ID, unvite.ImportMeta{File: "seed.zip", AsOf: now})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(3, 4))
	companies := []string{"Northwind", "acme", "Acme", "Globex", "northwind labs", "", "Ärla", "ärla", "Zeta"}
	for i := range n {
		// Names and companies that tell SQLite's NOCASE (ASCII letters
		// only) from other foldings, and ties.
		names := []string{"anna", "Anna", "ÅSA", "åsa", "Émile", "emile", "zoë", "Zoe", "_x", "[y", "a"}
		p := unvite.Person{Name: fmt.Sprintf("%s %c%c", names[r.IntN(len(names))], 'A'+r.IntN(3), 'a'+r.IntN(3)), Slug: fmt.Sprintf("p-%d", i),
			Company: companies[r.IntN(len(companies))], Headline: "Engineer"}
		inv := &unvite.Invitation{Direction: unvite.Sent, Invitee: p,
			SentAt: now.Add(-time.Duration(r.IntN(200)) * 24 * time.Hour).Add(-time.Duration(r.IntN(3)) * time.Hour)}
		if r.IntN(3) == 0 {
			inv.Note, inv.HadNote = "Hello from Northwind", true
		}
		require.NoError(t, b.PutInvitation(ctx, inv))
		if r.IntN(3) == 0 {
			require.NoError(t, b.PutConnection(ctx, unvite.Connection{Person: p, ConnectedOn: inv.SentAt.Add(time.Hour)}))
		}
	}
	_, err = b.Commit(ctx)
	require.NoError(t, err)
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	for i, inv := range list {
		if i%7 == 0 {
			require.NoError(t, s.Tag(ctx, []int64{inv.ID}, []string{"vip"}, false, unvite.Change{}))
		}
	}
	return a
}

// listFilters are the listings the dashboard asks for, with time bounds,
// offsets past the end and every sort.
func listFilters(acct int64) []unvite.InvitationFilter {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	yes, no := true, false
	var out []unvite.InvitationFilter
	for _, sort := range []string{"", "sent", "-sent", "name", "-name", "status", "company", "-company"} {
		for _, f := range []unvite.InvitationFilter{
			{},
			{Statuses: []unvite.Status{unvite.StatusPending}},
			{Statuses: []unvite.Status{unvite.StatusPending}, SentBefore: now.Add(-90 * 24 * time.Hour)},
			{Statuses: []unvite.Status{unvite.StatusPending}, SentAfter: now.Add(-60 * 24 * time.Hour), SentBefore: now.Add(-30 * 24 * time.Hour)},
			{SentAfter: now.Add(-59 * 24 * time.Hour)},
			{Search: "northwind"},
			{Search: "northwind", Statuses: []unvite.Status{unvite.StatusPending}, Offset: 10},
			{Tag: "vip"},
			{HasNote: &yes, Statuses: []unvite.Status{unvite.StatusAccepted}},
			{HasNote: &no, Offset: 40},
			{Offset: 1000},
		} {
			f.AccountID, f.Direction, f.Sort = acct, unvite.Sent, sort
			f.Limit = 25
			out = append(out, f)
		}
	}
	return out
}

// checkListings asks s for each listing three times (the cache keeps it
// on the second) and wants the pages and counts read without the cache.
func checkListings(t *testing.T, s *sqlite.DB, acct int64) {
	t.Helper()
	ctx := context.Background()
	for _, f := range listFilters(acct) {
		want, wantN, err := s.UncachedForTest(ctx, f)
		require.NoError(t, err)
		for range 3 {
			got, err := s.Invitations(ctx, f)
			require.NoError(t, err)
			require.Equal(t, want, got, "%+v", f)
			// What a caller does with its page is no other's business.
			for _, inv := range got {
				inv.Invitee.Name = "changed"
				if len(inv.Tags) > 0 {
					inv.Tags[0] = "changed"
				}
			}
			n, err := s.CountInvitations(ctx, f)
			require.NoError(t, err)
			require.Equal(t, wantN, n, "%+v", f)
		}
	}
}

// Listings read through the cache are those read without it, and a
// change committed by another handle on the file (another process, such as
// `unvite withdraw`) shows at once, as does one of the same handle.
func TestListCache(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	// acct's are under half the table's rows, other's over: listings are
	// read from an index, and in table order.
	acct := seedList(t, a, "maya", 400)
	other := seedList(t, a, "jon", 900)
	b := reopen(t, a).(*sqlite.DB)
	checkListings(t, a, acct.ID)
	checkListings(t, a, other.ID)

	pending := unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}, Limit: 25}
	page, err := a.Invitations(ctx, pending) // kept by now
	require.NoError(t, err)
	total, err := a.CountInvitations(ctx, pending)
	require.NoError(t, err)
	require.Greater(t, total, 25)

	// Another process withdraws the oldest pending one.
	_, err = b.Transition(ctx, page[0].ID, unvite.StatusWithdrawn, unvite.Change{Reason: "test"})
	require.NoError(t, err)
	got, err := a.Invitations(ctx, pending)
	require.NoError(t, err)
	require.NotContains(t, ids(got), page[0].ID)
	require.Equal(t, ids(page[1:]), ids(got[:24]))
	n, err := a.CountInvitations(ctx, pending)
	require.NoError(t, err)
	require.Equal(t, total-1, n)
	checkListings(t, a, acct.ID)

	// Any change counts, even one that bypasses the store.
	_, err = b.RawForTest().ExecContext(ctx, `UPDATE invitations SET name = 'Zz Renamed', company = 'Northwind' WHERE id = ?`, got[0].ID)
	require.NoError(t, err)
	byName := unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Search: "zz renamed", Sort: "name", Limit: 25}
	found, err := a.Invitations(ctx, byName)
	require.NoError(t, err)
	require.Equal(t, []int64{got[0].ID}, ids(found))
	checkListings(t, a, acct.ID)

	// And the handle's own writes: a tag taken off, an invitation accepted.
	vip := unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Tag: "vip", Limit: 25}
	tagged, err := a.Invitations(ctx, vip)
	require.NoError(t, err)
	require.NoError(t, a.Tag(ctx, []int64{tagged[0].ID}, []string{"vip"}, true, unvite.Change{}))
	_, err = a.Transition(ctx, got[1].ID, unvite.StatusAccepted, unvite.Change{})
	require.NoError(t, err)
	again, err := a.Invitations(ctx, vip)
	require.NoError(t, err)
	require.NotContains(t, ids(again), tagged[0].ID)
	checkListings(t, a, acct.ID)
	checkListings(t, b, acct.ID)
}

// Readers at once while another handle writes: each page is one the
// uncached read gives for some state, and none fails.
func TestListCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	acct := seedList(t, a, "maya", 300)
	b := reopen(t, a).(*sqlite.DB)
	f := unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}, Sort: "name", Limit: 20}
	first, err := a.Invitations(ctx, f)
	require.NoError(t, err)
	done := make(chan error, 8)
	for range 8 {
		go func() {
			for range 30 {
				list, err := a.Invitations(ctx, f)
				if err != nil {
					done <- err
					return
				}
				for _, inv := range list {
					if inv.Status != unvite.StatusPending {
						done <- fmt.Errorf("invitation %d is %s on a page of pending ones", inv.ID, inv.Status)
						return
					}
				}
			}
			done <- nil
		}()
	}
	for _, inv := range first[:10] {
		_, err := b.Transition(ctx, inv.ID, unvite.StatusAccepted, unvite.Change{})
		require.NoError(t, err)
	}
	for range 8 {
		require.NoError(t, <-done)
	}
	got, err := a.Invitations(ctx, f)
	require.NoError(t, err)
	want, _, err := a.UncachedForTest(ctx, f)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.NotContains(t, ids(got), first[0].ID)
}

func ids(list []*unvite.Invitation) []int64 {
	out := make([]int64, len(list))
	for i, inv := range list {
		out[i] = inv.ID
	}
	return out
}

// keptListings are a few listings of acct, asked for until kept.
func keptListings(t *testing.T, s *sqlite.DB, acct int64) []unvite.InvitationFilter {
	t.Helper()
	var out []unvite.InvitationFilter
	for _, f := range listFilters(acct) {
		if f.Sort == "" || f.Sort == "name" {
			out = append(out, f)
		}
	}
	for _, f := range out {
		for range 2 {
			_, err := s.Invitations(context.Background(), f)
			require.NoError(t, err)
		}
	}
	return out
}

// sameAsUncached wants each listing, read through the cache, as read
// without it.
func sameAsUncached(t *testing.T, s *sqlite.DB, fs []unvite.InvitationFilter, what string) {
	t.Helper()
	ctx := context.Background()
	for _, f := range fs {
		want, wantN, err := s.UncachedForTest(ctx, f)
		require.NoError(t, err)
		got, err := s.Invitations(ctx, f)
		require.NoError(t, err)
		require.Equal(t, want, got, "%s: %+v", what, f)
		n, err := s.CountInvitations(ctx, f)
		require.NoError(t, err)
		require.Equal(t, wantN, n, "%s: %+v", what, f)
	}
}

// Commits by another handle that change nothing a listing reads (the job
// queue's, an account's sync time, an import marking the rows it saw, a
// sync finding an invitation as it was) keep the listings: none is built
// again.
func TestListCacheKeptAcrossOtherCommits(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	acct := seedList(t, a, "maya", 300)
	b := reopen(t, a).(*sqlite.DB)
	fs := keptListings(t, a, acct.ID)
	sameAsUncached(t, a, fs, "kept")
	built := a.ListBuildsForTest()
	require.Positive(t, built)

	raw := b.RawForTest()
	var id int64
	require.NoError(t, raw.QueryRowContext(ctx, `SELECT min(id) FROM invitations WHERE account_id = ?`, acct.ID).Scan(&id))
	for _, q := range []string{
		`CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT)`,
		`INSERT INTO jobs (kind) VALUES ('leader')`,
		`UPDATE jobs SET kind = 'elected'`,
		`UPDATE accounts SET last_sync_at = 1800000000`,
		`UPDATE invitations SET seen_import = 7, changed_at = 1800000000, status_actor = 'x'`,
		`UPDATE invitations SET name = name, unlisted_at = unlisted_at, linkedin_id = linkedin_id WHERE id = ` + fmt.Sprint(id),
		`DELETE FROM jobs`,
	} {
		_, err := raw.ExecContext(ctx, q)
		require.NoError(t, err, q)
		sameAsUncached(t, a, fs, q)
		require.Equal(t, built, a.ListBuildsForTest(), "rebuilt after %s", q)
	}
}

// Every change another handle commits to what a listing reads shows at
// once, whether through the store or by plain SQL.
func TestListCacheSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	acct := seedList(t, a, "maya", 300)
	seedList(t, a, "jon", 100) // ids above acct's
	b := reopen(t, a).(*sqlite.DB)
	raw := b.RawForTest()
	fs := keptListings(t, a, acct.ID)
	list, err := a.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Statuses: []unvite.Status{unvite.StatusPending}})
	require.NoError(t, err)
	first, second, third := list[0].ID, list[1].ID, list[2].ID
	exec := func(q string, args ...any) func() error {
		return func() error { _, err := raw.ExecContext(ctx, q, args...); return err }
	}
	insert := `INSERT INTO invitations (id, account_id, direction, person_key, name, company, sent_at, status, status_since, source, changed_at)
		SELECT ?, account_id, direction, person_key || ?, 'Northwind Newcomer', 'Northwind', sent_at - 3600, 'pending', sent_at, 'test', changed_at
		FROM invitations WHERE id = ?`
	for _, c := range []struct {
		what   string
		change func() error
	}{
		{"status", func() error {
			_, err := b.Transition(ctx, first, unvite.StatusWithdrawn, unvite.Change{Reason: "test"})
			return err
		}},
		{"status by SQL", exec(`UPDATE invitations SET status = 'accepted' WHERE id = ?`, second)},
		{"tag added", func() error { return b.Tag(ctx, []int64{third}, []string{"vip"}, false, unvite.Change{}) }},
		{"tag removed", func() error { return b.Tag(ctx, []int64{third}, []string{"vip"}, true, unvite.Change{}) }},
		{"tag renamed by SQL", exec(`UPDATE tags SET tag = 'vip' WHERE tag <> 'vip' OR invitation_id = (SELECT min(invitation_id) FROM tags)`)},
		{"renamed", exec(`UPDATE invitations SET name = 'Zz Northwind' WHERE id = ?`, third)},
		{"note", exec(`UPDATE invitations SET had_note = 1 - had_note, note = 'x' WHERE id = ?`, third)},
		{"unlisted", exec(`UPDATE invitations SET unlisted_at = 1800000000 WHERE id = ?`, third)},
		{"inserted at the end", exec(insert, nil, "-again", third)},
		{"deleted", exec(`DELETE FROM invitations WHERE id = ?`, second)},
		{"inserted into a gap", exec(insert, second, "-gap", third)},
		{"tag gone with its invitation", exec(`DELETE FROM invitations WHERE id = (SELECT min(invitation_id) FROM tags)`)},
		{"company by a large import (no trigger a row)", func() error {
			b.BulkRows = 1
			imp, err := b.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "again.csv", ExpectedRows: 1})
			if err != nil {
				return err
			}
			inv := *list[3]
			inv.ID, inv.Tags, inv.Invitee.Company = 0, nil, "Initech"
			if err := imp.PutInvitation(ctx, &inv); err != nil {
				imp.Rollback()
				return err
			}
			_, err = imp.Commit(ctx)
			return err
		}},
		{"account deleted", func() error { return b.DeleteAccount(ctx, acct.ID) }},
	} {
		require.NoError(t, c.change(), c.what)
		sameAsUncached(t, a, fs, c.what)
		for _, f := range fs { // kept again at the new state
			_, err := a.Invitations(ctx, f)
			require.NoError(t, err)
		}
		sameAsUncached(t, a, fs, c.what+", kept")
	}
}
