package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/unvite/unvite"
)

// BeginImport opens the one write transaction an import runs in, on a
// connection of its own whose settings suit the load (see upsertSettings).
// The transaction takes SQLite's write lock first: a second import waits
// for the first to end, then finds (or creates) the owner's account itself.
func (s *DB) BeginImport(ctx context.Context, accountID int64, meta unvite.ImportMeta) (unvite.ImportBatch, error) {
	est := accountID // the account whose rows the bulk test counts
	if accountID != 0 {
		if _, err := s.Account(ctx, accountID); err != nil {
			return nil, err
		}
	} else if err := checkOwner(meta.Owner); err != nil {
		return nil, err
	} else if list, err := s.Accounts(ctx); err == nil {
		if a, _ := unvite.OwnerAccount(list, meta.Owner); a != nil {
			est = a.ID
		}
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin import: %w", err)
	}
	// The bulk path pays for rebuilding the indexes of the whole table and
	// for merging every row the account already has again: it is for a
	// large import into a table at most half its size, of an account with
	// few rows yet (a first import, not the same export again). Counted
	// before the transaction (its settings come first): another import
	// committing meanwhile can make the choice slower, never wrong.
	var maxID, own int64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0), (SELECT count(*) FROM invitations WHERE account_id = ?)
		FROM invitations`, est).Scan(&maxID, &own); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlite: begin import: %w", err)
	}
	bulkRows := s.BulkRows
	if bulkRows <= 0 {
		bulkRows = DefaultBulkRows
	}
	expected := int64(meta.ExpectedRows)
	b := &batch{s: s, conn: conn, account: accountID, meta: meta, now: s.now(), actor: "import:" + meta.File}
	b.bulk = expected >= int64(bulkRows) && maxID*2 < expected && own*10 < expected
	b.large = expected >= int64(bulkRows)
	if err := b.begin(ctx); err != nil {
		b.release()
		return nil, err
	}
	return b, nil
}

// checkOwner checks the owner an import without an account id is given.
func checkOwner(o *unvite.Account) error {
	if o == nil || strings.TrimSpace(o.Name) == "" {
		return unvite.Errorf(unvite.EINVALID, "import: no account, and no owner's name to find or create one by")
	}
	return nil
}

// owner finds the import's account inside its transaction: the one given,
// or the owner's, adopting the owner's profile when the account lacked it,
// or a new one. A new account exists only if the import commits.
func (b *batch) owner(ctx context.Context) error {
	if b.account != 0 {
		a, err := scanAccount(b.tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, b.account))
		if isNoRows(err) {
			return notFound("account", b.account)
		}
		if err != nil {
			return fmt.Errorf("sqlite: begin import: %w", err)
		}
		b.acct = a
		return nil
	}
	rows, err := b.tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sqlite: begin import: %w", err)
	}
	list, err := scanAccounts(rows)
	if err != nil {
		return err
	}
	o := b.meta.Owner
	a, err := unvite.OwnerAccount(list, o)
	if err != nil {
		return err
	}
	if a == nil {
		a = new(unvite.Account)
		*a = *o
		a.ID = 0
		if err := createAccount(ctx, b.tx, a, b.now); err != nil {
			return err
		}
	} else if a.Slug == "" && o.Slug != "" {
		// The export's own name wins over one typed with --name.
		if a, err = patchAccount(ctx, b.tx, a.ID, unvite.OwnerPatch(o), unvite.Change{At: b.now, Reason: "the owner of " + b.meta.File, Actor: b.actor}); err != nil {
			return err
		}
	}
	b.acct, b.account = a, a.ID
	return nil
}

func (b *batch) Account() *unvite.Account { return b.acct }

// Connection settings for the two ways of loading, set before the
// transaction (SQLite ignores foreign_keys inside one) and reset after.
//   - Upserting: the statement journal of a multi-row upsert stays in memory;
//     written to a temporary file it cost a quarter of the import.
//   - Bulk: every row belongs to the account checked at begin, which the
//     write transaction holds, so its foreign key is not checked per row
//     (a quarter of the load). Temporary files stay on disk: index builds
//     sort through them.
var (
	upsertSettings = []string{"PRAGMA temp_store = MEMORY", importBusy}
	bulkSettings   = []string{"PRAGMA foreign_keys = OFF", importBusy}
	resetSettings  = []string{"PRAGMA temp_store = DEFAULT", "PRAGMA foreign_keys = ON",
		fmt.Sprintf("PRAGMA cache_size = %d", cacheSize), "PRAGMA threads = 0", fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout)}
)

// An import waiting for another one to finish (which can take minutes)
// tries again every second until its context ends, so an interrupt is
// heard.
const importBusy = "PRAGMA busy_timeout = 1000"

func (b *batch) begin(ctx context.Context) error {
	settings := upsertSettings
	if b.bulk {
		settings = bulkSettings
	}
	for _, q := range settings {
		if _, err := b.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite: begin import: %w", err)
		}
	}
	// The transaction ends by Commit or Rollback only, never by itself when
	// ctx ends: database/sql would roll it back on another goroutine, racing
	// with release. A cancelled ctx still interrupts the running statement.
	var err error
	for {
		// BEGIN IMMEDIATE (see Open): the write lock, or SQLITE_BUSY.
		b.tx, err = b.conn.BeginTx(context.WithoutCancel(ctx), nil)
		if err == nil || !isBusy(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: begin import: %w", err)
	}
	if err := b.owner(ctx); err != nil {
		b.tx.Rollback()
		return err
	}
	if err := b.prepare(ctx); err != nil {
		b.tx.Rollback()
		return err
	}
	if b.large {
		if err := b.dropListingTriggers(ctx); err != nil {
			b.tx.Rollback()
			return err
		}
	}
	if b.bulk {
		if err := b.beginBulk(ctx); err != nil {
			b.tx.Rollback()
			return err
		}
		if b.before == 0 {
			b.people, b.seed = make([]uint64, 0, 1<<16), maphash.MakeSeed()
		}
	}
	return nil
}

// release resets the connection's settings and gives it back to the pool.
func (b *batch) release() {
	ctx := context.Background() // also after the import's context is done
	for _, q := range resetSettings {
		if _, err := b.conn.ExecContext(ctx, q); err != nil {
			// Not reusable as it is: take it out of the pool.
			b.conn.Raw(func(any) error { return driver.ErrBadConn })
			break
		}
	}
	// SQLite ignores foreign_keys inside a transaction: reading it back
	// proves the connection is out of one and as the pool expects.
	var fk int
	if err := b.conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		b.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	b.conn.Close()
}

type batch struct {
	s       *DB
	conn    *sql.Conn
	tx      *sql.Tx
	account int64
	acct    *unvite.Account
	meta    unvite.ImportMeta
	now     time.Time
	actor   string
	id      int64 // imports.id
	before  int   // invitations of the account before the import
	maxID   int64 // highest invitation id before the import: rows above it are new
	sum     unvite.ImportSummary
	day     unvite.ExportDay
	done    bool

	putConn, matchTracked *sql.Stmt
	pending               []any // invitation rows, invCols values each
	bare                  bool  // every pending row is a bare export row
	w                     *rowWriter

	// In bulk mode the invitation indexes are dropped (inside the import's
	// transaction) and rows are plainly inserted; endBulk merges duplicate
	// rows as the upsert would have and builds the indexes again.
	bulk    bool
	dropped []droppedIndex

	// A large import (large) drops the listing cache's triggers on
	// invitation rows for its transaction (listingDropped) and counts one
	// change at its end instead of one a row.
	large          bool
	listingDropped []droppedIndex

	// On a first import, people holds a hash of each sent row's invitee:
	// with no hash twice, nobody was re-invited and Commit skips looking
	// (a scan of the whole identity index). Nil when not collecting.
	people []uint64
	seed   maphash.Seed
}

// maxPeople bounds the hashes kept (8 bytes each); past it Commit looks.
const maxPeople = 4 << 20

// droppedIndex is an index (or trigger) an import drops and makes again.
type droppedIndex struct{ name, sql string }

// Invitation rows are written invBatch at a time: one statement for many
// rows costs far less per row than a statement each.
const (
	invBatch = 128
	invCols  = 13
)

// identityCols is the unique identity of an invitation, in the order of its
// index, invitations_identity.
const identityCols = "person_key, account_id, direction, sent_at"

// A bare row is what an export gives: a person, no headline, company or
// member URN. A batch of bare rows binds only bareCols of the invCols
// values (bareIndex picks them); the rest are written into the statement.
// Binding was about a quarter of the writer's time.
const bareCols = 8

var (
	bareIndex  = [bareCols]int{0, 2, 3, 6, 8, 9, 10, 11}
	bareValues = fmt.Sprintf("?, %s, ?, ?, '', '', ?, '', ?, ?, ?, ?, %s",
		quote(string(unvite.KindPerson)), quote(string(unvite.SourceExport)))
)

// insertInvitations builds the plain INSERT of n rows (bulk mode; the
// upsert adds to it). What is the same for every row of the import is
// written into the statement rather than bound for each row.
func (b *batch) insertInvitations(n int, bare bool) string {
	values := placeholders(invCols)
	if bare {
		values = bareValues
	}
	row := fmt.Sprintf("(%d, %s, 'pending', %d, %d, %s)", b.account, values, b.id, b.now.Unix(), quote(b.actor))
	return `INSERT INTO invitations (account_id, direction, kind, person_key, name, headline, company, slug,
		member_urn, sent_at, note, had_note, status_since, source, status, seen_import, changed_at, status_actor)
		VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// rowsQuery is the statement that writes n invitation rows.
