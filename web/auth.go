package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/password"
)

const (
	sessionCookie = "unvite_session"
	tokenPrefix   = "unv_"
	// AdminName is the user the first run creates.
	AdminName = "admin"
)

// AdminPassword reads the first admin's password from UNVITE_ADMIN_PASSWORD
// or the file UNVITE_ADMIN_PASSWORD_FILE names; "" when neither is set.
func AdminPassword(getenv func(string) string) (string, error) {
	if pw := getenv("UNVITE_ADMIN_PASSWORD"); pw != "" {
		return pw, nil
	}
	if f := getenv("UNVITE_ADMIN_PASSWORD_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", unvite.Errorf(unvite.EINVALID, "UNVITE_ADMIN_PASSWORD_FILE: %v", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", nil
}

// EnsureAdmin creates the admin user on the first run, when the store has
// no user: with pw, or with a generated password printed once to out.
// It reports whether it created one.
func EnsureAdmin(ctx context.Context, s unvite.Store, pw string, out io.Writer) (bool, error) {
	n, err := s.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	generated := pw == ""
	if generated {
		pw = password.Generate()
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return false, unvite.Errorf(unvite.EINVALID, "admin password: %v", err)
	}
	if err := s.CreateUser(ctx, &unvite.User{Name: AdminName, PasswordHash: hash}); err != nil {
		if unvite.ErrorCode(err) == unvite.ECONFLICT {
			return false, nil // another process created it first
		}
		return false, err
	}
	if generated {
		fmt.Fprintf(out, "Created the dashboard user %q with the password\n\n    %s\n\nIt is shown only this once.\n", AdminName, pw)
	} else {
		fmt.Fprintf(out, "Created the dashboard user %q with the password you set.\n", AdminName)
	}
	return true, nil
}

// decoyHash is a hash of a random password with the parameters of real
// ones, made once when first needed.
var decoyHash = sync.OnceValue(func() string {
	h, _ := password.Hash(password.Generate())
	return h
})

// newSecret returns a random token for a cookie or API token and the hash
// the store keeps.
func newSecret(prefix string) (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token)
}

func hashSecret(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

type ctxKey int

const userKey ctxKey = 0

func userOf(ctx context.Context) *unvite.User {
	u, _ := ctx.Value(userKey).(*unvite.User)
	return u
}

// userFrom finds the signed-in user of a request's session cookie.
func (s *Server) userFrom(r *http.Request) (*unvite.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, unvite.Errorf(unvite.EUNAUTHORIZED, "sign in first")
	}
	ws, err := s.store.WebSession(r.Context(), hashSecret(c.Value), s.now())
	if err != nil {
		if unvite.ErrorCode(err) == unvite.ENOTFOUND {
			return nil, unvite.Errorf(unvite.EUNAUTHORIZED, "your session ended: sign in again")
		}
		return nil, err
	}
	return s.store.User(r.Context(), ws.UserID)
}

// requireUser lets signed-in users through and sends others to the login
// page, to come back afterwards.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.userFrom(r)
		if err != nil {
			if unvite.ErrorCode(err) != unvite.EUNAUTHORIZED {
				s.fail(w, r, err)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
	})
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.userFrom(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", &page{Title: "Sign in", Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	name, pw := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	again := func(code int, msg string) {
		s.render(w, r, code, "login", &page{Title: "Sign in", Next: next, Error: msg, Username: name})
	}
	if !s.limiter.allow(clientIP(r), s.now()) {
		s.metrics.logins.WithLabelValues("limited").Inc()
		w.Header().Set("Retry-After", "60")
		again(http.StatusTooManyRequests, "Too many sign-in attempts from your address: wait a minute and try again.")
		return
	}
	u, err := s.store.UserByName(r.Context(), name)
	ok := false
	switch {
	case err == nil:
		if ok, err = password.Verify(u.PasswordHash, pw); err != nil {
			s.log.Error("web: stored password hash unreadable", "user", u.Name, "err", err)
		}
	case unvite.ErrorCode(err) == unvite.ENOTFOUND:
		// Check against a stand-in hash, so that an unknown name takes
		// as long to refuse as a wrong password and names cannot be probed.
		password.Verify(decoyHash(), pw)
	default:
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.metrics.logins.WithLabelValues("failed").Inc()
		again(http.StatusUnauthorized, "That user name and password do not match.")
		return
	}
	token, hash := newSecret("")
	if err := s.store.CreateWebSession(r.Context(), &unvite.WebSession{Hash: hash, UserID: u.ID, ExpiresAt: s.now().Add(s.cfg.SessionTTL)}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.metrics.logins.WithLabelValues("ok").Inc()
	http.SetCookie(w, s.cookie(r, token, int(s.cfg.SessionTTL.Seconds())))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.store.DeleteWebSession(r.Context(), hashSecret(c.Value)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, s.cookie(r, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// cookie is the session cookie: HTTP-only, SameSite=Lax (a link from
// elsewhere still finds the user signed in; CrossOriginProtection guards
// the posts), Secure over TLS or when configured.
func (s *Server) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies,
	}
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginLimiter allows each client address a burst of 5 sign-in attempts,
// then one every 12 seconds. Addresses unseen for an hour are forgotten.
type loginLimiter struct {
	mu      sync.Mutex
	clients map[string]*limited
}

type limited struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLoginLimiter() *loginLimiter { return &loginLimiter{clients: map[string]*limited{}} }

func (l *loginLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.clients) > 10_000 {
		for k, c := range l.clients {
			if now.Sub(c.seen) > time.Hour {
				delete(l.clients, k)
			}
		}
	}
	c := l.clients[ip]
	if c == nil {
		c = &limited{lim: rate.NewLimiter(rate.Every(12*time.Second), 5)}
		l.clients[ip] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

// tokenFrom finds the API token of a request's bearer header.
func (s *Server) tokenFrom(r *http.Request) (*unvite.APIToken, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || !strings.HasPrefix(token, tokenPrefix) {
		return nil, unvite.Errorf(unvite.EUNAUTHORIZED, "send a personal API token as Authorization: Bearer %s…", tokenPrefix)
	}
	t, err := s.store.APIToken(r.Context(), hashSecret(strings.TrimSpace(token)))
	if unvite.ErrorCode(err) == unvite.ENOTFOUND {
		return nil, unvite.Errorf(unvite.EUNAUTHORIZED, "unknown or revoked API token")
	}
	return t, err
}
