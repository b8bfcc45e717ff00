package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/unvite/unvite"
)

// listCache keeps the invitation listings the dashboard pages through: for
// each filter and sort, every matching id in order with its sent time.
// A page is then a slice of it and a count its length, where counting
// 50,000 matches, searching their text or sorting them by name cost 3 to
// 80 ms a page. Time bounds (the age and stage filters) are applied to the
// kept list rather than being part of its key, so the ages moving on with
// the clock do not make a new list every second.
//
// The lists hold for one state of what they read: the invitations and
// their tags. Triggers (migration 19) count every change to those in
// listing_changes but an insert at the end of the table, which moves the
// highest invitation id instead; the two name the state. The job queue's
// commits every few seconds, an account's sync time, a webhook's delivery
// change neither, and the lists stay. To learn the state costs no query
// while SQLite's data_version, read on a connection that never writes, is
// as it was (no other connection or process has committed since); a page
// is read in a read transaction that first reads the state of its own
// snapshot, so what it keeps is of the state it says. A listing is kept the
// second time it is asked for at one state: a one-off command's page
// (`invitations list --limit 3`) costs what it did, not a sort of every row.
type listCache struct {
	connMu sync.Mutex
	conn   *sql.Conn // the watcher: only reads
	dataV  *sql.Stmt // data_version
	stateQ *sql.Stmt // stateQuery
	// dv is the data_version at which state was read (known: once read
	// on this watcher).
	dv    int64
	state stateVersion
	known bool

	mu     sync.Mutex
	at     stateVersion
	lists  map[string]*listing // by listKey.list
	counts map[string]*listing // by listKey.count: any sort of a filter counts it
	seen   map[string]bool     // asked for once at this state
	held   int                 // ids the lists hold, against maxHeld
	tick   int64
	builds int // lists built and kept, for tests
}

// stateVersion names one state of what listings read: the count of changes
// to it (listing_changes.n) and the highest invitation id. Both only grow
// (deleting the highest row is a change), so a later state is greater.
type stateVersion struct{ changes, top int64 }

func (v stateVersion) before(w stateVersion) bool {
	return v.changes < w.changes || v.changes == w.changes && v.top < w.top
}

// stateQuery reads the state in one statement, so of one snapshot.
const stateQuery = `SELECT n, coalesce((SELECT max(id) FROM invitations), 0) FROM listing_changes`

// readState reads the state in q's snapshot.
func readState(ctx context.Context, q queryer) (stateVersion, error) {
	var v stateVersion
	if err := q.QueryRowContext(ctx, stateQuery).Scan(&v.changes, &v.top); err != nil {
		return stateVersion{}, fmt.Errorf("sqlite: listing state: %w", err)
	}
	return v, nil
}

// maxHeld bounds the ids all lists hold (24 bytes each with the sent
// times): 48 MB, forty 50,000-invitation listings or two of a million.
const maxHeld = 2 << 20

// maxSeen bounds the listings remembered as asked for once.
const maxSeen = 4096

// listing is one filter's matches in its sort's order.
type listing struct {
	key   listKey
	at    stateVersion
	ready chan struct{} // closed when built (ok) or given up
	ok    bool
	matches
	used int64
}

// matches are a listing's ids in order and the sent time (Unix seconds) of
// each, for time bounds; bySent are those times sorted, to count the
// matches within bounds by two binary searches.
type matches struct{ ids, sent, bySent []int64 }

// listKey names a listing: list includes the sort, count does not.
type listKey struct{ list, count string }

// cacheKey tells whether f is a listing the cache serves, and its key: an
// account's invitations filtered as the dashboard and the API do.
func cacheKey(f unvite.InvitationFilter) (listKey, bool) {
	if f.AccountID == 0 || len(f.IDs) > 0 || f.Protected != nil || !f.ReinviteBy.IsZero() || !f.ReinviteFrom.IsZero() ||
		!f.ChangedFrom.IsZero() || !f.ChangedBefore.IsZero() || f.Unordered {
		return listKey{}, false
	}
	note := ""
	if f.HasNote != nil {
		note = fmt.Sprint(*f.HasNote)
	}
	count := fmt.Sprintf("%d %q %q %q %q %s", f.AccountID, f.Direction, f.Statuses, f.Tag, f.Search, note)
	sort := f.Sort
	if sort == "" {
		sort = "sent"
	}
	return listKey{list: count + " " + sort, count: count}, true
}

