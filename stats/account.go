package stats

import (
	"context"
	"time"

	"github.com/unvite/unvite"
)

// ForAccount streams an account's sent invitations from the store into a
// report for policy p as of asOf, holding no invitation in memory.
func ForAccount(ctx context.Context, s unvite.Store, p unvite.Policy, accountID int64, asOf time.Time) (Report, error) {
	acc := New(p, asOf)
	f := unvite.InvitationFilter{AccountID: accountID, Direction: unvite.Sent}
	f.SentBy(asOf) // as of a past day, what was sent after it did not exist
	err := s.EachInvitation(ctx, f, func(inv *unvite.Invitation) error {
		acc.Add(inv)
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return acc.Report(), nil
}

// Overall is the acceptance of every sent invitation, with a note or not.
func (r Report) Overall() Acceptance {
	a := Acceptance{
		Sent:      r.WithNote.Sent + r.WithoutNote.Sent,
		Accepted:  r.WithNote.Accepted + r.WithoutNote.Accepted,
		Pending:   r.WithNote.Pending + r.WithoutNote.Pending,
		Gone:      r.WithNote.Gone + r.WithoutNote.Gone,
		Withdrawn: r.WithNote.Withdrawn + r.WithoutNote.Withdrawn,
	}
	a.finish()
	return a
}

// Sum adds up several accounts' reports, for a view across accounts: counts
// add, the cap is the sum of the caps (0 when any account has none), and
// age buckets add by label, in the order first met. The median time to
// accept and the cohorts are left out: they do not add up.
func Sum(rs []Report) Report {
	var t Report
	t.ByStatus = make(map[unvite.Status]int, len(unvite.Statuses))
	capped := len(rs) > 0
	at := map[string]int{}
	for _, r := range rs {
		if r.AsOf.After(t.AsOf) {
			t.AsOf = r.AsOf
		}
		t.Sent += r.Sent
		for s, n := range r.ByStatus {
			t.ByStatus[s] += n
		}
		t.Pending += r.Pending
		if r.PendingCap <= 0 {
			capped = false
		}
		t.PendingCap += r.PendingCap
		for _, b := range r.PendingByAge {
			i, ok := at[b.Label]
			if !ok {
				i = len(t.PendingByAge)
				at[b.Label] = i
				t.PendingByAge = append(t.PendingByAge, Bucket{Label: b.Label, MinDays: b.MinDays, MaxDays: b.MaxDays})
			}
			t.PendingByAge[i].Count += b.Count
		}
		if !r.OldestPendingSentAt.IsZero() && (t.OldestPendingSentAt.IsZero() || r.OldestPendingSentAt.Before(t.OldestPendingSentAt)) {
			t.OldestPendingSentAt, t.OldestPendingDays = r.OldestPendingSentAt, r.OldestPendingDays
		}
		t.Withdrawn += r.Withdrawn
		t.Protected += r.Protected
		t.Unlisted += r.Unlisted
		t.Withdrawable += r.Withdrawable
		addAcceptance(&t.WithNote, r.WithNote)
		addAcceptance(&t.WithoutNote, r.WithoutNote)
	}
	if !capped {
		t.PendingCap = 0
	}
	if t.PendingCap > 0 {
		t.PendingCapPercent = 100 * float64(t.Pending) / float64(t.PendingCap)
	}
	t.WithNote.finish()
	t.WithoutNote.finish()
	return t
}

func addAcceptance(dst *Acceptance, a Acceptance) {
	dst.Sent += a.Sent
	dst.Accepted += a.Accepted
	dst.Pending += a.Pending
	dst.Gone += a.Gone
	dst.Withdrawn += a.Withdrawn
}

// AgeBuckets are the empty age buckets a report for p splits pending
// invitations into, for filters that match the report's chart.
func AgeBuckets(p unvite.Policy) []Bucket { return buckets(edges(p)) }
