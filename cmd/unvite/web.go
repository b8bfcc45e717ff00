package main

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/web"
)

// webFlags configure the dashboard.
type webFlags struct {
	Addr           string   `help:"Address the dashboard listens on (port 0 picks a free one)." default:"127.0.0.1:8080" env:"UNVITE_ADDR"`
	SecureCookies  bool     `help:"Mark cookies Secure even on plain HTTP (behind a TLS proxy)." name:"secure-cookies"`
	TrustedOrigins []string `help:"Origins that may post to the dashboard besides its own (a proxy's public URL)." name:"trusted-origin"`
}

type webServer = web.Server

// notifier posts to the webhook set in the dashboard, its URL sealed with
// the keyring that seals sessions.
func (a *app) notifier() *notify.Service {
	return &notify.Service{Store: a.store, Keys: a.keyring, Now: a.env.now}
}

// newWeb builds the dashboard on the store, acting through eng and
// connecting accounts to LinkedIn as ef says, with the engine's metrics on
// its registry; the first run creates the admin.
func (a *app) newWeb(ctx context.Context, f webFlags, ef engineFlags, eng *engine.Engine) (*web.Server, error) {
	pw, err := web.AdminPassword(a.getenv)
	if err != nil {
		return nil, err
	}
	if _, err := web.EnsureAdmin(ctx, a.store, pw, a.stdout); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := eng.Register(reg); err != nil {
		return nil, err
	}
	return web.New(web.Config{
		Store: a.store, Logger: a.log, Now: a.env.now, PolicyFile: a.policyPath(ef.policyFlags),
		SecureCookies: f.SecureCookies, TrustedOrigins: f.TrustedOrigins, Registry: reg, Engine: eng,
		Notify:   a.notifier(),
		Accounts: a.accounts(ef.linkedinFlags),
	})
}
