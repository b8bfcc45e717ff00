package sandbox

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	apiPrefix = "/voyager/api"
	maxBody   = 1 << 20
)

// Sandbox is an http.Handler that behaves like LinkedIn's Voyager API for
// the calls unvite makes, over simulated accounts and a simulated clock.
// It is safe for concurrent use.
type Sandbox struct {
	opts  Options
	clock *clock
	admin http.Handler
	table map[PathKind]route

	mu     sync.RWMutex
	byKey  map[string]*Account
	byLiAt map[string]*Account
	order  []*Account

	logMu  sync.Mutex
	log    []RequestLog
	counts map[string]map[PathKind]int
}

// New makes an empty sandbox; add accounts with AddAccount.
func New(opts Options) *Sandbox {
	start := opts.Start
	if start.IsZero() {
		start = DefaultStart
	}
	if opts.MaxLoggedRequests <= 0 {
		opts.MaxLoggedRequests = 10_000
	}
	s := &Sandbox{
		opts:   opts,
		clock:  newClock(start, opts.Live),
		byKey:  map[string]*Account{},
		byLiAt: map[string]*Account{},
		counts: map[string]map[PathKind]int{},
	}
	s.table = s.routes()
	s.admin = s.adminHandler()
	return s
}

// Account returns the account with this key, or nil.
func (s *Sandbox) Account(key string) *Account {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byKey[key]
}

// Accounts lists the accounts in the order they were added.
func (s *Sandbox) Accounts() []*Account {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*Account(nil), s.order...)
}

func (s *Sandbox) accountByLiAt(liAt string) *Account {
	if liAt == "" {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byLiAt[liAt]
}

// call is one Voyager request as the handlers see it.
type call struct {
	r    *http.Request
	q    query
	body []byte
	now  time.Time
}

// normalizedAccept reports whether the client asked for the normalized
// JSON type.
func (c *call) normalizedAccept() bool {
	return strings.Contains(c.r.Header.Get("Accept"), "normalized")
}

// route is one known call: its method and handler.
type route struct {
	method  string
	handler func(a *Account, c *call) *reply
}

func (s *Sandbox) routes() map[PathKind]route {
	return map[PathKind]route{
		KindMe:             {http.MethodGet, s.me},
		KindSentLegacy:     {http.MethodGet, s.sentLegacy},
		KindSentDash:       {http.MethodGet, s.sentDash},
		KindSentGraphQL:    {http.MethodGet, s.sentGraphQL},
		KindSentSummary:    {http.MethodGet, s.sentSummary},
		KindWithdrawClose:  {http.MethodPost, s.withdrawClose},
		KindWithdrawAction: {http.MethodPost, s.withdrawAction},
		KindWithdrawDash:   {http.MethodPost, s.withdrawDash},
		KindSendDash:       {http.MethodPost, s.sendDash},
		KindSendLegacy:     {http.MethodPost, s.sendLegacy},
		KindReceived:       {http.MethodGet, s.receivedList},
		KindReceivedAction: {http.MethodPost, s.receivedAction},
		KindConnections:    {http.MethodGet, s.connections},
	}
}

const graphQLQueryPrefix = "voyagerRelationshipsDashSentInvitationViews."

// classify names the call a request makes from its (escaped) path and, where
// one path serves several calls, its query.
func classify(escapedPath string, q query) PathKind {
	p, ok := strings.CutPrefix(escapedPath, apiPrefix)
	if !ok {
		return KindUnknown
	}
	switch {
	case p == "/me":
		return KindMe
	case p == "/relationships/sentInvitationViewsV2":
		return KindSentLegacy
	case p == "/voyagerRelationshipsDashSentInvitationViews":
		return KindSentDash
	case p == "/graphql":
		if id := q.str("queryId"); strings.HasPrefix(id, graphQLQueryPrefix) && len(id) > len(graphQLQueryPrefix) {
			return KindSentGraphQL
		}
	case p == "/relationships/invitationsSummaryV2":
		return KindSentSummary
	case p == "/relationships/invitations":
		return KindWithdrawClose
	case strings.HasPrefix(p, "/relationships/invitations/") && !strings.Contains(p[len("/relationships/invitations/"):], "/"):
		if a := q.str("action"); a == "accept" || a == "ignore" {
			return KindReceivedAction
		}
		return KindWithdrawAction
	case strings.HasPrefix(p, "/voyagerRelationshipsDashInvitations/") && !strings.Contains(p[len("/voyagerRelationshipsDashInvitations/"):], "/"):
		return KindWithdrawDash
	case p == "/voyagerRelationshipsDashMemberRelationships":
		return KindSendDash
	case p == "/growth/normInvitations":
		return KindSendLegacy
	case p == "/relationships/invitationViews":
		return KindReceived
	case p == "/relationships/dash/connections":
		return KindConnections
	}
	return KindUnknown
}

// ServeHTTP answers Voyager calls under /voyager/api/ and the admin API
// under /_sandbox/.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.admin.ServeHTTP(w, r)
		return
	}
	now := s.clock.now()
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	q, qerr := parseQuery(r.URL.RawQuery)
	kind := KindUnknown
	if qerr == nil {
		kind = classify(r.URL.EscapedPath(), q)
	}
	cookies := parseCookies(r.Header.Values("Cookie"))
	a := s.accountByLiAt(cookies["li_at"])

	rep, drop := s.serve(r, a, kind, cookies, &call{r: r, q: q, body: body, now: now}, qerr)
	status := 0
	if rep != nil && !drop {
		status = rep.status
	}
	s.record(now, a, kind, r, body, status)
	switch {
	case drop:
		dropConnection(w)
	case rep != nil:
		rep.write(w)
	}
}

// serve runs the pipeline: faults, CSRF and session, routing, the call
// itself, and a lost withdrawal reply. A nil reply without drop means the
// client went away.
func (s *Sandbox) serve(r *http.Request, a *Account, kind PathKind, cookies map[string]string, c *call, qerr error) (rep *reply, drop bool) {
	if a != nil {
		v := a.takeFaults(c.now)
		if v.latency > 0 && !sleepCtx(r.Context(), v.latency) {
			return nil, false
		}
		if v.drop {
			return nil, true
		}
		if v.reply != nil {
			return v.reply, false
		}
	}
	if rep := s.checkSession(r, cookies, a); rep != nil {
		return rep, false
	}
	if qerr != nil {
		return messageReply(http.StatusBadRequest, "malformed query: %v", qerr), false
	}
	rt, ok := s.table[kind]
	if !ok || a.isRemoved(kind) {
		return statusReply(http.StatusNotFound), false
	}
	if r.Method != rt.method {
		return statusReply(http.StatusMethodNotAllowed), false
	}
	var lose bool
	var lostStatus int
	if kind.isWithdraw() {
		lose, lostStatus = a.takeWithdrawLost()
	}
	rep = rt.handler(a, c)
	if lose {
		if lostStatus == 0 {
			return nil, true
		}
		return statusReply(lostStatus), false
	}
	return rep, false
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the connection without a reply.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // HTTP/2 or a wrapped writer: abort the stream
}
