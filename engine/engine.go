// Package engine carries out withdrawals, syncs, plans and re-invites as
// River jobs, on SQLite (one process) or PostgreSQL (many). LinkedIn sees
// at most one call in flight per account, never a call for an account that
// is paused, throttled or signed out, and never more than the account's
// daily budget, whatever crashes and retries happen in between: every
// effect goes through a claim in the store first and is recorded after.
package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/syncer"
)

// LinkedIn is what the engine needs of a LinkedIn client; *linkedin.Client
// has it.
type LinkedIn interface {
	syncer.LinkedIn
	Withdraw(ctx context.Context, invitationID string) error
	SendInvitation(ctx context.Context, profileURN, note string, plan unvite.Plan) (string, error)
}

// Config configures an Engine.
type Config struct {
	Store unvite.Store
	// Client opens the account's stored session as a LinkedIn client.
	Client func(ctx context.Context, acct *unvite.Account) (LinkedIn, error)
	// Policy is the account's policy (from the policy file).
	Policy func(acct *unvite.Account) (unvite.Policy, error)
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// NoPacing drops active hours and gaps (benchmarks, tests); the daily
	// budget still holds.
	NoPacing bool
	// Workers is how many jobs run at once in this process (default 10).
	Workers int
	// SyncCheck is how often accounts due a sync are looked for (default 1m).
	SyncCheck time.Duration
	// FetchPoll is how often River looks for new jobs (default 1s).
	FetchPoll time.Duration
	// Observe, when set, hears each job's kind and how long it ran (for
	// metrics and benchmarks).
	Observe func(kind string, d time.Duration)
	// JobTimeout bounds one job (default 2m). A process killed mid-job
	// leaves it running; on PostgreSQL River rescues it after twice this
	// (at most JobTimeout + 1m), on SQLite the next start frees it at once.
	JobTimeout time.Duration
	// Notify posts to the user's webhook (nil: no webhook): an account
	// LinkedIn stopped, and the weekly review.
	Notify *notify.Service
	// RetryBase is the first wait before a failed job runs again (default
	// 5s); each further failure doubles it, up to an hour.
	RetryBase time.Duration
}

// Queue names.
const (
	QueueDefault = river.QueueDefault
)

// backend hides River's transaction type (TTx) from the engine's logic.
type backend interface {
	start(ctx context.Context) error
	stop(ctx context.Context) error
	// enqueue inserts jobs inside the store's transaction tx.
	enqueue(ctx context.Context, tx any, jobs []river.InsertManyParams) error
	insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	insertMany(ctx context.Context, jobs []river.InsertManyParams) error
	list(ctx context.Context, params *river.JobListParams) ([]*rivertype.JobRow, error)
	// depth counts the jobs not finished yet by kind and state.
	depth(ctx context.Context) (map[jobCount]int, error)
	cancel(ctx context.Context, id int64) error
	retry(ctx context.Context, id int64) error
	// rescue frees jobs a killed process left running, where that is safe.
	rescue(ctx context.Context) (int, error)
	close() error
	// lock takes the account's LinkedIn lock: one call in flight per
	// account, across processes where the database allows several. When
	// the account is busy it holds nothing and says when to come back.
	lock(ctx context.Context, accountID int64) (release func(), wait time.Duration, err error)
}

// Engine runs the jobs.
type Engine struct {
	cfg     Config
	be      backend
	log     *slog.Logger
	started bool
	m       *metrics // nil until Register
}

func (e *Engine) now() time.Time {
	if e.cfg.Now != nil {
		return e.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

func withDefaults(cfg Config) Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 10
	}
	if cfg.SyncCheck <= 0 {
		cfg.SyncCheck = time.Minute
	}
	if cfg.FetchPoll <= 0 {
		cfg.FetchPoll = time.Second
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 2 * time.Minute
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 5 * time.Second
	}
	return cfg
}

// fetchCooldown is the least time between two fetches of jobs. A fetch
// takes at most Workers jobs, so River's default (100ms) capped a process
// at 10×Workers jobs a second, below the withdrawal rates wanted (issue 11).
const fetchCooldown = 20 * time.Millisecond

