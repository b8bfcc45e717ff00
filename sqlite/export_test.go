package sqlite

import (
	"context"
	"database/sql"

	"github.com/unvite/unvite"
)

// RawForTest exposes the handle so tests can try to bypass the store.
func (s *DB) RawForTest() *sql.DB { return s.db }

// UncachedForTest reads a page of f and counts f as the store does
// without its listing cache.
func (s *DB) UncachedForTest(ctx context.Context, f unvite.InvitationFilter) ([]*unvite.Invitation, int, error) {
	var list []*unvite.Invitation
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		list, err = s.pageOf(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	n, err := countInvitations(ctx, s.db, f)
	return list, n, err
}

// ListBuildsForTest is how many listings the cache has built and kept.
func (s *DB) ListBuildsForTest() int {
	s.lists.mu.Lock()
	defer s.lists.mu.Unlock()
	return s.lists.builds
}
