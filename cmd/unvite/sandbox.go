package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/unvite/unvite/sandbox"
)

// SandboxCmd is `unvite sandbox`.
type SandboxCmd struct {
	Addr     string `help:"Address to listen on; loopback only." default:"127.0.0.1:8321"`
	Seed     uint64 `help:"Seed for the simulated networks (same seed, same people)." default:"1"`
	Accounts int    `help:"How many simulated members." default:"1"`
	Sent     int    `help:"Sent invitations per member." default:"300"`
	Months   int    `help:"Months the sent invitations spread over." default:"6"`
	Ceiling  int    `help:"Stop listings after this many pending invitations, as LinkedIn reportedly does at 1,000 (0: off)." default:"0"`
	Free     bool   `help:"Simulate free accounts (200-character notes) instead of premium."`
}

func (c *SandboxCmd) Run(ctx context.Context, a *app) error {
	sb := sandbox.New(sandbox.Options{
		Seed: c.Seed, Ceiling: c.Ceiling, Start: a.now(), Live: true,
		Logger: slog.New(slog.NewTextHandler(a.stderr, nil)),
	})
	for i := 0; i < c.Accounts; i++ {
		sb.AddAccount(sandbox.AccountConfig{SentInvitations: c.Sent, Months: c.Months, Premium: !c.Free})
	}
	fmt.Fprintf(a.stdout, "LinkedIn sandbox on http://%s (simulated clock runs from %s). Stop with Ctrl-C.\n", c.Addr, a.now().Format(time.RFC3339))
	for _, acct := range sb.Accounts() {
		// Sandbox sessions are made up: showing them is the point.
		fmt.Fprintf(a.stdout, "  %s: printf 'li_at=%s\\nJSESSIONID=\"%s\"\\n' | UNVITE_LINKEDIN_URL=http://%s unvite account add\n",
			acct.Key(), acct.LiAt(), acct.JSessionID(), c.Addr)
	}
	err := sb.ListenAndServe(ctx, c.Addr)
	if ctx.Err() != nil {
		return nil // stopped by the user
	}
	return err
}
