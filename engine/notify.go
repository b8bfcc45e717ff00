package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/review"
)

// WebhookArgs is the job that posts one message to the webhook. River
// retries it with backoff; the message's ID stays the same across tries
// (the receiver de-duplicates by it), and one ID is queued only once.
type WebhookArgs struct {
	ID        string         `json:"id" river:"unique"`
	AccountID int64          `json:"account_id,omitempty"` // shows the job in that account's Activity
	Message   notify.Message `json:"message"`
}

func (WebhookArgs) Kind() string { return "webhook" }

func (WebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// webhookTimeout bounds one delivery, whatever the receiver does.
const webhookTimeout = 30 * time.Second

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	e *Engine
}

func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration { return webhookTimeout }

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	if w.e.cfg.Notify == nil {
		return river.JobCancel(errors.New("this worker has no webhook configured"))
	}
	err := w.e.cfg.Notify.Send(ctx, job.Args.Message)
	if errors.Is(err, notify.ErrDisabled) {
		w.e.log.Info("webhook switched off since the message was queued: not sent", "id", job.Args.ID)
		return nil
	}
	if err != nil {
		w.e.log.Warn("webhook delivery failed", "id", job.Args.ID, "attempt", job.Attempt, "err", err)
		return err
	}
	w.e.log.Info("webhook delivered", "id", job.Args.ID, "kind", job.Args.Message.Kind)
	return nil
}

// webhookOn says whether messages are to be queued at all.
func (e *Engine) webhookOn(ctx context.Context) bool {
	if e.cfg.Notify == nil {
		return false
	}
	w, err := e.cfg.Store.Webhook(ctx)
	if err != nil {
		e.log.Warn("webhook settings unreadable", "err", err)
		return false
	}
	return w.Enabled && w.HasURL()
}

// Attention queues a notice when LinkedIn just stopped an account: its
// state moved (from before to after) to one that needs the user or waits
// (needs-login for an expired session or a challenge, paused on a 999 or
// by the circuit breaker, throttled on a 429). The engine's jobs call it,
// and so does the CLI's sync, which records the stop through the same
// syncer and accounts.Fail.
func (e *Engine) Attention(ctx context.Context, before, after *unvite.Account) {
	if !NeedsAttention(before, after) {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if !e.webhookOn(ctx) {
		return
	}
	now := e.now()
	next := accounts.NextStep(after, now)
	// One notice per state episode: the account, its state and since when
	// name it, so that the processes and paths that see the same stop (a
	// sync, a withdrawal, the CLI) queue one job, and the receiver can
	// de-duplicate by the id.
	since := after.StateSince
	if since.IsZero() {
		since = now // a state older than the record of its start
	}
	m := notify.Message{
		ID: fmt.Sprintf("attention-%d-%s-%d", after.ID, after.State, since.Unix()), Kind: notify.KindAttention, At: now,
		Text: fmt.Sprintf("unvite: account %s %s. Next: %s", after.Name, accounts.Describe(after), next),
		Account: &notify.AccountNotice{ID: after.ID, Name: after.Name, State: after.State, Reason: after.StateReason,
			Since: after.StateSince, Until: after.ThrottledUntil, NextStep: next},
	}
	if err := e.be.insert(ctx, WebhookArgs{ID: m.ID, AccountID: after.ID, Message: m}, nil); err != nil {
		e.log.Warn("could not queue the webhook notice", "account", after.ID, "err", err)
	}
}

// NeedsAttention reports whether the move of an account from before to
// after is one the user hears of (see Attention).
func NeedsAttention(before, after *unvite.Account) bool {
	if before == nil || after == nil || before.State == after.State && before.StateReason == after.StateReason {
		return false
	}
	switch after.State {
	case unvite.AccountNeedsLogin, unvite.AccountPaused, unvite.AccountThrottled:
		return true
	}
	return false
}

// WeeklyReviewArgs is the weekly job that posts the review; unique per
// week, so that a restart or a new leader does not post it twice.
type WeeklyReviewArgs struct {
	Week string `json:"week" river:"unique"` // ISO week, "2026-W49"
}

func (WeeklyReviewArgs) Kind() string { return "weekly-review" }

func (WeeklyReviewArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type weeklyReviewWorker struct {
	river.WorkerDefaults[WeeklyReviewArgs]
	e *Engine
}

func (w *weeklyReviewWorker) Work(ctx context.Context, job *river.Job[WeeklyReviewArgs]) error {
	_, err := w.e.QueueWeeklyReview(ctx, job.Args.Week)
	return err
}

// isoWeek names t's ISO week.
func isoWeek(t time.Time) string { return unvite.ISOWeek(t) }

// weekly is River's schedule for the review: Mondays at 08:00 UTC (see
// unvite.ReviewWeek).
type weekly struct{}

func (weekly) Next(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Monday || !d.After(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// QueueWeeklyReview builds the review of the week ending now and queues
// its delivery to the webhook, once per week name ("" is this week's): the
// store records the week with the job (Store.ClaimReview), so that neither
// another process nor a restart queues it again. It reports whether it
// queued one: not when the webhook is off, or that week's (or a later
// one's) review was queued already.
func (e *Engine) QueueWeeklyReview(ctx context.Context, week string) (bool, error) {
	if !e.webhookOn(ctx) {
		return false, nil
	}
	now := e.now()
	if week == "" {
		week = isoWeek(now)
	}
	accts, err := e.cfg.Store.Accounts(ctx)
	if err != nil {
		return false, err
	}
	r, err := review.Build(ctx, e.cfg.Store, accts, e.cfg.Policy, now)
	if err != nil {
		return false, err
	}
	raw, err := json.Marshal(r.Brief(10))
	if err != nil {
		return false, fmt.Errorf("weekly review: %w", err)
	}
	m := notify.Message{ID: "review-" + week, Kind: notify.KindReview, At: now, Text: r.Text(), Review: raw}
	return e.cfg.Store.ClaimReview(ctx, week, unvite.Change{At: now, Actor: "engine"}, func(ctx context.Context, tx any) error {
		return e.be.enqueue(ctx, tx, []river.InsertManyParams{{Args: WebhookArgs{ID: m.ID, Message: m}}})
	})
}
