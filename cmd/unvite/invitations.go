package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/printable"
)

// InvitationsCmd groups the invitation listings.
type InvitationsCmd struct {
	List InvitationsListCmd `cmd:"" default:"withargs" help:"List invitations with filters and sorting."`
	Show InvitationsShowCmd `cmd:"" help:"Show one invitation with its audit trail."`
}

type filterFlags struct {
	Account   string          `help:"Account: id, profile URL, slug or name (default: the only one)." short:"a"`
	Status    []unvite.Status `help:"Only these statuses (pending, withdrawing, accepted, withdrawn, gone); repeatable or comma-separated." short:"s"`
	OlderThan age             `help:"Only sent longer ago than this (60d, 8w)." name:"older-than"`
	NewerThan age             `help:"Only sent more recently than this." name:"newer-than"`
	Tag       string          `help:"Only invitations with this tag."`
	Search    string          `help:"Text to find in name, company, headline, note or profile." short:"q"`
	Received  bool            `help:"Received invitations instead of sent ones."`
	AsOf      date            `help:"The state as of this day (YYYY-MM-DD; default now): ages count from it, later invitations are left out." name:"as-of"`
}

func (f *filterFlags) filter(acct *unvite.Account, now time.Time) unvite.InvitationFilter {
	flt := unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Statuses: f.Status, Tag: f.Tag, Search: f.Search}
	if f.Received {
		flt.Direction = unvite.Received
	}
	if f.OlderThan > 0 {
		flt.SentBefore = now.Add(-time.Duration(f.OlderThan))
	}
	if f.NewerThan > 0 {
		flt.SentAfter = now.Add(-time.Duration(f.NewerThan))
	}
	flt.SentBy(now) // as of a day: what was sent later did not exist yet
	return flt
}

// InvitationsListCmd is `unvite invitations list`.
type InvitationsListCmd struct {
	filterFlags
	policyFlags
	Sort    string `help:"Order: oldest, newest, name, company or status." default:"oldest" enum:"oldest,newest,name,company,status"`
	Reverse bool   `help:"Reverse the order (name and company)." short:"r"`
	Limit   count  `help:"Show at most this many (0: all)." default:"0"`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *InvitationsListCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	now := a.asOf(c.AsOf)
	f := c.filter(acct, now)
	f.Sort, f.Limit = storeSort(c.Sort, c.Reverse), int(c.Limit)
	list, err := a.store.Invitations(ctx, f)
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []*unvite.Invitation{}
		}
		return a.printJSON(list)
	}
	// The 30-60-90 stage of each pending invitation, by the account's policy.
	p, err := a.policyFor(c.policyFlags, acct)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSTAGE\tSENT\tAGE\tNOTE\tNAME\tCOMPANY\tTAGS")
	for _, inv := range list {
		stage := "-"
		if inv.Status == unvite.StatusPending {
			stage = policy.Stage(p, inv, now)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", inv.ID, statusLabel(inv), stage, sentLabel(inv),
			fmt.Sprintf("%dd", inv.AgeDays(now)), yesNo(inv.HadNote), clip(inv.Invitee.Name, 30),
			clip(inv.Invitee.Company, 28), strings.Join(inv.Tags, ","))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if c.Limit > 0 && len(list) == int(c.Limit) {
		f.Limit = 0
		total, err := a.store.CountInvitations(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "%d of %d invitation(s)\n", len(list), total)
		return nil
	}
	fmt.Fprintf(a.stderr, "%d invitation(s)\n", len(list))
	return nil
}

// storeSort maps the CLI's order names to the store's.
func storeSort(name string, reverse bool) string {
	switch name {
	case "oldest", "":
		name = "sent"
	case "newest":
		name = "-sent"
	}
	if reverse {
		switch name {
		case "sent":
			return "-sent"
		case "-sent":
			return "sent"
		case "name", "company":
			return "-" + name
		}
	}
	return name
}

// InvitationsShowCmd is `unvite invitations show ID`.
type InvitationsShowCmd struct {
	ID   int64 `arg:"" help:"Invitation id (see invitations list)."`
	JSON bool  `help:"Print JSON for scripts." name:"json"`
}

func (c *InvitationsShowCmd) Run(ctx context.Context, a *app) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	inv, err := s.Invitation(ctx, c.ID)
	if err != nil {
		return err
	}
	events, err := s.Events(ctx, unvite.EventFilter{InvitationID: c.ID})
	if err != nil {
		return err
	}
	if c.JSON {
		if events == nil {
			events = []*unvite.Event{}
		}
		return a.printJSON(struct {
			*unvite.Invitation
			Events []*unvite.Event `json:"events"`
		}{inv, events})
	}
	w := a.stdout
	fmt.Fprintf(w, "Invitation %d to %s\n", inv.ID, printable.String(inv.Invitee.Name))
	rows := [][2]string{
		{"Status", fmt.Sprintf("%s since %s", inv.Status, inv.StatusSince.Format("2006-01-02"))},
		{"Sent", sentLabel(inv)},
		{"Headline", inv.Invitee.Headline}, {"Company", inv.Invitee.Company},
		{"Profile", inv.Invitee.ProfileURL()}, {"Note", noteLabel(inv)},
		{"Source", string(inv.Source)}, {"Tags", strings.Join(inv.Tags, ", ")},
		{"LinkedIn id", inv.LinkedInID}, {"Comment", inv.Comment},
	}
	if !inv.ReinviteAfter.IsZero() {
		rows = append(rows, [2]string{"Re-invite after", inv.ReinviteAfter.Format("2006-01-02")})
	}
	if inv.Protected {
		rows = append(rows, [2]string{"Protected", "yes: no policy withdraws it"})
	}
	if !inv.UnlistedAt.IsZero() && inv.Status == unvite.StatusPending {
		rows = append(rows, [2]string{"Unlisted", fmt.Sprintf("since %s: not on LinkedIn's sent list, and no LinkedIn id to withdraw it by; withdraw it by hand at %s",
			inv.UnlistedAt.Format("2006-01-02"), engine.SentInvitationsPage)})
	}
	for _, r := range rows {
		if r[1] != "" {
			fmt.Fprintf(w, "  %-16s %s\n", r[0]+":", printable.String(r[1]))
		}
	}
	fmt.Fprintln(w, "Audit trail:")
	for _, e := range events {
		fmt.Fprintf(w, "  %s  %s\n", e.At.Format("2006-01-02 15:04"), eventLabel(e))
	}
	return nil
}

// eventLabel is one line of an audit trail.
func eventLabel(e *unvite.Event) string {
	what := e.Type
	if e.Type == "status" {
		what = fmt.Sprintf("%s → %s", e.From, e.To)
	}
	s := what
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Actor != "" {
		s += " (" + e.Actor + ")"
	}
	return printable.String(s)
}

func statusLabel(inv *unvite.Invitation) string {
	if inv.Protected {
		return string(inv.Status) + "*"
	}
	return string(inv.Status)
}

func sentLabel(inv *unvite.Invitation) string {
	if inv.SentAtApprox {
		return "~" + inv.SentAt.Format("2006-01-02")
	}
	return inv.SentAt.Format("2006-01-02 15:04")
}

func noteLabel(inv *unvite.Invitation) string {
	switch {
	case inv.Note != "":
		return inv.Note
	case inv.HadNote:
		return "(had a note; text unknown)"
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}

// clip fits a value into a table cell of n runes, on one line: the output
// stream already neutralises escapes, but a line feed or tab inside a name
// would still break the table's rows and columns.
func clip(s string, n int) string {
	s = printable.String(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
