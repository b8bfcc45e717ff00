package engine_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/syncer"
)

var ctx = context.Background()

// clock is the engine's injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// rig is a real SQLite store, the sandbox over loopback, and an engine
// whose LinkedIn calls go to the sandbox.
type rig struct {
	t      testing.TB
	store  unvite.Store
	sb     *sandbox.Sandbox
	url    string
	clock  *clock
	eng    *engine.Engine
	pol    unvite.Policy
	accts  map[int64]*sandbox.Account
	policy func(*unvite.Account) (unvite.Policy, error)
}

func newRig(t testing.TB, pol unvite.Policy, store unvite.Store) *rig {
	t.Helper()
	return newRigAt(t, pol, store, time.Time{})
}

// newRigAt starts the sandbox's clock (and the engine's) at start: the
// sandbox seeds invitations sent before it.
func newRigAt(t testing.TB, pol unvite.Policy, store unvite.Store, start time.Time) *rig {
	t.Helper()
	if store == nil {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		store = db
	}
	sb := sandbox.New(sandbox.Options{Seed: 11, Start: start})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	r := &rig{t: t, store: store, sb: sb, url: srv.URL, clock: &clock{t: sb.Now()}, pol: pol, accts: map[int64]*sandbox.Account{}}
	r.policy = func(*unvite.Account) (unvite.Policy, error) { return r.pol, nil }
	return r
}

func (r *rig) engine(work bool, noPacing bool) *engine.Engine {
	r.t.Helper()
	eng, err := engine.New(engine.Config{
		Store:     r.store,
		Client:    r.client,
		Policy:    func(a *unvite.Account) (unvite.Policy, error) { return r.policy(a) },
		Now:       r.clock.Now,
		NoPacing:  noPacing,
		FetchPoll: 100 * time.Millisecond,
	}, work)
	require.NoError(r.t, err)
	r.t.Cleanup(func() { eng.Close() })
	r.eng = eng
	return eng
}

func (r *rig) client(_ context.Context, a *unvite.Account) (engine.LinkedIn, error) {
	sa := r.accts[a.ID]
	return linkedin.New(linkedin.Config{BaseURL: r.url, Session: linkedin.Session{LiAt: sa.LiAt(), JSESSIONID: sa.JSessionID()}})
}

// account adds a sandbox member with sent invitations and its unvite
// account, synced.
func (r *rig) account(sent int, tz string) *unvite.Account {
	r.t.Helper()
	sa := r.sb.AddAccount(sandbox.AccountConfig{SentInvitations: sent, Months: 4, Premium: true})
	a := &unvite.Account{Name: sa.Key(), Slug: sa.Key(), TimeZone: tz, State: unvite.AccountActive}
	require.NoError(r.t, r.store.CreateAccount(ctx, a))
	require.NoError(r.t, r.store.SetSession(ctx, a.ID, []byte("sealed")))
	r.accts[a.ID] = sa
	li, err := r.client(ctx, a)
	require.NoError(r.t, err)
	sy := &syncer.Syncer{Store: r.store, Now: r.clock.Now}
	_, err = sy.Sync(ctx, a, li.(syncer.LinkedIn))
	require.NoError(r.t, err)
	a, err = r.store.Account(ctx, a.ID)
	require.NoError(r.t, err)
	return a
}

func basePolicy() unvite.Policy {
	p := policy.Default()
	p.Enabled = true
	return p
}
