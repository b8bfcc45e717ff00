package sqlite

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// sortBySent gives the order of bySent for rows in id order, whether they
// were stored newest first (reversed) or in any other order (sorted).
func TestSortBySent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, newestFirst := range []bool{true, false} {
		for range 50 {
			n := r.IntN(40)
			var list []*unvite.Invitation
			at := t0
			for i := range n {
				if newestFirst {
					at = at.Add(-time.Duration(r.IntN(3)) * time.Minute) // ties too
				} else {
					at = t0.Add(time.Duration(r.IntN(5)) * time.Minute)
				}
				list = append(list, &unvite.Invitation{ID: int64(i + 1), SentAt: at})
			}
			want := slices.Clone(list)
			slices.SortFunc(want, bySent)
			sortBySent(list)
			require.Equal(t, want, list)
		}
	}
}
