package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/unvite/unvite"
)

// Tags sort and names compare bytewise after lower-casing (COLLATE "C"), as
// SQLite's BINARY and NOCASE do, whatever the database's locale.
const invitationColumns = `i.id, i.account_id, i.direction, i.kind, i.name, i.headline, i.company,
	i.slug, i.member_urn, i.linkedin_id, i.sent_at, i.sent_at_approx, i.note, i.had_note, i.status,
	i.status_since, i.reinvite_after, i.source, i.protected, i.follow_up_on, i.comment, i.unlisted_at,
	(SELECT array_agg(t.tag ORDER BY t.tag COLLATE "C") FROM tags t WHERE t.invitation_id = i.id)`

// briefColumns are what InvitationFilter.Brief asks for: what a plan needs.
const briefColumns = `i.id, i.account_id, i.direction, i.name, i.slug, i.sent_at, i.sent_at_approx,
	i.had_note, i.status, i.protected, i.unlisted_at,
	(SELECT array_agg(t.tag ORDER BY t.tag COLLATE "C") FROM tags t WHERE t.invitation_id = i.id)`

func scanBrief(row pgx.Row) (*unvite.Invitation, error) {
	var inv unvite.Invitation
	var sent, unlisted pgtype.Timestamptz
	err := row.Scan(&inv.ID, &inv.AccountID, &inv.Direction, &inv.Invitee.Name, &inv.Invitee.Slug, &sent,
		&inv.SentAtApprox, &inv.HadNote, &inv.Status, &inv.Protected, &unlisted, &inv.Tags)
	inv.SentAt, inv.UnlistedAt = fromTS(sent), fromTS(unlisted)
	return &inv, err
}

func scanInvitation(row pgx.Row) (*unvite.Invitation, error) {
	var inv unvite.Invitation
	var linkedinID pgtype.Text
	var sent, since, reinvite, followUp, unlisted pgtype.Timestamptz
	err := row.Scan(&inv.ID, &inv.AccountID, &inv.Direction, &inv.Kind, &inv.Invitee.Name,
		&inv.Invitee.Headline, &inv.Invitee.Company, &inv.Invitee.Slug, &inv.Invitee.MemberURN,
		&linkedinID, &sent, &inv.SentAtApprox, &inv.Note, &inv.HadNote, &inv.Status, &since,
		&reinvite, &inv.Source, &inv.Protected, &followUp, &inv.Comment, &unlisted, &inv.Tags)
	if err != nil {
		return nil, err
	}
	inv.LinkedInID, inv.UnlistedAt = linkedinID.String, fromTS(unlisted)
	inv.SentAt, inv.StatusSince, inv.ReinviteAfter, inv.FollowUpOn = fromTS(sent), fromTS(since), fromTS(reinvite), fromTS(followUp)
	return &inv, nil
}

// Invitation returns one invitation by id.
func (s *DB) Invitation(ctx context.Context, id int64) (*unvite.Invitation, error) {
	return getInvitation(ctx, s.pool, id)
}

