package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/secret"
	"github.com/unvite/unvite/sqlite"
)

// `unvite sync` applies the account's own max_failures (2 here, not the
// default 5): the second failed call in a row pauses the account. The stop
// queues the same webhook notice the engine's syncs do, which serve
// delivers.
func TestSyncCircuitBreakerAndNotice(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 7})
	sa := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 30, Months: 2, Premium: true})
	serveSandbox(t, sb)

	var mu sync.Mutex
	var got []notify.Message
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.Message
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &m))
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer hook.Close()

	c := newCLI(t)
	c.now = sb.Now()
	session := fmt.Sprintf("li_at=%s\nJSESSIONID=\"%s\"\n", sa.LiAt(), sa.JSessionID())
	r := c.run(session, "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	c.ok("sync")
	c.ok("policy", "set", "max_failures=2")

	// The webhook, set as the dashboard sets it.
	ctx := context.Background()
	db, err := sqlite.Open(ctx, c.db)
	require.NoError(t, err)
	keys := func(ctx context.Context, sealing bool) (*secret.Keyring, error) {
		return accounts.LoadKeys(ctx, db, func(k string) string { return c.env[k] }, c.db[:len(c.db)-len("unvite.db")]+"secret.key", sealing)
	}
	_, err = (&notify.Service{Store: db, Keys: keys}).Save(ctx, notify.Settings{URL: hook.URL + "/hook", Format: "json", Enabled: true}, "test")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	sa.SetFaults(sandbox.Faults{ServerErrors: 10})
	r = c.run("", "sync")
	require.Equal(t, 1, r.code)
	var acct unvite.Account
	c.json(&acct, "account", "status")
	require.Equal(t, unvite.AccountActive, acct.State, "one failed call of two allowed")
	require.Equal(t, 1, acct.Failures)
	var jobs []engine.Job
	c.json(&jobs, "jobs", "--all")
	require.Empty(t, jobs, "no notice for a call under the limit")

	r = c.run("", "sync")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stdout, "paused after 2 failed calls in a row")
	c.json(&acct, "account", "status")
	require.Equal(t, unvite.AccountPaused, acct.State)
	require.True(t, acct.StateSince.Equal(sb.Now().UTC().Truncate(time.Second)), "paused since the failed call: %s", acct.StateSince)
	require.Contains(t, c.ok("account", "list"), "paused since "+acct.StateSince.Format("2006-01-02 15:04"))
	var list []unvite.Account
	c.json(&list, "account", "list")
	require.True(t, list[0].StateSince.Equal(acct.StateSince), "state_since in --json")
	c.json(&jobs, "jobs", "--all")
	require.Len(t, jobs, 1)
	require.Equal(t, "webhook", jobs[0].Kind)
	require.Equal(t, acct.ID, jobs[0].AccountID)

	// A sync of the paused account asks nothing of LinkedIn and queues no
	// second notice.
	r = c.run("", "sync")
	require.Equal(t, 1, r.code)
	c.json(&jobs, "jobs", "--all")
	require.Len(t, jobs, 1)

	c.ok("serve", "--until-idle", "--no-web")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	require.Equal(t, notify.KindAttention, got[0].Kind)
	require.Equal(t, unvite.AccountPaused, got[0].Account.State)
	require.Contains(t, got[0].Account.Reason, "paused after 2 failed calls in a row")
	require.Contains(t, got[0].Account.NextStep, "unvite account resume")
	require.True(t, got[0].Account.Since.Equal(acct.StateSince))
	require.Equal(t, fmt.Sprintf("attention-%d-paused-%d", acct.ID, acct.StateSince.Unix()), got[0].ID, "one notice per account, state and since")
}
