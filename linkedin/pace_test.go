package linkedin

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Measured on the server: the next request starts at least MinGap after
// the previous one ended (the client's end is later than the server's, its
// next start earlier, so the server sees a gap no larger than the client's).
func TestPacingSpacesRequests(t *testing.T) {
	t.Parallel()
	const gap = 30 * time.Millisecond
	f := newFake(t)
	f.on("GET /voyager/api/me", respond(200, golden(t, "me.plain.json")))
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.MinGap, cfg.Jitter = gap, 10*time.Millisecond
		cfg.Now = nil // the real clock
	})
	for range 4 {
		_, err := c.Me(context.Background())
		require.NoError(t, err)
	}
	reqs := f.requests()
	require.Len(t, reqs, 4)
	for i := 1; i < len(reqs); i++ {
		require.GreaterOrEqual(t, reqs[i].Start.Sub(reqs[i-1].End), gap, "request %d", i)
	}
}

// Six callers at once: the server holds each request until the test lets
// it go, and never sees a second one while one is held.
func TestOneRequestInFlight(t *testing.T) {
	t.Parallel()
	me := golden(t, "me.plain.json")
	var inFlight, peak atomic.Int32
	entered := make(chan struct{})
	release := make(chan struct{})
	stop := make(chan struct{}) // a failed test lets every handler go
	f := newFake(t)
	t.Cleanup(func() { close(stop) }) // before the server's Close, which waits for handlers
	f.on("GET /voyager/api/me", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		select {
		case entered <- struct{}{}:
			select {
			case <-release:
			case <-stop:
			}
		case <-stop:
		}
		inFlight.Add(-1)
		respond(200, me)(w, r)
	})
	c := newTestClient(t, f)
	const callers = 6
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := c.Me(context.Background())
			errs <- err
		}()
	}
	for range callers {
		<-entered
		require.Equal(t, int32(1), inFlight.Load())
		release <- struct{}{}
	}
	for range callers {
		require.NoError(t, <-errs)
	}
	require.Equal(t, int32(1), peak.Load())
	require.Equal(t, int64(callers), c.Requests())
}

func TestPacingWaitHonoursContext(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("GET /voyager/api/me", respond(200, golden(t, "me.plain.json")))
	c := newTestClient(t, f, func(cfg *Config) { cfg.MinGap, cfg.Now = time.Hour, nil })
	_, err := c.Me(context.Background())
	require.NoError(t, err)

	// The wait is an hour: only the context can end it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = c.Me(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Len(t, f.requests(), 1)
	require.Equal(t, int64(1), c.Requests())
}

// A caller queued behind a request in flight gives up with its ctx.
func TestSlotWaitHonoursContext(t *testing.T) {
	t.Parallel()
	me := golden(t, "me.plain.json")
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	f := newFake(t)
	f.on("GET /voyager/api/me", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		respond(200, me)(w, r)
	})
	c := newTestClient(t, f)
	done := make(chan error, 1)
	go func() {
		_, err := c.Me(context.Background())
		done <- err
	}()
	<-entered // the slot is taken until release
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Me(ctx)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	require.NoError(t, <-done)
	require.Len(t, f.requests(), 1)
}

// With the production defaults on a fake clock, every wait lies in
// [MinGap, MinGap+Jitter) and the jitter varies.
func TestPacingDefaultsFakeClock(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.on("GET /voyager/api/me", respond(200, golden(t, "me.plain.json")))
	var mu sync.Mutex
	clock := fixedNow
	var waits []time.Duration
	cfg := DefaultConfig(Session{LiAt: testLiAt, JSESSIONID: testJSID})
	cfg.BaseURL = f.URL
	cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		clock = clock.Add(d)
		return ctx.Err()
	}
	c, err := New(cfg)
	require.NoError(t, err)
	for range 20 {
		_, err := c.Me(context.Background())
		require.NoError(t, err)
	}
	require.Len(t, waits, 19, "no wait before the first request")
	distinct := map[time.Duration]bool{}
	for _, w := range waits {
		require.GreaterOrEqual(t, w, DefaultMinGap)
		require.Less(t, w, DefaultMinGap+DefaultJitter)
		distinct[w] = true
	}
	require.Greater(t, len(distinct), 1)
}

func TestPacingConfigChecks(t *testing.T) {
	t.Parallel()
	sess := Session{LiAt: testLiAt, JSESSIONID: testJSID}
	_, err := New(Config{Session: sess, MinGap: -time.Second})
	require.Error(t, err)
	c, err := New(Config{Session: sess})
	require.NoError(t, err)
	require.Equal(t, time.Duration(0), c.minGap)
	require.Equal(t, DefaultBaseURL+"/voyager/api", c.base)
	require.Equal(t, DefaultUserAgent, c.userAgent)
	for _, base := range []string{"ftp://x", "localhost:8080", "http://"} {
		_, err := New(Config{Session: sess, BaseURL: base})
		require.Error(t, err, base)
	}
}
