// Package review is the weekly review that guides on invitation hygiene
// recommend: what became stale this week (crossed a 30-60-90 stage of the
// account's policy), what was withdrawn and accepted, and who may be
// invited again. The dashboard's page, the JSON API and the weekly webhook
// all read it from here.
package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/planner"
	"github.com/unvite/unvite/policy"
)

// Week is how far back a review looks.
const Week = 7 * 24 * time.Hour

// MaxListed bounds each list of a review; the counts are whole.
const MaxListed = 200

// Stale is a pending invitation that crossed a stage this week.
type Stale struct {
	*unvite.Invitation
	Stage   string `json:"stage"` // policy.StageReview, StageConsider or StageWithdraw
	AgeDays int    `json:"age_days"`
}

// Counts are a review's figures.
type Counts struct {
	Stale       int `json:"stale"`
	DueWithdraw int `json:"due_withdraw"` // of Stale, those that reached the withdraw age
	Withdrawn   int `json:"withdrawn"`
	Accepted    int `json:"accepted"`
	Reinvitable int `json:"reinvitable"` // cool-down ended this week
	// ReinvitableAll counts everyone whose cool-down is over, this week or before.
	ReinvitableAll int `json:"reinvitable_all"`
}

func (c *Counts) add(o Counts) {
	c.Stale += o.Stale
	c.DueWithdraw += o.DueWithdraw
	c.Withdrawn += o.Withdrawn
	c.Accepted += o.Accepted
	c.Reinvitable += o.Reinvitable
	c.ReinvitableAll += o.ReinvitableAll
}

// Account is one account's week.
type Account struct {
	Account *unvite.Account `json:"account"`
	From    time.Time       `json:"from"` // the week: From ≤ t < To
	To      time.Time       `json:"to"`
	// The stage ages the policy uses (WithdrawAgeDays as the plan uses it:
	// learned under max_age = "auto"); 0 is off.
	ReviewAgeDays   int    `json:"review_age_days"`
	ConsiderAgeDays int    `json:"consider_age_days"`
	WithdrawAgeDays int    `json:"withdraw_age_days"`
	Counts          Counts `json:"counts"`
	// Lists, at most MaxListed each: stale ones oldest first, the others
	// by the time their status changed.
	Stale       []Stale              `json:"stale"`
	Withdrawn   []*unvite.Invitation `json:"withdrawn"`
	Accepted    []*unvite.Invitation `json:"accepted"`
	Reinvitable []*unvite.Invitation `json:"reinvitable"`
	// Attention says where the account stands and the next step, when it
	// needs the user.
	Attention string `json:"attention,omitempty"`
	NextStep  string `json:"next_step,omitempty"`
}

// Review is every account's week and the totals.
type Review struct {
	From     time.Time  `json:"from"`
	To       time.Time  `json:"to"`
	Totals   Counts     `json:"totals"`
	Accounts []*Account `json:"accounts"`
}

// ForAccount reviews the week that ends at now for one account under its
// policy p.
func ForAccount(ctx context.Context, s unvite.Store, acct *unvite.Account, p unvite.Policy, now time.Time) (*Account, error) {
	now = now.UTC()
	p, err := planner.Effective(ctx, s, acct, p, now)
	if err != nil {
		return nil, err
	}
	a := &Account{Account: acct, From: now.Add(-Week), To: now,
		ReviewAgeDays: p.ReviewAgeDays, ConsiderAgeDays: p.ConsiderAgeDays, WithdrawAgeDays: p.WithdrawAgeDays}
	if accounts.NeedsUser(acct) && acct.State != unvite.AccountOffline { // an export-only account needs nothing
		a.Attention, a.NextStep = accounts.Describe(acct), accounts.NextStep(acct, now)
	}
	if err := a.stale(ctx, s, p, now); err != nil {
		return nil, err
	}
	pending := func(st unvite.Status) unvite.InvitationFilter {
		return unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Statuses: []unvite.Status{st},
			ChangedFrom: a.From, ChangedBefore: now.Add(time.Second)}
	}
	if a.Withdrawn, a.Counts.Withdrawn, err = list(ctx, s, pending(unvite.StatusWithdrawn)); err != nil {
		return nil, err
	}
	if a.Accepted, a.Counts.Accepted, err = list(ctx, s, pending(unvite.StatusAccepted)); err != nil {
		return nil, err
	}
	re := unvite.ReconnectFilter(acct.ID, now)
	if a.Counts.ReinvitableAll, err = s.CountInvitations(ctx, re); err != nil {
		return nil, fmt.Errorf("review of account %d: %w", acct.ID, err)
	}
	re.ReinviteFrom = a.From
	if a.Reinvitable, a.Counts.Reinvitable, err = list(ctx, s, re); err != nil {
		return nil, err
	}
	return a, nil
}

