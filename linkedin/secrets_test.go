package linkedin

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
)

// requireNoSecret fails when s holds any part of the test session.
func requireNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testLiAt, testJSID, strings.TrimPrefix(testJSID, "ajax:"), "AQEDAS3cr3t"} {
		require.NotContains(t, s, secret)
	}
}

// echoCookies answers with the request's own cookie and csrf headers in the
// body, as a misbehaving proxy might.
func echoCookies(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"cookie":%q,"csrf":%q}`, r.Header.Get("Cookie"), r.Header.Get("Csrf-Token"))
	}
}

func TestSecretsNeverShow(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	for _, h := range []slog.Handler{
		slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
	} {
		log := slog.New(h)
		f := newFake(t)
		f.on("GET /voyager/api/me", echoCookies(500))
		f.on("GET /voyager/api/relationships/invitationsSummaryV2", echoCookies(200))
		f.on("POST /voyager/api/relationships/invitations", echoCookies(400))
		f.on("GET /voyager/api/relationships/sentInvitationViewsV2", respond(401, nil))
		f.on("POST /voyager/api/voyagerRelationshipsDashMemberRelationships", respond(429, golden(t, "error.rate-limited.json"), "Retry-After", "9"))
		f.on("GET /voyager/api/relationships/dash/connections", respond(999, golden(t, "error.999.html")))
		f.on("GET /voyager/api/relationships/invitationViews", echoCookies(302))

		cfg := Config{BaseURL: f.URL, Session: Session{LiAt: `"` + testLiAt + `"`, JSESSIONID: testQuote}, Logger: log}
		c, err := New(cfg)
		require.NoError(t, err)
		ctx := context.Background()

		var errs []error
		_, err = c.Me(ctx)
		errs = append(errs, err)
		_, err = c.PendingCount(ctx)
		errs = append(errs, err)
		errs = append(errs, c.Withdraw(ctx, "123"))
		_, err = c.SentInvitations(ctx, func([]unvite.SyncedInvitation) error { return nil })
		errs = append(errs, err)
		_, err = c.SendInvitation(ctx, "ACoAAD2p7Qr", "hello", unvite.PlanFree)
		errs = append(errs, err)
		_, err = c.SendInvitation(ctx, "ACoAAD2p7Qr", strings.Repeat("x", 201), unvite.PlanFree)
		errs = append(errs, err)
		_, err = c.RecentConnections(ctx, 0)
		errs = append(errs, err)
		_, err = c.ReceivedInvitations(ctx)
		errs = append(errs, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = c.Me(cancelled)
		errs = append(errs, err)

		for i, err := range errs {
			require.Error(t, err, "call %d", i)
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				requireNoSecret(t, fmt.Sprintf(verb, err))
			}
		}
		// The echoed cookie really was in a reply: the scrub did the work.
		require.Contains(t, errs[0].Error(), "li_at=<redacted>")

		// reflect.ValueOf(c).Elem() prints a Client's raw fields, as a
		// copied Client value would.
		for _, v := range []any{cfg, &cfg, cfg.Session, &cfg.Session, c, reflect.ValueOf(c).Elem()} {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
				requireNoSecret(t, fmt.Sprintf(verb, v))
			}
		}
		for _, s := range []string{cfg.String(), cfg.GoString(), cfg.Session.String(), cfg.Session.GoString(), c.String(), c.GoString()} {
			requireNoSecret(t, s)
		}
		log.Info("config", "cfg", cfg, "session", cfg.Session, "client", c)
		log.Info("pointers", "cfg", &cfg, "session", &cfg.Session)
	}
	require.Contains(t, logs.String(), "linkedin request")
	require.Contains(t, logs.String(), "<redacted>")
	requireNoSecret(t, logs.String())
}

func TestSessionChecks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		s    Session
		ok   bool
	}{
		{"quoted", Session{LiAt: testLiAt, JSESSIONID: testQuote}, true},
		{"unquoted", Session{LiAt: testLiAt, JSESSIONID: testJSID}, true},
		{"both quoted", Session{LiAt: `"` + testLiAt + `"`, JSESSIONID: testQuote}, true},
		{"empty li_at", Session{JSESSIONID: testJSID}, false},
		{"empty jsessionid", Session{LiAt: testLiAt, JSESSIONID: `""`}, false},
		{"semicolon", Session{LiAt: testLiAt + ";x=1", JSESSIONID: testJSID}, false},
		{"newline", Session{LiAt: testLiAt, JSESSIONID: testJSID + "\r\nX-Evil: 1"}, false},
		{"inner quote", Session{LiAt: testLiAt, JSESSIONID: `"ajax:1"2"` + testJSID}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cr, err := tc.s.credentials()
			if !tc.ok {
				require.Error(t, err)
				require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
				requireNoSecret(t, err.Error())
				return
			}
			require.NoError(t, err)
			require.Equal(t, `li_at=`+testLiAt+`; JSESSIONID="`+testJSID+`"`, cr.cookie)
			require.Equal(t, testJSID, cr.csrf)
		})
	}
}
