package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/sandbox"
)

// SandboxCmd is `unvite sandbox`.
type SandboxCmd struct {
	Addr     string `help:"Address to listen on; loopback only (port 0 picks a free one)." default:"127.0.0.1:8321"`
	Seed     uint64 `help:"Seed for the simulated networks (same seed, same people)." default:"1"`
	Accounts int    `help:"How many simulated members." default:"1"`
	Sent     count  `help:"Sent invitations per member." default:"300"`
	Months   int    `help:"Months the sent invitations spread over." default:"6"`
	Ceiling  count  `help:"Stop listings after this many pending invitations, as LinkedIn reportedly does at 1,000 (0: off)." default:"0"`
	Free     bool   `help:"Simulate free accounts (200-character notes) instead of premium."`
	JSON     bool   `help:"Print the address and each member's session as one JSON line, for scripts." name:"json"`
}

// Validate refuses a sandbox without members or months (kong calls it).
func (c *SandboxCmd) Validate() error {
	if c.Accounts < 1 {
		return unvite.Errorf(unvite.EINVALID, "--accounts %d: want 1 or more", c.Accounts)
	}
	if c.Months < 1 {
		return unvite.Errorf(unvite.EINVALID, "--months %d: want 1 or more", c.Months)
	}
	return nil
}

func (c *SandboxCmd) Run(ctx context.Context, a *app) error {
	logTo := a.stderr
	if c.JSON {
		logTo = io.Discard // the JSON line says it all
	}
	sb := sandbox.New(sandbox.Options{
		Seed: c.Seed, Ceiling: int(c.Ceiling), Start: a.now(), Live: true,
		Logger: slog.New(slog.NewTextHandler(logTo, nil)),
	})
	for i := 0; i < c.Accounts; i++ {
		sb.AddAccount(sandbox.AccountConfig{SentInvitations: int(c.Sent), Months: c.Months, Premium: !c.Free})
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil || !(host == "localhost" || net.ParseIP(host).IsLoopback()) {
		return fmt.Errorf("sandbox: --addr %q: give a loopback address such as 127.0.0.1:8321", c.Addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	url := "http://" + ln.Addr().String()
	// Sandbox sessions are made up: showing them is the point.
	if c.JSON {
		type member struct {
			Key        string `json:"key"`
			LiAt       string `json:"li_at"`
			JSESSIONID string `json:"jsessionid"`
		}
		out := struct {
			URL     string   `json:"url"`
			Members []member `json:"members"`
		}{URL: url}
		for _, acct := range sb.Accounts() {
			out.Members = append(out.Members, member{acct.Key(), acct.LiAt(), acct.JSessionID()})
		}
		if err := a.printJSON(out); err != nil {
			ln.Close()
			return err
		}
	} else {
		fmt.Fprintf(a.stdout, "LinkedIn sandbox on %s (simulated clock runs from %s). Stop with Ctrl-C.\n", url, a.now().Format(time.RFC3339))
		for _, acct := range sb.Accounts() {
			fmt.Fprintf(a.stdout, "  %s: printf 'li_at=%s\\nJSESSIONID=\"%s\"\\n' | UNVITE_LINKEDIN_URL=%s unvite account add\n",
				acct.Key(), acct.LiAt(), acct.JSessionID(), url)
		}
	}
	err = sb.Serve(ctx, ln)
	if ctx.Err() != nil {
		return nil // stopped by the user: Serve shut down gracefully
	}
	return err
}
