package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/syncer"
)

// DemoCmd is `unvite demo`: the whole product against the sandbox.
type DemoCmd struct {
	Data  string `help:"Keep the demo's database, key and policy in this directory (default: a temporary one, removed on exit)." placeholder:"DIR"`
	Addr  string `help:"Address the dashboard listens on (port 0 picks a free one)." default:"127.0.0.1:8080"`
	Seed  uint64 `help:"Seed of the simulated member's network." default:"1"`
	Sent  int    `help:"Sent invitations of the simulated member." default:"1200"`
	Quiet bool   `help:"Do not log the sandbox's and the engine's progress." hidden:""`
}

// demoPolicy is quick enough to watch withdrawals happen, and still waits
// for the user to confirm: nothing is automatic.
const demoPolicy = `# unvite demo: the sandbox member's policy. Withdrawals run all day, a few
# seconds apart, so that you can watch them; nothing is withdrawn until you
# confirm it (enabled = false).
enabled = false
daily_limit = 30
active_hours = "00:00-24:00"
min_gap = "3s"
max_gap = "8s"
`

func (c *DemoCmd) Run(ctx context.Context, a *app) error {
	if c.Sent < 1 {
		return unvite.Errorf(unvite.EINVALID, "--sent %d: want 1 or more", c.Sent)
	}
	dir := c.Data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "unvite-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo: --data: %w", err)
	}
	db := filepath.Join(dir, "unvite.db")
	if a.cli.DB != "" && a.cli.DB != db {
		// The demo never touches a real database.
		fmt.Fprintf(a.stderr, "unvite demo: --db / UNVITE_DB is not used: the demo's database is %s\n", db)
	}
	a.cli.DB = db
	unlock, err := lockServe(db)
	if err != nil {
		return err
	}
	defer unlock()
	polFile := filepath.Join(dir, "policy.toml")
	if _, err := os.Stat(polFile); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(polFile, []byte(demoPolicy), 0o600); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	// The sandbox: one premium member with Sent invitations over 8 months,
	// on a clock that runs with the wall clock.
	logTo := a.stderr
	if c.Quiet {
		logTo = io.Discard
	}
	// A kept directory remembers when its sandbox first started: the same
	// seed from the same start is the same network, brought up to now.
	start, err := demoStart(filepath.Join(dir, "sandbox-start"), a.now())
	if err != nil {
		return err
	}
	sb := sandbox.New(sandbox.Options{Seed: c.Seed, Start: start, Live: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	member := sb.AddAccount(sandbox.AccountConfig{
		Key: "demo", FirstName: "Maya", LastName: "Lindqvist", Slug: "maya-lindqvist-demo",
		Headline: "Partnerships at Northwind", Premium: true, SentInvitations: c.Sent, Months: 8,
	})
	if now := a.now(); now.After(start) {
		sb.SetNow(now)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: sandbox: %w", err)
	}
	sbCtx, stopSandbox := context.WithCancel(context.WithoutCancel(ctx))
	sbDone := make(chan error, 1)
	go func() { sbDone <- sb.Serve(sbCtx, ln) }()
	// The sandbox stops last: the engine's last calls still reach it.
	defer func() { stopSandbox(); <-sbDone }()
	sbURL := "http://" + ln.Addr().String()

	lf := linkedinFlags{LinkedInURL: sbURL, Gap: 50 * time.Millisecond, Jitter: 100 * time.Millisecond}
	if _, err := a.create(ctx); err != nil {
		return err
	}
	svc := a.accounts(lf)
	fmt.Fprintf(logTo, "unvite demo: a LinkedIn sandbox on %s with %d sent invitations; connecting and syncing…\n", sbURL, c.Sent)
	acct, err := svc.Connect(ctx, linkedin.Session{LiAt: member.LiAt(), JSESSIONID: member.JSessionID()}, nil, "UTC", "demo")
	if err != nil {
		return fmt.Errorf("demo: connect the sandbox member: %w", err)
	}
	li, err := svc.Open(ctx, acct)
	if err != nil {
		return err
	}
	if err := demoHistory(ctx, a.store, sb, member.Key(), acct, li, a.now()); err != nil {
		return err
	}
	sy := &syncer.Syncer{Store: a.store, Now: a.now}
	res, err := sy.Sync(ctx, acct, li)
	if err != nil {
		return fmt.Errorf("demo: sync: %w", err)
	}
	if err := tagDemo(ctx, a.store, acct, a.now()); err != nil {
		return err
	}
	fmt.Fprintf(logTo, "unvite demo: synced %d pending invitation(s), %d accepted, %d gone.\n", res.Listed, res.Accepted, res.Gone)

	ef := engineFlags{linkedinFlags: lf, policyFlags: policyFlags{PolicyFile: polFile}}
	keep := "removed on exit"
	if c.Data != "" {
		keep = "kept"
	}
	return a.serve(ctx, ef, webFlags{Addr: c.Addr}, true, true, false, func(url string) {
		fmt.Fprintf(a.stdout, "\nunvite demo is ready: open %s and sign in as %q", url, "admin")
		fmt.Fprintf(a.stdout, " (the password is printed above, on the first run only).\n")
		fmt.Fprintf(a.stdout, "Data in %s (%s). Withdrawals really run against the sandbox, a few seconds apart. Ctrl-C stops everything.\n", dir, keep)
		// The demo's policy is not the command line's default one: without
		// it, `unvite jobs` would explain waits by another policy's hours.
		fmt.Fprintf(a.stdout, "The command line works on it too, from another terminal:\n  export UNVITE_DB=%s UNVITE_POLICY=%s UNVITE_LINKEDIN_URL=%s\n  unvite jobs; unvite plan; unvite report\n",
			shellWord(db), shellWord(polFile), shellWord(sbURL))
	})
}

// demoHistory gives the member the past a real user has when they start:
// a data export imported every three days for the last 8 months (each with what
// was pending then, and the connections made by then), and a few old
// invitations withdrawn by hand on LinkedIn since, which the sync then
// finds gone. The sync that follows settles the rest.
func demoHistory(ctx context.Context, s unvite.Store, sb *sandbox.Sandbox, key string, acct *unvite.Account, li *linkedin.Client, now time.Time) error {
	n, err := s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID})
	if err != nil {
		return err
	}
	if n > 0 {
		// A kept --data directory has its history; the sandbox keeps no
		// state between runs, so what was withdrawn is withdrawn again.
		return replayWithdrawals(ctx, s, sb, key, acct, li)
	}
	pendingNow, conns := sb.PendingSent(key), sb.Connections(key)
	for cut := now.AddDate(0, -8, 3); cut.Before(now.AddDate(0, 0, -2)); cut = cut.AddDate(0, 0, 3) {
		if err := demoExport(ctx, s, acct, pendingNow, conns, cut); err != nil {
			return err
		}
	}
	// Withdrawn by hand on linkedin.com since the last export: every 12th
	// of the oldest still pending.
	for i := len(pendingNow) - 1; i >= 0 && i >= len(pendingNow)-240; i -= 12 {
		if err := li.Withdraw(ctx, pendingNow[i].ID); err != nil {
			return fmt.Errorf("demo: withdraw by hand: %w", err)
		}
	}
	return nil
}

