package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/unvite/unvite"
)

const invitationColumns = `i.id, i.account_id, i.direction, i.kind, i.name, i.headline, i.company,
	i.slug, i.member_urn, i.linkedin_id, i.sent_at, i.sent_at_approx, i.note, i.had_note, i.status,
	i.status_since, i.reinvite_after, i.source, i.protected, i.follow_up_on, i.comment, i.unlisted_at`

// briefColumns pack the small fields, and the sent time above them, into
// one integer: a plan reads 100,000 rows, and every column costs a call into
// SQLite (behind the connection's mutex) and a conversion in database/sql.
const briefColumns = `i.id, i.account_id, i.name, i.slug, ` + briefPacked + `, i.status`

const briefPacked = `(i.sent_at << 4) | i.sent_at_approx | (i.had_note << 1) | (i.protected << 2) | ((i.direction = 'received') << 3)`

// scanBrief reads a brief row. The status is read as raw bytes and mapped to
// its constant, saving an allocation a row.
func scanBrief(row interface{ Scan(...any) error }, inv *unvite.Invitation) error {
	var packed int64
	var status sql.RawBytes
	err := row.Scan(&inv.ID, &inv.AccountID, &inv.Invitee.Name, &inv.Invitee.Slug, &packed, &status)
	unpackBrief(packed, inv)
	inv.Status = internStatus(status)
	return err
}

// briefFixedColumns are briefColumns less the account and status, for a
// filter that fixes both.
const briefFixedColumns = `i.id, i.name, i.slug, ` + briefPacked

func scanBriefFixed(row interface{ Scan(...any) error }, inv *unvite.Invitation) error {
	var packed int64
	err := row.Scan(&inv.ID, &inv.Invitee.Name, &inv.Invitee.Slug, &packed)
	unpackBrief(packed, inv)
	return err
}

func unpackBrief(packed int64, inv *unvite.Invitation) {
	inv.SentAt = time.Unix(packed>>4, 0).UTC()
	inv.SentAtApprox, inv.HadNote, inv.Protected = packed&1 != 0, packed&2 != 0, packed&4 != 0
	inv.Direction = unvite.Sent
	if packed&8 != 0 {
		inv.Direction = unvite.Received
	}
}

// outcomeColumns are what InvitationFilter.Outcomes asks for, in as few
// columns as will hold it: every column costs calls into SQLite (behind the
// connection's mutex), and a text one an allocation or two; with seven
// columns that mutex alone was over a quarter of a million-row read's CPU.
// One integer packs the flags, the status (its index in unvite.Statuses),
// the note's length in characters (not its text: analytics want its band),
// a flag for a company and, above them, the sent time; the status's time
// is NULL when it is the sent time (a pending one's: one call into SQLite
// instead of two, and no allocation); one text holds the headline, after
// the company and its length in bytes when there is one, and is NULL when
// both are empty (one call instead of three; tested by CASE, as a function
// call such as nullif costs more). What the filter fixes, the account and
// the direction, is not read.
func outcomeColumns(f unvite.InvitationFilter) string {
	var b strings.Builder
	fmt.Fprintf(&b, `i.id, (i.sent_at << %d) | ((i.company <> '') << %d) | (min(length(i.note), %d) << 8) |
		(i.had_note << 1) | (i.protected << 2) | (CASE i.status`, outcomeSentShift, outcomeCompanyBit, outcomeNoteMax)
	for k, st := range unvite.Statuses {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, k)
	}
	b.WriteString(` ELSE 15 END << 4)`)
	if f.Direction == "" {
		b.WriteString(` | ((i.direction = 'received') << 3)`)
	}
	b.WriteString(`, CASE WHEN i.status_since <> i.sent_at THEN i.status_since END,
	CASE WHEN i.company <> '' THEN octet_length(i.company) || ':' || i.company || i.headline WHEN i.headline <> '' THEN i.headline END`)
	if f.AccountID == 0 {
		b.WriteString(`, i.account_id`)
	}
	return b.String()
}

// The packed integer: flags in bits 1-3, the status in 4-7, the note's
// length in 8-23, the company flag in 24, the sent time above.
const outcomeNoteMax, outcomeCompanyBit, outcomeSentShift = 1<<16 - 1, 24, 25

// outcomeScanner reads the rows of outcomeColumns(f) into scratch values it
// keeps (Scan's arguments escape, so locals would cost allocations every
// row), each an any: database/sql then hands the driver's value over as it
// is, where into an *int64 it goes through reflection.
func outcomeScanner(f unvite.InvitationFilter) func(row interface{ Scan(...any) error }, inv *unvite.Invitation) error {
	vals := make([]any, outcomeWidth(f))
	dest := make([]any, len(vals))
	for i := range vals {
		dest[i] = &vals[i]
	}
	return func(row interface{ Scan(...any) error }, inv *unvite.Invitation) error {
		if err := row.Scan(dest...); err != nil {
			return err
		}
		return decodeOutcome(f, vals, inv)
	}
}