// stale finds the pending invitations that crossed a stage this week: an
// invitation T days old or more now, and less than T a week ago, is aged T
// to T+6 days now.
func (a *Account) stale(ctx context.Context, s unvite.Store, p unvite.Policy, now time.Time) error {
	seen := map[int64]bool{}
	// The furthest stage first: an invitation that crossed two this week
	// (stages less than a week apart) counts at the further one.
	for _, st := range []struct {
		name string
		days int
	}{{policy.StageWithdraw, p.WithdrawAgeDays}, {policy.StageConsider, p.ConsiderAgeDays}, {policy.StageReview, p.ReviewAgeDays}} {
		if st.days <= 0 {
			continue
		}
		after, before := policy.AgeSent(st.days, st.days+6, now)
		f := unvite.InvitationFilter{AccountID: a.Account.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending},
			SentAfter: after, SentBefore: before, Sort: "sent"}
		list, err := s.Invitations(ctx, f)
		if err != nil {
			return fmt.Errorf("review of account %d: %w", a.Account.ID, err)
		}
		for _, inv := range list {
			if seen[inv.ID] {
				continue
			}
			seen[inv.ID] = true
			a.Counts.Stale++
			if st.name == policy.StageWithdraw {
				a.Counts.DueWithdraw++
			}
			a.Stale = append(a.Stale, Stale{Invitation: inv, Stage: st.name, AgeDays: inv.AgeDays(now)})
		}
	}
	slices.SortStableFunc(a.Stale, func(x, y Stale) int { return x.SentAt.Compare(y.SentAt) })
	a.Stale = a.Stale[:min(len(a.Stale), MaxListed)]
	return nil
}

// list loads at most MaxListed of f's invitations and counts them all.
func list(ctx context.Context, s unvite.Store, f unvite.InvitationFilter) ([]*unvite.Invitation, int, error) {
	if f.Sort == "" {
		f.Sort = "-sent"
	}
	f.Limit = MaxListed
	out, err := s.Invitations(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("review of account %d: %w", f.AccountID, err)
	}
	n := len(out)
	if n >= MaxListed {
		c := f
		c.Limit, c.Sort = 0, ""
		if n, err = s.CountInvitations(ctx, c); err != nil {
			return nil, 0, fmt.Errorf("review of account %d: %w", f.AccountID, err)
		}
	}
	if out == nil {
		out = []*unvite.Invitation{}
	}
	return out, n, nil
}

// Build reviews the week ending at now for each account, under the policy
// policyFor gives it.
func Build(ctx context.Context, s unvite.Store, accts []*unvite.Account, policyFor func(*unvite.Account) (unvite.Policy, error), now time.Time) (*Review, error) {
	r := &Review{From: now.UTC().Add(-Week), To: now.UTC(), Accounts: []*Account{}}
	for _, acct := range accts {
		p, err := policyFor(acct)
		if err != nil {
			return nil, fmt.Errorf("review of account %s: %w", acct.Name, err)
		}
		a, err := ForAccount(ctx, s, acct, p, now)
		if err != nil {
			return nil, err
		}
		r.Accounts = append(r.Accounts, a)
		r.Totals.add(a.Counts)
	}
	return r, nil
}

// Text is the review in a few lines of words, for chat (Slack) and logs.
func (r *Review) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unvite weekly review, %s to %s\n", r.From.Format("2 Jan"), r.To.Format("2 Jan 2006"))
	if len(r.Accounts) == 0 {
		b.WriteString("No accounts yet.\n")
	}
	for _, a := range r.Accounts {
		fmt.Fprintf(&b, "• %s: %s\n", a.Account.Name, a.Counts.words())
		if a.Attention != "" {
			fmt.Fprintf(&b, "  needs you: %s. Next: %s\n", a.Attention, a.NextStep)
		}
	}
	if len(r.Accounts) > 1 {
		fmt.Fprintf(&b, "All accounts: %s\n", r.Totals.words())
	}
	return b.String()
}

func (c Counts) words() string {
	s := fmt.Sprintf("%d became stale", c.Stale)
	if c.DueWithdraw > 0 {
		s += fmt.Sprintf(" (%d due for withdrawal)", c.DueWithdraw)
	}
	return s + fmt.Sprintf(", %d withdrawn, %d accepted, %d may be re-invited", c.Withdrawn, c.Accepted, c.Reinvitable)
}

// Brief is the review with each list cut to n, for a message.
func (r *Review) Brief(n int) *Review {
	out := *r
	out.Accounts = make([]*Account, len(r.Accounts))
	for i, a := range r.Accounts {
		c := *a
		c.Stale = c.Stale[:min(len(c.Stale), n)]
		c.Withdrawn = c.Withdrawn[:min(len(c.Withdrawn), n)]
		c.Accepted = c.Accepted[:min(len(c.Accepted), n)]
		c.Reinvitable = c.Reinvitable[:min(len(c.Reinvitable), n)]
		out.Accounts[i] = &c
	}
	return &out
}
