package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/unvite/unvite"
)

// ApplySync reconciles the account's sent invitations with what LinkedIn
// lists as pending now, in one transaction that holds the account's lock,
// so it never interleaves with an import of the same account. Matching is by
// LinkedIn's id, else by person: LinkedIn keeps at most one pending
// invitation per person. Statuses only move forward; every move is in the
// audit log.
func (s *DB) ApplySync(ctx context.Context, accountID int64, snap unvite.SyncSnapshot) (unvite.SyncSummary, error) {
	var sum unvite.SyncSummary
	at := sec(snap.At)
	if snap.At.IsZero() {
		at = s.now()
	}
	now := s.now()
	const actor = "sync"
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockAccountSQL, accountID); err != nil {
			return fmt.Errorf("postgres: sync: lock account %d: %w", accountID, err)
		}
		if _, err := tx.Exec(ctx, linearPlansSQL); err != nil {
			return fmt.Errorf("postgres: sync: %w", err)
		}
		var conns pgx.Batch
		for _, c := range snap.Connections {
			conns.Queue(`INSERT INTO connections AS c (account_id, person_key, name, slug,
				headline, company, member_urn, connected_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (account_id, person_key) DO UPDATE SET
					headline = CASE WHEN c.headline = '' THEN excluded.headline ELSE c.headline END,
					company = CASE WHEN c.company = '' THEN excluded.company ELSE c.company END,
					connected_on = least(c.connected_on, excluded.connected_on)`,
				accountID, c.Person.Key(), c.Person.Name, c.Person.Slug, c.Person.Headline, c.Person.Company,
				c.Person.MemberURN, sec(c.ConnectedOn))
			// The listing's headline fills the invitee's empty one (see
			// fillSQL in import.go); a known one is kept.
			if c.Person.Headline != "" || c.Person.Company != "" {
				conns.Queue(`UPDATE invitations SET headline = CASE WHEN headline = '' THEN $1 ELSE headline END,
						company = CASE WHEN company = '' THEN $2 ELSE company END
					WHERE account_id = $3 AND direction = 'sent' AND person_key = $4
						AND ((headline = '' AND $1 <> '') OR (company = '' AND $2 <> ''))`,
					c.Person.Headline, c.Person.Company, accountID, c.Person.Key())
			}
		}
		if err := tx.SendBatch(ctx, &conns).Close(); err != nil {
			return fmt.Errorf("postgres: sync connections: %w", err)
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
		rows, err := tx.Query(ctx, `SELECT i.id, i.sent_at, c.connected_on, i.status = 'withdrawing',
				i.status = 'pending' AND i.linkedin_id IS NULL FROM invitations i
			LEFT JOIN connections c ON c.account_id = i.account_id AND c.person_key = i.person_key
				AND c.connected_on >= date_bin('24 hours', i.sent_at, timestamptz '1970-01-01 00:00:00+00')
			WHERE i.account_id = $1 AND i.direction = 'sent' AND i.status IN ('pending', 'withdrawing')`, accountID)
		if err != nil {
			return fmt.Errorf("postgres: sync: find vanished: %w", err)
		}
		type vanished struct {
			id          int64
			connected   pgtype.Timestamptz
			withdrawing bool
		}
		var gone []vanished
		var unlisted []int64
		var v vanished
		var sent time.Time
		var noID bool
		_, err = pgx.ForEachRow(rows, []any{&v.id, &sent, &v.connected, &v.withdrawing, &noID}, func() error {
			switch {
			case seen[v.id]:
			case !sent.After(horizon):
				// Hidden behind LinkedIn's collection ceiling: can't tell.
				// Without its LinkedIn id, unvite cannot withdraw it.
				sum.Unseen++
				if noID {
					unlisted = append(unlisted, v.id)
				}
			default:
				gone = append(gone, v)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("postgres: sync: find vanished: %w", err)
		}
		for _, v := range gone {
			to, since, reason := unvite.StatusGone, at, "no longer listed by LinkedIn and not a connection"
			if v.connected.Valid {
				to, since, reason = unvite.StatusAccepted, v.connected.Time, "no longer listed by LinkedIn: now a connection"
				sum.Accepted++
			} else if v.withdrawing {
				to, reason = unvite.StatusWithdrawn, "no longer listed by LinkedIn after our withdrawal attempt"
				sum.Withdrawn++
			} else {
				sum.Gone++
			}
			var reinvite any
			if to == unvite.StatusWithdrawn {
				reinvite = sec(at.Add(unvite.DefaultCoolDown))
			}
			if _, err := tx.Exec(ctx, `UPDATE invitations SET status = $1, status_since = $2, changed_at = $3,
				status_reason = $4, status_actor = $5, reinvite_after = coalesce($6, reinvite_after) WHERE id = $7`,
				string(to), since, now, reason, actor, reinvite, v.id); err != nil {
				return fmt.Errorf("postgres: sync: invitation %d to %s: %w", v.id, to, err)
			}
		}
		if len(unlisted) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE invitations SET unlisted_at = coalesce(unlisted_at, $1) WHERE id = ANY($2)`, at, unlisted); err != nil {
				return fmt.Errorf("postgres: sync: invitations unlisted: %w", err)
			}
		}
		sum.Unlisted = len(unlisted)
		if _, err := tx.Exec(ctx, `UPDATE accounts SET last_sync_at = $1 WHERE id = $2`, at, accountID); err != nil {
			return fmt.Errorf("postgres: sync: %w", err)
		}
		return nil
	})
	return sum, err
}

// upsertSynced finds the stored invitation a listed one is, or adds it.
func upsertSynced(ctx context.Context, tx pgx.Tx, accountID int64, p unvite.SyncedInvitation, now time.Time) (id int64, added bool, err error) {
	key := p.Invitee.Key()
	var approx bool
	err = tx.QueryRow(ctx, `SELECT id, sent_at_approx FROM invitations
		WHERE account_id = $1 AND direction = 'sent' AND linkedin_id = $2`, accountID, p.LinkedInID).Scan(&id, &approx)
	if isNoRows(err) {
		err = tx.QueryRow(ctx, `SELECT id, sent_at_approx FROM invitations
			WHERE account_id = $1 AND direction = 'sent' AND person_key = $2 AND status IN ('pending', 'withdrawing')
				AND linkedin_id IS NULL
			ORDER BY sent_at DESC LIMIT 1`, accountID, key).Scan(&id, &approx)
	}
	switch {
	case isNoRows(err):
		kind := p.Kind
		if kind == "" {
			kind = unvite.KindPerson
		}
		sent := sec(p.SentAt)
		err = tx.QueryRow(ctx, `INSERT INTO invitations (account_id, direction, kind, person_key, name,
			headline, company, slug, member_urn, linkedin_id, sent_at, sent_at_approx, had_note, status,
			status_since, source, changed_at, status_actor)
			VALUES ($1, 'sent', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $10, 'sync', $13, 'sync')
			ON CONFLICT (account_id, direction, person_key, sent_at) DO UPDATE SET linkedin_id = excluded.linkedin_id,
				unlisted_at = NULL
			RETURNING id`,
			accountID, string(kind), key, p.Invitee.Name, p.Invitee.Headline, p.Invitee.Company, p.Invitee.Slug,
			p.Invitee.MemberURN, p.LinkedInID, sent, p.SentAtApprox, p.HadNote, now).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("postgres: sync: add invitation to %q: %w", p.Invitee.Name, err)
		}
		return id, true, nil
	case err != nil:
		return 0, false, fmt.Errorf("postgres: sync: find invitation to %q: %w", p.Invitee.Name, err)
	}
	// An exact time replaces an approximate one; never the other way round.
	sentAt, sentApprox := any(nil), approx
	if approx && !p.SentAtApprox {
		sentAt, sentApprox = sec(p.SentAt), false
	}
	_, err = tx.Exec(ctx, `UPDATE invitations SET linkedin_id = $1,
		headline = CASE WHEN $2::text <> '' THEN $2 ELSE headline END,
		member_urn = CASE WHEN $3::text <> '' THEN $3 ELSE member_urn END,
		had_note = had_note OR $4, sent_at = coalesce($5::timestamptz, sent_at), sent_at_approx = $6, unlisted_at = NULL
		WHERE id = $7`, p.LinkedInID, p.Invitee.Headline, p.Invitee.MemberURN, p.HadNote, sentAt, sentApprox, id)
	if err != nil {
		return 0, false, fmt.Errorf("postgres: sync: update invitation %d: %w", id, err)
	}
	return id, false, nil
}
