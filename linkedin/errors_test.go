package linkedin

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	soft := golden(t, "error.999.html")
	csrf := golden(t, "error.csrf.txt")
	limited := golden(t, "error.rate-limited.json")
	cases := []struct {
		name       string
		h          http.HandlerFunc
		want       error
		retryable  bool
		retryAfter time.Duration
	}{
		{"401", respond(401, nil), ErrSessionExpired, false, 0},
		{"302 login", respond(302, nil, "Location", "/login?session_redirect=%2Fvoyager"), ErrSessionExpired, false, 0},
		{"302 authwall", respond(302, nil, "Location", "https://www.linkedin.com/authwall?trk=x"), ErrSessionExpired, false, 0},
		{"302 uas login", respond(302, nil, "Location", "https://www.linkedin.com/uas/login"), ErrSessionExpired, false, 0},
		{"303 login", respond(303, nil, "Location", "/login"), ErrSessionExpired, false, 0},
		{"302 li_at deleted", respond(302, nil, "Location", "https://www.linkedin.com/feed/",
			"Set-Cookie", `li_at=delete me; Domain=.www.linkedin.com; Path=/; Max-Age=0`), ErrSessionExpired, false, 0},
		{"302 li_at deleted quoted", respond(302, nil, "Location", "/x",
			"Set-Cookie", `lang=v=2; Path=/`, "Set-Cookie", `li_at="delete me"; Max-Age=0`), ErrSessionExpired, false, 0},
		{"302 checkpoint", respond(302, nil, "Location", "https://www.linkedin.com/checkpoint/challenge/AgH3x",
			"Set-Cookie", `li_at=delete me; Max-Age=0`), ErrChallenge, false, 0},
		{"302 challenge", respond(302, nil, "Location", "/challenge/verify"), ErrChallenge, false, 0},
		{"302 elsewhere", respond(302, nil, "Location", "https://www.linkedin.com/feed/"), ErrUnexpected, false, 0},
		{"200 html", respond(200, []byte("<!DOCTYPE html><html><body>Sign in</body></html>"), "Content-Type", "text/html; charset=utf-8"), ErrSessionExpired, false, 0},
		{"200 html untyped", respond(200, []byte("\n  <html>login</html>"), "Content-Type", "application/json"), ErrSessionExpired, false, 0},
		{"403 challenge", respond(403, []byte(`{"status":403,"code":"CHALLENGE"}`)), ErrChallenge, false, 0},
		{"403 csrf", respond(403, csrf, "Content-Type", "text/plain"), ErrCSRF, false, 0},
		{"403 other", respond(403, []byte(`{"status":403}`)), ErrUnexpected, false, 0},
		{"999", respond(999, soft, "Content-Type", "text/html"), ErrSoftBlock, false, 0},
		{"429 seconds", respond(429, limited, "Retry-After", "30"), ErrRateLimited, false, 30 * time.Second},
		{"429 date", respond(429, limited, "Retry-After", fixedNow.Add(90*time.Second).Format(http.TimeFormat)), ErrRateLimited, false, 90 * time.Second},
		{"429 past date", respond(429, limited, "Retry-After", fixedNow.Add(-time.Hour).Format(http.TimeFormat)), ErrRateLimited, false, 0},
		{"429 bare", respond(429, limited), ErrRateLimited, false, 0},
		{"500", respond(500, []byte(`{"status":500}`)), ErrUnexpected, true, 0},
		{"502 html", respond(502, []byte(`<html>bad gateway</html>`), "Content-Type", "text/html"), ErrUnexpected, true, 0},
		{"503", respond(503, nil, "Retry-After", "5"), ErrUnexpected, true, 5 * time.Second},
		{"418", respond(418, nil), ErrUnexpected, false, 0},
		{"204 empty", respond(204, nil), ErrUnexpected, false, 0},
		{"200 garbage", respond(200, []byte(`{"data":`), "Content-Type", "application/json"), ErrUnexpected, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.on("GET /voyager/api/me", tc.h)
			f.on("GET /login", respond(200, golden(t, "me.plain.json")))
			f.on("GET /feed/", respond(200, golden(t, "me.plain.json")))
			_, err := newTestClient(t, f).Me(context.Background())
			require.ErrorIs(t, err, tc.want)
			for _, other := range []error{ErrSessionExpired, ErrChallenge, ErrRateLimited, ErrSoftBlock, ErrCSRF, ErrUnexpected} {
				if other != tc.want {
					require.NotErrorIs(t, err, other)
				}
			}
			require.Equal(t, tc.retryable, Retryable(err))
			require.Equal(t, tc.retryAfter, RetryAfter(err))
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, "who am I", e.Op)
			require.Equal(t, "/voyager/api/me", e.Path)
			require.Contains(t, err.Error(), "/voyager/api/me")
			require.Len(t, f.requests(), 1, "redirects are never followed")
		})
	}
}

