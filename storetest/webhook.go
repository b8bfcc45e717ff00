package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/unvite/unvite"
)

// The webhook's settings start disabled without a URL, change by patches
// with an audit event that names the hint, never the sealed URL, and refuse
// what makes no sense (enabling without a URL, an unknown format).
func testWebhook(t *testing.T, s unvite.Store) {
	w, err := s.Webhook(ctx)
	require.NoError(t, err)
	require.False(t, w.HasURL())
	require.False(t, w.Enabled)
	require.Equal(t, unvite.WebhookJSON, w.Format)

	_, err = s.PatchWebhook(ctx, unvite.WebhookPatch{Enabled: unvite.Ptr(true)}, unvite.Change{At: day(0), Actor: "user:admin"})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err), "no URL yet")
	_, err = s.PatchWebhook(ctx, unvite.WebhookPatch{Format: unvite.Ptr(unvite.WebhookFormat("xml"))}, unvite.Change{At: day(0)})
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))

	sealed := []byte("\x01\x08sealed-bytes-not-a-url")
	w, err = s.PatchWebhook(ctx, unvite.WebhookPatch{
		SealedURL: sealed, URLHint: unvite.Ptr("https://hooks.example.com/…"),
		Format: unvite.Ptr(unvite.WebhookSlack), Enabled: unvite.Ptr(true),
	}, unvite.Change{At: day(1), Actor: "user:admin"})
	require.NoError(t, err)
	require.Equal(t, sealed, w.SealedURL)
	require.True(t, w.Enabled)

	got, err := s.Webhook(ctx)
	require.NoError(t, err)
	require.Equal(t, sealed, got.SealedURL)
	require.Equal(t, "https://hooks.example.com/…", got.URLHint)
	require.Equal(t, unvite.WebhookSlack, got.Format)
	require.True(t, got.Enabled)
	require.True(t, got.UpdatedAt.Equal(day(1)))
	require.Equal(t, unvite.ReviewWeek(day(1)), got.ReviewedWeek, "a first webhook missed no review due before it")

	// A patch of one field leaves the others (and writes no event when it
	// changes nothing).
	got, err = s.PatchWebhook(ctx, unvite.WebhookPatch{Enabled: unvite.Ptr(false)}, unvite.Change{At: day(2), Actor: "user:admin"})
	require.NoError(t, err)
	require.False(t, got.Enabled)
	require.Equal(t, sealed, got.SealedURL)
	_, err = s.PatchWebhook(ctx, unvite.WebhookPatch{Enabled: unvite.Ptr(false)}, unvite.Change{At: day(3), Actor: "user:admin"})
	require.NoError(t, err)

	events, err := s.Events(ctx, unvite.EventFilter{})
	require.NoError(t, err)
	var reasons []string
	for _, e := range events {
		if e.Type == "webhook" {
			require.Zero(t, e.AccountID)
			require.NotContains(t, e.Reason, "sealed-bytes")
			reasons = append(reasons, e.Reason)
		}
	}
	require.Equal(t, []string{"webhook: disabled",
		"webhook: URL set (https://hooks.example.com/…); format json → slack; enabled"}, reasons)

	got, err = s.PatchWebhook(ctx, unvite.WebhookPatch{ClearURL: true}, unvite.Change{At: day(4), Actor: "user:admin"})
	require.NoError(t, err)
	require.False(t, got.HasURL())
	require.Empty(t, got.URLHint)
	got, err = s.Webhook(ctx)
	require.NoError(t, err)
	require.False(t, got.HasURL())
}

