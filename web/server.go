// Package web is unvite's dashboard and JSON API: net/http ServeMux routes,
// html/template pages and static files embedded in the binary, htmx for
// partial updates. Handlers read and change the store through the same
// packages the CLI uses (policy for plans, stats for figures); they hold no
// business rules of their own.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/notify"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what a Server needs. Store is required; the rest has defaults.
type Config struct {
	Store  unvite.Store
	Logger *slog.Logger     // default: discard
	Now    func() time.Time // default: time.Now
	// PolicyFile is the policy file (see package policy), read on each
	// request that needs it so that edits apply without a restart; "" or a
	// missing file means the defaults.
	PolicyFile string
	// SecureCookies marks cookies Secure even on plain HTTP, for a server
	// behind a TLS-terminating proxy. Requests over TLS always get Secure.
	SecureCookies bool
	// TrustedOrigins may post cross-origin (a proxy's public origin, say
	// "https://unvite.example.com"); same-origin requests always may.
	TrustedOrigins []string
	// Registry receives the server's metrics and is served on /metrics;
	// the worker registers its own on the same one. Default: a new registry
	// with the Go and process collectors.
	Registry *prometheus.Registry
	// MetricsNetworks may read /metrics without a login (default: loopback).
	MetricsNetworks []netip.Prefix
	// SessionTTL is how long a login lasts (default 14 days).
	SessionTTL time.Duration
	// Engine queues withdrawals and re-invites and lists jobs, as the CLI
	// does; it need not run jobs itself (`serve --no-worker`). Nil leaves
	// those actions refused with a hint.
	Engine *engine.Engine
	// Notify keeps the webhook's settings and sends its test message. Nil
	// leaves Settings → Webhook saying the server runs without it.
	Notify *notify.Service
	// Accounts connects accounts to LinkedIn (Settings → Accounts), as
	// `unvite account add` does. Nil leaves connecting refused with a hint;
	// pausing, resuming and the policy work without it.
	Accounts *accounts.Service
}

// Server is the dashboard and API.
type Server struct {
	cfg     Config
	store   unvite.Store
	log     *slog.Logger
	views   *views
	limiter *loginLimiter
	metrics *metrics
	handler http.Handler

	srv *http.Server
	ln  net.Listener
}

// New checks cfg and builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: a store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if cfg.MetricsNetworks == nil {
		cfg.MetricsNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 14 * 24 * time.Hour
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, views: v, limiter: newLoginLimiter()}
	if s.metrics, err = newMetrics(cfg.Registry, cfg.Store); err != nil {
		return nil, err
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web: trusted origin: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, unvite.Errorf(unvite.EFORBIDDEN, "cross-origin request refused"))
	}))
	s.handler = serverTiming(s.recoverer(securityHeaders(cop.Handler(s.routes()))))
	return s, nil
}

// Handler is the whole site, for mounting or testing.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry is where the server's metrics live; the worker adds its own.
func (s *Server) Registry() *prometheus.Registry { return s.cfg.Registry }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metricsAllowed(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{Registry: s.cfg.Registry})))

	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)

	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.requireUser(h)) }
	page("GET /{$}", s.overview)
	page("GET /invitations", s.invitations)
	page("POST /invitations/actions", s.invitationActions)
	page("GET /plan", s.plan)
	page("GET /activity", s.activity)
	page("GET /review", s.reviewPage)
	page("GET /insights", s.insights)
	page("GET /reconnect", s.reconnect)
	page("POST /reconnect/{id}/reinvite", s.reinvite)
	page("GET /settings/webhook", s.webhookPage)
	page("POST /settings/webhook", s.saveWebhook)
	page("POST /settings/webhook/test", s.testWebhook)
	page("GET /accounts", s.accountsPage)
	page("POST /accounts", s.connect)
	page("POST /accounts/{id}/session", s.reconnectAccount)
	page("POST /accounts/{id}/pause", s.pause)
	page("POST /accounts/{id}/resume", s.resume)
	page("GET /accounts/{id}/policy", s.policyPage)
	page("POST /accounts/{id}/policy", s.policyPost)
	page("GET /settings/tokens", s.tokens)
	page("POST /settings/tokens", s.createToken)
	page("POST /settings/tokens/{id}/delete", s.deleteToken)

	api := func(pattern string, write bool, h apiHandler) { mux.Handle(pattern, s.requireToken(write, h)) }
	api("GET /api/v1/accounts", false, s.apiAccounts)
	api("GET /api/v1/accounts/{id}/invitations", false, s.apiInvitations)
	api("GET /api/v1/accounts/{id}/plan", false, s.apiPlan)
	api("GET /api/v1/accounts/{id}/activity", false, s.apiActivity)
	api("GET /api/v1/accounts/{id}/stats", false, s.apiStats)
	api("GET /api/v1/accounts/{id}/report", false, s.apiReport)
	api("GET /api/v1/accounts/{id}/reconnect", false, s.apiReconnect)
	api("GET /api/v1/accounts/{id}/review", false, s.apiReview)
	api("GET /api/v1/invitations/{id}", false, s.apiInvitation)
	api("POST /api/v1/invitations/tag", true, s.apiTag)
	api("POST /api/v1/invitations/protect", true, s.apiProtect)
	api("POST /api/v1/accounts/{id}/withdrawals", true, s.apiWithdrawals)
	api("GET /api/v1/accounts/{id}/jobs", false, s.apiJobs)
	api("POST /api/v1/accounts/{id}/pause", true, s.apiPause)
	api("POST /api/v1/accounts/{id}/resume", true, s.apiResume)
	api("GET /api/v1/accounts/{id}/policy", false, s.apiPolicy)
	api("PUT /api/v1/accounts/{id}/policy", true, s.apiSetPolicy)
	api("POST /api/v1/invitations/{id}/reinvite", true, s.apiReinvite)
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, s.log, r, unvite.Errorf(unvite.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	}))
	return mux
}

// readyz answers 200 once the store answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.store.CountUsers(ctx); err != nil {
		s.log.Warn("readyz: store not ready", "err", err)
		http.Error(w, "store not ready", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// policyFor is the checked policy in force for acct: the policy file's,
// then the account's own values.
func (s *Server) policyFor(acct *unvite.Account) (unvite.Policy, error) {
	f, err := s.policyFile()
	if err != nil {
		return unvite.Policy{}, err
	}
	return f.ForAccount(acct)
}

func (s *Server) now() time.Time { return s.cfg.Now().UTC() }

// Listen opens addr ("127.0.0.1:0" picks a free port) for Serve.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	s.ln = ln
	return nil
}

// URL is the address Listen opened, as http://host:port.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Serve answers on the listener until ctx ends, then stops taking
// connections and lets requests in flight finish (up to 10 seconds).
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return errors.New("web: Serve before Listen")
	}
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shut); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: serve: %w", err)
	}
	return nil
}

// ListenAndServe is Listen then Serve, calling ready with the URL once
// connections are accepted: the entry point of `unvite serve`.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(url string)) error {
	if err := s.Listen(addr); err != nil {
		return err
	}
	if ready != nil {
		ready(s.URL())
	}
	return s.Serve(ctx)
}
