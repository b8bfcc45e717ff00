package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The cache's bounds hold, and a state newer than the kept one drops all.
func TestListCacheBounds(t *testing.T) {
	var c listCache
	v := stateVersion{1, 1}
	build := func(k listKey, n int) *listing {
		_, b := c.get(k, v)
		require.False(t, b) // first sight
		l, b := c.get(k, v)
		require.True(t, b)
		c.done(l, matches{ids: make([]int64, n), sent: make([]int64, n), bySent: make([]int64, n)}, true)
		return l
	}
	a := build(listKey{"a sent", "a"}, maxHeld/2)
	build(listKey{"b sent", "b"}, maxHeld/2)
	require.Same(t, a, c.counted(listKey{count: "a"}, v)) // a used last
	build(listKey{"c name", "c"}, 10)
	require.Nil(t, c.counted(listKey{count: "b"}, v), "the least recently used list goes")
	require.Same(t, a, c.counted(listKey{count: "a"}, v))
	require.LessOrEqual(t, c.held, maxHeld)

	newer := stateVersion{1, 2}
	require.Nil(t, c.counted(listKey{count: "a"}, newer))
	l, _ := c.get(listKey{"a sent", "a"}, v)
	require.Nil(t, l, "an older state finds nothing")
	require.Zero(t, c.held)
}

// listingUnread are the invitation columns no listing reads: changing them
// alone leaves the listing cache's state (migration 19).
var listingUnread = map[string]bool{"person_key": true, "seen_import": true, "changed_at": true,
	"status_reason": true, "status_actor": true, "attempt_id": true}

// Every invitation column a listing may read moves the listing state when
// it changes: a column added to the table is one or the other.
func TestListingChangesColumns(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	defer db.Close()
	var trigger string
	require.NoError(t, db.db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = 'invitations_listing_update'`).Scan(&trigger))
	rows, err := db.db.QueryContext(ctx, `SELECT name FROM pragma_table_info('invitations')`)
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var col string
		require.NoError(t, rows.Scan(&col))
		n++
		read := strings.Contains(invitationColumns, "i."+col+",") || strings.HasSuffix(invitationColumns, "i."+col)
		if listingUnread[col] {
			require.False(t, read, "a listing reads %s", col)
			continue
		}
		require.Contains(t, trigger, fmt.Sprintf("OLD.%[1]s IS NOT NEW.%[1]s", col), "a change of %s moves no listing state", col)
	}
	require.NoError(t, rows.Err())
	require.Greater(t, n, len(listingUnread))
}