// ChangedFrom/ChangedBefore select by the time of the last status change,
// ReinviteFrom by the end of the cool-down: what the weekly review counts.
func testChangedInWeek(t *testing.T, s unvite.Store) {
	a := newAccount(t, s, "me")
	doImport(t, s, a.ID, unvite.ImportMeta{File: "x.csv", AsOf: day(-30)}, importRows{invs: []*unvite.Invitation{
		sent("old", day(-60), ""), sent("mid", day(-50), ""), sent("new", day(-40), ""),
	}})
	m := bySlug(t, s, a.ID)
	_, err := s.Transition(ctx, m["old"].ID, unvite.StatusWithdrawn, unvite.Change{At: day(-10), Actor: "user", CoolDown: 21 * 24 * 3600e9})
	require.NoError(t, err)
	_, err = s.Transition(ctx, m["mid"].ID, unvite.StatusAccepted, unvite.Change{At: day(-3), Actor: "sync"})
	require.NoError(t, err)
	_, err = s.Transition(ctx, m["new"].ID, unvite.StatusWithdrawn, unvite.Change{At: day(-2), Actor: "user", CoolDown: 21 * 24 * 3600e9})
	require.NoError(t, err)

	names := func(f unvite.InvitationFilter) []string {
		f.AccountID = a.ID
		list, err := s.Invitations(ctx, f)
		require.NoError(t, err)
		var out []string
		for _, inv := range list {
			out = append(out, inv.Invitee.Slug)
		}
		return out
	}
	require.Equal(t, []string{"mid", "new"}, names(unvite.InvitationFilter{ChangedFrom: day(-7), ChangedBefore: day(0)}))
	require.Equal(t, []string{"new"}, names(unvite.InvitationFilter{ChangedFrom: day(-7), Statuses: []unvite.Status{unvite.StatusWithdrawn}}))
	require.Equal(t, []string{"old"}, names(unvite.InvitationFilter{ChangedBefore: day(-7)}))
	n, err := s.CountInvitations(ctx, unvite.InvitationFilter{AccountID: a.ID, ChangedFrom: day(-3), ChangedBefore: day(-2)})
	require.NoError(t, err)
	require.Equal(t, 1, n, "from is inclusive, before exclusive")
	// old's cool-down ends on day 11, new's on day 19.
	require.Equal(t, []string{"old"}, names(unvite.InvitationFilter{ReinviteFrom: day(10), ReinviteBy: day(12)}))
	require.Equal(t, []string{"old", "new"}, names(unvite.InvitationFilter{ReinviteFrom: day(11), ReinviteBy: day(19)}))
	require.Equal(t, []string{"new"}, names(unvite.InvitationFilter{ReinviteFrom: day(11).Add(1e9)}))
}

// ClaimReview records a week's review with its job, once: the same or an
// earlier week claims nothing and runs no enqueue; an enqueue that fails
// leaves the week unclaimed. A first URL counts the review last due as
// seen; the review's record changes no settings time.
func testWebhookReview(t *testing.T, s unvite.Store) {
	var jobs int
	enqueue := func(ctx context.Context, tx any) error {
		require.NotNil(t, tx)
		jobs++
		return nil
	}
	claimed, err := s.ClaimReview(ctx, "2026-W10", unvite.Change{At: day(0), Actor: "engine"}, enqueue)
	require.NoError(t, err)
	require.True(t, claimed)
	require.Equal(t, 1, jobs)
	for _, week := range []string{"2026-W10", "2026-W09", "2025-W52"} {
		claimed, err = s.ClaimReview(ctx, week, unvite.Change{At: day(1), Actor: "engine"}, enqueue)
		require.NoError(t, err)
		require.False(t, claimed, week)
	}
	require.Equal(t, 1, jobs)

	failed := errors.New("queue down")
	claimed, err = s.ClaimReview(ctx, "2026-W11", unvite.Change{At: day(2), Actor: "engine"}, func(context.Context, any) error { return failed })
	require.ErrorIs(t, err, failed)
	require.False(t, claimed)
	w, err := s.Webhook(ctx)
	require.NoError(t, err)
	require.Equal(t, "2026-W10", w.ReviewedWeek, "the failed enqueue claimed nothing")
	claimed, err = s.ClaimReview(ctx, "2026-W11", unvite.Change{At: day(2), Actor: "engine"}, enqueue)
	require.NoError(t, err)
	require.True(t, claimed)

	w, err = s.Webhook(ctx)
	require.NoError(t, err)
	require.Equal(t, "2026-W11", w.ReviewedWeek)
	require.False(t, w.Enabled, "settings untouched")
	events, err := s.Events(ctx, unvite.EventFilter{})
	require.NoError(t, err)
	var reasons []string
	for _, e := range events {
		if e.Type == "webhook" {
			reasons = append(reasons, e.Reason)
		}
	}
	require.Equal(t, []string{"webhook: weekly review 2026-W11 queued", "webhook: weekly review 2026-W10 queued"}, reasons)

	// A URL set later keeps the record (on a store without one, the first
	// URL starts at the review last due: see testWebhook).
	w, err = s.PatchWebhook(ctx, unvite.WebhookPatch{SealedURL: []byte("sealed"), URLHint: unvite.Ptr("https://h/…")}, unvite.Change{At: day(30)})
	require.NoError(t, err)
	require.Equal(t, "2026-W11", w.ReviewedWeek)
}

// Two processes claiming one week's review at once: one claims it.
func testWebhookReviewRace(t *testing.T, a, b unvite.Store) {
	var mu sync.Mutex
	var claims int
	var g errgroup.Group
	for i := range 8 {
		s := a
		if i%2 == 1 {
			s = b
		}
		g.Go(func() error {
			ok, err := s.ClaimReview(ctx, "2026-W20", unvite.Change{At: day(0), Actor: "engine"}, func(context.Context, any) error { return nil })
			if ok {
				mu.Lock()
				claims++
				mu.Unlock()
			}
			return err
		})
	}
	require.NoError(t, g.Wait())
	require.Equal(t, 1, claims)
}
