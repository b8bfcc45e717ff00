// Package notify posts unvite's notices to the user's webhook: an account
// that needs attention (signed out, a security challenge, a soft block, a
// rate limit) and the weekly review. The body is plain JSON or the
// {"text": …} that Slack-compatible incoming webhooks read. The webhook's
// URL may carry a secret token, so it is sealed at rest with the keyring
// that seals LinkedIn sessions, and never logged or shown back: errors and
// the settings page name only its host.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/secret"
)

// Kinds of Message.
const (
	KindAttention = "attention" // an account needs the user
	KindReview    = "review"    // the weekly review
	KindTest      = "test"      // the settings page's "Send test"
)

// Message is one notice. ID names it for the receiver's de-duplication:
// delivery is at least once, and a retry carries the same ID.
type Message struct {
	ID   string    `json:"id"`
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// Text says it in words; it is the whole Slack body.
	Text string `json:"text"`
	// Account is the account a notice of attention is about.
	Account *AccountNotice `json:"account,omitempty"`
	// Review is the weekly review's figures.
	Review json.RawMessage `json:"review,omitempty"`
}

// AccountNotice is where an account stands and the step that moves it on.
type AccountNotice struct {
	ID       int64               `json:"id"`
	Name     string              `json:"name"`
	State    unvite.AccountState `json:"state"`
	Reason   string              `json:"reason,omitempty"`
	Since    time.Time           `json:"since,omitzero"` // in this state since
	Until    time.Time           `json:"until,omitzero"` // throttled until
	NextStep string              `json:"next_step"`
}

// Service keeps the webhook's settings and posts to it.
type Service struct {
	Store unvite.Store
	// Keys returns the keyring (see accounts.LoadKeys); sealing is true
	// when a URL the user just gave is to be sealed.
	Keys func(ctx context.Context, sealing bool) (*secret.Keyring, error)
	// Client posts (default: a client with Timeout).
	Client *http.Client
	// Timeout bounds one post (default 10s).
	Timeout time.Duration
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// ad binds the sealed URL to the webhook's row.
var ad = []byte("unvite-webhook:1")

// Settings are what the settings form sends. An empty URL keeps the stored
// one; Clear removes it.
type Settings struct {
	URL     string
	Clear   bool
	Format  string
	Enabled bool
}

// Save checks and stores the settings, sealing a new URL.
func (s *Service) Save(ctx context.Context, in Settings, actor string) (*unvite.Webhook, error) {
	format, err := unvite.ParseWebhookFormat(in.Format)
	if err != nil {
		return nil, err
	}
	p := unvite.WebhookPatch{Format: &format, Enabled: &in.Enabled, ClearURL: in.Clear}
	if raw := strings.TrimSpace(in.URL); raw != "" && !in.Clear {
		hint, err := CheckURL(raw)
		if err != nil {
			return nil, err
		}
		keys, err := s.Keys(ctx, true)
		if err != nil {
			return nil, err
		}
		p.SealedURL, p.URLHint = keys.Seal([]byte(raw), ad), &hint
	}
	return s.Store.PatchWebhook(ctx, p, unvite.Change{At: s.now(), Actor: actor, Reason: "settings"})
}

// CheckURL checks a webhook URL and returns its hint: scheme and host,
// nothing of the path or query that may hold a token. Its errors never
// repeat the URL.
func CheckURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", unvite.Errorf(unvite.EINVALID, "webhook URL: not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", unvite.Errorf(unvite.EINVALID, "webhook URL: want an http:// or https:// address")
	}
	if u.Host == "" {
		return "", unvite.Errorf(unvite.EINVALID, "webhook URL: no host")
	}
	if u.User != nil {
		return "", unvite.Errorf(unvite.EINVALID, "webhook URL: put no user or password in it")
	}
	return u.Scheme + "://" + u.Host + "/…", nil
}

// ErrDisabled: no webhook is set up, or it is switched off.
var ErrDisabled = errors.New("notify: the webhook is not enabled")

// Send posts m to the webhook when it is enabled (ErrDisabled otherwise).
func (s *Service) Send(ctx context.Context, m Message) error {
	w, err := s.Store.Webhook(ctx)
	if err != nil {
		return err
	}
	if !w.Enabled || !w.HasURL() {
		return ErrDisabled
	}
	return s.post(ctx, w, m)
}

// SendTest posts a test message whether or not the webhook is enabled (it
// needs a URL).
func (s *Service) SendTest(ctx context.Context, actor string) (*unvite.Webhook, error) {
	w, err := s.Store.Webhook(ctx)
	if err != nil {
		return nil, err
	}
	if !w.HasURL() {
		return w, unvite.Errorf(unvite.EINVALID, "no webhook URL yet: save one first")
	}
	now := s.now()
	return w, s.post(ctx, w, Message{
		ID: fmt.Sprintf("test-%d", now.UnixNano()), Kind: KindTest, At: now,
		Text: "unvite test message (sent from Settings → Webhook by " + actor + "): the webhook works.",
	})
}

func (s *Service) post(ctx context.Context, w *unvite.Webhook, m Message) error {
	keys, err := s.Keys(ctx, false)
	if err != nil {
		return err
	}
	plain, err := keys.Open(w.SealedURL, ad)
	if errors.Is(err, secret.ErrNoKey) {
		return unvite.Errorf(unvite.ECONFLICT, "the webhook URL was sealed with key %s, which the keyring does not hold: restore that key, or save the URL again in Settings → Webhook", secret.SealedKeyID(w.SealedURL))
	}
	if err != nil {
		return unvite.Errorf(unvite.ECONFLICT, "the stored webhook URL cannot be opened: save it again in Settings → Webhook")
	}
	body, err := Body(w.Format, m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, string(plain), bytes.NewReader(body))
	if err != nil {
		return &DeliveryError{fmt.Sprintf("webhook %s: %s", w.URLHint, redact(err, string(plain)))}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "unvite-webhook")
	req.Header.Set("X-Unvite-Delivery", m.ID)
	cl := s.Client
	if cl == nil {
		cl = &http.Client{Timeout: timeout}
	}
	resp, err := cl.Do(req)
	if err != nil {
		// url.Error repeats the whole URL, token and all.
		return &DeliveryError{fmt.Sprintf("webhook %s: post failed: %s", w.URLHint, redact(err, string(plain)))}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return &DeliveryError{fmt.Sprintf("webhook %s answered %s: %s", w.URLHint, resp.Status, strings.TrimSpace(redact(errors.New(string(snippet)), string(plain))))}
	}
	return nil
}

// DeliveryError says why a post did not reach the webhook, naming its
// host, never its URL: safe to show and to log.
type DeliveryError struct{ msg string }

func (e *DeliveryError) Error() string { return e.msg }

// redact is err's text without the URL (or its path, which some errors
// quote alone).
func redact(err error, raw string) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	msg = strings.ReplaceAll(msg, raw, "the webhook URL")
	if u, perr := url.Parse(raw); perr == nil {
		for _, part := range []string{u.RequestURI(), u.RawQuery, u.EscapedPath()} {
			if len(part) > 1 {
				msg = strings.ReplaceAll(msg, part, "…")
			}
		}
	}
	return msg
}

// Body is the request body of m in format f.
func Body(f unvite.WebhookFormat, m Message) ([]byte, error) {
	if f == unvite.WebhookSlack {
		return json.Marshal(struct {
			Text string `json:"text"`
		}{slackEscape(m.Text)})
	}
	return json.Marshal(m)
}

// slackEscape escapes the three characters Slack's text treats as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
