package linkedin

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// Each session (one member) gets connections of its own, as each member's
// browser would have: no connection carries two members' cookies (over
// HTTP/2 a shared transport would put every account's requests on one
// connection), and an account's calls reuse its kept-alive connection
// rather than a new TCP and TLS handshake each (the engine builds a Client
// per call; the shared default transport keeps two idle connections per
// host, far fewer than the accounts that call at once).
var sessionTransports = transports{m: map[[32]byte]*transportEntry{}}

// transportIdle is how long a session's transport is kept unused; its idle
// connection closes sooner, after the default transport's 90 seconds.
const transportIdle = 5 * time.Minute

type transports struct {
	mu    sync.Mutex
	m     map[[32]byte]*transportEntry // by the hash of the session cookies
	swept time.Time
}

type transportEntry struct {
	t    *http.Transport
	used time.Time
}

// get returns the session's transport, making it on first use. Transports
// unused for transportIdle are dropped, their idle connections closed.
func (ts *transports) get(cookie string) *http.Transport {
	key := sha256.Sum256([]byte(cookie))
	now := time.Now()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if now.Sub(ts.swept) > time.Minute {
		ts.swept = now
		for k, e := range ts.m {
			if now.Sub(e.used) > transportIdle {
				e.t.CloseIdleConnections()
				delete(ts.m, k)
			}
		}
	}
	e, ok := ts.m[key]
	if !ok {
		e = &transportEntry{t: http.DefaultTransport.(*http.Transport).Clone()}
		ts.m[key] = e
	}
	e.used = now
	return e.t
}
