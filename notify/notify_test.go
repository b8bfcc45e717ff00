package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/secret"
	"github.com/unvite/unvite/sqlite"
)

var ctx = context.Background()

func service(t *testing.T) *notify.Service {
	t.Helper()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	keys, err := secret.NewKeyring(strings.Repeat("cd", 32))
	require.NoError(t, err)
	return &notify.Service{Store: db, Keys: func(context.Context, bool) (*secret.Keyring, error) { return keys, nil }, Timeout: 300 * time.Millisecond}
}

func TestCheckURL(t *testing.T) {
	hint, err := notify.CheckURL("https://hooks.slack.com/services/T0/B0/tok")
	require.NoError(t, err)
	require.Equal(t, "https://hooks.slack.com/…", hint)
	for raw, want := range map[string]string{
		"ftp://x/tok":               "want an http:// or https:// address",
		"https:///tok":              "no host",
		"https://u:pw@example.com/": "no user or password",
		"://tok":                    "not a URL",
	} {
		_, err := notify.CheckURL(raw)
		require.ErrorContains(t, err, want, raw)
		require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
		require.NotContains(t, err.Error(), "tok", "the URL is not repeated")
	}
}

// A post to a real receiver on loopback: the body in each format; a slow
// receiver is cut off at the timeout; a refused connection names the host,
// never the token; a disabled webhook sends nothing.
func TestSend(t *testing.T) {
	s := service(t)
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/slow") {
			time.Sleep(2 * time.Second)
		}
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Header.Get("Content-Type")+" "+string(b))
	}))
	t.Cleanup(srv.Close)
	m := notify.Message{ID: "m1", Kind: notify.KindAttention, At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Text: "Maya <needs> you & more"}

	_, err := s.Save(ctx, notify.Settings{URL: srv.URL + "/hook/tok123", Format: "json"}, "test")
	require.NoError(t, err)
	require.ErrorIs(t, s.Send(ctx, m), notify.ErrDisabled)
	require.Empty(t, got)

	_, err = s.Save(ctx, notify.Settings{Format: "json", Enabled: true}, "test")
	require.NoError(t, err)
	require.NoError(t, s.Send(ctx, m))
	require.Len(t, got, 1)
	ct, body, _ := strings.Cut(got[0], " ")
	require.Equal(t, "application/json", ct)
	var back notify.Message
	require.NoError(t, json.Unmarshal([]byte(body), &back))
	require.Equal(t, m.ID, back.ID)
	require.Equal(t, m.Text, back.Text)

	_, err = s.Save(ctx, notify.Settings{Format: "slack", Enabled: true}, "test")
	require.NoError(t, err)
	require.NoError(t, s.Send(ctx, m))
	require.JSONEq(t, `{"text": "Maya &lt;needs&gt; you &amp; more"}`, strings.SplitN(got[1], " ", 2)[1])

	_, err = s.Save(ctx, notify.Settings{URL: srv.URL + "/hook/tok123/slow", Format: "json", Enabled: true}, "test")
	require.NoError(t, err)
	start := time.Now()
	err = s.Send(ctx, m)
	require.Less(t, time.Since(start), 1500*time.Millisecond, "cut off at the timeout")
	var de *notify.DeliveryError
	require.ErrorAs(t, err, &de)
	require.NotContains(t, err.Error(), "tok123")
	require.Contains(t, err.Error(), srv.URL+"/…")

	addr := srv.URL
	srv.Close()
	_, err = s.Save(ctx, notify.Settings{URL: addr + "/hook/tok123?key=tok123", Format: "json", Enabled: true}, "test")
	require.NoError(t, err)
	err = s.Send(ctx, m)
	require.ErrorAs(t, err, &de)
	require.NotContains(t, err.Error(), "tok123")
	require.Contains(t, err.Error(), "post failed")
}
