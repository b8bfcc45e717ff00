package engine

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
)

// Job is a job as `unvite jobs` shows it.
type Job struct {
	ID           int64              `json:"id"`
	Kind         string             `json:"kind"`
	State        rivertype.JobState `json:"state"`
	AccountID    int64              `json:"account_id,omitempty"`
	InvitationID int64              `json:"invitation_id,omitempty"`
	Attempt      int                `json:"attempt"`
	ScheduledAt  time.Time          `json:"scheduled_at"`
	FinalizedAt  time.Time          `json:"finalized_at,omitzero"`
	// Waiting says why a scheduled job waits (until ScheduledAt).
	Waiting string `json:"waiting,omitempty"`
	// Error is the last error of a failed or retrying job.
	Error string `json:"error,omitempty"`
}

// JobFilter selects jobs. Zero fields do not filter.
type JobFilter struct {
	Kinds     []string
	AccountID int64
	// Live keeps jobs still to run (available, running, retrying, scheduled).
	Live bool
}

// Jobs lists jobs, oldest first.
func (e *Engine) Jobs(ctx context.Context, f JobFilter) ([]Job, error) {
	params := river.NewJobListParams().First(1000).OrderBy(river.JobListOrderByID, river.SortOrderAsc)
	if len(f.Kinds) > 0 {
		params = params.Kinds(f.Kinds...)
	}
	if f.Live {
		params = params.States(liveStates...)
	}
	rows, err := e.be.list(ctx, params)
	if err != nil {
		return nil, err
	}
	return e.jobsOf(ctx, rows, f)
}

func (e *Engine) jobsOf(ctx context.Context, rows []*rivertype.JobRow, f JobFilter) ([]Job, error) {
	accts := map[int64]*unvite.Account{}
	now := e.now()
	var out []Job
	for _, r := range rows {
		j := Job{ID: r.ID, Kind: r.Kind, State: r.State, Attempt: r.Attempt, ScheduledAt: r.ScheduledAt.UTC()}
		if r.FinalizedAt != nil {
			j.FinalizedAt = r.FinalizedAt.UTC()
		}
		var args struct {
			AccountID    int64 `json:"account_id"`
			InvitationID int64 `json:"invitation_id"`
		}
		_ = json.Unmarshal(r.EncodedArgs, &args)
		j.AccountID, j.InvitationID = args.AccountID, args.InvitationID
		if f.AccountID != 0 && j.AccountID != f.AccountID {
			continue
		}
		if n := len(r.Errors); n > 0 {
			j.Error = r.Errors[n-1].Error
		}
		if r.State == rivertype.JobStateScheduled && j.AccountID != 0 {
			j.Waiting = e.why(ctx, accts, j, now)
		}
		out = append(out, j)
	}
	return out, nil
}

// why explains a scheduled job's wait from the account's state now.
func (e *Engine) why(ctx context.Context, accts map[int64]*unvite.Account, j Job, now time.Time) string {
	acct, ok := accts[j.AccountID]
	if !ok {
		a, err := e.cfg.Store.Account(ctx, j.AccountID)
		if err != nil {
			return ""
		}
		acct, accts[j.AccountID] = a, a
	}
	if err := accounts.Ready(acct, now); err != nil {
		return err.Error()
	}
	if j.Kind != (WithdrawArgs{}).Kind() {
		return "scheduled"
	}
	pol, err := e.cfg.Policy(acct)
	if err != nil {
		return err.Error()
	}
	pace, err := PaceFor(pol, acct)
	if err != nil {
		return err.Error()
	}
	if n, err := e.cfg.Store.WithdrawalsOn(ctx, acct.ID, pace.Day(now)); err == nil && n >= e.limit(acct, pace, now) {
		return "daily limit reached"
	}
	if !e.cfg.NoPacing && pace.Next(now).After(now) {
		return "outside active hours " + pol.ActiveHours
	}
	return "pacing: waiting its turn"
}

// retrySoon: see Idle.
const retrySoon = 30 * time.Second

// Idle reports whether no job is due now: nothing available or running,
// and nothing scheduled or retrying at or before now.
func (e *Engine) Idle(ctx context.Context) (bool, error) {
	rows, err := e.be.list(ctx, river.NewJobListParams().First(1000).States(liveStates...))
	if err != nil {
		return false, err
	}
	// River schedules on the wall clock, whatever clock the engine reads.
	// A retry due within retrySoon counts as due: it is part of the work
	// at hand (settling an unknown outcome), not a later window.
	now := time.Now()
	// Without pacing, withdrawals queued together are spaced a little (see
	// noPacingStep): those are due too.
	soon := now
	if e.cfg.NoPacing {
		soon = now.Add(noPacingSpread)
	}
	return !slices.ContainsFunc(rows, func(r *rivertype.JobRow) bool {
		switch r.State {
		case rivertype.JobStateScheduled:
			return !r.ScheduledAt.After(soon)
		case rivertype.JobStateRetryable:
			return !r.ScheduledAt.After(now.Add(retrySoon))
		}
		return true
	}), nil
}

// Job returns one job.
func (e *Engine) Job(ctx context.Context, id int64) (Job, error) {
	jobs, err := e.be.list(ctx, river.NewJobListParams().IDs(id))
	if err != nil {
		return Job{}, err
	}
	if len(jobs) == 0 {
		return Job{}, unvite.Errorf(unvite.ENOTFOUND, "job %d not found (see unvite jobs)", id)
	}
	all, err := e.jobsOf(ctx, jobs, JobFilter{})
	if err != nil || len(all) == 0 {
		return Job{}, err
	}
	return all[0], nil
}

// CancelJob cancels one job; a withdrawal's intent is dropped with it.
func (e *Engine) CancelJob(ctx context.Context, id int64, ch unvite.Change) error {
	j, err := e.Job(ctx, id)
	if err != nil {
		return err
	}
	if !slices.Contains(liveStates, j.State) {
		return unvite.Errorf(unvite.ECONFLICT, "job %d is %s already", id, j.State)
	}
	if j.Kind == (WithdrawArgs{}).Kind() {
		_, err := e.Cancel(ctx, j.AccountID, []int64{j.InvitationID}, ch)
		return err
	}
	return e.be.cancel(ctx, id)
}