// outcomeWidth is how many columns outcomeColumns(f) has.
func outcomeWidth(f unvite.InvitationFilter) int {
	if f.AccountID == 0 {
		return 5
	}
	return 4
}

// decodeOutcome reads one row of outcomeColumns(f), as the driver gave it.
func decodeOutcome(f unvite.InvitationFilter, vals []any, inv *unvite.Invitation) error {
	id, packed, since, person := vals[0], vals[1], vals[2], vals[3]
	var okID, okAccount bool
	inv.ID, okID = id.(int64)
	p, okPacked := packed.(int64)
	inv.AccountID, okAccount = f.AccountID, true
	if f.AccountID == 0 {
		inv.AccountID, okAccount = vals[4].(int64)
	}
	sinceUnix, okSince := since.(int64)
	text, okText := person.(string)
	if !okID || !okPacked || !okAccount || !okSince && since != nil || !okText && person != nil {
		return fmt.Errorf("outcome row of invitation %v: unexpected values %#v", id, vals)
	}
	inv.SentAt = time.Unix(p>>outcomeSentShift, 0).UTC()
	inv.StatusSince = inv.SentAt
	if okSince {
		inv.StatusSince = time.Unix(sinceUnix, 0).UTC()
	}
	inv.HadNote, inv.Protected = p&2 != 0, p&4 != 0
	inv.Direction = f.Direction
	if f.Direction == "" {
		inv.Direction = unvite.Sent
		if p&8 != 0 {
			inv.Direction = unvite.Received
		}
	}
	inv.Status = ""
	if k := p >> 4 & 15; k < int64(len(unvite.Statuses)) {
		inv.Status = unvite.Statuses[k]
	}
	inv.Note, inv.NoteLength = "", int(p>>8&outcomeNoteMax)
	inv.Invitee.Company, inv.Invitee.Headline = "", text
	if p>>outcomeCompanyBit&1 != 0 {
		// One string, sliced: no copies.
		n, rest, _ := strings.Cut(text, ":")
		size, err := strconv.Atoi(n)
		if err != nil || size > len(rest) {
			return fmt.Errorf("company of invitation %d: bad length %q", inv.ID, n)
		}
		inv.Invitee.Company, inv.Invitee.Headline = rest[:size], rest[size:]
	}
	return nil
}

func internStatus(b []byte) unvite.Status {
	for _, st := range unvite.Statuses {
		if string(b) == string(st) {
			return st
		}
	}
	return unvite.Status(b)
}

func scanInvitation(row interface{ Scan(...any) error }, inv *unvite.Invitation) error {
	var linkedinID sql.NullString
	var sent, since, reinvite, followUp, unlisted sql.NullInt64
	err := row.Scan(&inv.ID, &inv.AccountID, &inv.Direction, &inv.Kind, &inv.Invitee.Name,
		&inv.Invitee.Headline, &inv.Invitee.Company, &inv.Invitee.Slug, &inv.Invitee.MemberURN,
		&linkedinID, &sent, &inv.SentAtApprox, &inv.Note, &inv.HadNote, &inv.Status, &since,
		&reinvite, &inv.Source, &inv.Protected, &followUp, &inv.Comment, &unlisted)
	if err != nil {
		return err
	}
	inv.LinkedInID, inv.UnlistedAt = linkedinID.String, fromUnix(unlisted)
	inv.SentAt, inv.StatusSince, inv.ReinviteAfter, inv.FollowUpOn = fromUnix(sent), fromUnix(since), fromUnix(reinvite), fromUnix(followUp)
	return nil
}

// slab hands out invitations from blocks: one allocation for many rows
// instead of one a row (allocation was a third of the CPU of reading a
// large plan's rows, and is now under a fifth).
type slab struct{ block []unvite.Invitation }

func (s *slab) next() *unvite.Invitation {
	if len(s.block) == 0 {
		s.block = make([]unvite.Invitation, 512)
	}
	inv := &s.block[0]
	s.block = s.block[1:]
	return inv
}

// Invitation returns one invitation by id.
func (s *DB) Invitation(ctx context.Context, id int64) (*unvite.Invitation, error) {
	return getInvitation(ctx, s.prepared(nil), id)
}