func TestErrorSnippet(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	body := "{\"status\":500,\n\t\"message\":\"Internal   error\"}" + strings.Repeat(" x", 300)
	f.on("GET /voyager/api/me", respond(500, []byte(body)))
	_, err := newTestClient(t, f).Me(context.Background())
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, 500, e.Status)
	require.Contains(t, e.Snippet, `"message":"Internal error"`)
	require.Contains(t, err.Error(), "HTTP 500")
	require.LessOrEqual(t, len([]rune(e.Snippet)), snippetLen+1)
}

// A user-supplied client keeps its own settings; ours never follows a
// redirect nor uses a cookie jar.
func TestOwnHTTPClientCopy(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("GET /voyager/api/me", respond(302, nil, "Location", "/login"))
	f.on("GET /login", respond(200, golden(t, "me.plain.json")))
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	user := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	c := newTestClient(t, f, func(cfg *Config) { cfg.HTTPClient = user })
	_, err = c.Me(context.Background())
	require.ErrorIs(t, err, ErrSessionExpired)
	require.Nil(t, user.CheckRedirect)
	require.Same(t, jar, user.Jar)
	require.Equal(t, 0, f.count("GET /login"))
}

// A connection the server drops is transient.
func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("GET /voyager/api/me", func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	_, err := newTestClient(t, f).Me(context.Background())
	require.ErrorIs(t, err, ErrUnexpected)
	require.True(t, Retryable(err))
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, 0, e.Status)
	require.Error(t, e.Err)

	// Cut in the middle of the body: also transient.
	f.on("GET /voyager/api/me", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"data":`))
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	_, err = newTestClient(t, f).Me(context.Background())
	require.ErrorIs(t, err, ErrUnexpected)
	require.True(t, Retryable(err))
}

func TestCancelledContextIsNotAnError(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("GET /voyager/api/me", respond(200, golden(t, "me.plain.json")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newTestClient(t, f).Me(ctx)
	require.ErrorIs(t, err, context.Canceled)
	var e *Error
	require.False(t, errors.As(err, &e))
	require.False(t, Retryable(err))
	require.Empty(t, f.requests())
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := fixedNow
	cases := map[string]time.Duration{
		"":     0,
		"0":    0,
		"-5":   0,
		"120":  2 * time.Minute,
		" 7 ":  7 * time.Second,
		"soon": 0,
		"1.5":  0,
		now.Add(time.Hour).Format(http.TimeFormat):                         time.Hour,
		now.Add(time.Hour).Format(time.RFC850):                             time.Hour,
		now.Add(-time.Minute).Format(http.TimeFormat):                      0,
		"99999999999999999999999999999":                                    0,
		now.Add(30 * time.Second).UTC().Format("Mon Jan _2 15:04:05 2006"): 30 * time.Second,
	}
	for in, want := range cases {
		require.Equal(t, want, parseRetryAfter(in, now), "%q", in)
	}
}
