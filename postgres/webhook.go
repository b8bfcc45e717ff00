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
	err := q.QueryRow(ctx, `SELECT sealed_url, url_hint, format, enabled, updated_at, reviewed_week FROM webhook WHERE id = 1`+lock).
		Scan(&w.SealedURL, &w.URLHint, &format, &w.Enabled, &updated, &w.ReviewedWeek)
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
// transaction on the locked row, unless that week or a later one was
// reviewed: of two processes claiming at once, one waits and finds it done.
func (s *DB) ClaimReview(ctx context.Context, week string, ch unvite.Change, enqueue func(ctx context.Context, tx any) error) (bool, error) {
	if ch.At.IsZero() {
		ch.At = s.now()
	}
	var claimed bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		claimed = false // a retried transaction starts over
		_, changed, err := patchWebhook(ctx, tx, unvite.WebhookPatch{ReviewedWeek: &week}, ch)
		if err != nil || !changed {
			return err
		}
		claimed = true
		return enqueue(ctx, tx)
	})
	return claimed && err == nil, err
}

// patchWebhook is PatchWebhook inside a transaction; it reports whether
// the patch changed anything.
func patchWebhook(ctx context.Context, tx pgx.Tx, p unvite.WebhookPatch, ch unvite.Change) (*unvite.Webhook, bool, error) {
	// The row may not exist yet: make it, then lock it, so that two
	// patches at once apply one after the other.
	if _, err := tx.Exec(ctx, `INSERT INTO webhook (id, updated_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, sec(ch.At)); err != nil {
		return nil, false, fmt.Errorf("postgres: webhook: %w", err)
	}
	w, err := readWebhook(ctx, tx, " FOR UPDATE")
	if err != nil {
		return nil, false, err
	}
	ev, err := p.Apply(w, ch)
	if err != nil || ev == nil {
		return w, false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE webhook SET sealed_url = $1, url_hint = $2, format = $3, enabled = $4, updated_at = $5,
		reviewed_week = $6 WHERE id = 1`,
		w.SealedURL, w.URLHint, string(w.Format), w.Enabled, sec(w.UpdatedAt), w.ReviewedWeek); err != nil {
		return nil, false, fmt.Errorf("postgres: patch webhook: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO events (account_id, at, type, reason, actor) VALUES (0, $1, $2, $3, $4)`,
		sec(ev.At), ev.Type, ev.Reason, ev.Actor); err != nil {
		return nil, false, fmt.Errorf("postgres: webhook event: %w", err)
	}
	return w, true, nil
}