func getInvitation(ctx context.Context, q queryer, id int64) (*unvite.Invitation, error) {
	inv := new(unvite.Invitation)
	err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations i WHERE i.id = ?`, id), inv)
	if isNoRows(err) {
		return nil, notFound("invitation", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: invitation %d: %w", id, err)
	}
	tags, err := tagsOf(ctx, q, " WHERE i.id = ?", []any{id})
	if err != nil {
		return nil, err
	}
	inv.Tags = tags[id]
	return inv, nil
}

// tagsOf loads the tags of the invitations a where clause selects, in one
// query: tags are few, so this costs far less than a subquery per row.
func tagsOf(ctx context.Context, q queryer, where string, args []any) (map[int64][]string, error) {
	rows, err := q.QueryContext(ctx, tagsQuery(where), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tags: %w", err)
	}
	return scanTags(rows)
}

// tagsQuery selects the tags of the invitations a where clause selects, each
// invitation's in order.
func tagsQuery(where string) string {
	order := " ORDER BY t.tag"
	if strings.Contains(where, " ORDER BY ") {
		order = ", t.tag"
	}
	return `SELECT t.invitation_id, t.tag FROM tags t CROSS JOIN invitations i ON i.id = t.invitation_id` + where + order
}

// scanTags reads (invitation id, tag) rows into each invitation's tags.
func scanTags(rows *sql.Rows) (map[int64][]string, error) {
	defer rows.Close()
	m := map[int64][]string{}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return nil, fmt.Errorf("sqlite: tags: %w", err)
		}
		m[id] = append(m[id], tag)
	}
	return m, rows.Err()
}

// tagsByID loads the tags of some invitations by their ids: the tags'
// primary key (invitation, tag) finds each one's.
func tagsByID(ctx context.Context, q queryer, ids []int64) (map[int64][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT invitation_id, tag FROM tags WHERE invitation_id IN (`+placeholders(len(ids))+`)
		ORDER BY invitation_id, tag`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tags: %w", err)
	}
	return scanTags(rows)
}

var sorts = map[string]string{
	"":         "i.sent_at, i.id",
	"sent":     "i.sent_at, i.id",
	"-sent":    "i.sent_at DESC, i.id DESC",
	"name":     "i.name COLLATE NOCASE, i.id",
	"-name":    "i.name COLLATE NOCASE DESC, i.id DESC",
	"status":   "i.status, i.sent_at, i.id",
	"company":  "i.company COLLATE NOCASE, i.sent_at, i.id",
	"-company": "i.company COLLATE NOCASE DESC, i.sent_at, i.id",
}

// whereClause turns a filter into SQL; the order of conditions follows the
// invitations_status index (account, status, sent_at, …).
func whereClause(f unvite.InvitationFilter) (string, []any, error) {
	return filterSQL(f, false)
}

