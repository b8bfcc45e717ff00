package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/unvite/unvite"
)

// Webhook returns the webhook's settings (defaults when none are stored).
func (s *DB) Webhook(ctx context.Context) (*unvite.Webhook, error) {
	return readWebhook(ctx, s.db)
}

func readWebhook(ctx context.Context, q queryer) (*unvite.Webhook, error) {
	w := &unvite.Webhook{Format: unvite.WebhookJSON}
	var updated sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT sealed_url, url_hint, format, enabled, updated_at, reviewed_week FROM webhook WHERE id = 1`).
		Scan(&w.SealedURL, &w.URLHint, &w.Format, &w.Enabled, &updated, &w.ReviewedWeek)
	if isNoRows(err) {
		return w, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: webhook: %w", err)
	}
	w.UpdatedAt = fromUnix(updated)
	return w, nil
}

// PatchWebhook changes the webhook's settings with an audit event.
func (s *DB) PatchWebhook(ctx context.Context, p unvite.WebhookPatch, ch unvite.Change) (*unvite.Webhook, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var out *unvite.Webhook
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, _, err = patchWebhook(ctx, tx, p, ch)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ClaimReview records week's review as queued and runs enqueue, in one
// write transaction, unless that week or a later one was reviewed.
func (s *DB) ClaimReview(ctx context.Context, week string, ch unvite.Change, enqueue func(ctx context.Context, tx any) error) (bool, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var claimed bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, changed, err := patchWebhook(ctx, tx, unvite.WebhookPatch{ReviewedWeek: &week}, ch)
		if err != nil || !changed {
			return err
		}
		claimed = true
		return enqueue(ctx, tx)
	})
	return claimed && err == nil, err
}

// patchWebhook is PatchWebhook inside a write transaction; it reports
// whether the patch changed anything.
func patchWebhook(ctx context.Context, tx *sql.Tx, p unvite.WebhookPatch, ch unvite.Change) (*unvite.Webhook, bool, error) {
	w, err := readWebhook(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	ev, err := p.Apply(w, ch)
	if err != nil || ev == nil {
		return w, false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook (id, sealed_url, url_hint, format, enabled, updated_at, reviewed_week)
		VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET sealed_url = excluded.sealed_url,
		url_hint = excluded.url_hint, format = excluded.format, enabled = excluded.enabled, updated_at = excluded.updated_at,
		reviewed_week = excluded.reviewed_week`,
		w.SealedURL, w.URLHint, string(w.Format), w.Enabled, w.UpdatedAt.Unix(), w.ReviewedWeek); err != nil {
		return nil, false, fmt.Errorf("sqlite: patch webhook: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (account_id, at, type, reason, actor) VALUES (0, ?, ?, ?, ?)`,
		ev.At.Unix(), ev.Type, ev.Reason, ev.Actor); err != nil {
		return nil, false, fmt.Errorf("sqlite: webhook event: %w", err)
	}
	return w, true, nil
}
