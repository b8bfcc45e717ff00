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
	err := q.QueryRowContext(ctx, `SELECT sealed_url, url_hint, format, enabled, updated_at FROM webhook WHERE id = 1`).
		Scan(&w.SealedURL, &w.URLHint, &w.Format, &w.Enabled, &updated)
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
		w, err := readWebhook(ctx, tx)
		if err != nil {
			return err
		}
		ev, err := p.Apply(w, ch)
		if err != nil || ev == nil {
			out = w
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook (id, sealed_url, url_hint, format, enabled, updated_at)
			VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET sealed_url = excluded.sealed_url,
			url_hint = excluded.url_hint, format = excluded.format, enabled = excluded.enabled, updated_at = excluded.updated_at`,
			w.SealedURL, w.URLHint, string(w.Format), w.Enabled, w.UpdatedAt.Unix()); err != nil {
			return fmt.Errorf("sqlite: patch webhook: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (account_id, at, type, reason, actor) VALUES (0, ?, ?, ?, ?)`,
			ev.At.Unix(), ev.Type, ev.Reason, ev.Actor); err != nil {
			return fmt.Errorf("sqlite: webhook event: %w", err)
		}
		out = w
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
