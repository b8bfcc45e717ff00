package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/linkedin"
)

// ReinviteArgs is the job that invites a person again, on explicit request.
type ReinviteArgs struct {
	InvitationID int64  `json:"invitation_id" river:"unique"`
	AccountID    int64  `json:"account_id"`
	Note         string `json:"note,omitempty"`
}

func (ReinviteArgs) Kind() string { return "reinvite" }

func (ReinviteArgs) InsertOpts() river.InsertOpts {
	// Never retried blindly: a send whose reply was lost may have invited.
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: liveStates}}
}

type reinviteWorker struct {
	river.WorkerDefaults[ReinviteArgs]
	e *Engine
}

func (w *reinviteWorker) Work(ctx context.Context, job *river.Job[ReinviteArgs]) error {
	wait, err := w.e.Reinvite(ctx, job.Args.InvitationID, job.Args.Note)
	if err != nil {
		return river.JobCancel(err) // recorded; the user decides what next
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

// WeeklyInvites is LinkedIn's rolling weekly sending limit for a plan.
func WeeklyInvites(p unvite.Plan) int {
	if p == unvite.PlanFree {
		return 100
	}
	return 200
}

// CheckReinvite says whether the invitation may be sent again now, with
// this note: after its cool-down, note within the plan's limit, and the
// weekly budget not spent.
func (e *Engine) CheckReinvite(ctx context.Context, inv *unvite.Invitation, acct *unvite.Account, note string, now time.Time) error {
	switch {
	case inv.Direction != unvite.Sent:
		return unvite.Errorf(unvite.EINVALID, "invitation %d was received, not sent", inv.ID)
	case inv.Status != unvite.StatusWithdrawn && inv.Status != unvite.StatusGone:
		return unvite.Errorf(unvite.EINVALID, "invitation %d to %s is %s: only withdrawn or gone invitations are sent again", inv.ID, inv.Invitee.Name, inv.Status)
	case !inv.ReinviteAfter.IsZero() && now.Before(inv.ReinviteAfter):
		return unvite.Errorf(unvite.ECONFLICT, "invitation %d to %s: the cool-down runs until %s", inv.ID, inv.Invitee.Name, inv.ReinviteAfter.Format(time.DateOnly))
	case inv.Invitee.MemberURN == "":
		return unvite.Errorf(unvite.EINVALID, "invitation %d to %s: the profile id is unknown (sync the account first)", inv.ID, inv.Invitee.Name)
	}
	if n, limit := utf8.RuneCountInString(strings.TrimSpace(note)), unvite.MaxNoteLength(acct.Plan); n > limit {
		return unvite.Errorf(unvite.EINVALID, "note: %d characters, the %s plan allows %d", n, acct.Plan, limit)
	}
	sent, err := e.cfg.Store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, SentAfter: now.Add(-7 * 24 * time.Hour)})
	if err != nil {
		return err
	}
	if limit := WeeklyInvites(acct.Plan); sent >= limit {
		return unvite.Errorf(unvite.ECONFLICT, "account %s sent %d invitations in the last 7 days: LinkedIn's weekly limit is about %d", acct.Name, sent, limit)
	}
	return nil
}

// QueueReinvite checks and queues a re-invite job.
func (e *Engine) QueueReinvite(ctx context.Context, invID int64, note string) error {
	inv, err := e.cfg.Store.Invitation(ctx, invID)
	if err != nil {
		return err
	}
	acct, err := e.cfg.Store.Account(ctx, inv.AccountID)
	if err != nil {
		return err
	}
	if err := e.CheckReinvite(ctx, inv, acct, note, e.now()); err != nil {
		return err
	}
	return e.be.insert(ctx, ReinviteArgs{InvitationID: invID, AccountID: acct.ID, Note: note}, nil)
}

// Reinvite sends the invitation again and records the new one.
func (e *Engine) Reinvite(ctx context.Context, invID int64, note string) (time.Duration, error) {
	s := e.cfg.Store
	inv, err := s.Invitation(ctx, invID)
	if err != nil {
		return 0, err
	}
	acct, release, wait, err := e.lockReady(ctx, inv.AccountID)
	if err != nil || wait > 0 {
		return wait, err
	}
	defer release()
	now := e.now()
	if err := e.CheckReinvite(ctx, inv, acct, note, now); err != nil {
		return 0, err
	}
	li, err := e.client(ctx, acct)
	if err != nil {
		return 0, err
	}
	id, err := li.SendInvitation(ctx, inv.Invitee.MemberURN, note, acct.Plan)
	switch {
	case errors.Is(err, linkedin.ErrCoolDown):
		// LinkedIn's cool-down is longer than ours: move the date on.
		until := now.Add(7 * 24 * time.Hour)
		if perr := s.PostponeReinvite(ctx, inv.ID, until, unvite.Change{At: now, Actor: "engine", Reason: "LinkedIn answered CANT_RESEND_YET"}); perr != nil {
			return 0, errors.Join(err, perr)
		}
		return 0, unvite.Errorf(unvite.ECONFLICT, "LinkedIn refuses to invite %s again yet; the re-invite date moved to %s", inv.Invitee.Name, until.Format(time.DateOnly))
	case e.refused(err):
		e.stopAccount(ctx, acct, err)
		return 0, err
	case err != nil:
		e.stopAccount(ctx, acct, err) // a failed call counts towards the breaker
		return 0, fmt.Errorf("re-invite %s: %w", inv.Invitee.Name, err)
	}
	e.lift(ctx, acct)
	b, err := s.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "reinvite"})
	if err != nil {
		return 0, err
	}
	defer b.Rollback()
	if err := b.PutInvitation(ctx, &unvite.Invitation{Direction: unvite.Sent, Kind: unvite.KindPerson, Invitee: inv.Invitee,
		LinkedInID: id, SentAt: now, Note: strings.TrimSpace(note), HadNote: strings.TrimSpace(note) != "", Source: unvite.SourceManual}); err != nil {
		return 0, err
	}
	_, err = b.Commit(ctx)
	return 0, err
}
