package engine

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/linkedin"
)

// metrics are the engine's Prometheus figures. Counters count what this
// process did; the gauges (budget left today, queue depth) are read from
// the database at scrape time, so every process reports the same.
type metrics struct {
	withdrawals *prometheus.CounterVec
	syncs       *prometheus.CounterVec
	errors      *prometheus.CounterVec
}

var (
	budgetDesc = prometheus.NewDesc("unvite_withdrawal_budget_left_today",
		"Withdrawals the account may still make today, in its time zone.", []string{"account_id", "account"}, nil)
	queueDesc = prometheus.NewDesc("unvite_jobs",
		"Jobs not finished yet, by kind and state (queue depth).", []string{"kind", "state"}, nil)
)

// Register adds the engine's metrics to reg (the web server's registry when
// both run in one process). Call it before Start.
func (e *Engine) Register(reg prometheus.Registerer) error {
	m := &metrics{
		withdrawals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "unvite_withdrawals_total", Help: "Withdrawal attempts settled by this process, by outcome.",
		}, []string{"outcome"}),
		syncs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "unvite_syncs_total", Help: "Account syncs run by this process, by result (ok, stopped, failed).",
		}, []string{"result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "unvite_linkedin_errors_total", Help: "Errors LinkedIn answered this process's calls with, by kind.",
		}, []string{"kind"}),
	}
	for _, c := range []prometheus.Collector{m.withdrawals, m.syncs, m.errors, &engineCollector{e: e}} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	// Every label known up front, at zero, so that rates and alerts work
	// before the first event.
	for _, o := range []unvite.Outcome{unvite.OutcomeWithdrawn, unvite.OutcomeAccepted, unvite.OutcomeGone, unvite.OutcomeFailed} {
		m.withdrawals.WithLabelValues(string(o))
	}
	for _, r := range []string{"ok", "stopped", "failed"} {
		m.syncs.WithLabelValues(r)
	}
	for _, k := range errorKinds {
		m.errors.WithLabelValues(k.name)
	}
	m.errors.WithLabelValues("unexpected")
	e.m = m
	return nil
}

func (m *metrics) withdrawal(o unvite.Outcome) {
	if m != nil {
		m.withdrawals.WithLabelValues(string(o)).Inc()
	}
}

func (m *metrics) sync(result string) {
	if m != nil {
		m.syncs.WithLabelValues(result).Inc()
	}
}

// linkedInError counts err by its kind when it is LinkedIn's answer.
func (m *metrics) linkedInError(err error) {
	if m == nil || err == nil {
		return
	}
	var le *linkedin.Error
	if !errors.As(err, &le) {
		return
	}
	m.errors.WithLabelValues(errorKind(le.Kind)).Inc()
}

// errorKinds name LinkedIn's error kinds for a label; any other is
// "unexpected".
var errorKinds = []struct {
	err  error
	name string
}{
	{linkedin.ErrSessionExpired, "session_expired"}, {linkedin.ErrChallenge, "challenge"},
	{linkedin.ErrRateLimited, "rate_limited"}, {linkedin.ErrSoftBlock, "soft_block"},
	{linkedin.ErrNotPending, "not_pending"}, {linkedin.ErrCoolDown, "cool_down"},
	{linkedin.ErrWeeklyLimit, "weekly_limit"}, {linkedin.ErrCustomInviteLimit, "custom_invite_limit"},
	{linkedin.ErrNoteTooLong, "note_too_long"}, {linkedin.ErrConnectionLimit, "connection_limit"},
	{linkedin.ErrCSRF, "csrf"},
}

func errorKind(kind error) string {
	for _, k := range errorKinds {
		if errors.Is(kind, k.err) {
			return k.name
		}
	}
	return "unexpected"
}

// counted wraps a client so that every error LinkedIn answers is counted.
type counted struct {
	LinkedIn
	m *metrics
}

func (c counted) count(err error) error { c.m.linkedInError(err); return err }

func (c counted) PendingCount(ctx context.Context) (int, error) {
	n, err := c.LinkedIn.PendingCount(ctx)
	return n, c.count(err)
}

func (c counted) SentInvitations(ctx context.Context, fn func(page []unvite.SyncedInvitation) error) (linkedin.ListStats, error) {
	st, err := c.LinkedIn.SentInvitations(ctx, fn)
	return st, c.count(err)
}

func (c counted) RecentConnections(ctx context.Context, count int) ([]unvite.Connection, error) {
	cs, err := c.LinkedIn.RecentConnections(ctx, count)
	return cs, c.count(err)
}

func (c counted) Withdraw(ctx context.Context, invitationID string) error {
	return c.count(c.LinkedIn.Withdraw(ctx, invitationID))
}

func (c counted) SendInvitation(ctx context.Context, profileURN, note string, plan unvite.Plan) (string, error) {
	id, err := c.LinkedIn.SendInvitation(ctx, profileURN, note, plan)
	return id, c.count(err)
}

// engineCollector reads the budget and the queue at scrape time.
type engineCollector struct{ e *Engine }

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) { ch <- budgetDesc; ch <- queueDesc }

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e := c.e
	accts, err := e.cfg.Store.Accounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(budgetDesc, err)
		return
	}
	// Every account's spent budget in one query: a query or two an account
	// made a scrape of an agency's thousands slow.
	days := make(map[int64]string, len(accts))
	limits := make(map[int64]int, len(accts))
	for _, a := range accts {
		day, limit, err := e.today(a)
		if unvite.ErrorCode(err) == unvite.EINVALID {
			continue // a bad policy shows on the account's pages
		}
		if err != nil {
			ch <- prometheus.NewInvalidMetric(budgetDesc, err)
			return
		}
		days[a.ID], limits[a.ID] = day, limit
	}
	done, err := e.cfg.Store.WithdrawalsOnDays(ctx, days)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(budgetDesc, err)
		return
	}
	for _, a := range accts {
		limit, ok := limits[a.ID]
		if !ok {
			continue
		}
		name := a.Slug
		if name == "" {
			name = a.Name
		}
		ch <- prometheus.MustNewConstMetric(budgetDesc, prometheus.GaugeValue, float64(max(limit-done[a.ID], 0)), strconv.FormatInt(a.ID, 10), name)
	}
	depth, err := e.be.depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
		return
	}
	// Every kind and live state, at zero when none: an empty queue reads
	// 0, not absent.
	for _, k := range jobKinds {
		for _, s := range liveStates {
			if _, ok := depth[jobCount{k, string(s)}]; !ok {
				depth[jobCount{k, string(s)}] = 0
			}
		}
	}
	for k, n := range depth {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), k.kind, k.state)
	}
}

// jobKinds are the kinds of job the engine runs (see New's workers).
var jobKinds = []string{WithdrawArgs{}.Kind(), SyncArgs{}.Kind(), PlanArgs{}.Kind(), SyncDueArgs{}.Kind(),
	ReinviteArgs{}.Kind(), WebhookArgs{}.Kind(), WeeklyReviewArgs{}.Kind()}