// filterSQL is whereClause; tagJoined tests the tag on a tags row tg the query
// joins (see countInvitations) rather than by a subquery.
func filterSQL(f unvite.InvitationFilter, tagJoined bool) (string, []any, error) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.AccountID != 0 {
		add("i.account_id = ?", f.AccountID)
	}
	if len(f.Statuses) > 0 {
		add("i.status IN ("+placeholders(len(f.Statuses))+")", anys(f.Statuses)...)
	}
	if len(f.IDs) > 0 {
		add("i.id IN ("+placeholders(len(f.IDs))+")", anys(f.IDs)...)
	}
	if f.Direction != "" {
		add("i.direction = ?", f.Direction)
	}
	if !f.SentBefore.IsZero() {
		add("i.sent_at < ?", f.SentBefore.Unix())
	}
	if !f.SentAfter.IsZero() {
		add("i.sent_at >= ?", f.SentAfter.Unix())
	}
	if f.Tag != "" && tagJoined {
		add("tg.tag = ?", f.Tag)
	} else if f.Tag != "" {
		add("EXISTS (SELECT 1 FROM tags t WHERE t.invitation_id = i.id AND t.tag = ?)", f.Tag)
	}
	if f.Search != "" {
		pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.Search)) + "%"
		// LIKE folds ASCII case itself, as lower() does: calling lower() on
		// six columns a row tripled a search's time at 50,000 invitations.
		add(`(i.name LIKE ? ESCAPE '\' OR i.company LIKE ? ESCAPE '\' OR i.headline LIKE ? ESCAPE '\'
			OR i.note LIKE ? ESCAPE '\' OR i.slug LIKE ? ESCAPE '\' OR i.comment LIKE ? ESCAPE '\')`, pat, pat, pat, pat, pat, pat)
	}
	if f.HasNote != nil {
		add("i.had_note = ?", *f.HasNote)
	}
	if f.Protected != nil {
		add("i.protected = ?", *f.Protected)
	}
	if !f.ReinviteBy.IsZero() {
		add("i.reinvite_after IS NOT NULL AND i.reinvite_after <= ?", f.ReinviteBy.Unix())
	}
	if !f.ReinviteFrom.IsZero() {
		add("i.reinvite_after IS NOT NULL AND i.reinvite_after >= ?", f.ReinviteFrom.Unix())
	}
	if !f.ChangedFrom.IsZero() {
		add("i.status_since >= ?", f.ChangedFrom.Unix())
	}
	if !f.ChangedBefore.IsZero() {
		add("i.status_since < ?", f.ChangedBefore.Unix())
	}
	order, ok := sorts[f.Sort]
	if !ok {
		return "", nil, unvite.Errorf(unvite.EINVALID, "unknown sort %q (want sent, -sent, name, -name, status, company or -company)", f.Sort)
	}
	q := ""
	if len(conds) > 0 {
		q = " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY " + order
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	return q, args, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// listIndex names the index that serves a page (count false) or a count
// of f by itself: invitations_status holds every column the page's filters
// test (see migration 12), so neither reads a row. "" leaves the choice to
// SQLite's planner, which without statistics may take an index that reads
// every row. A tag is tested by a probe of the tags table per index entry
// (a count joins from the tag's rows instead, see countInvitations); a
// search reads the text of the rows the index lets through; a sort by name
// or company reads the rows.
func listIndex(f unvite.InvitationFilter, count bool) string {
	if f.AccountID == 0 || len(f.IDs) > 0 || f.Protected != nil || !f.ReinviteBy.IsZero() {
		return ""
	}
	switch {
	case count && f.Tag != "" && f.Search == "":
		return "" // joined from the tag's rows
	case count:
		return "invitations_status"
	case f.Tag != "":
		return "" // SQLite weighs the tag's rows against the sort's order
	case f.Sort == "name" || f.Sort == "-name" || f.Sort == "company" || f.Sort == "-company":
		return ""
	default:
		return "invitations_status"
	}
}

func indexedBy(index string) string {
	if index == "" {
		return ""
	}
	return " INDEXED BY " + index
}

// Invitations lists the invitations a filter selects.
func (s *DB) Invitations(ctx context.Context, f unvite.InvitationFilter) ([]*unvite.Invitation, error) {
	if k, ok := cacheKey(f); ok && f.Limit > 0 {
		return s.cachedPage(ctx, f, k)
	}
	if f.Limit > 0 {
		var list []*unvite.Invitation
		err := s.read(ctx, func(tx *sql.Tx) error {
			var err error
			list, err = s.pageOf(ctx, tx, f)
			return err
		})
		return list, err
	}
	var list []*unvite.Invitation
	err := s.read(ctx, func(tx *sql.Tx) error {
		scan := false
		if f.Brief && f.Limit == 0 && f.Offset == 0 && (f.Sort == "" || f.Sort == "sent") {
			var err error
			if scan, err = mostOfTable(ctx, tx, f); err != nil {
				return err
			}
		}
		err := eachInvitation(ctx, tx, f, readOpts{scan: scan}, func(inv *unvite.Invitation) error {
			list = append(list, inv)
			return nil
		})
		if scan {
			sortBySent(list)
		}
		return err
	})
	return list, err
}

// pageOf reads one page of a listing: its ids from an index (skipping
// Offset entries there, not rows), then those rows and their tags by id.
func (s *DB) pageOf(ctx context.Context, tx *sql.Tx, f unvite.InvitationFilter) ([]*unvite.Invitation, error) {
	w, args, err := whereClause(f)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id FROM invitations i`+indexedBy(listIndex(f, false))+w, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: list invitations: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	rows.Close()
	return s.pageByID(ctx, tx, f, ids)
}

// pageIDs is the step the ids of a page by id are padded to (repeating
// the last), so that its statements have a few texts, each prepared once
// per connection: parsing them was some 6% of a kept page's CPU.
const pageIDs = 50

// pageByID reads a page's rows and their tags by id, in the order of ids.
func (s *DB) pageByID(ctx context.Context, tx *sql.Tx, f unvite.InvitationFilter, ids []int64) ([]*unvite.Invitation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	at := make(map[int64]int, len(ids))
	for k, id := range ids {
		at[id] = k
	}
	list := make([]*unvite.Invitation, len(ids))
	padded := slices.Grow(slices.Clone(ids), pageIDs)
	for len(padded)%pageIDs != 0 {
		padded = append(padded, ids[len(ids)-1])
	}
	byID := unvite.InvitationFilter{IDs: padded, Brief: f.Brief, Outcomes: f.Outcomes}
	// One block of the page's size, not a slab's 512.
	block := make([]unvite.Invitation, len(ids))
	next := func() *unvite.Invitation {
		if len(block) == 0 {
			return new(unvite.Invitation)
		}
		inv := &block[0]
		block = block[1:]
		return inv
	}
	err := eachInvitation(ctx, s.prepared(tx), byID, readOpts{byIDs: true, next: next}, func(inv *unvite.Invitation) error {
		list[at[inv.ID]] = inv
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list, func(inv *unvite.Invitation) bool { return inv == nil }), nil
}

// mostOfTable tells whether a filter selects most rows of the table: a plan
// of a large account. Reading them in table order and sorting here reads
// pages in file order instead of seeking each row from the index (a fifth
// faster for 100,000 rows).
func mostOfTable(ctx context.Context, q queryer, f unvite.InvitationFilter) (bool, error) {
	// One account's rows, in a store that holds no other's: the whole table,
	// told by the ends of the account index without counting a million
	// entries (a tenth of a million-row report's CPU).
	if f.AccountID != 0 && len(f.Statuses) == 0 {
		var lo, hi sql.NullInt64
		if err := q.QueryRowContext(ctx, `SELECT (SELECT min(account_id) FROM invitations), (SELECT max(account_id) FROM invitations)`).Scan(&lo, &hi); err != nil {
			return false, fmt.Errorf("sqlite: list invitations: %w", err)
		}
		if lo.Int64 == f.AccountID && hi.Int64 == f.AccountID {
			return true, nil
		}
	}
	// About how many rows: counted on the status index alone.
	n, err := countInvitations(ctx, q, unvite.InvitationFilter{AccountID: f.AccountID, Statuses: f.Statuses})
	if err != nil {
		return false, err
	}
	lo, hi, err := idRange(ctx, q)
	if err != nil {
		return false, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	return int64(n)*2 > hi-lo+1, nil
}

// idRange is the lowest and highest invitation id (0, 0 for none). Each is
// its own subquery: SQLite looks up a lone min() or max() at the end of the
// table, but min and max in one select read every row (a tenth of a
// million-row report's CPU).
func idRange(ctx context.Context, q queryer) (lo, hi int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT coalesce((SELECT min(id) FROM invitations), 0), coalesce((SELECT max(id) FROM invitations), 0)`).Scan(&lo, &hi)
	return lo, hi, err
}

