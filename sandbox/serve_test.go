package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestListenAndServeRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	sb := New(Options{})
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.168.1.10:8080", "example.com:80", "no-port"} {
		err := sb.ListenAndServe(t.Context(), addr)
		require.Error(t, err, addr)
		if addr != "no-port" {
			require.ErrorIs(t, err, ErrNotLoopback, addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:1", "[::1]:1", "localhost:1", "LOCALHOST:1"} {
		require.NoError(t, checkLoopback(addr), addr)
	}
}

// fakeAddrListener reports a public address, as a listener on 0.0.0.0 would.
type fakeAddrListener struct{ net.Listener }

func (f *fakeAddrListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4zero, Port: 1} }

func TestServeRefusesNonLoopbackListener(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	err = New(Options{}).Serve(t.Context(), &fakeAddrListener{ln})
	require.ErrorIs(t, err, ErrNotLoopback)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func TestListenAndServe(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	sb := New(Options{Seed: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	acct := sb.AddAccount(AccountConfig{SentInvitations: 20})
	addr := "127.0.0.1:" + freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sb.ListenAndServe(ctx, addr) }()

	base := "http://" + addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/_sandbox/state")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	}, 5*time.Second, 20*time.Millisecond)

	req, _ := http.NewRequest(http.MethodGet, base+pathMe, nil)
	req.Header.Set("Cookie", acct.CookieHeader())
	req.Header.Set("csrf-token", acct.CSRFToken())
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, logs.String(), acct.LiAt(), "the banner shows the session to use")
	require.Contains(t, logs.String(), acct.JSessionID())

	cancel()
	require.NoError(t, <-done)
	_, err = http.Get(base + "/_sandbox/state")
	require.Error(t, err, "stopped listening")
}

// readSignal is a listener whose connections close read once the server
// has read request bytes from them.
type readSignal struct {
	net.Listener
	read chan struct{}
	once sync.Once
}

func (l *readSignal) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &signalConn{Conn: c, l: l}, nil
}

type signalConn struct {
	net.Conn
	l *readSignal
}

func (c *signalConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.l.once.Do(func() { close(c.l.read) })
	}
	return n, err
}

// A request held up by a minute of latency does not hold up the shutdown:
// its context ends with the server's, and the client sees the end.
func TestShutdownWithRequestInFlight(t *testing.T) {
	t.Parallel()
	sb := New(Options{Seed: 1, Logger: slog.New(slog.DiscardHandler)})
	acct := sb.AddAccount(AccountConfig{SentInvitations: 20})
	acct.SetFaults(Faults{Latency: time.Minute})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sig := &readSignal{Listener: ln, read: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sb.Serve(ctx, sig) }()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+ln.Addr().String()+pathMe, nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", acct.CookieHeader())
	req.Header.Set("csrf-token", acct.CSRFToken())
	replied := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		replied <- err
	}()
	<-sig.read // the server has the request: it is in flight
	cancel()
	require.NoError(t, <-done, "graceful shutdown")
	<-replied // the slow request ended too, well before its minute
}

