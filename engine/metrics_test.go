package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// The queue depth is a series for every kind and live state, at zero when
// nothing waits (so that an alert on it works from the start), and counts
// the queued withdrawals once there are some; the budget gauge counts what
// today's claims spent. On both stores.
func TestQueueDepthMetric(t *testing.T) {
	stores(t, testQueueDepthMetric)
}

func testQueueDepthMetric(t *testing.T, store unvite.Store) {
	r := newRig(t, basePolicy(), store)
	acct := r.account(40, "UTC")
	eng := r.engine(false, true)
	reg := prometheus.NewRegistry()
	require.NoError(t, eng.Register(reg))

	depth := func() map[string]float64 {
		t.Helper()
		mfs, err := reg.Gather()
		require.NoError(t, err)
		out := map[string]float64{}
		for _, mf := range mfs {
			if mf.GetName() != "unvite_jobs" {
				continue
			}
			for _, m := range mf.GetMetric() {
				var kind, state string
				for _, l := range m.GetLabel() {
					switch l.GetName() {
					case "kind":
						kind = l.GetValue()
					case "state":
						state = l.GetValue()
					}
				}
				out[kind+"/"+state] = m.GetGauge().GetValue()
			}
		}
		return out
	}
	empty := depth()
	for _, k := range []string{"withdraw/available", "withdraw/scheduled", "withdraw/running", "sync/available", "reinvite/scheduled"} {
		v, ok := empty[k]
		require.True(t, ok, "%s is reported before any job", k)
		require.Zero(t, v, k)
	}

	withdrawals := func() float64 {
		var n float64
		for k, v := range depth() {
			if len(k) > 9 && k[:9] == "withdraw/" {
				n += v
			}
		}
		return n
	}
	ids := queueN(t, r, acct, 5, 0, "user")
	require.Equal(t, 5.0, withdrawals())

	// Two claimed today spend two of the day's budget.
	budget := func() float64 {
		t.Helper()
		mfs, err := reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() == "unvite_withdrawal_budget_left_today" {
				require.Len(t, mf.GetMetric(), 1)
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("no budget gauge")
		return 0
	}
	require.Equal(t, float64(r.pol.DailyLimit), budget())
	for i, id := range ids[3:] {
		require.NoError(t, r.store.ClaimWithdrawal(ctx, unvite.Claim{InvitationID: id, AttemptID: fmt.Sprint("m", i),
			Day: r.clock.Now().In(time.UTC).Format(time.DateOnly), Limit: 100, Change: unvite.Change{Actor: "engine"}}))
	}
	require.Equal(t, float64(r.pol.DailyLimit-2), budget())
	// A cancelled job is finished: it leaves the count.
	_, err := eng.Cancel(ctx, acct.ID, ids[:2], unvite.Change{Actor: "user"})
	require.NoError(t, err)
	require.Equal(t, 3.0, withdrawals())
}

// BenchmarkMetricsScrape gathers the engine's metrics for an agency's
// 2,000 accounts, each with a few queued withdrawals: what one Prometheus
// scrape of /metrics costs each process.
func BenchmarkMetricsScrape(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var store unvite.Store
			if kind == "postgres" {
				store = pgStore(b)
			}
			r := newRig(b, basePolicy(), store)
			eng := r.engine(false, true)
			for i := range 2000 {
				a := &unvite.Account{Name: fmt.Sprint("member-", i), TimeZone: "Europe/Berlin", State: unvite.AccountActive}
				if i%3 == 0 {
					a.TimeZone = "America/New_York"
				}
				if err := r.store.CreateAccount(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			reg := prometheus.NewRegistry()
			if err := eng.Register(reg); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				mfs, err := reg.Gather()
				if err != nil {
					b.Fatal(err)
				}
				if len(mfs) == 0 {
					b.Fatal("no metrics")
				}
			}
		})
	}
}
