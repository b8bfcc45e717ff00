package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/unvite/unvite"
)

// csp allows only the site's own scripts and styles: no inline script or
// style, no eval, no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		// No form or API body here needs more than a megabyte.
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a handler's panic into a logged 500 instead of a dropped
// connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web: panic", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// serverTiming says in each answer how long the server took to make it
// (the standard Server-Timing header, which browsers' developer tools
// show): the time from the request, read, to its headers going out, which
// for a page drawn into a buffer first is all of its work.
func serverTiming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&timedWriter{ResponseWriter: w, start: time.Now()}, r)
	})
}

type timedWriter struct {
	http.ResponseWriter
	start time.Time
	sent  bool
}

func (t *timedWriter) WriteHeader(code int) {
	if !t.sent {
		t.sent = true
		t.Header().Set("Server-Timing", fmt.Sprintf("app;dur=%.2f", float64(time.Since(t.start).Microseconds())/1000))
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *timedWriter) Write(b []byte) (int, error) {
	if !t.sent {
		t.WriteHeader(http.StatusOK)
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (t *timedWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}

// metricsAllowed lets /metrics be read from the configured networks, or
// by a signed-in user or API token from anywhere.
func (s *Server) metricsAllowed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			for _, p := range s.cfg.MetricsNetworks {
				if p.Contains(ap.Addr().Unmap()) {
					next.ServeHTTP(w, r)
					return
				}
			}
		}
		if _, err := s.tokenFrom(r); err == nil {
			next.ServeHTTP(w, r)
			return
		}
		if _, err := s.userFrom(r); err == nil {
			next.ServeHTTP(w, r)
			return
		}
		http.Error(w, "metrics are served to the configured networks, users and API tokens only", http.StatusForbidden)
	})
}

// status maps an error's code to an HTTP status, as wtf does.
func status(err error) int {
	switch unvite.ErrorCode(err) {
	case unvite.EINVALID:
		return http.StatusBadRequest
	case unvite.ENOTFOUND:
		return http.StatusNotFound
	case unvite.ECONFLICT:
		return http.StatusConflict
	case unvite.EFORBIDDEN:
		return http.StatusForbidden
	case unvite.EUNAUTHORIZED:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// message is what a user may see of err: its text for application errors,
// a generic line for internal ones (whose details go to the log only).
func message(err error) string {
	if unvite.ErrorCode(err) == unvite.EINTERNAL {
		return "Something went wrong on the server; the details are in its log."
	}
	return err.Error()
}