func getInvitation(ctx context.Context, q querier, id int64) (*unvite.Invitation, error) {
	inv, err := scanInvitation(q.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations i WHERE i.id = $1`, id))
	if isNoRows(err) {
		return nil, notFound("invitation", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: invitation %d: %w", id, err)
	}
	return inv, nil
}

var sorts = map[string]string{
	"":         "i.sent_at, i.id",
	"sent":     "i.sent_at, i.id",
	"-sent":    "i.sent_at DESC, i.id DESC",
	"name":     `lower(i.name) COLLATE "C", i.id`,
	"-name":    `lower(i.name) COLLATE "C" DESC, i.id DESC`,
	"status":   "i.status, i.sent_at, i.id",
	"company":  `lower(i.company) COLLATE "C", i.sent_at, i.id`,
	"-company": `lower(i.company) COLLATE "C" DESC, i.sent_at, i.id`,
}

// whereClause turns a filter into SQL; the order of conditions follows the
// invitations_status index (account, status, sent_at).
func whereClause(f unvite.InvitationFilter) (where, order string, args []any, err error) {
	var conds []string
	add := func(c string, a any) {
		args = append(args, a)
		conds = append(conds, strings.ReplaceAll(c, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if f.AccountID != 0 {
		add("i.account_id = $?", f.AccountID)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		add("i.status = ANY($?)", st)
	}
	if len(f.IDs) > 0 {
		add("i.id = ANY($?)", f.IDs)
	}
	if f.Direction != "" {
		add("i.direction = $?", string(f.Direction))
	}
	if !f.SentBefore.IsZero() {
		add("i.sent_at < $?", sec(f.SentBefore))
	}
	if !f.SentAfter.IsZero() {
		add("i.sent_at >= $?", sec(f.SentAfter))
	}
	if f.Tag != "" {
		add("EXISTS (SELECT 1 FROM tags t WHERE t.invitation_id = i.id AND t.tag = $?)", f.Tag)
	}
	if f.Search != "" {
		pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Search) + "%"
		add(`(i.name ILIKE $? OR i.company ILIKE $? OR i.headline ILIKE $?
			OR i.note ILIKE $? OR i.slug ILIKE $? OR i.comment ILIKE $?)`, pat)
	}
	if f.HasNote != nil {
		add("i.had_note = $?", *f.HasNote)
	}
	if f.Protected != nil {
		add("i.protected = $?", *f.Protected)
	}
	if !f.ReinviteBy.IsZero() {
		add("i.reinvite_after <= $?", sec(f.ReinviteBy))
	}
	if !f.ReinviteFrom.IsZero() {
		add("i.reinvite_after >= $?", sec(f.ReinviteFrom))
	}
	if !f.ChangedFrom.IsZero() {
		add("i.status_since >= $?", sec(f.ChangedFrom))
	}
	if !f.ChangedBefore.IsZero() {
		add("i.status_since < $?", sec(f.ChangedBefore))
	}
	order, ok := sorts[f.Sort]
	if !ok {
		return "", "", nil, unvite.Errorf(unvite.EINVALID, "unknown sort %q (want sent, -sent, name, -name, status, company or -company)", f.Sort)
	}
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	order = " ORDER BY " + order
	if f.Limit > 0 {
		order += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	return where, order, args, nil
}

// Invitations lists the invitations a filter selects.
func (s *DB) Invitations(ctx context.Context, f unvite.InvitationFilter) ([]*unvite.Invitation, error) {
	var list []*unvite.Invitation
	err := s.EachInvitation(ctx, f, func(inv *unvite.Invitation) error {
		list = append(list, inv)
		return nil
	})
	return list, err
}

// EachInvitation streams the invitations a filter selects.
func (s *DB) EachInvitation(ctx context.Context, f unvite.InvitationFilter, fn func(*unvite.Invitation) error) error {
	where, order, args, err := whereClause(f)
	if err != nil {
		return err
	}
	cols, scan := invitationColumns, scanInvitation
	if f.Brief {
		cols, scan = briefColumns, scanBrief
	}
	// Full rows serve Outcomes; any order serves Unordered, so the sort is
	// saved.
	if f.Unordered && f.Limit == 0 && f.Offset == 0 {
		order = ""
	}
	rows, err := s.pool.Query(ctx, `SELECT `+cols+` FROM invitations i`+where+order, args...)
	if err != nil {
		return fmt.Errorf("postgres: list invitations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		inv, err := scan(rows)
		if err != nil {
			return fmt.Errorf("postgres: scan invitation: %w", err)
		}
		if err := fn(inv); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: list invitations: %w", err)
	}
	return nil
}

// CountInvitations counts what a filter selects (Limit and Offset ignored).
func (s *DB) CountInvitations(ctx context.Context, f unvite.InvitationFilter) (int, error) {
	f.Limit, f.Offset, f.Sort = 0, 0, ""
	where, _, args, err := whereClause(f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM invitations i`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count invitations: %w", err)
	}
	return n, nil
}

