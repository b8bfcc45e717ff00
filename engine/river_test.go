package engine_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/postgres"
	"github.com/unvite/unvite/sandbox"
)

// pgStore opens a PostgreSQL store in a fresh schema, dropped afterwards;
// skipped when no server is reachable, except in CI.
func pgStore(t testing.TB) *postgres.DB {
	t.Helper()
	dsn := pgDSN(t)
	db, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func pgDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("UNVITE_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Skipf("PostgreSQL at %s not reachable (set UNVITE_TEST_POSTGRES): %v", dsn, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "unvite_test_" + hex.EncodeToString(b[:])
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(ctx)
		require.NoError(t, err)
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// waitFor polls cond until it holds or the deadline passes: the engine runs
// on its own goroutines, and the store is where its work shows.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The engine on real River workers, on each store: queued withdrawals of
// three accounts are carried out exactly once each, through server errors
// and lost replies, and nothing else is touched.
func TestEngineOnRiver(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) unvite.Store{
		"sqlite":   func(t *testing.T) unvite.Store { return nil },
		"postgres": func(t *testing.T) unvite.Store { return pgStore(t) },
	} {
		t.Run(name, func(t *testing.T) {
			p := basePolicy()
			p.DailyLimit = 100
			r := newRig(t, p, open(t))
			var accts []*unvite.Account
			for range 3 {
				accts = append(accts, r.account(80, "UTC"))
			}
			eng, err := engine.New(engine.Config{Store: r.store, Client: r.client, Policy: r.policy, Now: r.clock.Now,
				NoPacing: true, FetchPoll: 100 * time.Millisecond, RetryBase: 50 * time.Millisecond, SyncCheck: time.Hour}, true)
			require.NoError(t, err)
			r.eng = eng
			faults := []sandbox.Faults{{}, {ServerErrors: 3}, {WithdrawReplyLost: 3}}
			want := map[int64][]string{}
			var all []int64
			for i, a := range accts {
				r.accts[a.ID].SetFaults(faults[i])
				ids := queueN(t, r, a, 10, 0, "user")
				all = append(all, ids...)
				for _, id := range ids {
					inv, err := r.store.Invitation(ctx, id)
					require.NoError(t, err)
					want[a.ID] = append(want[a.ID], inv.Invitee.Slug)
				}
			}
			require.NoError(t, eng.Start(ctx))
			t.Cleanup(func() { eng.Stop(ctx); eng.Close() })
			waitFor(t, 60*time.Second, "every queued withdrawal", func() bool {
				n, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{IDs: all, Statuses: []unvite.Status{unvite.StatusWithdrawn}})
				require.NoError(t, err)
				return n == len(all)
			})
			for _, a := range accts {
				var got []string
				for _, w := range r.sb.Withdrawn(r.accts[a.ID].Key()) {
					got = append(got, w.Slug)
				}
				slices.Sort(got)
				slices.Sort(want[a.ID])
				require.Equal(t, want[a.ID], got, "exactly the queued invitations, account %d", a.ID)
				atts, err := r.store.Attempts(ctx, a.ID)
				require.NoError(t, err)
				for _, at := range atts {
					require.NotEmpty(t, at.Outcome, "attempt %s closed", at.ID)
				}
			}
			qs, err := r.store.Queued(ctx, 0)
			require.NoError(t, err)
			require.Empty(t, qs)
			waitFor(t, 10*time.Second, "idle", func() bool {
				ok, err := eng.Idle(ctx)
				require.NoError(t, err)
				return ok
			})
			jobs, err := eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"withdraw"}})
			require.NoError(t, err)
			require.Len(t, jobs, len(all))
			for _, j := range jobs {
				require.Equal(t, "completed", string(j.State), strings.Join([]string{j.Kind, j.Error}, " "))
			}
		})
	}
}

// inFlight wraps a client to count its account's withdrawals in flight,
// each held a while so that overlapping calls would show.
type inFlight struct {
	engine.LinkedIn
	now, max *atomic.Int32
}

func (c inFlight) Withdraw(ctx context.Context, id string) error {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for m := c.max.Load(); n > m && !c.max.CompareAndSwap(m, n); m = c.max.Load() {
	}
	time.Sleep(20 * time.Millisecond)
	return c.LinkedIn.Withdraw(ctx, id)
}

