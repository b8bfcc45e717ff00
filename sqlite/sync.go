package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/unvite/unvite"
)

// ApplySync reconciles the account's sent invitations with what LinkedIn
// lists as pending now, in one transaction. Matching is by LinkedIn's id,
// else by person: LinkedIn keeps at most one pending invitation per person.
// Statuses only move forward; every move is in the audit log.
func (s *DB) ApplySync(ctx context.Context, accountID int64, snap unvite.SyncSnapshot) (unvite.SyncSummary, error) {
	var sum unvite.SyncSummary
	at := snap.At.UTC()
	if at.IsZero() {
		at = s.now()
	}
	now := s.now().Unix()
	const actor = "sync"
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range snap.Connections {
			if _, err := tx.ExecContext(ctx, `INSERT INTO connections (account_id, person_key, name, slug,
				headline, company, member_urn, connected_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (account_id, person_key) DO UPDATE SET
					headline = CASE WHEN headline = '' THEN excluded.headline ELSE headline END,
					company = CASE WHEN company = '' THEN excluded.company ELSE company END,
					connected_on = min(connected_on, excluded.connected_on)`,
				accountID, c.Person.Key(), c.Person.Name, c.Person.Slug, c.Person.Headline, c.Person.Company,
				c.Person.MemberURN, c.ConnectedOn.Unix()); err != nil {
				return fmt.Errorf("sqlite: sync connection %q: %w", c.Person.Name, err)
			}
			// The listing's headline fills the invitee's empty one (see
			// fillSQL in import.go); a known one is kept.
			if c.Person.Headline == "" && c.Person.Company == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE invitations SET headline = CASE WHEN headline = '' THEN ? ELSE headline END,
					company = CASE WHEN company = '' THEN ? ELSE company END
				WHERE account_id = ? AND direction = 'sent' AND person_key = ?
					AND ((headline = '' AND ? <> '') OR (company = '' AND ? <> ''))`,
				c.Person.Headline, c.Person.Company, accountID, c.Person.Key(), c.Person.Headline, c.Person.Company); err != nil {
				return fmt.Errorf("sqlite: sync connection %q: fill invitee: %w", c.Person.Name, err)
			}
		}
		seen := make(map[int64]bool, len(snap.Pending))
		for _, p := range snap.Pending {
			id, added, err := upsertSynced(ctx, tx, accountID, p, now)
			if err != nil {
				return err
			}
			seen[id] = true
			if added {
				sum.Added++
			} else {
				sum.Unchanged++
			}
		}
		// Pending invitations LinkedIn no longer lists have vanished.
		horizon := snap.Horizon()
		// A withdrawing one whose attempt's reply was lost is reconciled
		// too: vanished after our attempt and not a connection, it was
		// withdrawn (the attempt_close trigger records the outcome).
		rows, err := tx.QueryContext(ctx, `SELECT i.id, i.sent_at, c.connected_on, i.status = 'withdrawing',
				i.status = 'pending' AND i.linkedin_id IS NULL FROM invitations i
			LEFT JOIN connections c ON c.account_id = i.account_id AND c.person_key = i.person_key
				AND c.connected_on >= i.sent_at - i.sent_at % 86400
			WHERE i.account_id = ? AND i.direction = 'sent' AND i.status IN ('pending', 'withdrawing')`, accountID)
		if err != nil {
			return fmt.Errorf("sqlite: sync: find vanished: %w", err)
		}
		type vanished struct {
			id          int64
			connected   sql.NullInt64
			withdrawing bool
		}
		var gone []vanished
		var unlisted []int64
		for rows.Next() {
			var v vanished
			var sent int64
			var noID bool
			if err := rows.Scan(&v.id, &sent, &v.connected, &v.withdrawing, &noID); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: sync: find vanished: %w", err)
			}
			switch {
			case seen[v.id]:
			case !time.Unix(sent, 0).After(horizon):
				// Hidden behind LinkedIn's collection ceiling: can't tell.
				// Without its LinkedIn id, unvite cannot withdraw it.
				sum.Unseen++
				if noID {
					unlisted = append(unlisted, v.id)
				}
			default:
				gone = append(gone, v)
			}
		}
		rows.Close()
		for _, v := range gone {
			to, since, reason := unvite.StatusGone, at.Unix(), "no longer listed by LinkedIn and not a connection"
			if v.connected.Valid {
				to, since, reason = unvite.StatusAccepted, v.connected.Int64, "no longer listed by LinkedIn: now a connection"
				sum.Accepted++
			} else if v.withdrawing {
				to, reason = unvite.StatusWithdrawn, "no longer listed by LinkedIn after our withdrawal attempt"
				sum.Withdrawn++
			} else {
				sum.Gone++
			}
			var reinvite any
			if to == unvite.StatusWithdrawn {
				reinvite = at.Add(unvite.DefaultCoolDown).Unix()
			}
			if _, err := tx.ExecContext(ctx, `UPDATE invitations SET status = ?, status_since = ?, changed_at = ?,
				status_reason = ?, status_actor = ?, reinvite_after = coalesce(?, reinvite_after) WHERE id = ?`,
				to, since, now, reason, actor, reinvite, v.id); err != nil {
				return fmt.Errorf("sqlite: sync: invitation %d to %s: %w", v.id, to, err)
			}
		}
		for _, id := range unlisted {
			if _, err := tx.ExecContext(ctx, `UPDATE invitations SET unlisted_at = coalesce(unlisted_at, ?) WHERE id = ?`, at.Unix(), id); err != nil {
				return fmt.Errorf("sqlite: sync: invitation %d unlisted: %w", id, err)
			}
		}
		sum.Unlisted = len(unlisted)
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET last_sync_at = ? WHERE id = ?`, at.Unix(), accountID); err != nil {
			return fmt.Errorf("sqlite: sync: %w", err)
		}
		return nil
	})
	return sum, err
}

