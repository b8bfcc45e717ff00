package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// ErrNotLoopback is returned for addresses other than 127.0.0.1, ::1 or
// localhost: the sandbox hands out working session cookies to anyone who
// asks, so it never listens beyond the machine.
var ErrNotLoopback = errors.New("sandbox: only listens on 127.0.0.1, ::1 or localhost")

// checkLoopback accepts host:port whose host is 127.0.0.1, ::1 or localhost.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: address %q: %w", addr, err)
	}
	switch strings.ToLower(host) {
	case "127.0.0.1", "::1", "localhost":
		return nil
	}
	return fmt.Errorf("%w: %q", ErrNotLoopback, addr)
}

// ListenAndServe serves the sandbox on addr (loopback only) until ctx ends,
// then shuts down gracefully.
func (s *Sandbox) ListenAndServe(ctx context.Context, addr string) error {
	if err := checkLoopback(addr); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on a loopback listener until ctx ends. It logs the base URL
// and each account's session cookies (fake sandbox sessions) first.
func (s *Sandbox) Serve(ctx context.Context, ln net.Listener) error {
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return fmt.Errorf("%w: %s", ErrNotLoopback, ln.Addr())
	}
	log := s.opts.Logger
	if log == nil {
		log = slog.Default()
	}
	base := "http://" + ln.Addr().String()
	log.Info("sandbox listening", "base_url", base+apiPrefix+"/", "admin", base+"/_sandbox/state", "now", s.Now())
	for _, a := range s.Accounts() {
		log.Info("sandbox account", "key", a.Key(), "li_at", a.LiAt(), "JSESSIONID", a.JSessionID(),
			"cookie", a.CookieHeader(), "csrf_token", a.CSRFToken())
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// Request contexts end with ctx, so injected latency does not hold
		// up the shutdown.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sandbox: serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("sandbox: shutdown: %w", err)
	}
	<-errc
	return nil
}
