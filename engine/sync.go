package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/planner"
	"github.com/unvite/unvite/syncer"
)

// SyncArgs is the job that syncs one account; unique while queued.
type SyncArgs struct {
	AccountID int64 `json:"account_id" river:"unique"`
}

func (SyncArgs) Kind() string { return "sync" }

func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

// PlanArgs is the job that plans an account whose policy is enabled and
// queues the plan; unique while queued.
type PlanArgs struct {
	AccountID int64 `json:"account_id" river:"unique"`
}

func (PlanArgs) Kind() string { return "plan" }

func (PlanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

// SyncDueArgs is the periodic job that queues a sync for every connected
// account whose last sync is older than its policy's sync_every.
type SyncDueArgs struct{}

func (SyncDueArgs) Kind() string { return "sync-due" }

func (SyncDueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: liveStates}}
}

type syncDueWorker struct {
	river.WorkerDefaults[SyncDueArgs]
	e *Engine
}

func (w *syncDueWorker) Work(ctx context.Context, _ *river.Job[SyncDueArgs]) error {
	_, err := w.e.QueueDueSyncs(ctx)
	return err
}

// QueueDueSyncs queues a sync for each connected, ready account that is due.
func (e *Engine) QueueDueSyncs(ctx context.Context) (int, error) {
	accts, err := e.cfg.Store.Accounts(ctx)
	if err != nil {
		return 0, err
	}
	now, n := e.now(), 0
	for _, a := range accts {
		if !a.HasSession || accounts.Ready(a, now) != nil {
			continue
		}
		pol, err := e.cfg.Policy(a)
		if err != nil {
			e.log.Warn("no sync: bad policy", "account", a.ID, "err", err)
			continue
		}
		if pol.SyncEvery <= 0 || !a.LastSyncAt.IsZero() && now.Sub(a.LastSyncAt) < pol.SyncEvery {
			continue
		}
		if err := e.be.insert(ctx, SyncArgs{AccountID: a.ID}, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	e *Engine
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	wait, err := w.e.Sync(ctx, job.Args.AccountID)
	if err != nil {
		return err
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

// Sync syncs one account under its LinkedIn lock, then queues a plan when
// the account's policy is enabled.
func (e *Engine) Sync(ctx context.Context, accountID int64) (time.Duration, error) {
	acct, err := e.cfg.Store.Account(ctx, accountID)
	if unvite.ErrorCode(err) == unvite.ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !acct.HasSession {
		return 0, nil
	}
	if wait, err := e.ready(acct, e.now()); err != nil {
		return wait, nil // stopped: not worth waiting for the lock
	}
	acct, release, wait, err := e.lockReady(ctx, accountID)
	if err != nil || wait > 0 {
		return wait, err
	}
	defer release()
	li, err := e.client(ctx, acct)
	if err != nil {
		return 0, err
	}
	pol, polErr := e.cfg.Policy(acct)
	sy := &syncer.Syncer{Store: e.cfg.Store, Now: e.now, MaxFailures: pol.MaxFailures}
	res, err := sy.Sync(ctx, acct, li)
	if err != nil {
		fresh, ferr := e.cfg.Store.Account(ctx, accountID)
		if ferr == nil {
			e.Attention(ctx, acct, fresh) // the syncer recorded LinkedIn's refusal
		}
		if ferr == nil && accounts.Ready(fresh, e.now()) != nil {
			wait, _ := e.ready(fresh, e.now())
			e.log.Warn("sync stopped", "account", accountID, "err", err)
			e.m.sync("stopped")
			return wait, nil // the account is stopped; try after
		}
		e.m.sync("failed")
		return 0, fmt.Errorf("sync account %d: %w", accountID, err)
	}
	e.m.sync("ok")
	e.log.Info("synced", "account", accountID, "added", res.Added, "accepted", res.Accepted, "gone", res.Gone,
		"withdrawn", res.Withdrawn, "requests", res.Requests)
	if polErr == nil && pol.Enabled {
		return 0, e.be.insert(ctx, PlanArgs{AccountID: accountID}, nil)
	}
	return 0, nil
}

type planWorker struct {
	river.WorkerDefaults[PlanArgs]
	e *Engine
}

func (w *planWorker) Work(ctx context.Context, job *river.Job[PlanArgs]) error {
	_, err := w.e.PlanAndQueue(ctx, job.Args.AccountID)
	return err
}

// PlanAndQueue plans an account with an enabled policy and queues what the
// plan selects. A disabled policy queues nothing: it only previews.
func (e *Engine) PlanAndQueue(ctx context.Context, accountID int64) ([]unvite.QueuedWithdrawal, error) {
	acct, err := e.cfg.Store.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	pol, err := e.cfg.Policy(acct)
	if err != nil {
		return nil, err
	}
	if !pol.Enabled {
		return nil, nil
	}
	plan, err := PlanFor(ctx, e.cfg.Store, acct, pol, e.now())
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(plan.Withdrawals))
	for i, w := range plan.Withdrawals {
		ids[i] = w.Invitation.ID
	}
	return e.QueueWithdrawals(ctx, ids, unvite.Change{At: e.now(), Actor: "policy", Reason: "enabled policy"})
}

// PlanFor is the policy's plan for an account as of now: what the CLI
// shows and confirms, and what an enabled policy queues by itself. It is
// the shared planner's, so that learned policies hold here too.
func PlanFor(ctx context.Context, s unvite.Store, acct *unvite.Account, pol unvite.Policy, now time.Time) (unvite.WithdrawalPlan, error) {
	return planner.Plan(ctx, s, acct, pol, now)
}
