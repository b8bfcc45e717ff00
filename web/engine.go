package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
)

// The pages that act through the withdrawal engine: bulk withdrawal with
// its confirmation, job states on Activity, re-invites from Reconnect. The
// rules (what may be withdrawn, how long the queue takes, whether a note
// fits) are the engine's, the same the CLI uses.

func (s *Server) engine() (*engine.Engine, error) {
	if s.cfg.Engine == nil {
		return nil, unvite.Errorf(unvite.EINVALID, "this server runs without the withdrawal engine: start it with `unvite serve`")
	}
	return s.cfg.Engine, nil
}

// withdraw is the bulk action "withdraw": the selected invitations (id) or
// all pending that match the listing's filter (scope=all). Without
// confirm=yes it shows what would be queued and how many days the daily
// limit takes; with it, it queues exactly the ids confirmed.
func (s *Server) withdraw(w http.ResponseWriter, r *http.Request, ids []int64, back string) {
	eng, err := s.engine()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.base(backRequest(r, back), "Withdraw", "invitations")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Account == nil {
		s.fail(w, r, unvite.Errorf(unvite.ENOTFOUND, "no account yet"))
		return
	}
	ctx := r.Context()
	confirmed := r.PostFormValue("confirm") == "yes"
	switch {
	case r.FormValue("scope") == "all" && !confirmed:
		u, _ := url.Parse(back)
		l, err := parseListQuery(u.Query(), perPage)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		pol, err := s.policyFor(p.Account)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f, err := l.filter(p.Account.ID, pol, s.now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if ids, err = engine.MatchingPending(ctx, s.store, f); err != nil {
			s.fail(w, r, err)
			return
		}
	case r.FormValue("scope") == "plan" && !confirmed:
		// The whole plan, as the policy orders it now (the page shows
		// only its first steps).
		if ids, err = eng.PlannedIDs(ctx, p.Account); err != nil {
			s.fail(w, r, err)
			return
		}
	default:
		if err := engine.CheckPending(ctx, s.store, p.Account, ids); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if len(ids) == 0 {
		http.Redirect(w, r, addDone(back, "Nothing to withdraw: no pending invitation is selected or matches."), http.StatusSeeOther)
		return
	}
	if !confirmed {
		est, err := eng.Estimate(ctx, p.Account, len(ids))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Title = "Confirm withdrawal"
		p.Data = struct {
			IDs      []int64
			Estimate engine.Estimate
			Back     string
		}{ids, est, back}
		s.render(w, r, http.StatusOK, "withdraw", p)
		return
	}
	res, err := eng.RequestWithdrawals(ctx, p.Account, ids, unvite.Change{
		Actor: "user:" + userOf(ctx).Name, Reason: "chosen in the dashboard"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := fmt.Sprintf("Queued %d withdrawal(s)", len(res.Withdrawals))
	if res.Skipped > 0 {
		msg += fmt.Sprintf(" (%d skipped: not pending any more, or queued already)", res.Skipped)
	}
	msg += fmt.Sprintf(". At %d a day the queue takes %d day(s); Activity shows their progress.", res.DailyLimit, res.Days)
	http.Redirect(w, r, addDone(back, msg), http.StatusSeeOther)
}

// backRequest is r as if it asked for back: the account the listing was
// about chooses the page's account.
func backRequest(r *http.Request, back string) *http.Request {
	u, err := url.Parse(back)
	if err != nil {
		return r
	}
	c := r.Clone(r.Context())
	c.URL = &url.URL{Path: r.URL.Path, RawQuery: url.Values{"account": {u.Query().Get("account")}}.Encode()}
	if u.Query().Get("account") == "" {
		c.URL.RawQuery = ""
	}
	return c
}

// jobView is a job as Activity shows it: its state in words.
type jobView struct {
	engine.Job
	Name  string // the invitee, for withdrawals and re-invites
	What  string // "Withdraw", "Sync", …
	State string // queued, waiting, running, retrying, done, failed, cancelled
	Words string // when and why, in words
	At    time.Time
}

var jobNames = map[string]string{
	"withdraw": "Withdraw", "reinvite": "Re-invite", "sync": "Sync", "plan": "Plan", "sync-due": "Look for syncs due",
	"webhook": "Webhook", "weekly-review": "Weekly review",
}

func describeJob(j engine.Job, now time.Time) jobView {
	v := jobView{Job: j, What: jobNames[j.Kind], At: j.ScheduledAt}
	if v.What == "" {
		v.What = j.Kind
	}
	switch j.State {
	case rivertype.JobStateAvailable, rivertype.JobStatePending:
		v.State, v.Words = "queued", "queued, runs next"
	case rivertype.JobStateScheduled:
		v.State = "waiting"
		v.Words = "waiting until " + j.ScheduledAt.UTC().Format("2 Jan 15:04 UTC")
		if j.Waiting != "" {
			v.Words += ": " + j.Waiting
		}
	case rivertype.JobStateRunning:
		v.State, v.Words = "running", "running now"
	case rivertype.JobStateRetryable:
		v.State = "retrying"
		v.Words = "will try again at " + j.ScheduledAt.UTC().Format("2 Jan 15:04 UTC")
		if j.Error != "" {
			v.Words += ": " + explain(j.Error)
		}
	case rivertype.JobStateCompleted:
		v.State, v.Words, v.At = "done", "done", j.FinalizedAt
	case rivertype.JobStateCancelled:
		v.State, v.Words, v.At = "cancelled", "cancelled", j.FinalizedAt
	case rivertype.JobStateDiscarded:
		v.State, v.At = "failed", j.FinalizedAt
		v.Words = "failed"
		if j.Error != "" {
			v.Words += ": " + explain(j.Error)
		}
	default:
		v.State, v.Words = string(j.State), string(j.State)
	}
	if v.At.IsZero() {
		v.At = now
	}
	return v
}

// explanations turn the error texts LinkedIn calls end with into what a
// user can act on; the original follows in brackets.
var explanations = []struct{ has, words string }{
	{"session expired", "LinkedIn signed this account out; sign in on LinkedIn and connect the account again"},
	{"security challenge", "LinkedIn asks for a security check; pass it in your browser, then resume the account"},
	{"rate limited", "LinkedIn asked us to slow down; the account waits and runs at half pace today"},
	{"soft block", "LinkedIn refused the request (a soft block); the account is paused, resume it after a day or two"},
	{"cool-down", "LinkedIn does not allow inviting this person again yet"},
	{"weekly invitation limit", "the weekly invitation limit is reached; try next week"},
	{"note too long", "the note is longer than LinkedIn allows"},
	{"CSRF check failed", "the stored session does not match; connect the account again"},
	{"unexpected reply", "LinkedIn answered with an error or not at all; it is tried again"},
	{"not synced yet", "the invitation has not been seen by a sync yet; a sync runs first"},
}

func explain(msg string) string {
	for _, e := range explanations {
		if strings.Contains(msg, e.has) {
			return e.words + " (" + msg + ")"
		}
	}
	return msg
}

// jobsOf lists the account's jobs for Activity, newest first: those still
// to run, then those finished today (River keeps them a day).
func (s *Server) jobsOf(r *http.Request, acct *unvite.Account) ([]jobView, error) {
	if s.cfg.Engine == nil {
		return nil, nil
	}
	jobs, err := s.cfg.Engine.Jobs(r.Context(), engine.JobFilter{AccountID: acct.ID})
	if err != nil {
		return nil, err
	}
	// The weekly review's deliveries are about every account: each
	// account's Activity shows them (and their failures).
	hooks, err := s.cfg.Engine.Jobs(r.Context(), engine.JobFilter{Kinds: []string{engine.WebhookArgs{}.Kind()}})
	if err != nil {
		return nil, err
	}
	for _, j := range hooks {
		if j.AccountID == 0 {
			jobs = append(jobs, j)
		}
	}
	slices.SortFunc(jobs, func(a, b engine.Job) int { return cmp.Compare(a.ID, b.ID) })
	slices.Reverse(jobs)
	jobs = jobs[:min(len(jobs), 100)]
	var ids []int64
	for _, j := range jobs {
		if j.InvitationID != 0 {
			ids = append(ids, j.InvitationID)
		}
	}
	names := map[int64]string{}
	if len(ids) > 0 {
		invs, err := s.store.Invitations(r.Context(), unvite.InvitationFilter{IDs: ids, Brief: true})
		if err != nil {
			return nil, err
		}
		for _, inv := range invs {
			names[inv.ID] = inv.Invitee.Name
		}
	}
	now := s.now()
	out := make([]jobView, 0, len(jobs))
	for _, j := range jobs {
		v := describeJob(j, now)
		v.Name = names[j.InvitationID]
		out = append(out, v)
	}
	return out, nil
}

// reinvite queues a re-invite through the engine, which checks the
// cool-down, the note's length and the weekly budget.
func (s *Server) reinvite(w http.ResponseWriter, r *http.Request) {
	eng, err := s.engine()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, unvite.Errorf(unvite.EINVALID, "invitation %q: want a number", r.PathValue("id")))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, unvite.Errorf(unvite.EINVALID, "form: %v", err))
		return
	}
	inv, err := s.store.Invitation(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := eng.QueueReinvite(r.Context(), id, r.PostFormValue("note")); err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/reconnect?account=" + strconv.FormatInt(inv.AccountID, 10)
	http.Redirect(w, r, addDone(back, "Queued a re-invite of "+inv.Invitee.Name+"; Activity shows when it is sent."), http.StatusSeeOther)
}

// apiWithdrawals asks for withdrawals of the account's invitations by id:
// without "confirm": true it only says what would be queued and how many
// days the daily limit takes; with it, it queues them.
func (s *Server) apiWithdrawals(r *http.Request, tok *unvite.APIToken) (any, error) {
	eng, err := s.engine()
	if err != nil {
		return nil, err
	}
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	var req struct {
		IDs     []int64 `json:"ids"`
		Confirm bool    `json:"confirm"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if len(req.IDs) == 0 {
		return nil, unvite.Errorf(unvite.EINVALID, "ids is required: the invitations to withdraw")
	}
	if err := engine.CheckPending(r.Context(), s.store, acct, req.IDs); err != nil {
		return nil, err
	}
	if !req.Confirm {
		est, err := eng.Estimate(r.Context(), acct, len(req.IDs))
		if err != nil {
			return nil, err
		}
		return struct {
			engine.Estimate
			Confirmed bool `json:"confirmed"`
		}{est, false}, nil
	}
	res, err := eng.RequestWithdrawals(r.Context(), acct, req.IDs, unvite.Change{Actor: "api:" + tok.Name, Reason: "requested through the API"})
	if err != nil {
		return nil, err
	}
	return struct {
		engine.Requested
		Confirmed bool `json:"confirmed"`
	}{res, true}, nil
}

// apiJobs lists the account's jobs, newest first, with their state in words.
func (s *Server) apiJobs(r *http.Request, _ *unvite.APIToken) (any, error) {
	if _, err := s.engine(); err != nil {
		return nil, err
	}
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	jobs, err := s.jobsOf(r, acct)
	if err != nil {
		return nil, err
	}
	type job struct {
		engine.Job
		Name   string `json:"name,omitempty"`
		Status string `json:"status"`
		Words  string `json:"words"`
	}
	out := make([]job, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, job{j.Job, j.Name, j.State, j.Words})
	}
	return map[string]any{"jobs": out}, nil
}

// apiReinvite queues a re-invite with a note, checked by the engine.
func (s *Server) apiReinvite(r *http.Request, _ *unvite.APIToken) (any, error) {
	eng, err := s.engine()
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, unvite.Errorf(unvite.EINVALID, "invitation %q: want a number", r.PathValue("id"))
	}
	var req struct {
		Note string `json:"note"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if err := eng.QueueReinvite(r.Context(), id, req.Note); err != nil {
		return nil, err
	}
	return map[string]any{"invitation_id": id, "queued": true}, nil
}
