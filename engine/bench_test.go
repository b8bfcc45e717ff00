package engine_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/sandbox"
)

// timedLinkedIn measures the time spent waiting on LinkedIn (the sandbox).
type timedLinkedIn struct {
	engine.LinkedIn
	spent *atomic.Int64
}

func (t timedLinkedIn) Withdraw(ctx context.Context, id string) error {
	start := time.Now()
	defer func() { t.spent.Add(int64(time.Since(start))) }()
	return t.LinkedIn.Withdraw(ctx, id)
}

// Request economy, counted by the sandbox: a withdrawal whose reply
// arrives costs one request; one whose reply is lost costs at most two
// more (a second withdrawal read with the connections); a paused account
// costs none.
func TestRequestEconomy(t *testing.T) {
	p := basePolicy()
	p.ActiveHours, p.DailyLimit = "00:00-24:00", 100
	r := newRig(t, p, nil)
	acct := r.account(120, "UTC")
	r.engine(false, true)
	sa := r.accts[acct.ID]
	ids := queueN(t, r, acct, 30, 0, "user")

	count := func() int { return r.sb.RequestCount(sa.Key(), "") }
	before := count()
	for i, id := range ids[:10] {
		wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("ok%d", i))
		require.NoError(t, err)
		require.Zero(t, wait)
	}
	perOK := float64(count()-before) / 10
	require.Equal(t, 1.0, perOK, "one request per withdrawal with a reply")

	before = count()
	for i, id := range ids[10:20] {
		sa.SetFaults(sandbox.Faults{WithdrawReplyLost: 1})
		_, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("lost%d", i))
		require.Error(t, err, "the outcome is unknown: the job retries")
		wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("lost%d.retry", i))
		require.NoError(t, err)
		require.Zero(t, wait)
		require.Equal(t, unvite.StatusWithdrawn, status(t, r, id))
	}
	perLost := float64(count()-before) / 10
	require.LessOrEqual(t, perLost, 3.0, "at most two more when the reply is lost")

	_, err := accounts.Pause(ctx, r.store, acct, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	before = count()
	for i, id := range ids[20:] {
		wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("paused%d", i))
		require.NoError(t, err)
		require.Positive(t, wait)
	}
	require.Equal(t, before, count(), "a paused account costs nothing")
	t.Logf("requests per withdrawal: %.1f with a reply, %.1f when the reply was lost, 0 when paused", perOK, perLost)
}

// BenchmarkWithdrawals: 10,000 withdrawals over 100 sandbox accounts, pacing
// off, on real River workers; reports withdrawals per second and the
// engine's own time per withdrawal (job run time less LinkedIn's). Run with
// -benchtime=1x: each run needs fresh invitations.
//
//	go test ./engine -run '^$' -bench Withdrawals -benchtime=1x
func BenchmarkWithdrawals(b *testing.B) {
	for _, tc := range []struct {
		name      string
		processes int
		pg        bool
	}{{"sqlite", 1, false}, {"postgres-1", 1, true}, {"postgres-3", 3, true}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				benchWithdrawals(b, tc.processes, tc.pg)
			}
		})
	}
}

func benchWithdrawals(b *testing.B, processes int, pg bool) {
	b.StopTimer()
	accounts, each := 100, 100
	if n, err := strconv.Atoi(os.Getenv("UNVITE_BENCH_ACCOUNTS")); err == nil && n > 0 {
		accounts = n // a quicker run while profiling
	}
	var store unvite.Store
	if pg {
		store = pgStore(b)
	}
	p := basePolicy()
	p.ActiveHours, p.DailyLimit = "00:00-24:00", 100
	r := newRig(b, p, store)
	var all []int64
	for range accounts {
		a := r.account(3*each, "UTC")
		_ = a
		list, err := r.store.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Statuses: []unvite.Status{unvite.StatusPending}, Limit: each})
		require.NoError(b, err)
		require.Len(b, list, each)
		for _, inv := range list {
			all = append(all, inv.ID)
		}
	}
	var linkedInTime, runTime atomic.Int64
	var engines []*engine.Engine
	for range processes {
		eng, err := engine.New(engine.Config{Store: r.store, Policy: r.policy, Now: r.clock.Now, NoPacing: true,
			Workers: 20, FetchPoll: 100 * time.Millisecond, RetryBase: 50 * time.Millisecond, SyncCheck: time.Hour,
			Client: func(ctx context.Context, a *unvite.Account) (engine.LinkedIn, error) {
				li, err := r.client(ctx, a)
				return timedLinkedIn{li, &linkedInTime}, err
			},
			Observe: func(kind string, d time.Duration) {
				if kind == "withdraw" {
					runTime.Add(int64(d))
				}
			}}, true)
		require.NoError(b, err)
		engines = append(engines, eng)
	}
	for i := 0; i < len(all); i += 500 {
		_, err := engines[0].QueueWithdrawals(ctx, all[i:min(i+500, len(all))], unvite.Change{Actor: "bench"})
		require.NoError(b, err)
	}
	b.StartTimer()
	start := time.Now()
	for _, eng := range engines {
		require.NoError(b, eng.Start(ctx))
	}
	for {
		n, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{Statuses: []unvite.Status{unvite.StatusWithdrawn}})
		require.NoError(b, err)
		if n == len(all) {
			break
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("only %d of %d withdrawn", n, len(all))
		}
		time.Sleep(250 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for _, eng := range engines {
		eng.Stop(ctx)
		eng.Close()
	}
	n := float64(len(all))
	b.ReportMetric(n/elapsed.Seconds(), "withdrawals/s")
	b.ReportMetric(float64(runTime.Load()-linkedInTime.Load())/n/1e3, "engine-µs/withdrawal")
	b.ReportMetric(float64(linkedInTime.Load())/n/1e3, "sandbox-µs/withdrawal")
}