// Whatever the number of workers and engines (on PostgreSQL, each with its
// own lock session, as separate processes have), LinkedIn sees at most one
// call in flight per account.
func TestOneCallInFlightPerAccount(t *testing.T) {
	for name, tc := range map[string]struct {
		open    func(t *testing.T) unvite.Store
		engines int
	}{
		"sqlite":   {func(t *testing.T) unvite.Store { return nil }, 1},
		"postgres": {func(t *testing.T) unvite.Store { return pgStore(t) }, 3},
	} {
		t.Run(name, func(t *testing.T) {
			p := basePolicy()
			p.DailyLimit = 100
			r := newRig(t, p, tc.open(t))
			type counts struct{ now, max atomic.Int32 }
			per := map[int64]*counts{}
			var accts []*unvite.Account
			for range 3 {
				a := r.account(40, "UTC")
				per[a.ID] = &counts{}
				accts = append(accts, a)
			}
			var engines []*engine.Engine
			for range tc.engines {
				eng, err := engine.New(engine.Config{Store: r.store, Policy: r.policy, Now: r.clock.Now, NoPacing: true,
					Workers: 10, FetchPoll: 50 * time.Millisecond, RetryBase: 50 * time.Millisecond, SyncCheck: time.Hour,
					Client: func(ctx context.Context, a *unvite.Account) (engine.LinkedIn, error) {
						li, err := r.client(ctx, a)
						return inFlight{li, &per[a.ID].now, &per[a.ID].max}, err
					}}, true)
				require.NoError(t, err)
				t.Cleanup(func() { eng.Stop(ctx); eng.Close() })
				engines = append(engines, eng)
			}
			r.eng = engines[0]
			var all []int64
			for _, a := range accts {
				all = append(all, queueN(t, r, a, 15, 0, "user")...)
			}
			for _, eng := range engines {
				require.NoError(t, eng.Start(ctx))
			}
			waitFor(t, 60*time.Second, "every queued withdrawal", func() bool {
				n, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{IDs: all, Statuses: []unvite.Status{unvite.StatusWithdrawn}})
				require.NoError(t, err)
				return n == len(all)
			})
			for id, c := range per {
				require.Equal(t, int32(1), c.max.Load(), "calls in flight at once, account %d", id)
			}
		})
	}
}

// Without pacing, the withdrawals of one account queued together are
// spaced, so that River, which hands out jobs in the order they are due,
// interleaves the accounts; and they count as due (Idle).
func TestNoPacingSpacesAnAccountsJobs(t *testing.T) {
	r := newRig(t, basePolicy(), nil)
	a, b := r.account(10, "UTC"), r.account(10, "UTC")
	eng, err := engine.New(engine.Config{Store: r.store, Policy: r.policy, Now: r.clock.Now, NoPacing: true}, false)
	require.NoError(t, err)
	t.Cleanup(func() { eng.Close() })
	var ids []int64
	for _, acct := range []*unvite.Account{a, b} {
		list, err := r.store.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Statuses: []unvite.Status{unvite.StatusPending}, Limit: 3})
		require.NoError(t, err)
		for _, inv := range list {
			ids = append(ids, inv.ID)
		}
	}
	_, err = eng.QueueWithdrawals(ctx, ids, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	jobs, err := eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"withdraw"}})
	require.NoError(t, err)
	require.Len(t, jobs, 6)
	at := map[int64][]time.Time{}
	for _, j := range jobs {
		at[j.AccountID] = append(at[j.AccountID], j.ScheduledAt)
	}
	for _, acct := range []int64{a.ID, b.ID} {
		s := at[acct]
		require.Len(t, s, 3)
		require.GreaterOrEqual(t, s[1].Sub(s[0]), 4*time.Millisecond, "account %d", acct)
		require.GreaterOrEqual(t, s[2].Sub(s[1]), 4*time.Millisecond, "account %d", acct)
	}
	require.True(t, at[b.ID][0].Before(at[a.ID][1]), "b's first job is due before a's second")
	idle, err := eng.Idle(ctx)
	require.NoError(t, err)
	require.False(t, idle, "spaced jobs are due")
}