// read runs fn in one read transaction: every statement of it sees the same
// snapshot, whatever commits meanwhile (WAL), so rows and their tags agree.
func (s *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// sortBySent sorts a table scan's rows (in id order) by sent time, then id.
// Rows stored from an export, newest first, come in reverse: they are
// reversed, and then each run of one sent time, whose ids that turned round.
func sortBySent(list []*unvite.Invitation) {
	for i := 1; i < len(list); i++ {
		if list[i].SentAt.After(list[i-1].SentAt) {
			slices.SortFunc(list, bySent)
			return
		}
	}
	slices.Reverse(list)
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].SentAt.Equal(list[i].SentAt) {
			j++
		}
		slices.Reverse(list[i:j])
		i = j
	}
}

// bySent is the default order: sent time, then id.
func bySent(x, y *unvite.Invitation) int {
	if c := x.SentAt.Compare(y.SentAt); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}

// EachInvitation streams the invitations a filter selects.
func (s *DB) EachInvitation(ctx context.Context, f unvite.InvitationFilter, fn func(*unvite.Invitation) error) error {
	if f.Unordered && f.Limit == 0 && f.Offset == 0 {
		f.Sort = ""
		return s.eachUnordered(ctx, f, fn)
	}
	return s.read(ctx, func(tx *sql.Tx) error { return eachInvitation(ctx, tx, f, readOpts{}, fn) })
}

// readOpts say how eachInvitation reads.
type readOpts struct {
	// scan reads in table order (unsorted) rather than the filter's.
	scan bool
	// cond narrows the read to part of the table (trusted SQL).
	cond string
	// next, when set, gives the invitation to read each row into (one
	// reused); nil: a new one each row.
	next func() *unvite.Invitation
	// byIDs: the filter is f.IDs alone, whose tags are read by id.
	byIDs bool
}