// replayWithdrawals withdraws again, in a fresh sandbox, the invitations
// the kept store records as withdrawn or gone (or on their way), found by
// the invitee's profile in the sandbox's own listing.
func replayWithdrawals(ctx context.Context, s unvite.Store, sb *sandbox.Sandbox, key string, acct *unvite.Account, li *linkedin.Client) error {
	invs, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Brief: true,
		Statuses: []unvite.Status{unvite.StatusWithdrawn, unvite.StatusGone, unvite.StatusWithdrawing}})
	if err != nil {
		return err
	}
	closed := map[string]bool{}
	for _, inv := range invs {
		closed[inv.Invitee.Slug] = inv.Invitee.Slug != ""
	}
	for _, p := range sb.PendingSent(key) {
		if !closed[p.Slug] {
			continue
		}
		if err := li.Withdraw(ctx, p.ID); err != nil && !errors.Is(err, linkedin.ErrNotPending) {
			return fmt.Errorf("demo: replay the withdrawal of %s: %w", p.Slug, err)
		}
	}
	return nil
}

// demoStart reads the sandbox's first start from file, or records now.
func demoStart(file string, now time.Time) (time.Time, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return now, os.WriteFile(file, []byte(now.UTC().Format(time.RFC3339Nano)+"\n"), 0o600)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("demo: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		return time.Time{}, unvite.Errorf(unvite.EINVALID, "demo: %s: %v", file, err)
	}
	return t, nil
}

