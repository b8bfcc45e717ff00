package engine_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"strings"
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