// version reads the state of what listings read on the watcher connection,
// opening it first if need be. While data_version is as it was when the
// state was last read, nothing has committed since and the state stands,
// read with no query. Data_version is read first: a commit after it moves
// it, so a state read after a commit is never taken for an older
// data_version's. Reads are one at a time: they are quick, and a
// connection runs one statement at a time anyway.
func (c *listCache) version(ctx context.Context, db *sql.DB) (stateVersion, error) {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if c.conn == nil {
		if err := c.openWatcher(ctx, db); err != nil {
			return stateVersion{}, fmt.Errorf("sqlite: listing cache: %w", err)
		}
	}
	var dv int64
	err := c.dataV.QueryRowContext(ctx).Scan(&dv)
	if err == nil && c.known && dv == c.dv {
		return c.state, nil
	}
	var v stateVersion
	if err == nil {
		err = c.stateQ.QueryRowContext(ctx).Scan(&v.changes, &v.top)
	}
	if err != nil {
		c.closeWatcher()
		return stateVersion{}, fmt.Errorf("sqlite: listing cache: %w", err)
	}
	c.dv, c.state, c.known = dv, v, true
	return v, nil
}

func (c *listCache) openWatcher(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	dataV, err := conn.PrepareContext(ctx, `PRAGMA data_version`)
	if err != nil {
		conn.Close()
		return err
	}
	stateQ, err := conn.PrepareContext(ctx, stateQuery)
	if err != nil {
		dataV.Close()
		conn.Close()
		return err
	}
	c.conn, c.dataV, c.stateQ = conn, dataV, stateQ
	return nil
}

// closeWatcher closes the watcher; a new one's data_version counts afresh.
func (c *listCache) closeWatcher() {
	if c.conn != nil {
		c.dataV.Close()
		c.stateQ.Close()
		c.conn.Close()
		c.conn, c.dataV, c.stateQ, c.known = nil, nil, nil, false
	}
}

func (c *listCache) close() {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	c.closeWatcher()
}

// moveTo drops every list when the file has moved on from c.at; it tells
// whether v is the cache's state (false: a caller that read an older one).
func (c *listCache) moveTo(v stateVersion) bool {
	if c.at.before(v) || c.lists == nil {
		c.at = v
		c.lists, c.counts, c.seen, c.held = map[string]*listing{}, map[string]*listing{}, map[string]bool{}, 0
	}
	return c.at == v
}

// get finds the listing of k at state v. With none, the first caller is
// told to do without (nil, false) and the second to build it (l, true)
// and hand it to done; others get l to wait for.
func (c *listCache) get(k listKey, v stateVersion) (l *listing, build bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.moveTo(v) {
		return nil, false
	}
	c.tick++
	if l := c.lists[k.list]; l != nil {
		l.used = c.tick
		return l, false
	}
	if !c.seen[k.list] {
		if len(c.seen) >= maxSeen {
			clear(c.seen)
		}
		c.seen[k.list] = true
		return nil, false
	}
	l = &listing{key: k, at: v, ready: make(chan struct{}), used: c.tick}
	c.lists[k.list] = l
	return l, true
}