// Transition moves one invitation and records the event (by trigger). The
// row is locked first, so two workers cannot both pass the check.
func (s *DB) Transition(ctx context.Context, id int64, to unvite.Status, ch unvite.Change) (*unvite.Invitation, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var out *unvite.Invitation
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var from unvite.Status
		var name string
		err := tx.QueryRow(ctx, `SELECT status, name FROM invitations WHERE id = $1 FOR UPDATE`, id).Scan(&from, &name)
		if isNoRows(err) {
			return notFound("invitation", id)
		}
		if err != nil {
			return fmt.Errorf("postgres: invitation %d: %w", id, err)
		}
		if err := unvite.CanTransition(from, to); err != nil {
			return unvite.Errorf(unvite.EINVALID, "invitation %d to %s: %s", id, name, err.Error())
		}
		var reinvite any
		if to == unvite.StatusWithdrawn {
			cd := ch.CoolDown
			if cd <= 0 {
				cd = unvite.DefaultCoolDown
			}
			reinvite = sec(ch.At.Add(cd))
		}
		_, err = tx.Exec(ctx, `UPDATE invitations SET status = $1, status_since = $2, changed_at = $3,
			status_reason = $4, status_actor = $5, reinvite_after = coalesce($6, reinvite_after) WHERE id = $7`,
			string(to), sec(ch.At), s.now(), ch.Reason, ch.Actor, reinvite, id)
		if err != nil {
			return fmt.Errorf("postgres: invitation %d to %s: %w", id, to, err)
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
	typ, stmt := "tag", `INSERT INTO tags (invitation_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`
	if remove {
		typ, stmt = "untag", `DELETE FROM tags WHERE invitation_id = $1 AND tag = ANY($2)`
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, id := range ids {
			inv, err := getInvitation(ctx, tx, id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, stmt, id, tags); err != nil {
				return fmt.Errorf("postgres: %s invitation %d: %w", typ, id, err)
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
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, id := range ids {
			inv, err := getInvitation(ctx, tx, id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE invitations SET protected = $1 WHERE id = $2`, protected, id); err != nil {
				return fmt.Errorf("postgres: %s invitation %d: %w", typ, id, err)
			}
			if err := s.addEvent(ctx, tx, inv, typ, ch.Reason, ch); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *DB) addEvent(ctx context.Context, tx pgx.Tx, inv *unvite.Invitation, typ, reason string, ch unvite.Change) error {
	at := ch.At
	if at.IsZero() {
		at = s.now()
	}
	_, err := tx.Exec(ctx, `INSERT INTO events (account_id, invitation_id, at, type, reason, actor)
		VALUES ($1, $2, $3, $4, $5, $6)`, inv.AccountID, inv.ID, sec(at), typ, reason, ch.Actor)
	if err != nil {
		return fmt.Errorf("postgres: record %s event: %w", typ, err)
	}
	return nil
}

// Events lists audit events, newest first.
func (s *DB) Events(ctx context.Context, f unvite.EventFilter) ([]*unvite.Event, error) {
	q := `SELECT e.id, e.account_id, coalesce(e.invitation_id, 0), coalesce(i.name, ''), e.at, e.type, e.from_status, e.to_status, e.reason, e.actor
		FROM events e LEFT JOIN invitations i ON i.id = e.invitation_id WHERE true`
	var args []any
	if f.AccountID != 0 {
		args = append(args, f.AccountID)
		q += fmt.Sprintf(" AND e.account_id = $%d", len(args))
	}
	if f.InvitationID != 0 {
		args = append(args, f.InvitationID)
		q += fmt.Sprintf(" AND e.invitation_id = $%d", len(args))
	}
	q += " ORDER BY e.at DESC, coalesce(e.invitation_id, 0) DESC, e.id DESC" // see unvite.EventFilter
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*unvite.Event, error) {
		var e unvite.Event
		var at pgtype.Timestamptz
		err := r.Scan(&e.ID, &e.AccountID, &e.InvitationID, &e.Person, &at, &e.Type, &e.From, &e.To, &e.Reason, &e.Actor)
		e.At = fromTS(at)
		return &e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	return list, nil
}

// Connections lists an account's known connections, newest first.
func (s *DB) Connections(ctx context.Context, accountID int64) ([]unvite.Connection, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, slug, headline, company, email, member_urn, connected_on
		FROM connections WHERE account_id = $1 ORDER BY connected_on DESC, name COLLATE "C"`, accountID)
	if err != nil {
		return nil, fmt.Errorf("postgres: connections: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (unvite.Connection, error) {
		var c unvite.Connection
		var on pgtype.Timestamptz
		err := r.Scan(&c.Person.Name, &c.Person.Slug, &c.Person.Headline, &c.Person.Company, &c.Email, &c.Person.MemberURN, &on)
		c.ConnectedOn = fromTS(on)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: connections: %w", err)
	}
	return list, nil
}
