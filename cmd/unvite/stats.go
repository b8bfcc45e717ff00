package main

import (
	"context"

	"github.com/unvite/unvite/planner"
	"github.com/unvite/unvite/stats"
)

// StatsCmd is `unvite stats`.
type StatsCmd struct {
	policyFlags
	Account string `help:"Account (default: the only one)." short:"a"`
	AsOf    date   `help:"The state as of this day (YYYY-MM-DD; default now): ages count from it, later invitations are left out; use the export date to reproduce an export's figures." name:"as-of"`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *StatsCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	p, err := a.policyFor(c.policyFlags, acct)
	if err != nil {
		return err
	}
	// Withdrawable now counts what the plan would take (at the learned age
	// when the policy learns it).
	r, err := planner.Stats(ctx, a.store, acct, p, a.asOf(c.AsOf))
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(r)
	}
	return stats.WriteText(a.stdout, r)
}