// wait waits for l to be built; false: it was not.
func (l *listing) wait(ctx context.Context) (bool, error) {
	select {
	case <-l.ready:
		return l.ok, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// done ends the build of l: keep says m is of the state l.at (read in a
// snapshot of that state), else l is dropped.
func (c *listCache) done(l *listing, m matches, keep bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-l.ready:
		return // done already
	default:
	}
	current := c.lists[l.key.list] == l
	if keep && current && len(m.ids) <= maxHeld/2 {
		l.matches, l.ok = m, true
		c.builds++
		c.counts[l.key.count] = l
		c.held += len(m.ids)
		c.evict(l)
	} else if current {
		delete(c.lists, l.key.list)
	}
	close(l.ready)
}

// evict drops the least recently used lists, but keep, until the lists
// hold at most maxHeld ids.
func (c *listCache) evict(keep *listing) {
	for c.held > maxHeld {
		var old *listing
		for _, l := range c.lists {
			if l != keep && l.ok && (old == nil || l.used < old.used) {
				old = l
			}
		}
		if old == nil {
			return
		}
		delete(c.lists, old.key.list)
		if c.counts[old.key.count] == old {
			delete(c.counts, old.key.count)
		}
		c.held -= len(old.ids)
	}
}

// counted finds a built listing that counts k at state v.
func (c *listCache) counted(k listKey, v stateVersion) *listing {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.moveTo(v) {
		return nil
	}
	l := c.counts[k.count]
	if l == nil {
		return nil
	}
	c.tick++
	l.used = c.tick
	return l
}

// inBounds tells whether sent time t passes f's time bounds, as the SQL
// does (SentAfter inclusive, SentBefore exclusive, whole seconds).
func inBounds(f unvite.InvitationFilter, t int64) bool {
	return (f.SentAfter.IsZero() || t >= f.SentAfter.Unix()) && (f.SentBefore.IsZero() || t < f.SentBefore.Unix())
}

// page is the ids of f's page: Offset matches skipped, then Limit.
func (m matches) page(f unvite.InvitationFilter) []int64 {
	if f.SentAfter.IsZero() && f.SentBefore.IsZero() {
		from := min(f.Offset, len(m.ids))
		return slices.Clone(m.ids[from:min(from+f.Limit, len(m.ids))])
	}
	var ids []int64
	skip := f.Offset
	for k, t := range m.sent {
		if !inBounds(f, t) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		ids = append(ids, m.ids[k])
		if len(ids) == f.Limit {
			break
		}
	}
	return ids
}

// count is how many of m pass f's time bounds.
func (m matches) count(f unvite.InvitationFilter) int {
	lo, hi := 0, len(m.bySent)
	if !f.SentAfter.IsZero() {
		lo, _ = slices.BinarySearch(m.bySent, f.SentAfter.Unix())
	}
	if !f.SentBefore.IsZero() {
		hi, _ = slices.BinarySearch(m.bySent, f.SentBefore.Unix())
	}
	return max(hi-lo, 0)
}

// cachedPage reads a page of a listing the cache serves. Its rows are read
// by id in a snapshot of the state the kept ids are of. Otherwise (the
// state moved on meanwhile, or no list is kept) the page is read as without
// the cache, in that one snapshot.
func (s *DB) cachedPage(ctx context.Context, f unvite.InvitationFilter, k listKey) ([]*unvite.Invitation, error) {
	var l *listing
	build := false
	v, err := s.lists.version(ctx, s.db)
	if err == nil {
		l, build = s.lists.get(k, v)
	}
	if l != nil && !build {
		ok, err := l.wait(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			l = nil
		}
	}
	if build {
		// Whatever happens, waiters are let go.
		defer s.lists.done(l, matches{}, false)
	}
	var list []*unvite.Invitation
	err = s.read(ctx, func(tx *sql.Tx) error {
		// The first read: the snapshot is of this state.
		at, err := readState(ctx, s.prepared(tx))
		if err != nil {
			return err
		}
		switch {
		case l != nil && at != l.at:
			// Moved on since: read as without the cache.
		case build:
			m, err := listIDs(ctx, tx, f)
			if err != nil {
				return err
			}
			s.lists.done(l, m, true)
			list, err = s.pageByID(ctx, tx, f, m.page(f))
			return err
		case l != nil:
			list, err = s.pageByID(ctx, tx, f, l.page(f))
			return err
		}
		list, err = s.pageOf(ctx, tx, f)
		return err
	})
	return list, err
}

// listIDs reads the ids f selects whatever its time bounds, Limit and
// Offset, in its order, with their sent times.
func listIDs(ctx context.Context, q queryer, f unvite.InvitationFilter) (matches, error) {
	f.SentAfter, f.SentBefore, f.Limit, f.Offset = time.Time{}, time.Time{}, 0, 0
	where, args, err := whereClause(f)
	if err != nil {
		return matches{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.sent_at FROM invitations i`+indexedBy(listIndex(f, false))+where, args...)
	if err != nil {
		return matches{}, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	defer rows.Close()
	var m matches
	for rows.Next() {
		var id, sent int64
		if err := rows.Scan(&id, &sent); err != nil {
			return matches{}, fmt.Errorf("sqlite: list invitations: %w", err)
		}
		m.ids, m.sent = append(m.ids, id), append(m.sent, sent)
	}
	if err := rows.Err(); err != nil {
		return matches{}, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	m.bySent = slices.Clone(m.sent)
	slices.Sort(m.bySent)
	return m, nil
}