func (b *batch) rowsQuery(n int, bare bool) string {
	if b.bulk {
		return b.insertInvitations(n, bare)
	}
	return b.upsertInvitations(n, bare)
}

// quote makes s an SQL string literal, doubling its single quotes (the
// only escape SQLite's literals have).
func quote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "'", "''"), "\x00", "") + "'"
}

// upsertInvitations builds the INSERT for n rows. An existing invitation
// keeps its status here: statuses only move in Commit's rules, forward.
// Known details are never blanked by a file that lacks them (mergeDuplicates
// does the same for bulk mode).
func (b *batch) upsertInvitations(n int, bare bool) string {
	return b.insertInvitations(n, bare) + `
		ON CONFLICT (` + identityCols + `) DO UPDATE SET
			name = excluded.name,
			headline = CASE WHEN excluded.headline <> '' THEN excluded.headline ELSE headline END,
			company = CASE WHEN excluded.company <> '' THEN excluded.company ELSE company END,
			note = CASE WHEN excluded.note <> '' THEN excluded.note ELSE note END,
			had_note = had_note OR excluded.had_note,
			sent_at_approx = 0,
			seen_import = excluded.seen_import`
}

// flush writes all buffered invitation rows, waiting for the writer.
func (b *batch) flush(ctx context.Context) error {
	if err := b.w.wait(); err != nil {
		b.w = nil
		return fmt.Errorf("sqlite: import %s: write invitations: %w", b.meta.File, err)
	}
	b.w = nil
	if len(b.pending) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.rowsQuery(len(b.pending)/invCols, false), b.pending...)
	b.pending = b.pending[:0]
	if err != nil {
		return fmt.Errorf("sqlite: import %s: write invitations: %w", b.meta.File, err)
	}
	return nil
}

