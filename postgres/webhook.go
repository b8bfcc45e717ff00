package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unvite/unvite"
)

// Webhook returns the webhook's settings (defaults when none are stored).
func (s *DB) Webhook(ctx context.Context) (*unvite.Webhook, error) {
	return readWebhook(ctx, s.pool, "")
}

func readWebhook(ctx context.Context, q querier, lock string) (*unvite.Webhook, error) {
	w := &unvite.Webhook{Format: unvite.WebhookJSON}
	var format string
	var updated time.Time
	err := q.QueryRow(ctx, `SELECT sealed_url, url_hint, format, enabled, updated_at FROM webhook WHERE id = 1`+lock).
		Scan(&w.SealedURL, &w.URLHint, &format, &w.Enabled, &updated)
	if isNoRows(err) {
		return w, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: webhook: %w", err)
	}
	w.Format, w.UpdatedAt = unvite.WebhookFormat(format), updated.UTC()
	return w, nil
}

// PatchWebhook changes the webhook's settings with an audit event.
func (s *DB) PatchWebhook(ctx context.Context, p unvite.WebhookPatch, ch unvite.Change) (*unvite.Webhook, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var out *unvite.Webhook
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The row may not exist yet: make it, then lock it, so that two
		// patches at once apply one after the other.
		if _, err := tx.Exec(ctx, `INSERT INTO webhook (id, updated_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, sec(ch.At)); err != nil {
			return fmt.Errorf("postgres: webhook: %w", err)
		}
		w, err := readWebhook(ctx, tx, " FOR UPDATE")
		if err != nil {
			return err
		}
		ev, err := p.Apply(w, ch)
		if err != nil || ev == nil {
			out = w
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook SET sealed_url = $1, url_hint = $2, format = $3, enabled = $4, updated_at = $5 WHERE id = 1`,
			w.SealedURL, w.URLHint, string(w.Format), w.Enabled, sec(w.UpdatedAt)); err != nil {
			return fmt.Errorf("postgres: patch webhook: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO events (account_id, at, type, reason, actor) VALUES (0, $1, $2, $3, $4)`,
			sec(ev.At), ev.Type, ev.Reason, ev.Actor); err != nil {
			return fmt.Errorf("postgres: webhook event: %w", err)
		}
		out = w
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
