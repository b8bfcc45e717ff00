// Package syncer pulls an account's sent invitations from LinkedIn into the
// store, cheaply when nothing changed, and stops the account (telling the
// user why) when LinkedIn signals session trouble, a rate limit or a block.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/linkedin"
)

// LinkedIn is what a sync needs of the client; *linkedin.Client has it.
type LinkedIn interface {
	PendingCount(ctx context.Context) (int, error)
	SentInvitations(ctx context.Context, fn func(page []unvite.SyncedInvitation) error) (linkedin.ListStats, error)
	RecentConnections(ctx context.Context, count int) ([]unvite.Connection, error)
	Requests() int64
}

// Result is what one sync did.
type Result struct {
	unvite.SyncSummary
	Listed   int    `json:"listed"`   // pending invitations LinkedIn listed
	Reported int    `json:"reported"` // pending total LinkedIn reported
	Hidden   int    `json:"hidden"`   // reported but not listed: behind the collection ceiling
	Quick    bool   `json:"quick"`    // nothing changed: the first page sufficed
	Requests int64  `json:"requests"` // requests made
	Variant  string `json:"variant,omitempty"`
}

// Syncer syncs accounts into a store.
type Syncer struct {
	Store unvite.Store
	Now   func() time.Time
	// Progress, when set, hears the number of invitations listed so far.
	Progress func(listed int)
	// MaxFailures is the policy's max_failures: the account is paused
	// after that many LinkedIn calls failed in a row (0: the default).
	MaxFailures int
}

// recentConnections is how many recent connections are read to tell an
// accepted invitation from a gone one.
const recentConnections = 100

// errQuick stops a listing after its first page when nothing changed;
// errAll stops it once LinkedIn's reported total is listed, which saves the
// empty page that would otherwise end it.
var (
	errQuick = errors.New("nothing changed")
	errAll   = errors.New("all listed")
)

// Sync reconciles one account with LinkedIn.
func (s *Syncer) Sync(ctx context.Context, acct *unvite.Account, li LinkedIn) (res Result, err error) {
	now := s.now()
	if err := accounts.Ready(acct, now); err != nil {
		return res, err
	}
	start := li.Requests()
	defer func() { res.Requests = li.Requests() - start }()

	var known *pendingSet
	known, err = s.knownPending(ctx, acct.ID)
	if err != nil {
		return res, err
	}
	var reported int
	reported, err = li.PendingCount(ctx)
	if err != nil {
		return res, s.stop(ctx, acct, err)
	}
	res.Reported = reported

	var listed []unvite.SyncedInvitation
	first := true
	stats, err := li.SentInvitations(ctx, func(page []unvite.SyncedInvitation) error {
		if first && reported == len(known.all) && known.covers(page) {
			res.Quick = true
			return errQuick
		}
		first = false
		listed = append(listed, page...)
		if s.Progress != nil {
			s.Progress(len(listed))
		}
		if reported > 0 && len(listed) >= reported {
			return errAll
		}
		return nil
	})
	res.Variant = stats.Variant
	if res.Quick {
		res.Unchanged = reported
		return res, s.touch(ctx, acct, now)
	}
	if err != nil && !errors.Is(err, errAll) {
		return res, s.stop(ctx, acct, err)
	}
	res.Listed = len(listed)
	if reported > 0 && len(listed) == 0 {
		// Never read an empty list as "everything vanished".
		return res, unvite.Errorf(unvite.EINTERNAL, "LinkedIn reports %d pending invitations but listed none: nothing was changed", reported)
	}
	// Listing all that LinkedIn reported means the list is complete. (An
	// invitation sent from the browser between the count and the first page
	// would push the oldest out of view; that window is one request gap.)
	snap := unvite.SyncSnapshot{At: now, Pending: listed, Complete: len(listed) >= reported}
	if !snap.Complete {
		res.Hidden = reported - len(listed)
	}
	if known.vanish(listed) {
		conns, err := li.RecentConnections(ctx, recentConnections)
		if err != nil {
			return res, s.stop(ctx, acct, err)
		}
		snap.Connections = conns
	}
	sum, err := s.Store.ApplySync(ctx, acct.ID, snap)
	if err != nil {
		return res, err
	}
	res.SyncSummary = sum
	_, err = accounts.Lift(ctx, s.Store, acct, unvite.Change{At: now, Actor: "sync"})
	return res, err
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// stop records what LinkedIn's refusal means for the account (see
// accounts.Fail) and returns an error saying what the user must do next.
func (s *Syncer) stop(ctx context.Context, acct *unvite.Account, err error) error {
	_, ferr := accounts.Fail(ctx, s.Store, acct, err, s.MaxFailures, unvite.Change{At: s.now(), Actor: "sync"})
	return fmt.Errorf("sync: %w", ferr)
}

func (s *Syncer) touch(ctx context.Context, acct *unvite.Account, now time.Time) error {
	ch := unvite.Change{At: now, Actor: "sync"}
	if _, err := s.Store.PatchAccount(ctx, acct.ID, unvite.AccountPatch{LastSyncAt: &now}, ch); err != nil {
		return err
	}
	_, err := accounts.Lift(ctx, s.Store, acct, ch)
	return err
}

// pendingSet is the store's view of pending sent invitations.
type pendingSet struct {
	all    []*unvite.Invitation
	byID   map[string]bool
	byKey  map[string]bool
	synced int
}

func (s *Syncer) knownPending(ctx context.Context, accountID int64) (*pendingSet, error) {
	list, err := s.Store.Invitations(ctx, unvite.InvitationFilter{
		AccountID: accountID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending},
	})
	if err != nil {
		return nil, err
	}
	p := &pendingSet{all: list, byID: map[string]bool{}, byKey: map[string]bool{}}
	for _, inv := range list {
		if inv.LinkedInID != "" {
			p.byID[inv.LinkedInID] = true
			p.synced++
		}
		p.byKey[inv.Invitee.Key()] = true
	}
	return p, nil
}

// covers reports whether every invitation on LinkedIn's first page is one
// the store already has as pending. With equal counts that proves nothing
// changed: anything new would be newest, so on the first page.
func (p *pendingSet) covers(page []unvite.SyncedInvitation) bool {
	if p.synced != len(p.all) {
		return false // some were never matched to LinkedIn's ids: do a full pass
	}
	for _, inv := range page {
		if !p.byID[inv.LinkedInID] {
			return false
		}
	}
	return true
}

// vanish reports whether some stored pending invitation is not listed.
func (p *pendingSet) vanish(listed []unvite.SyncedInvitation) bool {
	seen := make(map[string]bool, len(listed))
	for _, inv := range listed {
		seen[inv.LinkedInID] = true
		seen[inv.Invitee.Key()] = true
	}
	for _, inv := range p.all {
		if !seen[inv.LinkedInID] && !seen[inv.Invitee.Key()] {
			return true
		}
	}
	return false
}
