package web

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/unvite/unvite"
)

type metrics struct {
	logins *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, s unvite.Store) (*metrics, error) {
	m := &metrics{
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "unvite_web_logins_total", Help: "Dashboard sign-in attempts by result (ok, failed, limited).",
		}, []string{"result"}),
	}
	for _, c := range []prometheus.Collector{m.logins, &pendingCollector{store: s}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// pendingCollector reads pending counts from the store at scrape time, so
// every process serving /metrics reports the same figures.
type pendingCollector struct{ store unvite.Store }

var pendingDesc = prometheus.NewDesc("unvite_pending_invitations",
	"Pending sent invitations per account.", []string{"account_id", "account"}, nil)

func (c *pendingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- pendingDesc }

func (c *pendingCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	accts, err := c.store.Accounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(pendingDesc, err)
		return
	}
	for _, a := range accts {
		n, err := c.store.CountInvitations(ctx, unvite.InvitationFilter{
			AccountID: a.ID, Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending},
		})
		if err != nil {
			ch <- prometheus.NewInvalidMetric(pendingDesc, err)
			return
		}
		name := a.Slug
		if name == "" {
			name = a.Name
		}
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(n), strconv.FormatInt(a.ID, 10), name)
	}
}