// unlistedOf maps the account's unlisted invitations (every account's for
// 0) to when they were first missed.
func unlistedOf(ctx context.Context, q queryer, accountID int64) (map[int64]time.Time, error) {
	cond, args := ``, []any{}
	if accountID != 0 {
		cond, args = ` AND account_id = ?`, append(args, accountID)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, unlisted_at FROM invitations WHERE unlisted_at IS NOT NULL`+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: unlisted invitations: %w", err)
	}
	defer rows.Close()
	var m map[int64]time.Time
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("sqlite: unlisted invitations: %w", err)
		}
		if m == nil {
			m = map[int64]time.Time{}
		}
		m[id] = time.Unix(at, 0).UTC()
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: unlisted invitations: %w", err)
	}
	return m, nil
}

// eachInvitation streams the invitations a filter selects.
func eachInvitation(ctx context.Context, q queryer, f unvite.InvitationFilter, o readOpts, fn func(*unvite.Invitation) error) error {
	from, where, args, err := selection(f, o)
	if err != nil {
		return err
	}
	var tags map[int64][]string
	if o.byIDs {
		tags, err = tagsByID(ctx, q, f.IDs)
	} else {
		noLimit, _, _ := strings.Cut(where, " LIMIT ")
		tags, err = tagsOf(ctx, q, noLimit, args)
	}
	if err != nil {
		return err
	}
	cols, scanRow := invitationColumns, scanInvitation
	if f.Outcomes && !f.Brief {
		cols, scanRow = outcomeColumns(f), outcomeScanner(f)
	}
	if f.Brief {
		// Unlisted ones are few, found on their partial index: reading the
		// row's last column instead made a plan's read 5-10% dearer.
		unlisted, err := unlistedOf(ctx, q, f.AccountID)
		if err != nil {
			return err
		}
		cols, scanRow = briefColumns, scanBrief
		// What the filter fixes is not read: each column read costs a call
		// into SQLite, behind its connection mutex (a fifth of a plan's time).
		if f.AccountID != 0 && len(f.Statuses) == 1 {
			acct, st := f.AccountID, f.Statuses[0]
			cols = briefFixedColumns
			scanRow = func(row interface{ Scan(...any) error }, inv *unvite.Invitation) error {
				inv.AccountID, inv.Status = acct, st
				return scanBriefFixed(row, inv)
			}
		}
		brief := scanRow
		scanRow = func(row interface{ Scan(...any) error }, inv *unvite.Invitation) error {
			err := brief(row, inv)
			inv.UnlistedAt = unlisted[inv.ID] // zero for most: an invitation may be reused
			return err
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cols+from+where, args...)
	if err != nil {
		return fmt.Errorf("sqlite: list invitations: %w", err)
	}
	defer rows.Close()
	var invs slab
	next := o.next
	if next == nil {
		next = invs.next
	}
	for rows.Next() {
		inv := next()
		if err := scanRow(rows, inv); err != nil {
			return fmt.Errorf("sqlite: scan invitation: %w", err)
		}
		inv.Tags = tags[inv.ID]
		if err := fn(inv); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: list invitations: %w", err)
	}
	return nil
}

// selection is the FROM and WHERE (and ORDER BY, LIMIT) of what f selects,
// read as o says.
func selection(f unvite.InvitationFilter, o readOpts) (from, where string, args []any, err error) {
	where, args, err = whereClause(f)
	if err != nil {
		return "", "", nil, err
	}
	if o.cond != "" {
		cond, order, _ := strings.Cut(where, " ORDER BY ")
		if cond == "" {
			cond = " WHERE " + o.cond
		} else {
			cond += " AND " + o.cond
		}
		where = cond + " ORDER BY " + order
	}
	from = ` FROM invitations i`
	if o.scan {
		where, _, _ = strings.Cut(where, " ORDER BY ")
		from = ` FROM invitations i NOT INDEXED`
	}
	return from, where, args, nil
}

// eachOutcome reads outcome rows (f.Outcomes) as eachInvitation does, into
// the invitations o.next gives, but through the driver's own rows:
// database/sql's Next and Scan were a tenth of the CPU of a million-row
// report. The tags and the rows are read in one transaction.
func (s *DB) eachOutcome(ctx context.Context, f unvite.InvitationFilter, o readOpts, fn func(*unvite.Invitation) error) error {
	from, where, args, err := selection(f, o)
	if err != nil {
		return err
	}
	named := make([]driver.NamedValue, len(args))
	for k, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return fmt.Errorf("sqlite: list invitations: argument %d: %w", k+1, err)
		}
		named[k] = driver.NamedValue{Ordinal: k + 1, Value: v}
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: list invitations: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		tx, err := dc.(driver.ConnBeginTx).BeginTx(ctx, driver.TxOptions{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("sqlite: begin read: %w", err)
		}
		err = readOutcomes(ctx, dc, f, o, from, where, named, fn)
		if rbErr := tx.Rollback(); rbErr != nil {
			// Still in the transaction: not to go back to the pool.
			return errors.Join(err, rbErr, driver.ErrBadConn)
		}
		return err
	})
}

// readOutcomes is eachOutcome's reading, on the driver connection dc.
func readOutcomes(ctx context.Context, dc any, f unvite.InvitationFilter, o readOpts, from, where string, args []driver.NamedValue, fn func(*unvite.Invitation) error) error {
	tags := map[int64][]string{}
	err := eachDriverRow(ctx, dc, "tags", tagsQuery(where), args, func(v []driver.Value) error {
		id, _ := v[0].(int64)
		tag, _ := v[1].(string)
		tags[id] = append(tags[id], tag)
		return nil
	})
	if err != nil {
		return err
	}
	vals := make([]any, outcomeWidth(f))
	return eachDriverRow(ctx, dc, "list invitations", `SELECT `+outcomeColumns(f)+from+where, args, func(v []driver.Value) error {
		for k := range vals {
			vals[k] = v[k]
		}
		inv := o.next()
		if err := decodeOutcome(f, vals, inv); err != nil {
			return fmt.Errorf("sqlite: scan invitation: %w", err)
		}
		inv.Tags = tags[inv.ID]
		return fn(inv)
	})
}

// eachDriverRow runs a query on a driver connection and calls fn with each
// row's values (reused from row to row). The query's errors say what it
// read; fn's come back as they are.
func eachDriverRow(ctx context.Context, dc any, what, query string, args []driver.NamedValue, fn func([]driver.Value) error) (err error) {
	rows, err := dc.(driver.QueryerContext).QueryContext(ctx, query, args)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer func() {
		if cerr := rows.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("sqlite: %s: %w", what, cerr)
		}
	}()
	vals := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(vals); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("sqlite: %s: %w", what, err)
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
}

// eachUnordered streams a selection in no order. Most of a large table is
// read in two halves by id, each in table order on a connection of its own
// (the reading, not fn, is nearly all the time, and SQLite reads one
// statement on one core); each half is one snapshot, the two perhaps a
// commit apart. Rows come over in blocks that go back to their reader once
// fn has seen them, so a million rows cost a few blocks, not a million
// invitations; fn runs on the caller's goroutine alone. Outcome rows skip
// database/sql (see eachOutcome).
func (s *DB) eachUnordered(ctx context.Context, f unvite.InvitationFilter, fn func(*unvite.Invitation) error) error {
	most, err := mostOfTable(ctx, s.db, f)
	if err != nil {
		return err
	}
	if !most {
		return s.read(ctx, func(tx *sql.Tx) error { return eachInvitation(ctx, tx, f, readOpts{}, fn) })
	}
	lo, hi, err := idRange(ctx, s.db)
	if err != nil {
		return fmt.Errorf("sqlite: list invitations: %w", err)
	}
	mid := lo + (hi-lo)/2
	parts := [2]string{fmt.Sprintf("i.id <= %d", mid), fmt.Sprintf("i.id > %d", mid)}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const blockSize, blocksEach = 1024, 4
	type block struct {
		rows []unvite.Invitation
		free chan *block // its reader's, to go back to
	}
	full := make(chan *block, 2*blocksEach)
	var errs [2]error
	var wg sync.WaitGroup
	for k, cond := range parts {
		free := make(chan *block, blocksEach)
		for range blocksEach {
			free <- &block{rows: make([]unvite.Invitation, 0, blockSize), free: free}
		}
		wg.Go(func() {
			b := <-free
			pass := func() error {
				select {
				case full <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
				select {
				case b = <-free:
					b.rows = b.rows[:0]
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			o := readOpts{scan: true, cond: cond, next: func() *unvite.Invitation {
				b.rows = append(b.rows, unvite.Invitation{})
				return &b.rows[len(b.rows)-1]
			}}
			passFull := func(*unvite.Invitation) error {
				if len(b.rows) == blockSize {
					return pass()
				}
				return nil
			}
			if f.Outcomes && !f.Brief {
				errs[k] = s.eachOutcome(ctx, f, o, passFull)
			} else {
				errs[k] = s.read(ctx, func(tx *sql.Tx) error { return eachInvitation(ctx, tx, f, o, passFull) })
			}
			if errs[k] == nil && len(b.rows) > 0 {
				select {
				case full <- b:
				case <-ctx.Done():
					errs[k] = ctx.Err()
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(full)
	}()
	var fnErr error
	for b := range full {
		for i := range b.rows {
			if fnErr != nil {
				break // draining, so the readers can finish
			}
			if fnErr = fn(&b.rows[i]); fnErr != nil {
				cancel()
			}
		}
		b.free <- b // never blocks: a reader has blocksEach blocks at most
	}
	if fnErr != nil {
		return fnErr
	}
	return errors.Join(errs[:]...)
}

// CountInvitations counts what a filter selects (Limit and Offset ignored).
func (s *DB) CountInvitations(ctx context.Context, f unvite.InvitationFilter) (int, error) {
	if k, ok := cacheKey(f); ok {
		// A listing kept for this state of the file counts it. A failed
		// read of the state only means counting here.
		if v, err := s.lists.version(ctx, s.db); err == nil {
			if l := s.lists.counted(k, v); l != nil {
				return l.count(f), nil
			}
		}
	}
	return countInvitations(ctx, s.db, f)
}

func countInvitations(ctx context.Context, q queryer, f unvite.InvitationFilter) (int, error) {
	f.Limit, f.Offset, f.Sort = 0, 0, ""
	where, args, err := whereClause(f)
	if err != nil {
		return 0, err
	}
	from := ` FROM invitations i` + indexedBy(listIndex(f, true))
	if f.Search != "" {
		// A search reads each row's text: most of the table is read faster
		// in its own order than row by row from an index (a third of the
		// time for 29,000 of 50,000 rows).
		rest := f
		rest.Search, rest.Tag = "", ""
		n, err := countInvitations(ctx, q, rest) // on an index alone
		if err != nil {
			return 0, err
		}
		lo, hi, err := idRange(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("sqlite: count invitations: %w", err)
		}
		if int64(n)*2 > hi-lo+1 {
			from = ` FROM invitations i NOT INDEXED`
		}
	}
	if f.Tag != "" && f.Search == "" {
		// From the tag's rows to theirs: a tag is on a few of an account's
		// invitations, and a probe of the tags per index entry cost 4 times
		// as much at 50,000 invitations.
		from = ` FROM tags tg CROSS JOIN invitations i ON i.id = tg.invitation_id`
		if where, args, err = filterSQL(f, true); err != nil {
			return 0, err
		}
	}
	where = where[:strings.Index(where, " ORDER BY ")]
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*)`+from+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count invitations: %w", err)
	}
	return n, nil
}

