package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/printable"
)

// TagCmd is `unvite tag`.
type TagCmd struct {
	IDs    []int64  `arg:"" name:"id" help:"Invitation ids."`
	Tag    []string `help:"Tag to add (repeatable or comma-separated)." short:"t" required:""`
	Remove bool     `help:"Remove the tags instead."`
	JSON   bool     `help:"Print JSON for scripts." name:"json"`
}

// Validate refuses an empty -t, which kong reads as no tag at all.
func (c *TagCmd) Validate() error {
	if len(c.Tag) == 0 {
		return unvite.Errorf(unvite.EINVALID, "--tag: give at least one non-empty tag")
	}
	return unvite.ValidateTags(c.Tag)
}

func (c *TagCmd) Run(ctx context.Context, a *app) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	if err := s.Tag(ctx, c.IDs, c.Tag, c.Remove, unvite.Change{Actor: "user"}); err != nil {
		return err
	}
	verb := "tagged"
	if c.Remove {
		verb = "untagged"
	}
	if c.JSON {
		return a.printJSON(map[string]any{verb: c.IDs, "tags": c.Tag})
	}
	fmt.Fprintf(a.stdout, "%s %d invitation(s): %v\n", verb, len(c.IDs), c.Tag)
	return nil
}

// ProtectCmd is `unvite protect`.
type ProtectCmd struct {
	IDs  []int64 `arg:"" name:"id" help:"Invitation ids."`
	Off  bool    `help:"Lift the protection."`
	Why  string  `help:"Why, for the audit log."`
	JSON bool    `help:"Print JSON for scripts." name:"json"`
}

func (c *ProtectCmd) Run(ctx context.Context, a *app) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	if err := s.SetProtected(ctx, c.IDs, !c.Off, unvite.Change{Actor: "user", Reason: c.Why}); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(map[string]any{"ids": c.IDs, "protected": !c.Off})
	}
	verb := "protected"
	if c.Off {
		verb = "unprotected"
	}
	fmt.Fprintf(a.stdout, "%s %d invitation(s)\n", verb, len(c.IDs))
	return nil
}

// LogCmd is `unvite log`.
type LogCmd struct {
	Account string `help:"Account (default: every account)." short:"a"`
	Limit   count  `help:"Show at most this many events, newest first (0: all)." default:"50"`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *LogCmd) Run(ctx context.Context, a *app) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	f := unvite.EventFilter{Limit: int(c.Limit)}
	var list []*unvite.Account // the accounts the log covers
	if c.Account != "" {
		acct, err := s.FindAccount(ctx, c.Account)
		if err != nil {
			return err
		}
		f.AccountID, list = acct.ID, []*unvite.Account{acct}
	} else if list, err = s.Accounts(ctx); err != nil {
		return err
	} else if len(list) == 0 {
		return unvite.Errorf(unvite.ENOTFOUND, "no account yet: run `unvite import <export.zip>` or `unvite account add`")
	}
	events, err := s.Events(ctx, f)
	if err != nil {
		return err
	}
	if c.JSON {
		if events == nil {
			events = []*unvite.Event{}
		}
		return a.printJSON(events)
	}
	// Columns padded by hand: a tabwriter would hold the whole text of a
	// long log (--limit 0) until the end.
	account := make(map[int64]string, len(list))
	for _, acct := range list {
		account[acct.ID] = clip(acct.Name, 30)
	}
	who := make([]string, len(events))
	var aw, ww int
	for i, e := range events {
		who[i] = "-"
		if e.InvitationID != 0 {
			who[i] = fmt.Sprintf("#%d %s", e.InvitationID, clip(e.Person, 40))
		}
		ww = max(ww, utf8.RuneCountInString(who[i]))
		aw = max(aw, utf8.RuneCountInString(account[e.AccountID]))
	}
	pad := func(s string, w int) string { return s + strings.Repeat(" ", w-utf8.RuneCountInString(s)+2) }
	w := bufio.NewWriter(a.stdout)
	for i, e := range events {
		if len(list) > 1 { // with several accounts, each line says whose
			w.WriteString(pad(account[e.AccountID], aw))
		}
		fmt.Fprintf(w, "%s  %s%s\n", e.At.Format("2006-01-02 15:04"), pad(who[i], ww), eventLabel(e))
	}
	return w.Flush()
}

// ReconnectCmd is `unvite reconnect`.
type ReconnectCmd struct {
	Account string `help:"Account (default: the only one)." short:"a"`
	AsOf    date   `help:"As of this day (YYYY-MM-DD; default now); invitations sent later are left out." name:"as-of"`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *ReconnectCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	now := a.asOf(c.AsOf)
	list, err := a.store.Invitations(ctx, unvite.ReconnectFilter(acct.ID, now))
	if err != nil {
		return err
	}
	if c.JSON {
		type row struct {
			ID            int64  `json:"id"`
			Name          string `json:"name"`
			ProfileURL    string `json:"profile_url,omitempty"`
			WithdrawnAt   string `json:"withdrawn_at"`
			ReinviteAfter string `json:"reinvite_after"`
			OldNote       string `json:"old_note,omitempty"`
		}
		out := []row{}
		for _, inv := range list {
			out = append(out, row{inv.ID, inv.Invitee.Name, inv.Invitee.ProfileURL(),
				inv.StatusSince.Format("2006-01-02"), inv.ReinviteAfter.Format("2006-01-02"), inv.Note})
		}
		return a.printJSON(out)
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "Nobody to reconnect with yet: cool-downs end 21 days after a withdrawal.")
		return nil
	}
	for _, inv := range list {
		fmt.Fprintf(a.stdout, "#%d %s  withdrawn %s, may re-invite since %s  %s\n", inv.ID, printable.String(inv.Invitee.Name),
			inv.StatusSince.Format("2006-01-02"), inv.ReinviteAfter.Format("2006-01-02"), inv.Invitee.ProfileURL())
		if n := noteLabel(inv); n != "" {
			fmt.Fprintf(a.stdout, "    old note: %s\n", printable.String(n))
		}
	}
	return nil
}
