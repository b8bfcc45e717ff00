package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/password"
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
	pw := a.adminPassword
	if pw == "" {
		var err error
		if pw, err = web.AdminPassword(a.getenv); err != nil {
			return nil, err
		}
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

// promptAdminPassword asks for the first admin's password when serve starts
// the dashboard on a store with no user yet, at a terminal, and neither
// UNVITE_ADMIN_PASSWORD nor UNVITE_ADMIN_PASSWORD_FILE gives one.
func (a *app) promptAdminPassword(ctx context.Context) error {
	if a.getenv("UNVITE_ADMIN_PASSWORD") != "" || a.getenv("UNVITE_ADMIN_PASSWORD_FILE") != "" {
		return nil
	}
	in, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil // a generated one, printed once
	}
	n, err := a.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	a.adminPassword, err = askAdminPassword(func() ([]byte, error) { return term.ReadPassword(int(in.Fd())) }, a.stderr)
	return err
}

// askAdminPassword asks for a password twice through read (which does not
// echo); an empty answer leaves it to a generated one.
func askAdminPassword(read func() ([]byte, error), out io.Writer) (string, error) {
	fmt.Fprintf(out, "Choose the password of the dashboard user %q (at least %d characters; empty: generate one): ", web.AdminName, password.MinLength)
	first, err := read()
	fmt.Fprintln(out)
	if err != nil {
		return "", fmt.Errorf("read the admin password: %w", err)
	}
	pw := strings.TrimRight(string(first), "\r\n")
	if pw == "" {
		return "", nil
	}
	if len(pw) < password.MinLength { // as password.Hash counts
		return "", unvite.Errorf(unvite.EINVALID, "the admin password needs at least %d characters", password.MinLength)
	}
	fmt.Fprint(out, "Again: ")
	again, err := read()
	fmt.Fprintln(out)
	if err != nil {
		return "", fmt.Errorf("read the admin password: %w", err)
	}
	if strings.TrimRight(string(again), "\r\n") != pw {
		return "", unvite.Errorf(unvite.EINVALID, "the two admin passwords differ: nothing was created")
	}
	return pw, nil
}
