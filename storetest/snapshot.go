package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// A plan reads one snapshot: while another handle keeps changing pairs of
// invitations in single transactions (one of each pair early in the table,
// one late), every listing shows both of a pair changed or neither, for
// the rows and for their tags.
func testListingIsOneSnapshot(t *testing.T, s unvite.Store, writer unvite.Store) {
	a := newAccount(t, s, "snap")
	const n = 400
	var invs []*unvite.Invitation
	for i := range n {
		invs = append(invs, sent(fmt.Sprintf("s%d", i), day(-1-i), ""))
	}
	doImport(t, s, a.ID, unvite.ImportMeta{File: "snap.csv"}, importRows{invs: invs})
	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID})
	require.NoError(t, err)
	slices.SortFunc(list, func(x, y *unvite.Invitation) int { return int(x.ID - y.ID) })
	// Pairs of the lowest and highest ids, and of odd and even ones: the ways
	// a reader might split the table.
	partner := map[int64]int64{}
	for i := range n / 2 {
		lo, hi := list[i].ID, list[n-1-i].ID
		partner[lo], partner[hi] = hi, lo
	}

	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for k := 0; ; k++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			i := k % (n / 2)
			ids := []int64{list[i].ID, list[n-1-i].ID}
			on := (k/(n/2))%2 == 0
			ch := unvite.Change{At: day(0), Reason: "snapshot test", Actor: "test"}
			if err := writer.SetProtected(ctx, ids, on, ch); err != nil {
				done <- err
				return
			}
			if err := writer.Tag(ctx, ids, []string{"t"}, !on, ch); err != nil {
				done <- err
				return
			}
		}
	}()
	filter := unvite.InvitationFilter{AccountID: a.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending}, Brief: true}
	torn := ""
	for range 150 {
		got, err := s.Invitations(ctx, filter)
		if err != nil {
			close(stop)
			<-done
			require.NoError(t, err)
		}
		byID := map[int64]*unvite.Invitation{}
		for _, inv := range got {
			byID[inv.ID] = inv
		}
		for _, inv := range got {
			p := byID[partner[inv.ID]]
			if p.Protected != inv.Protected {
				torn = fmt.Sprintf("invitations %d and %d, protected together, read as %v and %v", inv.ID, p.ID, inv.Protected, p.Protected)
			}
			if slices.Contains(inv.Tags, "t") != slices.Contains(p.Tags, "t") {
				torn = fmt.Sprintf("invitations %d and %d, tagged together, read with tags %v and %v", inv.ID, p.ID, inv.Tags, p.Tags)
			}
		}
		if torn != "" {
			break
		}
	}
	close(stop)
	require.NoError(t, <-done)
	require.Empty(t, torn, "a listing mixed two snapshots")
}
