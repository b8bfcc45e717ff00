package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/planner"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/spreadsheet"
)

type policyFlags struct {
	PolicyFile string `help:"Policy file (default: $XDG_CONFIG_HOME/unvite/policy.toml; built-in defaults when absent)." name:"policy" env:"UNVITE_POLICY" placeholder:"FILE"`
}

func (a *app) policyPath(f policyFlags) string {
	if f.PolicyFile != "" {
		return f.PolicyFile
	}
	return filepath.Join(a.configDir(), "policy.toml")
}

// policyFor reads the policy file and returns the account's policy; a bad
// file is an error, a missing one means the defaults.
func (a *app) policyFor(f policyFlags, acct *unvite.Account) (unvite.Policy, error) {
	file, err := policy.Load(a.policyPath(f))
	if err != nil {
		return unvite.Policy{}, err
	}
	return file.ForAccount(acct)
}

// PlanCmd is `unvite plan`.
type PlanCmd struct {
	policyFlags
	Account string `help:"Account (default: the only one)." short:"a"`
	AsOf    date   `help:"Plan as of this day (YYYY-MM-DD; default now): ages count from it, later invitations are left out." name:"as-of"`
	JSON    bool   `help:"Print JSON for scripts." name:"json" xor:"format"`
	CSV     bool   `help:"Print CSV." name:"csv" xor:"format"`
	Limit   count  `help:"Show only the first N steps in the table (0: all)." default:"0"`
}

func (c *PlanCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	p, err := a.policyFor(c.policyFlags, acct)
	if err != nil {
		return err
	}
	plan, err := planner.Plan(ctx, a.store, acct, p, a.asOf(c.AsOf))
	if err != nil {
		return err
	}
	switch {
	case c.JSON:
		return a.printJSON(plan)
	case c.CSV:
		w := csv.NewWriter(a.stdout)
		w.Write([]string{"order", "day", "id", "name", "profile_url", "sent_at", "age_days", "had_note", "rule", "reason"})
		for i, s := range plan.Withdrawals {
			inv := s.Invitation
			w.Write([]string{strconv.Itoa(i + 1), strconv.Itoa(s.Day), strconv.FormatInt(inv.ID, 10),
				spreadsheet.Escape(inv.Invitee.Name), spreadsheet.Escape(inv.Invitee.ProfileURL()), inv.SentAt.Format("2006-01-02T15:04:05Z07:00"),
				strconv.Itoa(s.AgeDays), strconv.FormatBool(inv.HadNote), s.Rule, s.Reason})
		}
		w.Flush()
		return w.Error()
	}
	fmt.Fprintf(a.stdout, "Plan for %s as of %s — preview only, nothing is withdrawn.\n", acct.Name, plan.AsOf.Format("2006-01-02"))
	fmt.Fprintf(a.stdout, "Pending %d; protected %d; would withdraw %d at %d a day over %d day(s); pending after: %d.\n",
		plan.Pending, plan.Protected, len(plan.Withdrawals), plan.DailyLimit, plan.DaysNeeded, plan.PendingAfter)
	if plan.Unlisted > 0 {
		fmt.Fprintf(a.stdout, "Left out: %d pending invitation(s) LinkedIn's sent list no longer shows (it shows only the newest), known only from an export, so with no LinkedIn id to withdraw them by: withdraw them by hand at %s.\n",
			plan.Unlisted, engine.SentInvitationsPage)
	}
	if plan.MaxAgeWhy != "" {
		fmt.Fprintf(a.stdout, "Max age %d days: %s.\n", plan.MaxAgeDays, plan.MaxAgeWhy)
	}
	if plan.OrderWhy != "" {
		fmt.Fprintf(a.stdout, "Order: %s.\n", plan.OrderWhy)
	}
	if p.PendingCap > 0 && plan.PendingAfter > p.PendingCap {
		unlisted := ""
		if plan.Unlisted > 0 {
			unlisted = fmt.Sprintf(", %d are unlisted", plan.Unlisted)
		}
		fmt.Fprintf(a.stdout, "Pending stays above the cap of %d: %d are protected%s and %d more are younger than %d days.\n",
			p.PendingCap, plan.Protected, unlisted, plan.TooYoung, p.MinAgeDays)
	}
	if len(plan.Withdrawals) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tDAY\tID\tAGE\tNOTE\tNAME\tRULE\tWHY")
	for i, s := range plan.Withdrawals {
		if c.Limit > 0 && i >= int(c.Limit) {
			fmt.Fprintf(tw, "…\t\t\t\t\t%d more\t\t\n", len(plan.Withdrawals)-i)
			break
		}
		inv := s.Invitation
		fmt.Fprintf(tw, "%d\t%d\t%d\t%dd\t%s\t%s\t%s\t%s\n", i+1, s.Day, inv.ID, s.AgeDays, yesNo(inv.HadNote),
			clip(inv.Invitee.Name, 30), s.Rule, s.Reason)
	}
	return tw.Flush()
}