// demoExport imports the export the member would have downloaded at cut.
func demoExport(ctx context.Context, s unvite.Store, acct *unvite.Account, pendingNow []sandbox.InvitationInfo, conns []sandbox.ConnectionInfo, cut time.Time) error {
	batch, err := s.BeginImport(ctx, acct.ID, unvite.ImportMeta{
		File: "demo-export-" + cut.Format(time.DateOnly) + ".zip", Snapshot: true, AsOf: cut, CoolDown: 21 * 24 * time.Hour})
	if err != nil {
		return err
	}
	defer batch.Rollback()
	pending := func(name, slug, note string, sentAt time.Time) error {
		return batch.PutInvitation(ctx, &unvite.Invitation{
			Direction: unvite.Sent, Kind: unvite.KindPerson, Invitee: unvite.Person{Name: name, Slug: slug},
			SentAt: sentAt, Note: note, HadNote: note != "", Status: unvite.StatusPending, StatusSince: sentAt,
		})
	}
	for _, p := range pendingNow {
		if p.SentAt.Before(cut) {
			if err := pending(p.Name, p.Slug, p.Note, p.SentAt); err != nil {
				return err
			}
		}
	}
	for _, c := range conns {
		switch {
		case c.CreatedAt.Before(cut):
			// Connections.csv gives the position and the company.
			err = batch.PutConnection(ctx, unvite.Connection{Person: unvite.Person{Name: c.Name, Slug: c.Slug,
				Headline: c.Position, Company: c.Company}, ConnectedOn: c.CreatedAt})
		case c.InvitationID != "" && c.InvitationSentAt.Before(cut):
			err = pending(c.Name, c.Slug, c.InvitationNote, c.InvitationSentAt)
		}
		if err != nil {
			return err
		}
	}
	if _, err := batch.Commit(ctx); err != nil {
		return fmt.Errorf("demo: import the export of %s: %w", cut.Format(time.DateOnly), err)
	}
	return nil
}

// tagDemo tags some of the member's invitations, as a user would, so that
// the tag filter has something to show. Tagging twice changes nothing.
func tagDemo(ctx context.Context, s unvite.Store, acct *unvite.Account, now time.Time) error {
	invs, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Sort: "sent", Brief: true})
	if err != nil {
		return err
	}
	tags := map[string][]int64{}
	for i, inv := range invs {
		switch {
		case i%9 == 0:
			tags["conference"] = append(tags["conference"], inv.ID)
		case i%13 == 0:
			tags["recruiter"] = append(tags["recruiter"], inv.ID)
		case i%31 == 0:
			tags["vip"] = append(tags["vip"], inv.ID)
		}
	}
	for tag, ids := range tags {
		if err := s.Tag(ctx, ids, []string{tag}, false, unvite.Change{At: now, Actor: "demo", Reason: "demo data"}); err != nil {
			return err
		}
	}
	return nil
}

// shellWord quotes s for a POSIX shell when it holds anything but the
// characters of a plain path or URL.
func shellWord(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:+@%,=", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
