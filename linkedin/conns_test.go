package linkedin_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/sandbox"
)

// A Client made without an HTTPClient uses its session's own connections:
// the Clients of one account (the engine makes one per call) reuse one
// kept-alive connection, and no connection carries two accounts' cookies.
func TestSessionConnections(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 7})
	accts := []*sandbox.Account{sb.AddAccount(sandbox.AccountConfig{}), sb.AddAccount(sandbox.AccountConfig{})}
	var mu sync.Mutex
	byConn := map[string]map[string]bool{} // remote address → li_at cookies seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if byConn[r.RemoteAddr] == nil {
			byConn[r.RemoteAddr] = map[string]bool{}
		}
		c, err := r.Cookie("li_at")
		if err == nil {
			byConn[r.RemoteAddr][c.Value] = true
		}
		mu.Unlock()
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	for range 5 {
		for _, a := range accts {
			c, err := linkedin.New(linkedin.Config{BaseURL: srv.URL,
				Session: linkedin.Session{LiAt: a.LiAt(), JSESSIONID: a.JSessionID()}})
			require.NoError(t, err)
			_, err = c.Me(t.Context())
			require.NoError(t, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, byConn, 2, "one connection per account, kept alive across Clients")
	for addr, cookies := range byConn {
		require.Len(t, cookies, 1, "connection %s carried one account's cookies", addr)
	}
}