// rowWriter runs full batches of invitation rows through one prepared
// statement on its own goroutine, so the next rows are read and parsed on
// the other core while SQLite writes. It alone uses the connection (inside
// the import's transaction) until wait returns. It talks to the driver
// directly: database/sql's checks and conversions of each argument cost a
// tenth of a bulk load, for values that are plain strings, integers and
// booleans already.
type rowWriter struct {
	in     chan rowBatch
	free   chan []any
	done   chan error
	failed atomic.Bool
}

// rowBatch is invBatch rows: invCols values each, or bareCols if bare.
type rowBatch struct {
	args []any
	bare bool
}

// startWriter starts a writer; query gives the statement for invBatch rows.
func startWriter(ctx context.Context, conn *sql.Conn, query func(bare bool) string) *rowWriter {
	w := &rowWriter{in: make(chan rowBatch, 1), free: make(chan []any, 3), done: make(chan error, 1)}
	go func() {
		err := conn.Raw(func(dc any) error {
			pc, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return fmt.Errorf("driver %T cannot prepare with a context", dc)
			}
			var stmts [2]driver.Stmt // by bare
			defer func() {
				for _, st := range stmts {
					if st != nil {
						st.Close()
					}
				}
			}()
			nv := make([]driver.NamedValue, invBatch*invCols)
			for i := range nv {
				nv[i].Ordinal = i + 1
			}
			for rb := range w.in {
				k := 0
				if rb.bare {
					k = 1
				}
				if stmts[k] == nil {
					st, err := pc.PrepareContext(ctx, query(rb.bare))
					if err != nil {
						return err
					}
					stmts[k] = st
				}
				ex, ok := stmts[k].(driver.StmtExecContext)
				if !ok {
					return fmt.Errorf("driver statement %T cannot execute with a context", stmts[k])
				}
				for i, v := range rb.args {
					nv[i].Value = v
				}
				_, err := ex.ExecContext(ctx, nv[:len(rb.args)])
				w.recycle(rb.args)
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			w.failed.Store(true)
		}
		for rb := range w.in { // after a failure: let the sender finish
			w.recycle(rb.args)
		}
		w.done <- err
	}()
	return w
}

func (w *rowWriter) recycle(args []any) {
	select {
	case w.free <- args[:0]:
	default:
	}
}

// send hands a full batch over and returns an empty buffer to fill next.
// A bare batch is packed down to its bareCols values a row first.
func (w *rowWriter) send(args []any, bare bool) []any {
	if bare {
		n := 0
		for row := 0; row < len(args); row += invCols {
			for _, i := range bareIndex {
				args[n] = args[row+i]
				n++
			}
		}
		args = args[:n]
	}
	w.in <- rowBatch{args, bare}
	select {
	case buf := <-w.free:
		return buf
	default:
		return make([]any, 0, invBatch*invCols)
	}
}

// wait lets the writer finish and returns its first error.
func (w *rowWriter) wait() error {
	if w == nil {
		return nil
	}
	close(w.in)
	return <-w.done
}

// bulkIndexes are the invitation indexes a bulk load drops and builds
// again: all but the partial linkedin_id one (few rows have an id in an
// export).
var bulkIndexes = []string{"invitations_identity", "invitations_status"}

var bulkIndexNames = "'" + strings.Join(bulkIndexes, "', '") + "'"

// beginBulk drops the invitation indexes for a large load, keeping their
// definitions to build them again.
func (b *batch) beginBulk(ctx context.Context) error {
	rows, err := b.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'index'
		AND tbl_name = 'invitations' AND name IN (`+bulkIndexNames+`) ORDER BY name`)
	if err != nil {
		return fmt.Errorf("sqlite: begin bulk import: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ix droppedIndex
		if err := rows.Scan(&ix.name, &ix.sql); err != nil {
			return fmt.Errorf("sqlite: begin bulk import: %w", err)
		}
		b.dropped = append(b.dropped, ix)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: begin bulk import: %w", err)
	}
	rows.Close()
	if len(b.dropped) != len(bulkIndexes) {
		return fmt.Errorf("sqlite: begin bulk import: found %d of the %d invitation indexes", len(b.dropped), len(bulkIndexes))
	}
	for _, ix := range b.dropped {
		if _, err := b.tx.ExecContext(ctx, `DROP INDEX `+ix.name); err != nil {
			return fmt.Errorf("sqlite: begin bulk import: %w", err)
		}
	}
	return nil
}

// listingTriggers are the listing cache's triggers on invitation rows
// (migration 19). Each costs a call a row: a tenth more CPU for re-importing
// an export, whose every row is updated.
var listingTriggers = []string{"invitations_listing_insert", "invitations_listing_update"}

// dropListingTriggers drops listingTriggers inside the import's
// transaction, keeping their definitions: nobody else sees the file without
// them, and a rollback brings them back.
func (b *batch) dropListingTriggers(ctx context.Context) error {
	rows, err := b.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'
		AND name IN ('`+strings.Join(listingTriggers, "', '")+`') ORDER BY name`)
	if err != nil {
		return fmt.Errorf("sqlite: begin import: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tr droppedIndex
		if err := rows.Scan(&tr.name, &tr.sql); err != nil {
			return fmt.Errorf("sqlite: begin import: %w", err)
		}
		b.listingDropped = append(b.listingDropped, tr)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: begin import: %w", err)
	}
	rows.Close()
	if len(b.listingDropped) != len(listingTriggers) {
		return fmt.Errorf("sqlite: begin import: found %d of the %d listing triggers", len(b.listingDropped), len(listingTriggers))
	}
	for _, tr := range b.listingDropped {
		if _, err := b.tx.ExecContext(ctx, `DROP TRIGGER `+tr.name); err != nil {
			return fmt.Errorf("sqlite: begin import: %w", err)
		}
	}
	return nil
}

// restoreListingTriggers makes the dropped listingTriggers again and counts
// the import as one change to what listings read.
func (b *batch) restoreListingTriggers(ctx context.Context) error {
	if !b.large {
		return nil
	}
	for _, tr := range b.listingDropped {
		if _, err := b.tx.ExecContext(ctx, tr.sql); err != nil {
			return fmt.Errorf("sqlite: import %s: make trigger %s: %w", b.meta.File, tr.name, err)
		}
	}
	if _, err := b.tx.ExecContext(ctx, `UPDATE listing_changes SET n = n + 1`); err != nil {
		return fmt.Errorf("sqlite: import %s: %w", b.meta.File, err)
	}
	return nil
}

// endBulk writes the last rows, folds duplicates together and builds the
// indexes again. Anything after it (sheet rows, Commit's rules) needs them.
func (b *batch) endBulk(ctx context.Context) error {
	if !b.bulk {
		return nil
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	b.bulk = false
	// Sorting in chunks of a small cache, with a second thread, built the
	// indexes of a million rows in 2 s instead of 4, in half the memory.
	for _, q := range []string{"PRAGMA cache_size = -2000", "PRAGMA threads = 2"} {
		if _, err := b.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite: import %s: %w", b.meta.File, err)
		}
	}
	for _, ix := range b.dropped {
		_, err := b.tx.ExecContext(ctx, ix.sql)
		if err != nil && ix.name == "invitations_identity" && strings.Contains(err.Error(), "UNIQUE constraint failed") {
			if err = b.mergeDuplicates(ctx); err == nil {
				_, err = b.tx.ExecContext(ctx, ix.sql)
			}
		}
		if err != nil {
			return fmt.Errorf("sqlite: import %s: build index %s: %w", b.meta.File, ix.name, err)
		}
	}
	if _, err := b.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cacheSize)); err != nil {
		return fmt.Errorf("sqlite: import %s: %w", b.meta.File, err)
	}
	return nil
}