// riverConfig is the River configuration both backends share.
func (e *Engine) riverConfig(work bool) *river.Config {
	c := &river.Config{
		Logger:            e.log.With("component", "river"),
		JobTimeout:        e.cfg.JobTimeout,
		FetchPollInterval: e.cfg.FetchPoll,
		FetchCooldown:     min(fetchCooldown, e.cfg.FetchPoll),
		// A process killed mid-job leaves its job running; rescue it soon
		// after the timeout (the job finds out where it stood first).
		RescueStuckJobsAfter: e.cfg.JobTimeout + min(e.cfg.JobTimeout, time.Minute),
		RetryPolicy:          retryPolicy{base: e.cfg.RetryBase},
	}
	if !work {
		return c
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &withdrawWorker{e: e})
	river.AddWorker(workers, &syncWorker{e: e})
	river.AddWorker(workers, &planWorker{e: e})
	river.AddWorker(workers, &syncDueWorker{e: e})
	river.AddWorker(workers, &reinviteWorker{e: e})
	river.AddWorker(workers, &webhookWorker{e: e})
	river.AddWorker(workers, &weeklyReviewWorker{e: e})
	c.Workers = workers
	c.Queues = map[string]river.QueueConfig{QueueDefault: {MaxWorkers: e.cfg.Workers}}
	c.PeriodicJobs = []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(e.cfg.SyncCheck),
			func() (river.JobArgs, *river.InsertOpts) { return SyncDueArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		// Periodic jobs run on the elected leader only (one process on
		// PostgreSQL), and the week's name keeps the review to one a week.
		// On start the leader also asks for the last review due, which the
		// store's record of the week reviewed (ClaimReview) sends only if
		// no process was up to send it then.
		river.NewPeriodicJob(weekly{},
			func() (river.JobArgs, *river.InsertOpts) {
				// A minute's grace: the schedule fires at 08:00 by the
				// wall clock, perhaps a hair before it by e.now's.
				return WeeklyReviewArgs{Week: unvite.ReviewWeek(e.now().Add(time.Minute))}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
	return c
}

// Start runs the workers until Stop. On SQLite it first frees the jobs a
// killed process left running (serve holds the file alone), and every
// recorded intent gets its job back if it lost it.
func (e *Engine) Start(ctx context.Context) error {
	n, err := e.be.rescue(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		e.log.Info("rescued jobs left running by a stopped process", "jobs", n)
	}
	if _, err := e.Requeue(ctx); err != nil {
		return err
	}
	// A start is a natural moment to retry what failed: a withdrawal whose
	// outcome is unknown is settled now rather than after its backoff.
	retry, err := e.be.list(ctx, river.NewJobListParams().First(10000).States(rivertype.JobStateRetryable))
	if err != nil {
		return err
	}
	for _, j := range retry {
		if err := e.be.retry(ctx, j.ID); err != nil {
			return err
		}
	}
	if err := e.be.start(ctx); err != nil {
		return fmt.Errorf("engine: start: %w", err)
	}
	e.started = true
	return nil
}

// Stop lets running jobs finish (an in-flight call is recorded) and stops.
func (e *Engine) Stop(ctx context.Context) error {
	if !e.started {
		return nil
	}
	e.started = false
	return e.be.stop(ctx)
}

// Close releases the engine's own connections (after Stop).
func (e *Engine) Close() error { return e.be.close() }

// QueueWithdrawals records the intent to withdraw ids and enqueues one job
// each, in one transaction. Only pending sent invitations are queued.
func (e *Engine) QueueWithdrawals(ctx context.Context, ids []int64, ch unvite.Change) ([]unvite.QueuedWithdrawal, error) {
	if ch.At.IsZero() {
		ch.At = e.now()
	}
	return e.cfg.Store.QueueWithdrawals(ctx, ids, ch, func(ctx context.Context, tx any, qs []unvite.QueuedWithdrawal) error {
		params := make([]river.InsertManyParams, len(qs))
		nth := map[int64]int{}
		now := time.Now() // River schedules on the wall clock
		for i, q := range qs {
			params[i] = river.InsertManyParams{Args: WithdrawArgs{InvitationID: q.InvitationID, AccountID: q.AccountID}}
			if e.cfg.NoPacing {
				k := time.Duration(nth[q.AccountID])
				params[i].InsertOpts = &river.InsertOpts{ScheduledAt: now.Add(min(k*noPacingStep, noPacingSpread))}
			}
			nth[q.AccountID]++
		}
		return e.be.enqueue(ctx, tx, params)
	})
}

// noPacingStep spaces the jobs of one account queued together when pacing
// is off. River hands out jobs in the order they are due, and an account's
// calls go one at a time: due all at once, one account's run of jobs would
// fill every worker of every process while the others wait. Spaced, the
// queues of many accounts interleave. (With pacing on, each job finds its
// turn when it first runs, see inTurn.) The spread is bounded: the jobs
// are due now, in effect (see Idle).
const (
	noPacingStep   = 5 * time.Millisecond
	noPacingSpread = 2 * time.Second
)

// Requeue makes sure every recorded intent has its job (an intent always
// gets one in its own transaction; this heals a job table restored from an
// older backup or jobs deleted by hand). Unique jobs make it idempotent.
func (e *Engine) Requeue(ctx context.Context) (int, error) {
	qs, err := e.cfg.Store.Queued(ctx, 0)
	if err != nil || len(qs) == 0 {
		return 0, err
	}
	live, err := e.be.list(ctx, river.NewJobListParams().First(10000).Kinds(WithdrawArgs{}.Kind()).States(liveStates...))
	if err != nil {
		return 0, err
	}
	has := make(map[int64]bool, len(live))
	for _, j := range live {
		var a WithdrawArgs
		if json.Unmarshal(j.EncodedArgs, &a) == nil {
			has[a.InvitationID] = true
		}
	}
	var missing []river.InsertManyParams
	for _, q := range qs {
		if !has[q.InvitationID] {
			missing = append(missing, river.InsertManyParams{Args: WithdrawArgs{InvitationID: q.InvitationID, AccountID: q.AccountID}})
		}
	}
	if len(missing) > 0 {
		e.log.Warn("queued withdrawals without a job get one again", "count", len(missing))
		if err := e.be.insertMany(ctx, missing); err != nil {
			return 0, err
		}
	}
	return len(missing), nil
}

// Cancel drops queued withdrawals (ids, or all of the account's when ids is
// empty) and cancels their jobs. An attempt already in flight finishes
// and is recorded; it is not retried.
func (e *Engine) Cancel(ctx context.Context, accountID int64, ids []int64, ch unvite.Change) ([]int64, error) {
	dropped, err := e.cfg.Store.Unqueue(ctx, accountID, ids, ch)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range dropped {
		want[id] = true
	}
	jobs, err := e.Jobs(ctx, JobFilter{Kinds: []string{WithdrawArgs{}.Kind()}, Live: true})
	if err != nil {
		return dropped, err
	}
	for _, j := range jobs {
		if want[j.InvitationID] && j.State != rivertype.JobStateRunning {
			if err := e.be.cancel(ctx, j.ID); err != nil {
				return dropped, err
			}
		}
	}
	return dropped, nil
}

// ready says whether the engine may call LinkedIn for the account, and if
// not, how long to wait before looking again.
func (e *Engine) ready(acct *unvite.Account, now time.Time) (time.Duration, error) {
	err := accounts.Ready(acct, now)
	if err == nil {
		return 0, nil
	}
	if acct.State == unvite.AccountThrottled {
		return max(acct.ThrottledUntil.Sub(now), time.Second), err
	}
	// Paused, needs login, no session: look again soon, so that a resume
	// takes effect within seconds of the next look.
	return pausedRecheck, err
}

// lockReady takes the account's LinkedIn lock and reads the account as it
// is once held: a pause or throttle that lands while a job waits for the
// lock is seen before any request. On a wait > 0 or an error nothing is
// held; otherwise the caller must call release.
func (e *Engine) lockReady(ctx context.Context, accountID int64) (acct *unvite.Account, release func(), wait time.Duration, err error) {
	release, wait, err = e.be.lock(ctx, accountID)
	if err != nil || wait > 0 {
		return nil, nil, wait, err // another call of this account is in flight
	}
	if acct, err = e.cfg.Store.Account(ctx, accountID); err != nil {
		release()
		return nil, nil, 0, err
	}
	if wait, err := e.ready(acct, e.now()); err != nil {
		release()
		return nil, nil, wait, nil
	}
	return acct, release, 0, nil
}

// pausedRecheck is how often a job of a stopped account looks again.
const pausedRecheck = 30 * time.Second

// stopAccount records what a LinkedIn error means for the account (the
// one mapping, in package accounts: a stop, a rate limit's half pace, or a
// failed call counted towards the circuit breaker) and reports whether its
// work must stop.
func (e *Engine) stopAccount(ctx context.Context, acct *unvite.Account, err error) bool {
	maxFailures := 0 // the default, when the policy cannot be read
	if pol, perr := e.cfg.Policy(acct); perr == nil {
		maxFailures = pol.MaxFailures
	}
	before := *acct
	out, ferr := accounts.Fail(ctx, e.cfg.Store, acct, err, maxFailures, unvite.Change{At: e.now(), Actor: "engine"})
	if out.Account != nil {
		*acct = *out.Account
		e.Attention(ctx, &before, out.Account)
	}
	if out.Stop {
		e.log.Warn("account stopped", "account", acct.ID, "state", acct.State, "reason", acct.StateReason, "err", ferr)
	}
	return out.Stop
}

// client opens the account's LinkedIn client.
func (e *Engine) client(ctx context.Context, acct *unvite.Account) (LinkedIn, error) {
	if e.cfg.Client == nil {
		return nil, fmt.Errorf("engine: no LinkedIn client configured")
	}
	li, err := e.cfg.Client(ctx, acct)
	if err != nil || e.m == nil {
		return li, err
	}
	return counted{li, e.m}, nil
}

// retryPolicy retries soon at first (a lost reply is settled by the next
// try), then backs off: base, 2·base, 4·base, … up to an hour.
type retryPolicy struct{ base time.Duration }

func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	wait := p.base
	for i := 1; i < job.Attempt && wait < time.Hour; i++ {
		wait *= 2
	}
	return time.Now().Add(min(wait, time.Hour))
}