func adminCall(t *testing.T, srv *httptest.Server, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), "%s", b)
	}
	return res.StatusCode
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 30})
	key := b.acct.Key()

	var st State
	require.Equal(t, 200, adminCall(t, b.srv, "GET", "/_sandbox/state", "", &st))
	require.Equal(t, DefaultStart, st.Now)
	require.Len(t, st.Accounts, 1)
	require.Equal(t, b.acct.LiAt(), st.Accounts[0].LiAt)
	require.Equal(t, b.acct.CookieHeader(), st.Accounts[0].Cookie)
	require.Equal(t, len(b.sb.PendingSent(key)), st.Accounts[0].Pending)

	var now map[string]time.Time
	require.Equal(t, 200, adminCall(t, b.srv, "POST", "/_sandbox/clock", `{"advance":"36h"}`, &now))
	require.Equal(t, DefaultStart.Add(36*time.Hour), now["now"])
	require.Equal(t, 200, adminCall(t, b.srv, "POST", "/_sandbox/clock", `{"set":"2026-07-01T00:00:00Z"}`, &now))
	require.Equal(t, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), b.sb.Now())
	require.Equal(t, 400, adminCall(t, b.srv, "POST", "/_sandbox/clock", `{"advance":"soon"}`, nil))

	var f Faults
	require.Equal(t, 200, adminCall(t, b.srv, "POST", "/_sandbox/faults",
		`{"account":"`+key+`","softBlock":true,"latency":"5ms","challenge":"forbidden","dropConnections":2}`, &f))
	require.Equal(t, Faults{SoftBlock: true, Latency: 5 * time.Millisecond, Challenge: ChallengeForbidden, DropConnections: 2}, b.acct.Faults())
	require.Equal(t, b.acct.Faults(), f)
	require.Equal(t, 404, adminCall(t, b.srv, "POST", "/_sandbox/faults", `{"account":"nobody"}`, nil))
	require.Equal(t, 200, adminCall(t, b.srv, "POST", "/_sandbox/faults", `{"account":"`+key+`"}`, nil))
	require.Equal(t, Faults{}, b.acct.Faults())

	var removed []PathKind
	require.Equal(t, 200, adminCall(t, b.srv, "POST", "/_sandbox/removed", `{"account":"`+key+`","kinds":["sent-legacy"]}`, &removed))
	require.Equal(t, []PathKind{KindSentLegacy}, removed)
	require.Equal(t, 404, b.get(t, pathLegacy(0, 10)).status)
	require.Equal(t, 200, adminCall(t, b.srv, "POST", "/_sandbox/removed", `{"account":"`+key+`","kinds":["sent-legacy"],"removed":false}`, &removed))
	require.Empty(t, removed)
	require.Equal(t, 400, adminCall(t, b.srv, "POST", "/_sandbox/removed", `{"account":"`+key+`","kinds":["bogus"]}`, nil))

	var as AccountState
	require.Equal(t, 201, adminCall(t, b.srv, "POST", "/_sandbox/accounts",
		`{"key":"second","premium":true,"sent":40,"months":2,"sessionTrouble":"redirect","coolDown":"48h"}`, &as))
	require.Equal(t, "second", as.Key)
	require.True(t, as.Premium)
	require.Equal(t, TroubleRedirect, b.sb.Account("second").Config().SessionTrouble)
	require.Equal(t, 409, adminCall(t, b.srv, "POST", "/_sandbox/accounts", `{"key":"second"}`, nil))

	var pending []InvitationInfo
	require.Equal(t, 200, adminCall(t, b.srv, "GET", "/_sandbox/pending?account=second", "", &pending))
	require.Equal(t, b.sb.PendingSent("second"), pending)
	require.Equal(t, 404, adminCall(t, b.srv, "GET", "/_sandbox/pending?account=nobody", "", nil))
	var conns []ConnectionInfo
	require.Equal(t, 200, adminCall(t, b.srv, "GET", "/_sandbox/connections?account=second", "", &conns))
	require.Equal(t, b.sb.Connections("second"), conns)
	var reqs []RequestLog
	require.Equal(t, 200, adminCall(t, b.srv, "GET", "/_sandbox/requests", "", &reqs))
	require.Len(t, reqs, 1)
}

// A full listing of 8,000 invitations by pages of 100 returns each pending
// invitation once, in order. BenchmarkFullListing times it.
func TestFullListing(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 8000, Months: 12})
	want := pendingIDs(b)
	require.GreaterOrEqual(t, len(want), 5000)
	require.Equal(t, want, listAll(t, b, "legacy", 100))
}

// A full listing must stay cheap: the pending list is built once and pages
// are slices of it (about 60 pages here).
func BenchmarkFullListing(b *testing.B) {
	bd := setup(b, AccountConfig{SentInvitations: 8000, Months: 12})
	for b.Loop() {
		listAll(b, bd, "legacy", 100)
	}
}

func BenchmarkLegacyPage(b *testing.B) {
	sb := New(Options{Seed: 1})
	acct := sb.AddAccount(AccountConfig{SentInvitations: 5000})
	req := httptest.NewRequest(http.MethodGet, pathLegacy(2000, 100), nil)
	req.Header.Set("Cookie", acct.CookieHeader())
	req.Header.Set("csrf-token", acct.CSRFToken())
	req.Header.Set("accept", normalizedType)
	for b.Loop() {
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
