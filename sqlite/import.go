package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// BeginImport opens the one write transaction an import runs in.
func (s *DB) BeginImport(ctx context.Context, accountID int64, meta unvite.ImportMeta) (unvite.ImportBatch, error) {
	if _, err := s.Account(ctx, accountID); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin import: %w", err)
	}
	b := &batch{s: s, tx: tx, account: accountID, meta: meta, now: s.now(), actor: "import:" + meta.File}
	if err := b.prepare(ctx); err != nil {
		tx.Rollback()
		return nil, err
	}
	return b, nil
}

type batch struct {
	s       *DB
	tx      *sql.Tx
	account int64
	meta    unvite.ImportMeta
	now     time.Time
	actor   string
	id      int64 // imports.id
	before  int   // invitations of the account before the import
	maxID   int64 // highest invitation id before the import: rows above it are new
	sum     unvite.ImportSummary
	done    bool

	putInv, putConn, matchTracked *sql.Stmt
	pending                       []any // rows for putInv, invCols values each
}

// Invitation rows are written invBatch at a time: one statement for many
// rows costs far less per row than a statement each.
const (
	invBatch = 128
	invCols  = 17
)

// upsertInvitations builds the INSERT for n rows. An existing invitation
// keeps its status here: statuses only move in Commit's rules, forward.
// Known details are never blanked by a file that lacks them.
func upsertInvitations(n int) string {
	row := "(" + placeholders(invCols) + ", 'pending')"
	return `INSERT INTO invitations (account_id, direction, kind, person_key, name, headline, company, slug,
		member_urn, sent_at, note, had_note, status_since, source, seen_import, changed_at, status_actor, status)
		VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", n), ",") + `
		ON CONFLICT (account_id, direction, person_key, sent_at) DO UPDATE SET
			name = excluded.name,
			headline = CASE WHEN excluded.headline <> '' THEN excluded.headline ELSE headline END,
			company = CASE WHEN excluded.company <> '' THEN excluded.company ELSE company END,
			note = CASE WHEN excluded.note <> '' THEN excluded.note ELSE note END,
			had_note = had_note OR excluded.had_note,
			sent_at_approx = 0,
			seen_import = excluded.seen_import`
}

// flush writes the buffered invitation rows.
func (b *batch) flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	var err error
	if len(b.pending) == invBatch*invCols {
		_, err = b.putInv.ExecContext(ctx, b.pending...)
	} else {
		_, err = b.tx.ExecContext(ctx, upsertInvitations(len(b.pending)/invCols), b.pending...)
	}
	b.pending = b.pending[:0]
	if err != nil {
		return fmt.Errorf("sqlite: import %s: write invitations: %w", b.meta.File, err)
	}
	return nil
}

func (b *batch) prepare(ctx context.Context) error {
	err := b.tx.QueryRowContext(ctx, `INSERT INTO imports (account_id, file, as_of, snapshot, started_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, b.account, b.meta.File, unix(b.meta.AsOf), b.meta.Snapshot, b.now.Unix()).Scan(&b.id)
	if err != nil {
		return fmt.Errorf("sqlite: begin import: %w", err)
	}
	if err := b.tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM invitations WHERE account_id = ?),
		(SELECT coalesce(max(id), 0) FROM invitations)`, b.account).Scan(&b.before, &b.maxID); err != nil {
		return fmt.Errorf("sqlite: begin import: %w", err)
	}
	// An existing invitation keeps its status here: statuses only move in
	// Commit's rules, forward. Known details are never blanked by a file that lacks them.
	if b.putInv, err = b.tx.PrepareContext(ctx, upsertInvitations(invBatch)); err != nil {
		return fmt.Errorf("sqlite: prepare import: %w", err)
	}
	b.putConn, err = b.tx.PrepareContext(ctx, `INSERT INTO connections (account_id, person_key, name, slug,
		headline, company, email, member_urn, connected_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, person_key) DO UPDATE SET name = excluded.name,
			headline = excluded.headline, company = excluded.company, email = excluded.email,
			member_urn = CASE WHEN excluded.member_urn <> '' THEN excluded.member_urn ELSE member_urn END,
			connected_on = min(connected_on, excluded.connected_on)`)
	if err != nil {
		return fmt.Errorf("sqlite: prepare import: %w", err)
	}
	// Sheet rows are matched by person and day; the status index serves the
	// day range when the row has no profile URL and names must be compared.
	b.matchTracked, err = b.tx.PrepareContext(ctx, `SELECT id, person_key, name FROM invitations
		WHERE account_id = ? AND status IN ('pending', 'withdrawing', 'accepted', 'withdrawn', 'gone')
			AND sent_at >= ? AND sent_at < ? AND direction = 'sent'
		ORDER BY sent_at DESC`)
	if err != nil {
		return fmt.Errorf("sqlite: prepare import: %w", err)
	}
	return nil
}

func (b *batch) PutConnection(ctx context.Context, c unvite.Connection) error {
	if c.Person.Name == "" && c.Person.Slug == "" {
		return unvite.Errorf(unvite.EINVALID, "%s: a connection needs a name or a profile URL", b.meta.File)
	}
	_, err := b.putConn.ExecContext(ctx, b.account, c.Person.Key(), c.Person.Name, c.Person.Slug,
		c.Person.Headline, c.Person.Company, c.Email, c.Person.MemberURN, c.ConnectedOn.Unix())
	if err != nil {
		return fmt.Errorf("sqlite: import connection %q: %w", c.Person.Name, err)
	}
	b.sum.Connections++
	return nil
}

func (b *batch) PutInvitation(ctx context.Context, inv *unvite.Invitation) error {
	if inv.Direction != unvite.Sent && inv.Direction != unvite.Received {
		return unvite.Errorf(unvite.EINVALID, "%s: invitation direction %q", b.meta.File, inv.Direction)
	}
	if inv.SentAt.IsZero() {
		return unvite.Errorf(unvite.EINVALID, "%s: invitation to %q has no sent time", b.meta.File, inv.Invitee.Name)
	}
	kind, src := inv.Kind, inv.Source
	if kind == "" {
		kind = unvite.KindPerson
	}
	if src == "" {
		src = unvite.SourceExport
	}
	p := inv.Invitee
	sent := inv.SentAt.Unix()
	b.pending = append(b.pending, b.account, inv.Direction, kind, p.Key(), p.Name, p.Headline,
		p.Company, p.Slug, p.MemberURN, sent, inv.Note, inv.HadNote || inv.Note != "", sent, src, b.id,
		b.now.Unix(), b.actor)
	if len(b.pending) == invBatch*invCols {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	b.sum.Rows++
	return nil
}

func (b *batch) PutTracked(ctx context.Context, r unvite.TrackedRow) (bool, error) {
	if r.SentOn.IsZero() {
		return false, unvite.Errorf(unvite.EINVALID, "%s: line %d: no date sent", b.meta.File, r.Line)
	}
	if err := b.flush(ctx); err != nil {
		return false, err
	}
	day := r.SentOn.UTC().Truncate(24 * time.Hour)
	id, err := b.findTracked(ctx, r, day)
	if err != nil {
		return false, err
	}
	if id != 0 {
		_, err := b.tx.ExecContext(ctx, `UPDATE invitations SET follow_up_on = coalesce(?, follow_up_on),
			comment = CASE WHEN ? <> '' THEN ? ELSE comment END, had_note = had_note OR ?,
			company = CASE WHEN company = '' THEN ? ELSE company END WHERE id = ?`,
			unix(r.FollowUpOn), r.Comment, r.Comment, r.HadNote, r.Person.Company, id)
		if err != nil {
			return false, fmt.Errorf("sqlite: %s: line %d: %w", b.meta.File, r.Line, err)
		}
		b.sum.Matched++
		return true, nil
	}
	// Not in any export: keep it as the sheet has it.
	status := r.Status
	if status == "" || status == unvite.StatusWithdrawing {
		status = unvite.StatusPending
	}
	p := r.Person
	_, err = b.tx.ExecContext(ctx, `INSERT INTO invitations (account_id, direction, kind, person_key, name,
		headline, company, slug, sent_at, had_note, status, status_since, source, follow_up_on, comment,
		seen_import, changed_at, status_actor)
		VALUES (?, 'sent', 'person', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sheet', ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, direction, person_key, sent_at) DO UPDATE SET
			follow_up_on = coalesce(excluded.follow_up_on, follow_up_on), comment = excluded.comment`,
		b.account, p.Key(), p.Name, p.Headline, p.Company, p.Slug, day.Unix(), r.HadNote, status, day.Unix(),
		unix(r.FollowUpOn), r.Comment, b.id, b.now.Unix(), b.actor)
	if err != nil {
		return false, fmt.Errorf("sqlite: %s: line %d: %w", b.meta.File, r.Line, err)
	}
	b.sum.Unmatched++
	return false, nil
}

// findTracked finds the invitation a sheet row describes: sent that day to
// the same person, by profile when the sheet has one, else by name.
func (b *batch) findTracked(ctx context.Context, r unvite.TrackedRow, day time.Time) (int64, error) {
	rows, err := b.matchTracked.QueryContext(ctx, b.account, day.Unix(), day.Add(24*time.Hour).Unix())
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: line %d: %w", b.meta.File, r.Line, err)
	}
	defer rows.Close()
	key, name := r.Person.Key(), unvite.NormalizeName(r.Person.Name)
	for rows.Next() {
		var id int64
		var k, n string
		if err := rows.Scan(&id, &k, &n); err != nil {
			return 0, fmt.Errorf("sqlite: %s: line %d: %w", b.meta.File, r.Line, err)
		}
		if k == key || (r.Person.Slug == "" && unvite.NormalizeName(n) == name) {
			return id, nil
		}
	}
	return 0, rows.Err()
}

// Commit applies the status rules (see unvite.ImportBatch) and commits.
func (b *batch) Commit(ctx context.Context) (unvite.ImportSummary, error) {
	if b.done {
		return b.sum, unvite.Errorf(unvite.EINTERNAL, "import already finished")
	}
	defer b.Rollback()
	if err := b.flush(ctx); err != nil {
		return b.sum, err
	}
	if err := b.mergeSynced(ctx); err != nil {
		return b.sum, err
	}
	var after int
	if err := b.tx.QueryRowContext(ctx, `SELECT count(*) FROM invitations WHERE account_id = ?`, b.account).Scan(&after); err != nil {
		return b.sum, fmt.Errorf("sqlite: import: %w", err)
	}
	b.sum.Added = after - b.before - b.sum.Unmatched
	b.sum.Unchanged = b.sum.Rows - b.sum.Added
	type step struct {
		n     *int
		query string
		args  []any
	}
	steps := []step{
		{&b.sum.Superseded, supersedeSQL, []any{b.now.Unix(), b.actor, b.account, b.account}},
		{&b.sum.Accepted, acceptSQL, []any{b.now.Unix(), b.actor, b.account, unvite.Sent}},
		{&b.sum.Accepted, acceptSQL, []any{b.now.Unix(), b.actor, b.account, unvite.Received}},
	}
	if b.meta.Snapshot {
		asOf := b.meta.AsOf
		if asOf.IsZero() {
			asOf = b.now
		}
		steps = append(steps, step{&b.sum.Gone, goneSQL, []any{asOf.Unix(), b.now.Unix(), b.actor, b.account, b.id, asOf.Unix()}})
	}
	for _, st := range steps {
		res, err := b.tx.ExecContext(ctx, st.query, st.args...)
		if err != nil {
			return b.sum, fmt.Errorf("sqlite: import %s: apply status rules: %w", b.meta.File, err)
		}
		n, _ := res.RowsAffected()
		*st.n += int(n)
	}
	js, _ := json.Marshal(b.sum)
	if _, err := b.tx.ExecContext(ctx, `UPDATE imports SET summary = ? WHERE id = ?`, string(js), b.id); err != nil {
		return b.sum, fmt.Errorf("sqlite: import: %w", err)
	}
	if err := b.tx.Commit(); err != nil {
		return b.sum, fmt.Errorf("sqlite: commit import %s: %w", b.meta.File, err)
	}
	b.done = true
	return b.sum, nil
}

func (b *batch) Rollback() error {
	if b.done {
		return nil
	}
	b.done = true
	for _, st := range []*sql.Stmt{b.putInv, b.putConn, b.matchTracked} {
		if st != nil {
			st.Close()
		}
	}
	return b.tx.Rollback()
}

// A sent invitation is superseded when a later one went to the same person:
// LinkedIn keeps one pending invitation per person, so the earlier one was
// withdrawn. Only people invited more than once are looked at.
const supersedeSQL = `UPDATE invitations SET status = 'withdrawn',
	status_since = (SELECT min(b.sent_at) FROM invitations b WHERE b.account_id = invitations.account_id
		AND b.direction = 'sent' AND b.person_key = invitations.person_key AND b.sent_at > invitations.sent_at),
	changed_at = ?, status_reason = 're-invited later: superseded', status_actor = ?
WHERE account_id = ? AND direction = 'sent' AND status = 'pending'
	AND person_key IN (SELECT person_key FROM invitations WHERE account_id = ? AND direction = 'sent'
		GROUP BY person_key HAVING count(*) > 1)
	AND EXISTS (SELECT 1 FROM invitations b WHERE b.account_id = invitations.account_id
		AND b.direction = 'sent' AND b.person_key = invitations.person_key AND b.sent_at > invitations.sent_at)`

// An invitation is accepted when its person connected on or after the day it
// was sent, and it is the latest invitation to that person. CROSS JOIN makes
// SQLite walk the (small) connections table and probe invitations by index,
// so a million invitations are not scanned.
const acceptSQL = `WITH hit AS MATERIALIZED (
	SELECT i.id, c.connected_on FROM connections c CROSS JOIN invitations i
	WHERE c.account_id = ?3 AND i.account_id = c.account_id AND i.direction = ?4
		AND i.person_key = c.person_key AND i.status IN ('pending', 'gone')
		AND c.connected_on >= i.sent_at - i.sent_at % 86400
		AND NOT EXISTS (SELECT 1 FROM invitations b WHERE b.account_id = i.account_id
			AND b.direction = i.direction AND b.person_key = i.person_key AND b.sent_at > i.sent_at))
UPDATE invitations SET status = 'accepted', status_since = hit.connected_on, changed_at = ?1,
	status_reason = 'connected on ' || date(hit.connected_on, 'unixepoch'), status_actor = ?2
FROM hit WHERE invitations.id = hit.id`

// With a whole Invitations.csv, a pending invitation an earlier import listed
// and this one does not has vanished; accept ran first, so it is gone. Only
// invitations sent before the export date are judged.
const goneSQL = `UPDATE invitations SET status = 'gone', status_since = ?, changed_at = ?,
	status_reason = 'absent from a newer export and not a connection', status_actor = ?
WHERE account_id = ? AND direction = 'sent' AND status = 'pending'
	AND seen_import IS NOT NULL AND seen_import <> ? AND sent_at <= ?`

// mergeSynced folds an export row into the synced invitation it describes:
// sync knew the invitation only by a relative time ("Sent 3 weeks ago"), the
// export has the exact time, and the export's time wins.
func (b *batch) mergeSynced(ctx context.Context) error {
	// Synced rows no import has listed yet are few (found by the partial
	// linkedin_id index); CROSS JOIN walks them first.
	rows, err := b.tx.QueryContext(ctx, `SELECT s.id, e.id, e.sent_at, e.note, e.had_note
		FROM invitations s CROSS JOIN invitations e ON e.account_id = s.account_id AND e.direction = 'sent'
			AND e.person_key = s.person_key AND e.id <> s.id
		WHERE s.account_id = ?1 AND s.linkedin_id IS NOT NULL AND s.direction = 'sent' AND s.seen_import IS NULL
			AND e.seen_import = ?2 AND e.linkedin_id IS NULL AND e.id > ?3
			AND ((s.sent_at_approx = 1 AND e.sent_at >= s.sent_at - 86400) OR abs(e.sent_at - s.sent_at) <= 86400)
		ORDER BY s.id, e.sent_at DESC`, b.account, b.id, b.maxID)
	if err != nil {
		return fmt.Errorf("sqlite: import: merge with synced: %w", err)
	}
	type pair struct {
		sync, exp, sent int64
		note            string
		hadNote         bool
	}
	var pairs []pair
	seen := map[int64]bool{}
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.sync, &p.exp, &p.sent, &p.note, &p.hadNote); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: import: merge with synced: %w", err)
		}
		if !seen[p.sync] && !seen[-p.exp] {
			seen[p.sync], seen[-p.exp] = true, true
			pairs = append(pairs, p)
		}
	}
	rows.Close()
	for _, p := range pairs {
		// The export row was only just inserted (no events, no tags): drop it
		// and give its exact time and note to the synced row.
		if _, err := b.tx.ExecContext(ctx, `DELETE FROM invitations WHERE id = ?`, p.exp); err != nil {
			return fmt.Errorf("sqlite: import: merge with synced: %w", err)
		}
		if _, err := b.tx.ExecContext(ctx, `UPDATE invitations SET sent_at = ?, sent_at_approx = 0,
			note = CASE WHEN ? <> '' THEN ? ELSE note END, had_note = had_note OR ?, seen_import = ? WHERE id = ?`,
			p.sent, p.note, p.note, p.hadNote, b.id, p.sync); err != nil {
			return fmt.Errorf("sqlite: import: merge with synced: %w", err)
		}
	}
	return nil
}
