package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
)

// engineFlags are what every command that talks to the engine needs.
type engineFlags struct {
	linkedinFlags
	policyFlags
	NoPacing   bool          `help:"No active hours or gaps between withdrawals (the daily limit still holds); for tests and benchmarks." name:"no-pacing" env:"UNVITE_NO_PACING" hidden:""`
	JobTimeout time.Duration `help:"Longest a job may run; on PostgreSQL a killed process's jobs are taken over after twice this." name:"job-timeout" env:"UNVITE_JOB_TIMEOUT" default:"2m" hidden:""`
}

// engine opens the job engine on the store. work=false: a client that only
// queues, lists and cancels.
func (a *app) engine(ctx context.Context, f engineFlags, work bool) (*engine.Engine, error) {
	s, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	return engine.New(engine.Config{
		Store: s,
		Client: func(ctx context.Context, acct *unvite.Account) (engine.LinkedIn, error) {
			return a.accounts(f.linkedinFlags).Open(ctx, acct)
		},
		Policy:     func(acct *unvite.Account) (unvite.Policy, error) { return a.policyFor(f.policyFlags, acct) },
		Now:        a.env.now,
		Logger:     a.log,
		NoPacing:   f.NoPacing,
		JobTimeout: f.JobTimeout,
		Notify:     a.notifier(),
	}, work)
}

// confirmed asks on a terminal; elsewhere it needs --yes.
func (a *app) confirmed(yes bool, question string) (bool, error) {
	if yes {
		return true, nil
	}
	in, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return false, unvite.Errorf(unvite.EINVALID, "not a terminal, so no one can confirm: add --yes to go ahead")
	}
	fmt.Fprintf(a.stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// WithdrawCmd is `unvite withdraw`.
type WithdrawCmd struct {
	engineFlags
	Account string   `help:"Account (default: the only one)." short:"a"`
	Plan    bool     `help:"Queue the policy's plan (see unvite plan)."`
	Targets []string `arg:"" optional:"" help:"Invitation ids or invitees' profiles (slugs or URLs)."`
	Yes     bool     `help:"Do not ask; needed when not at a terminal." short:"y"`
	JSON    bool     `help:"Print JSON for scripts." name:"json"`
}

func (c *WithdrawCmd) Run(ctx context.Context, a *app) error {
	if c.Plan == (len(c.Targets) > 0) {
		return unvite.Errorf(unvite.EINVALID, "give --plan or invitation ids / profiles (not both)")
	}
	acct, err := a.account(ctx, c.Account)
	if err != nil && c.Account == "" && len(c.Targets) > 0 && unvite.ErrorCode(err) == unvite.EINVALID {
		// Several accounts: an invitation id says whose it is (else the
		// error stands and asks for --account).
		of, ok, ferr := engine.TargetsAccount(ctx, a.store, c.Targets)
		switch {
		case ferr != nil:
			return ferr
		case ok:
			acct, err = of, nil
		}
	}
	if err != nil {
		return err
	}
	eng, err := a.engine(ctx, c.engineFlags, false)
	if err != nil {
		return err
	}
	defer eng.Close()
	var ids []int64
	if c.Plan {
		ids, err = eng.PlannedIDs(ctx, acct)
	} else {
		ids, err = engine.ResolveTargets(ctx, a.store, acct, c.Targets)
	}
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return unvite.Errorf(unvite.ENOTFOUND, "nothing to withdraw for %s", acct.Name)
	}
	est, err := eng.Estimate(ctx, acct, len(ids))
	if err != nil {
		return err
	}
	ok, err := a.confirmed(c.Yes, fmt.Sprintf("Withdraw %d invitation(s) of %s, at most %d a day (the queue then takes about %d day(s))?",
		len(ids), acct.Name, est.DailyLimit, est.Days))
	if err != nil {
		return err
	}
	if !ok {
		return unvite.Errorf(unvite.EINVALID, "not confirmed: nothing queued")
	}
	reason := "chosen by the user"
	if c.Plan {
		reason = "policy plan confirmed by the user"
	}
	res, err := eng.RequestWithdrawals(ctx, acct, ids, unvite.Change{At: a.now(), Actor: "user", Reason: reason})
	if err != nil {
		return err
	}
	if c.JSON {
		out := struct {
			Account int64                     `json:"account_id"`
			Queued  []unvite.QueuedWithdrawal `json:"queued"`
			Skipped int                       `json:"skipped"`
			Days    int                       `json:"days"`
		}{acct.ID, res.Withdrawals, res.Skipped, res.Days}
		return a.printJSON(out)
	}
	fmt.Fprintf(a.stdout, "Queued %d withdrawal(s) for %s", len(res.Withdrawals), acct.Name)
	if res.Skipped > 0 {
		fmt.Fprintf(a.stdout, " (%d skipped: not pending, or queued already)", res.Skipped)
	}
	fmt.Fprintf(a.stdout, ". At %d a day the queue takes %d day(s); `unvite serve` carries it out, `unvite jobs` shows it.\n", res.DailyLimit, res.Days)
	return nil
}

