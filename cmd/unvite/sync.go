package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/printable"
	"github.com/unvite/unvite/syncer"
)

// SyncCmd is `unvite sync`.
type SyncCmd struct {
	linkedinFlags
	policyFlags
	Account string `help:"Only this account (default: every active account)." short:"a"`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
	Quiet   bool   `help:"No progress line." short:"q"`
}

func (c *SyncCmd) Run(ctx context.Context, a *app) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	var accounts []*unvite.Account
	if c.Account != "" {
		acct, err := s.FindAccount(ctx, c.Account)
		if err != nil {
			return err
		}
		accounts = []*unvite.Account{acct}
	} else if accounts, err = s.Accounts(ctx); err != nil {
		return err
	}
	type outcome struct {
		Account int64          `json:"account_id"`
		Name    string         `json:"name"`
		Result  *syncer.Result `json:"result,omitempty"`
		Error   string         `json:"error,omitempty"`
	}
	var out []outcome
	var failed []error
	var stopped [][2]*unvite.Account // before and after, for the webhook
	for _, acct := range accounts {
		if c.Account == "" && !acct.HasSession {
			continue // known from exports only
		}
		res, err := c.syncOne(ctx, a, acct)
		o := outcome{Account: acct.ID, Name: acct.Name}
		if err != nil {
			o.Error = err.Error()
			failed = append(failed, err)
			// The syncer recorded what LinkedIn's refusal means for the
			// account (accounts.Fail); tell the webhook as the engine would.
			if after, aerr := s.Account(ctx, acct.ID); aerr == nil && engine.NeedsAttention(acct, after) {
				stopped = append(stopped, [2]*unvite.Account{acct, after})
			}
		} else {
			o.Result = &res
		}
		out = append(out, o)
		if !c.JSON {
			if err != nil {
				fmt.Fprintf(a.stdout, "%s: %v\n", acct.Name, err)
				continue
			}
			fmt.Fprintf(a.stdout, "%s: %d added, %d accepted, %d gone, %d unchanged; %d requests%s\n",
				acct.Name, res.Added, res.Accepted, res.Gone, res.Unchanged, res.Requests, hiddenNote(res))
		}
	}
	c.attention(ctx, a, stopped)
	if c.JSON {
		if err := a.printJSON(out); err != nil {
			return err
		}
	}
	if len(out) == 0 {
		return unvite.Errorf(unvite.ENOTFOUND, "no connected account to sync: unvite account add")
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d account(s) failed to sync: %w", len(failed), len(out), errors.Join(failed...))
	}
	return nil
}

func hiddenNote(r syncer.Result) string {
	switch {
	case r.Quick:
		return " (nothing changed)"
	case r.Hidden > 0:
		return fmt.Sprintf("; LinkedIn hid %d older pending invitation(s) behind its list ceiling: import your data export to cover them", r.Hidden)
	}
	return ""
}

// attention queues the engine's "account needs attention" notice for each
// account the sync stopped; serve delivers it. A notice that cannot be
// queued is logged: the sync's own outcome stands.
func (c *SyncCmd) attention(ctx context.Context, a *app, stopped [][2]*unvite.Account) {
	if len(stopped) == 0 {
		return
	}
	eng, err := a.engine(ctx, engineFlags{linkedinFlags: c.linkedinFlags, policyFlags: c.policyFlags}, false)
	if err != nil {
		a.log.Warn("could not queue the webhook notice", "err", err)
		return
	}
	defer eng.Close()
	for _, ba := range stopped {
		eng.Attention(ctx, ba[0], ba[1])
	}
}

func (c *SyncCmd) syncOne(ctx context.Context, a *app, acct *unvite.Account) (syncer.Result, error) {
	if err := accounts.Ready(acct, a.now()); err != nil {
		return syncer.Result{}, err
	}
	// The account's own max_failures, as the engine's syncs apply it.
	pol, err := a.policyFor(c.policyFlags, acct)
	if err != nil {
		return syncer.Result{}, err
	}
	cl, err := a.accounts(c.linkedinFlags).Open(ctx, acct)
	if err != nil {
		return syncer.Result{}, err
	}
	sy := &syncer.Syncer{Store: a.store, Now: a.now, MaxFailures: pol.MaxFailures}
	if f, ok := a.rawErr.(*os.File); ok && !c.JSON && !c.Quiet && term.IsTerminal(int(f.Fd())) {
		name := printable.String(acct.Name) // raw terminal: clean the name here
		sy.Progress = func(n int) { fmt.Fprintf(f, "\r%s: %d listed", name, n) }
		defer fmt.Fprint(f, "\r\033[K")
	}
	return sy.Sync(ctx, acct, cl)
}
