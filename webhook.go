package unvite

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// WebhookFormat is the body a webhook is posted: plain JSON, or the
// {"text": …} that Slack's (and Mattermost's, Discord's /slack) incoming
// webhooks read.
type WebhookFormat string

const (
	WebhookJSON  WebhookFormat = "json"
	WebhookSlack WebhookFormat = "slack"
)

// ParseWebhookFormat checks s names a format.
func ParseWebhookFormat(s string) (WebhookFormat, error) {
	switch f := WebhookFormat(strings.TrimSpace(s)); f {
	case WebhookJSON, WebhookSlack:
		return f, nil
	}
	return "", Errorf(EINVALID, "webhook format %q: want json or slack", s)
}

// Webhook is where unvite tells of an account that needs attention and
// posts the weekly review. The URL may hold a secret token (Slack's do):
// the store keeps it sealed (see package notify) and a hint that shows its
// host only.
type Webhook struct {
	SealedURL []byte        `json:"-"`
	URLHint   string        `json:"url_hint"` // "https://hooks.slack.com/…"; "" when no URL is set
	Format    WebhookFormat `json:"format"`
	Enabled   bool          `json:"enabled"`
	UpdatedAt time.Time     `json:"updated_at,omitzero"`
	// ReviewedWeek is the ISO week ("2026-W49") of the last weekly review
	// queued for this webhook: a review missed while no process ran is
	// sent once at the next start, and never twice (see ClaimReview).
	ReviewedWeek string `json:"reviewed_week,omitempty"`
}

// ReviewWeek names the ISO week ("2026-W49") of the last weekly review due
// at or before t. The review is due on Mondays at 08:00 UTC.
func ReviewWeek(t time.Time) string {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Monday || d.After(t) {
		d = d.AddDate(0, 0, -1)
	}
	return ISOWeek(d)
}

// ISOWeek names t's ISO week, "2026-W49"; names of weeks sort as the weeks.
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// HasURL reports whether a URL is stored.
func (w *Webhook) HasURL() bool { return len(w.SealedURL) > 0 }

// WebhookPatch changes some of the webhook's settings: nil fields stay.
// SealedURL with URLHint replaces the URL; ClearURL removes it (and
// disables the webhook).
type WebhookPatch struct {
	SealedURL []byte
	URLHint   *string
	ClearURL  bool
	Format    *WebhookFormat
	Enabled   *bool
	// ReviewedWeek records a weekly review as queued; it only moves on to
	// a later week (an earlier or the same week changes nothing).
	ReviewedWeek *string
}

// WebhookStore keeps the webhook's settings. Every Store is one.
type WebhookStore interface {
	// Webhook is the stored settings; with none stored, a disabled JSON
	// webhook without a URL.
	Webhook(ctx context.Context) (*Webhook, error)
	// PatchWebhook applies p to the settings as they are now, recording a
	// "webhook" event (account 0, never the URL) in the same transaction.
	PatchWebhook(ctx context.Context, p WebhookPatch, ch Change) (*Webhook, error)
	// ClaimReview records week's review as queued (PatchWebhook with
	// ReviewedWeek) unless that week's or a later one was, and only then
	// runs enqueue in the same transaction (tx as for Enqueue), so that the
	// record and the delivery's job commit or vanish together. It reports
	// whether it claimed the week.
	ClaimReview(ctx context.Context, week string, ch Change, enqueue func(ctx context.Context, tx any) error) (bool, error)
}

// Apply changes w as the patch says and returns the audit event (nil when
// nothing changes). Both stores call it on the row they hold, so that they
// agree. The event names the URL's hint, never the URL.
func (p WebhookPatch) Apply(w *Webhook, ch Change) (*Event, error) {
	var changes []string
	if p.ClearURL {
		if w.HasURL() {
			changes = append(changes, "URL removed")
		}
		w.SealedURL, w.URLHint = nil, ""
		if w.Enabled {
			changes = append(changes, "disabled")
		}
		w.Enabled = false
	} else if len(p.SealedURL) > 0 {
		if p.URLHint == nil || *p.URLHint == "" {
			return nil, Errorf(EINVALID, "webhook: a new URL needs its hint")
		}
		w.SealedURL = p.SealedURL
		changes = append(changes, "URL set ("+*p.URLHint+")")
		w.URLHint = *p.URLHint
		if w.ReviewedWeek == "" {
			// A first webhook missed no review due before it existed.
			w.ReviewedWeek = ReviewWeek(ch.At)
		}
	}
	if p.Format != nil {
		if _, err := ParseWebhookFormat(string(*p.Format)); err != nil {
			return nil, err
		}
		if *p.Format != w.Format {
			changes = append(changes, fmt.Sprintf("format %s → %s", w.Format, *p.Format))
			w.Format = *p.Format
		}
	}
	if p.Enabled != nil && *p.Enabled != w.Enabled && !p.ClearURL {
		if *p.Enabled && !w.HasURL() {
			return nil, Errorf(EINVALID, "webhook: give a URL before enabling it")
		}
		w.Enabled = *p.Enabled
		changes = append(changes, map[bool]string{true: "enabled", false: "disabled"}[w.Enabled])
	}
	if len(changes) > 0 {
		w.UpdatedAt = ch.At.UTC().Truncate(time.Second) // the settings'
	}
	if p.ReviewedWeek != nil && *p.ReviewedWeek > w.ReviewedWeek {
		w.ReviewedWeek = *p.ReviewedWeek
		changes = append(changes, "weekly review "+w.ReviewedWeek+" queued")
	}
	if len(changes) == 0 {
		return nil, nil
	}
	reason := "webhook: " + strings.Join(changes, "; ")
	if ch.Reason != "" {
		reason = ch.Reason + ": " + reason
	}
	return &Event{At: ch.At, Type: "webhook", Reason: reason, Actor: ch.Actor}, nil
}