// ServeCmd is `unvite serve`.
type ServeCmd struct {
	engineFlags
	webFlags
	UntilIdle bool `help:"Do what is due now, then exit (cron, scripts, tests); no dashboard." name:"until-idle"`
	NoWorker  bool `help:"Do not run jobs in this process (dashboard only)." name:"no-worker"`
	NoWeb     bool `help:"Do not serve the dashboard (jobs only)." name:"no-web"`
}

func (c *ServeCmd) Run(ctx context.Context, a *app) error {
	work, web := !c.NoWorker, !c.NoWeb && !c.UntilIdle
	if !work && !web {
		return unvite.Errorf(unvite.EINVALID, "--no-worker with --no-web (or --until-idle) leaves nothing to run")
	}
	// The lock comes first: a second worker must not even migrate the file.
	if path := a.sqlitePath(); path != "" && work {
		unlock, err := lockServe(path)
		if err != nil {
			return err
		}
		defer unlock()
	}
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	a.warnNewerSchema(ctx, s)
	if web {
		if err := a.promptAdminPassword(ctx); err != nil {
			return err
		}
	}
	return a.serve(ctx, c.engineFlags, c.webFlags, work, web, c.UntilIdle, nil)
}

// serve runs the engine (work) and the dashboard (web) until ctx ends, or
// with untilIdle until no job is due. ready, when set, hears the
// dashboard's URL once it accepts connections.
func (a *app) serve(ctx context.Context, ef engineFlags, wf webFlags, work, web, untilIdle bool, ready func(url string)) error {
	eng, err := a.engine(ctx, ef, work)
	if err != nil {
		return err
	}
	defer eng.Close()
	var srv *webServer
	if web {
		if srv, err = a.newWeb(ctx, wf, ef, eng); err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	if work {
		if err := eng.Start(ctx); err != nil {
			return err
		}
		g.Go(func() error {
			err := a.runEngine(gctx, eng, untilIdle)
			if untilIdle || err != nil {
				return err
			}
			return nil
		})
	}
	if web {
		g.Go(func() error {
			return srv.ListenAndServe(gctx, wf.Addr, func(url string) {
				fmt.Fprintf(a.stderr, "unvite: dashboard on %s", url)
				if work {
					fmt.Fprint(a.stderr, ", running jobs")
				}
				fmt.Fprintln(a.stderr, "; Ctrl-C stops after running jobs finish")
				if ready != nil {
					ready(url)
				}
			})
		})
	} else if !untilIdle {
		fmt.Fprintln(a.stderr, "unvite: serving jobs; Ctrl-C stops after running jobs finish")
	}
	return g.Wait()
}

// runEngine waits for ctx to end (or, untilIdle, for no job to be due),
// then stops the engine gracefully.
func (a *app) runEngine(ctx context.Context, eng *engine.Engine, untilIdle bool) error {
	stop := func() error {
		// Running jobs finish and record what they did; a second signal
		// (or the timeout) cuts them short, and the next start settles them.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 90*time.Second)
		defer cancel()
		return eng.Stop(sctx)
	}
	if !untilIdle {
		<-ctx.Done()
		return stop()
	}
	// Idle three times in a row, a poll apart: a job finishing may queue the next.
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	idle := 0
	for idle < 3 {
		select {
		case <-ctx.Done():
			return stop()
		case <-tick.C:
		}
		ok, err := eng.Idle(ctx)
		if err != nil {
			stop()
			return err
		}
		if ok {
			idle++
		} else {
			idle = 0
		}
	}
	return stop()
}

// JobsCmd is `unvite jobs`.
type JobsCmd struct {
	engineFlags
	List   JobsListCmd   `cmd:"" default:"withargs" help:"List jobs: queued, running, waiting (until when, why), done, failed (why)."`
	Cancel JobsCancelCmd `cmd:"" help:"Cancel a job, or every queued withdrawal of an account."`
}

// JobsListCmd is `unvite jobs [list]`.
type JobsListCmd struct {
	Account string `help:"Only this account." short:"a"`
	All     bool   `help:"Also finished jobs (kept a day)."`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *JobsListCmd) Run(ctx context.Context, a *app, parent *JobsCmd) error {
	eng, err := a.engine(ctx, parent.engineFlags, false)
	if err != nil {
		return err
	}
	defer eng.Close()
	f := engine.JobFilter{Live: !c.All}
	if c.Account != "" {
		acct, err := a.store.FindAccount(ctx, c.Account)
		if err != nil {
			return err
		}
		f.AccountID = acct.ID
	}
	jobs, err := eng.Jobs(ctx, f)
	if err != nil {
		return err
	}
	if c.JSON {
		if jobs == nil {
			jobs = []engine.Job{}
		}
		return a.printJSON(jobs)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(a.stdout, "No jobs.")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tKIND\tSTATE\tACCOUNT\tINVITATION\tAT\tWHY")
	for _, j := range jobs {
		inv, why := "", j.Waiting
		if j.InvitationID != 0 {
			inv = strconv.FormatInt(j.InvitationID, 10)
		}
		if j.Error != "" {
			why = clip(j.Error, 80)
		}
		at := j.ScheduledAt
		if !j.FinalizedAt.IsZero() {
			at = j.FinalizedAt
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", j.ID, j.Kind, j.State, j.AccountID, inv, at.Local().Format("2006-01-02 15:04"), why)
	}
	return tw.Flush()
}

// JobsCancelCmd is `unvite jobs cancel`.
type JobsCancelCmd struct {
	ID      int64  `arg:"" optional:"" help:"The job (see unvite jobs)."`
	Account string `help:"Cancel every queued withdrawal of this account." short:"a"`
}

func (c *JobsCancelCmd) Run(ctx context.Context, a *app, parent *JobsCmd) error {
	if (c.ID == 0) == (c.Account == "") {
		return unvite.Errorf(unvite.EINVALID, "give a job id or --account (not both)")
	}
	eng, err := a.engine(ctx, parent.engineFlags, false)
	if err != nil {
		return err
	}
	defer eng.Close()
	ch := unvite.Change{At: a.now(), Actor: "user", Reason: "cancelled by the user"}
	if c.ID != 0 {
		if err := eng.CancelJob(ctx, c.ID, ch); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Cancelled job %d.\n", c.ID)
		return nil
	}
	acct, err := a.store.FindAccount(ctx, c.Account)
	if err != nil {
		return err
	}
	dropped, err := eng.Cancel(ctx, acct.ID, nil, ch)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Cancelled %d queued withdrawal(s) of %s; one already in flight finishes and is recorded.\n", len(dropped), acct.Name)
	return nil
}

// ReinviteCmd is `unvite reinvite`.
type ReinviteCmd struct {
	engineFlags
	ID   int64  `arg:"" help:"The withdrawn invitation to send again."`
	Note string `help:"Note to send with it (300 characters, 200 on free accounts)."`
	Yes  bool   `help:"Do not ask; needed when not at a terminal." short:"y"`
}

func (c *ReinviteCmd) Run(ctx context.Context, a *app) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	inv, err := s.Invitation(ctx, c.ID)
	if err != nil {
		return err
	}
	acct, err := s.Account(ctx, inv.AccountID)
	if err != nil {
		return err
	}
	eng, err := a.engine(ctx, c.engineFlags, false)
	if err != nil {
		return err
	}
	defer eng.Close()
	// What would refuse it (cool-down, note, weekly budget) is said before
	// anyone is asked to confirm.
	if err := eng.CheckReinvite(ctx, inv, acct, c.Note, a.now()); err != nil {
		return err
	}
	ok, err := a.confirmed(c.Yes, fmt.Sprintf("Invite %s again?", inv.Invitee.Name))
	if err != nil {
		return err
	}
	if !ok {
		return unvite.Errorf(unvite.EINVALID, "not confirmed: nothing sent")
	}
	if err := eng.QueueReinvite(ctx, c.ID, c.Note); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Queued a re-invite of %s; `unvite serve` sends it.\n", inv.Invitee.Name)
	return nil
}