// Transition moves one invitation and records the event (by trigger).
func (s *DB) Transition(ctx context.Context, id int64, to unvite.Status, ch unvite.Change) (*unvite.Invitation, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var out *unvite.Invitation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		inv, err := getInvitation(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := unvite.CanTransition(inv.Status, to); err != nil {
			return unvite.Errorf(unvite.EINVALID, "invitation %d to %s: %s", id, inv.Invitee.Name, err.Error())
		}
		var reinvite any
		if to == unvite.StatusWithdrawn {
			cd := ch.CoolDown
			if cd <= 0 {
				cd = unvite.DefaultCoolDown
			}
			reinvite = ch.At.Add(cd).Unix()
		}
		_, err = tx.ExecContext(ctx, `UPDATE invitations SET status = ?, status_since = ?, changed_at = ?,
			status_reason = ?, status_actor = ?, reinvite_after = coalesce(?, reinvite_after) WHERE id = ?`,
			to, ch.At.Unix(), s.now().Unix(), ch.Reason, ch.Actor, reinvite, id)
		if err != nil {
			return fmt.Errorf("sqlite: invitation %d to %s: %w", id, to, err)
		}
		out, err = getInvitation(ctx, tx, id)
		return err
	})
	return out, err
}

// Tag adds or removes tags, one event per invitation.
func (s *DB) Tag(ctx context.Context, ids []int64, tags []string, remove bool, ch unvite.Change) error {
	if err := unvite.ValidateTags(tags); err != nil {
		return err
	}
	typ, stmt := "tag", `INSERT INTO tags (invitation_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`
	if remove {
		typ, stmt = "untag", `DELETE FROM tags WHERE invitation_id = ? AND tag = ?`
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			inv, err := getInvitation(ctx, tx, id)
			if err != nil {
				return err
			}
			for _, t := range tags {
				if _, err := tx.ExecContext(ctx, stmt, id, t); err != nil {
					return fmt.Errorf("sqlite: %s invitation %d: %w", typ, id, err)
				}
			}
			reason := strings.Join(tags, ",")
			if ch.Reason != "" {
				reason += ": " + ch.Reason
			}
			if err := s.addEvent(ctx, tx, inv, typ, reason, ch); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetProtected marks invitations as never to be withdrawn by a policy, or not.
func (s *DB) SetProtected(ctx context.Context, ids []int64, protected bool, ch unvite.Change) error {
	typ := "protect"
	if !protected {
		typ = "unprotect"
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			inv, err := getInvitation(ctx, tx, id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE invitations SET protected = ? WHERE id = ?`, protected, id); err != nil {
				return fmt.Errorf("sqlite: %s invitation %d: %w", typ, id, err)
			}
			if err := s.addEvent(ctx, tx, inv, typ, ch.Reason, ch); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *DB) addEvent(ctx context.Context, tx *sql.Tx, inv *unvite.Invitation, typ, reason string, ch unvite.Change) error {
	at := ch.At
	if at.IsZero() {
		at = s.now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (account_id, invitation_id, at, type, reason, actor)
		VALUES (?, ?, ?, ?, ?, ?)`, inv.AccountID, inv.ID, at.Unix(), typ, reason, ch.Actor)
	if err != nil {
		return fmt.Errorf("sqlite: record %s event: %w", typ, err)
	}
	return nil
}

// Events lists audit events, newest first.
func (s *DB) Events(ctx context.Context, f unvite.EventFilter) ([]*unvite.Event, error) {
	q := `SELECT e.id, e.account_id, coalesce(e.invitation_id, 0), coalesce(i.name, ''), e.at, e.type, e.from_status, e.to_status, e.reason, e.actor
		FROM events e LEFT JOIN invitations i ON i.id = e.invitation_id WHERE 1=1`
	var args []any
	if f.AccountID != 0 {
		q += " AND e.account_id = ?"
		args = append(args, f.AccountID)
	}
	if f.InvitationID != 0 {
		q += " AND e.invitation_id = ?"
		args = append(args, f.InvitationID)
	}
	q += " ORDER BY e.at DESC, coalesce(e.invitation_id, 0) DESC, e.id DESC" // see unvite.EventFilter
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer rows.Close()
	var list []*unvite.Event
	for rows.Next() {
		var e unvite.Event
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &e.AccountID, &e.InvitationID, &e.Person, &at, &e.Type, &e.From, &e.To, &e.Reason, &e.Actor); err != nil {
			return nil, fmt.Errorf("sqlite: scan event: %w", err)
		}
		e.At = fromUnix(at)
		list = append(list, &e)
	}
	return list, rows.Err()
}

// Connections lists an account's known connections, newest first.
func (s *DB) Connections(ctx context.Context, accountID int64) ([]unvite.Connection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, slug, headline, company, email, member_urn, connected_on
		FROM connections WHERE account_id = ? ORDER BY connected_on DESC, name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: connections: %w", err)
	}
	defer rows.Close()
	var list []unvite.Connection
	for rows.Next() {
		var c unvite.Connection
		var on sql.NullInt64
		if err := rows.Scan(&c.Person.Name, &c.Person.Slug, &c.Person.Headline, &c.Person.Company, &c.Email, &c.Person.MemberURN, &on); err != nil {
			return nil, fmt.Errorf("sqlite: scan connection: %w", err)
		}
		c.ConnectedOn = fromUnix(on)
		list = append(list, c)
	}
	return list, rows.Err()
}
