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
}

// WebhookStore keeps the webhook's settings. Every Store is one.
type WebhookStore interface {
	// Webhook is the stored settings; with none stored, a disabled JSON
	// webhook without a URL.
	Webhook(ctx context.Context) (*Webhook, error)
	// PatchWebhook applies p to the settings as they are now, recording a
	// "webhook" event (account 0, never the URL) in the same transaction.
	PatchWebhook(ctx context.Context, p WebhookPatch, ch Change) (*Webhook, error)
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
	if len(changes) == 0 {
		return nil, nil
	}
	w.UpdatedAt = ch.At.UTC().Truncate(time.Second)
	reason := "webhook: " + strings.Join(changes, "; ")
	if ch.Reason != "" {
		reason = ch.Reason + ": " + reason
	}
	return &Event{At: ch.At, Type: "webhook", Reason: reason, Actor: ch.Actor}, nil
}