// upsertSynced finds the stored invitation a listed one is, or adds it.
func upsertSynced(ctx context.Context, tx *sql.Tx, accountID int64, p unvite.SyncedInvitation, now int64) (id int64, added bool, err error) {
	key := p.Invitee.Key()
	var approx bool
	err = tx.QueryRowContext(ctx, `SELECT id, sent_at_approx FROM invitations
		WHERE account_id = ? AND direction = 'sent' AND linkedin_id = ?`, accountID, p.LinkedInID).Scan(&id, &approx)
	if isNoRows(err) {
		err = tx.QueryRowContext(ctx, `SELECT id, sent_at_approx FROM invitations
			WHERE account_id = ? AND direction = 'sent' AND person_key = ? AND status IN ('pending', 'withdrawing')
				AND linkedin_id IS NULL
			ORDER BY sent_at DESC LIMIT 1`, accountID, key).Scan(&id, &approx)
	}
	switch {
	case isNoRows(err):
		kind := p.Kind
		if kind == "" {
			kind = unvite.KindPerson
		}
		sent := p.SentAt.Unix()
		err = tx.QueryRowContext(ctx, `INSERT INTO invitations (account_id, direction, kind, person_key, name,
			headline, company, slug, member_urn, linkedin_id, sent_at, sent_at_approx, had_note, status,
			status_since, source, changed_at, status_actor)
			VALUES (?, 'sent', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, 'sync', ?, 'sync')
			ON CONFLICT (account_id, direction, person_key, sent_at) DO UPDATE SET linkedin_id = excluded.linkedin_id,
				unlisted_at = NULL
			RETURNING id`,
			accountID, kind, key, p.Invitee.Name, p.Invitee.Headline, p.Invitee.Company, p.Invitee.Slug,
			p.Invitee.MemberURN, p.LinkedInID, sent, p.SentAtApprox, p.HadNote, sent, now).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("sqlite: sync: add invitation to %q: %w", p.Invitee.Name, err)
		}
		return id, true, nil
	case err != nil:
		return 0, false, fmt.Errorf("sqlite: sync: find invitation to %q: %w", p.Invitee.Name, err)
	}
	// An exact time replaces an approximate one; never the other way round.
	sentAt, sentApprox := any(nil), approx
	if approx && !p.SentAtApprox {
		sentAt, sentApprox = p.SentAt.Unix(), false
	}
	_, err = tx.ExecContext(ctx, `UPDATE invitations SET linkedin_id = ?,
		headline = CASE WHEN ? <> '' THEN ? ELSE headline END,
		member_urn = CASE WHEN ? <> '' THEN ? ELSE member_urn END,
		had_note = had_note OR ?, sent_at = coalesce(?, sent_at), sent_at_approx = ?, unlisted_at = NULL
		WHERE id = ?`, p.LinkedInID, p.Invitee.Headline, p.Invitee.Headline, p.Invitee.MemberURN,
		p.Invitee.MemberURN, p.HadNote, sentAt, sentApprox, id)
	if err != nil {
		return 0, false, fmt.Errorf("sqlite: sync: update invitation %d: %w", id, err)
	}
	return id, false, nil
}
