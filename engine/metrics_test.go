package engine_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// The queue depth is a series for every kind and live state, at zero when
// nothing waits (so that an alert on it works from the start), and counts
// the queued withdrawals once there are some.
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
	// A cancelled job is finished: it leaves the count.
	_, err := eng.Cancel(ctx, acct.ID, ids[:2], unvite.Change{Actor: "user"})
	require.NoError(t, err)
	require.Equal(t, 3.0, withdrawals())
}