// mergeDuplicates leaves one row per identity, as the upsert would have: the
// earliest row (an invitation stored before, when there is one) keeps its
// id, status and tags and takes the latest name, the latest non-empty
// headline, company and note, and any note flag; the later rows go.
// Rows of other accounts were unique already and are not looked at.
func (b *batch) mergeDuplicates(ctx context.Context) error {
	same := func(x, y string) string {
		return fmt.Sprintf("%[1]s.person_key = %[2]s.person_key AND %[1]s.account_id = %[2]s.account_id AND %[1]s.direction = %[2]s.direction AND %[1]s.sent_at = %[2]s.sent_at", x, y)
	}
	latest := func(col string) string {
		return fmt.Sprintf("coalesce((SELECT x.%[1]s FROM invitations x WHERE %[2]s AND x.%[1]s <> '' ORDER BY x.id DESC LIMIT 1), '')", col, same("x", "d"))
	}
	stmts := []string{
		// Grouping needs the identity in order, and reads nothing but the
		// index (a column from the table would cost a seek a row); the
		// groups with more than one row are few, and the rest works from
		// them alone.
		`CREATE INDEX import_identity ON invitations (` + identityCols + `)`,
		fmt.Sprintf(`CREATE TEMP TABLE import_dups AS
			SELECT `+identityCols+`, min(id) AS keep, max(id) AS last
			FROM invitations INDEXED BY import_identity WHERE account_id = %d
			GROUP BY `+identityCols+` HAVING count(*) > 1`, b.account),
		`UPDATE invitations SET name = (SELECT x.name FROM invitations x WHERE x.id = d.last),
			headline = ` + latest("headline") + `, company = ` + latest("company") + `, note = ` + latest("note") + `,
			had_note = (SELECT max(x.had_note) FROM invitations x WHERE ` + same("x", "d") + `),
			sent_at_approx = 0, seen_import = ?
		FROM import_dups d WHERE invitations.id = d.keep`,
		`DELETE FROM invitations WHERE id IN (SELECT x.id FROM import_dups d
			CROSS JOIN invitations x INDEXED BY import_identity ON ` + same("x", "d") + ` WHERE x.id > d.keep)`,
		`DROP TABLE import_dups`,
		`DROP INDEX import_identity`,
	}
	for _, q := range stmts {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{b.id}
		}
		if _, err := b.tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("merge duplicate rows: %w", err)
		}
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
	b.putConn, err = b.tx.PrepareContext(ctx, `INSERT INTO connections (account_id, person_key, name, slug,
		headline, company, email, member_urn, connected_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, person_key) DO UPDATE SET name = excluded.name,
			headline = CASE WHEN excluded.headline <> '' THEN excluded.headline ELSE headline END,
			company = CASE WHEN excluded.company <> '' THEN excluded.company ELSE company END, email = excluded.email,
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
	if err := b.flush(ctx); err != nil {
		return err
	}
	if c.Person.Name == "" && c.Person.Slug == "" {
		return unvite.Errorf(unvite.EINVALID, "%s: a connection needs a name or a profile URL", b.meta.File)
	}
	b.day.See(c.ConnectedOn)
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
	b.day.See(inv.SentAt)
	p := inv.Invitee
	key := p.Key()
	if b.people != nil && inv.Direction == unvite.Sent {
		if len(b.people) == maxPeople {
			b.people = nil
		} else {
			b.people = append(b.people, maphash.String(b.seed, key))
		}
	}
	kind, src := inv.Kind, inv.Source
	if kind == "" {
		kind = unvite.KindPerson
	}
	if src == "" {
		src = unvite.SourceExport
	}
	sent := inv.SentAt.Unix()
	if len(b.pending) == 0 {
		b.bare = true
	}
	b.bare = b.bare && kind == unvite.KindPerson && src == unvite.SourceExport &&
		p.Headline == "" && p.Company == "" && p.MemberURN == ""
	// Plain types only: the writer hands them to the driver as they are.
	b.pending = append(b.pending, string(inv.Direction), string(kind), key, p.Name, p.Headline,
		p.Company, p.Slug, p.MemberURN, sent, inv.Note, inv.HadNote || inv.Note != "", sent, string(src))
	if len(b.pending) == invBatch*invCols {
		if b.w != nil && b.w.failed.Load() {
			return b.flush(ctx) // reports the writer's error
		}
		if b.w == nil {
			b.w = startWriter(ctx, b.conn, func(bare bool) string { return b.rowsQuery(invBatch, bare) })
		}
		b.pending = b.w.send(b.pending, b.bare)
	}
	b.sum.Rows++
	return nil
}

func (b *batch) PutTracked(ctx context.Context, r unvite.TrackedRow) (bool, error) {
	if r.SentOn.IsZero() {
		return false, unvite.Errorf(unvite.EINVALID, "%s: line %d: no date sent", b.meta.File, r.Line)
	}
	b.people = nil // sheet rows may add invitations too
	if err := b.endBulk(ctx); err != nil {
		return false, err
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
	// Sorting the hashes overlaps with building the indexes.
	reinvited := make(chan bool, 1)
	go func() { reinvited <- b.people == nil || repeats(b.people) }()
	if err := b.endBulk(ctx); err != nil {
		return b.sum, err
	}
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
	var steps []step
	if <-reinvited {
		steps = append(steps, step{&b.sum.Superseded, supersedeSQL, []any{b.now.Unix(), b.actor, b.account}})
	}
	steps = append(steps, []step{
		{&b.sum.Accepted, acceptSQL, []any{b.now.Unix(), b.actor, b.account, unvite.Sent}},
		{&b.sum.Accepted, acceptSQL, []any{b.now.Unix(), b.actor, b.account, unvite.Received}},
	}...)
	b.sum.AsOf = b.day.Or(b.meta.AsOf)
	// Only invitations stored before this import can have vanished from it.
	if b.meta.Snapshot && b.before > 0 {
		asOf := b.sum.AsOf
		if asOf.IsZero() {
			asOf = b.now
		}
		steps = append(steps, step{&b.sum.Gone, goneSQL, []any{asOf.Unix(), b.now.Unix(), b.actor, b.account, b.id, asOf.Unix(), b.maxID}})
	}
	for _, st := range steps {
		res, err := b.tx.ExecContext(ctx, st.query, st.args...)
		if err != nil {
			return b.sum, fmt.Errorf("sqlite: import %s: apply status rules: %w", b.meta.File, err)
		}
		n, _ := res.RowsAffected()
		*st.n += int(n)
	}
	if err := b.acceptByName(ctx); err != nil {
		return b.sum, err
	}
	if _, err := b.tx.ExecContext(ctx, fillSQL, b.account); err != nil {
		return b.sum, fmt.Errorf("sqlite: import %s: fill invitees from connections: %w", b.meta.File, err)
	}
	if err := b.restoreListingTriggers(ctx); err != nil {
		return b.sum, err
	}
	js, _ := json.Marshal(b.sum)
	if _, err := b.tx.ExecContext(ctx, `UPDATE imports SET summary = ?, as_of = ? WHERE id = ?`, string(js), unix(b.sum.AsOf), b.id); err != nil {
		return b.sum, fmt.Errorf("sqlite: import: %w", err)
	}
	if err := b.tx.Commit(); err != nil {
		return b.sum, fmt.Errorf("sqlite: commit import %s: %w", b.meta.File, err)
	}
	b.done = true
	b.release()
	return b.sum, nil
}

func (b *batch) Rollback() error {
	if b.done {
		return nil
	}
	b.done = true
	b.w.wait() // its error is moot: everything rolls back
	for _, st := range []*sql.Stmt{b.putConn, b.matchTracked} {
		if st != nil {
			st.Close()
		}
	}
	err := b.tx.Rollback()
	b.release()
	return err
}

// repeats reports whether a hash occurs twice (sorting hs).
func repeats(hs []uint64) bool {
	slices.Sort(hs)
	for i := 1; i < len(hs); i++ {
		if hs[i] == hs[i-1] {
			return true
		}
	}
	return false
}

// A sent invitation is superseded when a later one went to the same person:
// LinkedIn keeps one pending invitation per person, so the earlier one was
// withdrawn. Only people invited more than once are looked at: the
// identity index lists them in order without reading a row (SQLite would
// rather take the account's rows from the status index and sort them);
// CROSS JOIN makes SQLite start from them.
const supersedeSQL = `WITH again AS MATERIALIZED (
	SELECT person_key FROM invitations INDEXED BY invitations_identity WHERE account_id = ?3 AND direction = 'sent'
	GROUP BY person_key HAVING count(*) > 1),
hit AS MATERIALIZED (
	SELECT i.id, (SELECT min(b.sent_at) FROM invitations b WHERE b.account_id = i.account_id
		AND b.direction = 'sent' AND b.person_key = i.person_key AND b.sent_at > i.sent_at) AS later
	FROM again CROSS JOIN invitations i
	WHERE i.account_id = ?3 AND i.direction = 'sent' AND i.person_key = again.person_key AND i.status IN ('pending', 'withdrawing'))
UPDATE invitations SET status = 'withdrawn', status_since = hit.later, changed_at = ?1,
	status_reason = 're-invited later: superseded', status_actor = ?2
FROM hit WHERE invitations.id = hit.id AND hit.later IS NOT NULL`

// An invitation is accepted when its person connected on or after the day it
// was sent, and it is the latest invitation to that person. CROSS JOIN makes
// SQLite walk the (small) connections table and probe invitations by index,
// so a million invitations are not scanned.
const acceptSQL = `WITH hit AS MATERIALIZED (
	SELECT i.id, c.connected_on FROM connections c CROSS JOIN invitations i
	WHERE c.account_id = ?3 AND i.account_id = c.account_id AND i.direction = ?4
		AND i.person_key = c.person_key AND i.status IN ('pending', 'withdrawing', 'gone')
		AND c.connected_on >= i.sent_at - i.sent_at % 86400
		AND NOT EXISTS (SELECT 1 FROM invitations b WHERE b.account_id = i.account_id
			AND b.direction = i.direction AND b.person_key = i.person_key AND b.sent_at > i.sent_at))
UPDATE invitations SET status = 'accepted', status_since = hit.connected_on, changed_at = ?1,
	status_reason = 'connected on ' || date(hit.connected_on, 'unixepoch'), status_actor = ?2
FROM hit WHERE invitations.id = hit.id`

// An invitee's empty headline and company are filled from the connection of
// the same person (Connections.csv's Position and Company): syncs read them
// from the sent-invitations list, so without this only pending invitations
// would have them and acceptance by company or position would be skewed.
// A known field is never overwritten. CROSS JOIN walks the connections and
// probes invitations by index, as acceptSQL does.
const fillSQL = `WITH hit AS MATERIALIZED (
	SELECT i.id, c.headline, c.company FROM connections c CROSS JOIN invitations i
	WHERE c.account_id = ?1 AND (c.headline <> '' OR c.company <> '')
		AND i.account_id = c.account_id AND i.direction = 'sent' AND i.person_key = c.person_key
		AND ((i.headline = '' AND c.headline <> '') OR (i.company = '' AND c.company <> '')))
UPDATE invitations SET headline = CASE WHEN invitations.headline = '' THEN hit.headline ELSE invitations.headline END,
	company = CASE WHEN invitations.company = '' THEN hit.company ELSE invitations.company END
FROM hit WHERE invitations.id = hit.id`

// With a whole Invitations.csv, a pending invitation an earlier import listed
// and this one does not has vanished; accept ran first, so it is gone. Only
// invitations sent before the export date are judged.
const goneSQL = `UPDATE invitations SET status = 'gone', status_since = ?, changed_at = ?,
	status_reason = 'absent from a newer export and not a connection', status_actor = ?
WHERE account_id = ? AND direction = 'sent' AND status = 'pending'
	AND seen_import IS NOT NULL AND seen_import <> ? AND sent_at <= ? AND id <= ?`

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

// acceptByName applies unvite.AcceptByName where one side lacks profile
// URLs. Keys tell the sides apart (unvite.PersonKey: "in:" with a URL,
// "name:" without), so the identity index finds the invitations of one side.
func (b *batch) acceptByName(ctx context.Context) error {
	fail := func(err error) error { return fmt.Errorf("sqlite: import %s: match by name: %w", b.meta.File, err) }
	rows, err := b.tx.QueryContext(ctx, `SELECT name, slug, headline, company, connected_on FROM connections WHERE account_id = ?`, b.account)
	if err != nil {
		return fail(err)
	}
	var conns []unvite.Connection
	var withURL, withoutURL bool
	for rows.Next() {
		var c unvite.Connection
		var on int64
		if err := rows.Scan(&c.Person.Name, &c.Person.Slug, &c.Person.Headline, &c.Person.Company, &on); err != nil {
			rows.Close()
			return fail(err)
		}
		c.ConnectedOn = time.Unix(on, 0).UTC()
		conns = append(conns, c)
		withURL, withoutURL = withURL || c.Person.Slug != "", withoutURL || c.Person.Slug == ""
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	var cands []unvite.NameCandidate
	var invitees []unvite.Person
	// Candidates of one side: pending or gone, the latest to their person.
	side := func(lo, hi string) error {
		rows, err := b.tx.QueryContext(ctx, `SELECT i.id, i.name, i.slug, i.sent_at FROM invitations i
			WHERE i.person_key >= ? AND i.person_key < ? AND i.account_id = ? AND i.status IN ('pending', 'gone')
				AND NOT EXISTS (SELECT 1 FROM invitations l WHERE l.account_id = i.account_id
					AND l.direction = i.direction AND l.person_key = i.person_key AND l.sent_at > i.sent_at)`, lo, hi, b.account)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c unvite.NameCandidate
			var sent int64
			if err := rows.Scan(&c.ID, &c.Person.Name, &c.Person.Slug, &sent); err != nil {
				return err
			}
			c.SentAt = time.Unix(sent, 0).UTC()
			cands = append(cands, c)
		}
		return rows.Err()
	}
	if withURL {
		if err := side("name:", "name;"); err != nil {
			return fail(err)
		}
	}
	if withoutURL {
		if err := side("in:", "in;"); err != nil {
			return fail(err)
		}
		rows, err := b.tx.QueryContext(ctx, `SELECT DISTINCT name, slug FROM invitations
			WHERE person_key >= 'in:' AND person_key < 'in;' AND account_id = ?`, b.account)
		if err != nil {
			return fail(err)
		}
		for rows.Next() {
			var p unvite.Person
			if err := rows.Scan(&p.Name, &p.Slug); err != nil {
				rows.Close()
				return fail(err)
			}
			invitees = append(invitees, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail(err)
		}
	}
	for _, a := range unvite.AcceptByName(cands, conns, invitees) {
		res, err := b.tx.ExecContext(ctx, `UPDATE invitations SET status = 'accepted', status_since = ?, changed_at = ?,
			status_reason = ?, status_actor = ? WHERE id = ? AND status IN ('pending', 'gone')`,
			a.ConnectedOn.Unix(), b.now.Unix(), unvite.NameMatchReason(a.ConnectedOn), b.actor, a.ID)
		if err != nil {
			return fail(err)
		}
		n, _ := res.RowsAffected()
		b.sum.Accepted += int(n)
		// Matched by name, the connection's fields fill the invitee's
		// empty ones (fillSQL matches by person key only).
		if _, err := b.tx.ExecContext(ctx, `UPDATE invitations SET headline = CASE WHEN headline = '' THEN ? ELSE headline END,
			company = CASE WHEN company = '' THEN ? ELSE company END WHERE id = ?`, a.Headline, a.Company, a.ID); err != nil {
			return fail(err)
		}
	}
	return nil
}
