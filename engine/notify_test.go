package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/notify"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/secret"
	"github.com/unvite/unvite/sqlite"
)

// receiver is a webhook endpoint on loopback that records what it gets;
// it answers 500 to the first failFirst posts.
type receiver struct {
	mu        sync.Mutex
	bodies    [][]byte
	ids       []string
	failFirst int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.failFirst > 0 {
		rc.failFirst--
		http.Error(w, "receiver down", http.StatusInternalServerError)
		return
	}
	rc.bodies = append(rc.bodies, b)
	rc.ids = append(rc.ids, r.Header.Get("X-Unvite-Delivery"))
}

func (rc *receiver) got() ([][]byte, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...), append([]string(nil), rc.ids...)
}

// syncLog is a log buffer safe for River's goroutines.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *syncLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// The webhook over real HTTP on loopback, from real River jobs: an account
// whose session expires against the sandbox is announced in JSON, then in
// Slack's format; the weekly review is posted once per week, through a
// failing receiver (retried with the same id); the URL's token appears in
// no log, no job error and nowhere in the database file.
func TestWebhookNotices(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dbPath := filepath.Join(t.TempDir(), "unvite.db")
		db, err := sqlite.Open(ctx, dbPath)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		testWebhookNotices(t, db, []string{dbPath, dbPath + "-wal"})
	})
	t.Run("postgres", func(t *testing.T) { testWebhookNotices(t, pgStore(t), nil) })
}

func testWebhookNotices(t *testing.T, db unvite.Store, files []string) {
	const token = "s3cr3tT0kenXYZ"
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)

	r := newRig(t, basePolicy(), db)
	acct := r.account(40, "UTC")

	keys, err := secret.NewKeyring(strings.Repeat("ab", 32))
	require.NoError(t, err)
	ns := &notify.Service{Store: db, Keys: func(context.Context, bool) (*secret.Keyring, error) { return keys, nil }, Now: r.clock.Now}
	hookURL := srv.URL + "/services/T000/B000/" + token
	_, err = ns.Save(ctx, notify.Settings{URL: hookURL, Format: "json", Enabled: true}, "user:admin")
	require.NoError(t, err)

	logs := &syncLog{}
	eng, err := engine.New(engine.Config{
		Store: db, Client: r.client, Policy: r.policy, Now: r.clock.Now, NoPacing: true,
		FetchPoll: 100 * time.Millisecond, RetryBase: 100 * time.Millisecond, Notify: ns,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, true)
	require.NoError(t, err)
	t.Cleanup(func() { eng.Close() })
	require.NoError(t, eng.Start(ctx))
	t.Cleanup(func() { eng.Stop(context.Background()) })
	await := func(n int) ([][]byte, []string) {
		t.Helper()
		waitFor(t, 20*time.Second, "webhook deliveries", func() bool { b, _ := rc.got(); return len(b) >= n })
		return rc.got()
	}

	// The session expires: the sync that finds it stops the account and
	// the receiver hears of it, in JSON.
	sa := r.accts[acct.ID]
	sa.SetFaults(sandbox.Faults{SessionExpired: true})
	_, err = eng.Sync(ctx, acct.ID)
	require.NoError(t, err)
	bodies, ids := await(1)
	var m notify.Message
	require.NoError(t, json.Unmarshal(bodies[0], &m))
	require.Equal(t, notify.KindAttention, m.Kind)
	require.NotEmpty(t, m.ID)
	require.Equal(t, m.ID, ids[0], "the delivery header carries the id")
	require.Equal(t, acct.ID, m.Account.ID)
	require.Equal(t, unvite.AccountNeedsLogin, m.Account.State)
	require.Contains(t, m.Account.Reason, "session expired")
	require.Contains(t, m.Account.NextStep, "unvite account reconnect")
	require.Contains(t, m.Text, acct.Name)

	// A sync of the stopped account changes nothing and says nothing more.
	_, err = eng.Sync(ctx, acct.ID)
	require.NoError(t, err)

	// Reconnected, then expired again, with Slack's format chosen.
	_, err = ns.Save(ctx, notify.Settings{Format: "slack", Enabled: true}, "user:admin")
	require.NoError(t, err)
	_, err = db.PatchAccount(ctx, acct.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive), StateReason: unvite.Ptr("")}, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	r.clock.Set(r.clock.Now().Add(time.Minute))
	_, err = eng.Sync(ctx, acct.ID)
	require.NoError(t, err)
	bodies, _ = await(2)
	var slack map[string]any
	require.NoError(t, json.Unmarshal(bodies[1], &slack))
	require.Len(t, slack, 1, "Slack's body is just text: %s", bodies[1])
	require.Contains(t, slack["text"], "needs a new LinkedIn session")
	require.Contains(t, slack["text"], "unvite account reconnect")

	// The weekly review: the receiver fails the first post; the retry
	// carries the same id. Asked for twice in a week, it is queued once.
	// (A week on: the webhook, new this week, missed no earlier review.)
	r.clock.Set(r.clock.Now().AddDate(0, 0, 7))
	_, err = ns.Save(ctx, notify.Settings{Format: "json", Enabled: true}, "user:admin")
	require.NoError(t, err)
	rc.mu.Lock()
	rc.failFirst = 1
	rc.mu.Unlock()
	queued, err := eng.QueueWeeklyReview(ctx, "")
	require.NoError(t, err)
	require.True(t, queued)
	queued, err = eng.QueueWeeklyReview(ctx, "")
	require.NoError(t, err)
	require.False(t, queued, "the store has this week's review queued")
	bodies, ids = await(3)
	require.NoError(t, json.Unmarshal(bodies[2], &m))
	require.Equal(t, notify.KindReview, m.Kind)
	require.True(t, strings.HasPrefix(m.ID, "review-"), m.ID)
	require.Equal(t, m.ID, ids[2])
	require.Contains(t, m.Text, "unvite weekly review")
	var rev struct {
		Accounts []struct {
			Account struct{ ID int64 }
			Counts  struct{ Stale, Withdrawn, Accepted int }
		}
		Totals struct{ Stale int }
	}
	require.NoError(t, json.Unmarshal(m.Review, &rev))
	require.Len(t, rev.Accounts, 1)
	require.Equal(t, acct.ID, rev.Accounts[0].Account.ID)
	jobs, err := eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"webhook"}})
	require.NoError(t, err)
	var reviews []engine.Job
	for _, j := range jobs {
		if j.AccountID == 0 {
			reviews = append(reviews, j)
		}
	}
	require.Len(t, reviews, 1, "one review job for the week")
	waitFor(t, 10*time.Second, "the review job to complete", func() bool {
		j, err := eng.Job(ctx, reviews[0].ID)
		return err == nil && j.State == rivertype.JobStateCompleted
	})
	j, err := eng.Job(ctx, reviews[0].ID)
	require.NoError(t, err)
	require.Equal(t, 2, j.Attempt, "the first post failed and was retried")

	// A receiver that is gone: the job fails with the host in its error,
	// never the token.
	srv.Close()
	_, err = eng.QueueWeeklyReview(ctx, "2099-W01")
	require.NoError(t, err)
	waitFor(t, 20*time.Second, "a failed delivery", func() bool {
		jobs, err := eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"webhook"}})
		require.NoError(t, err)
		for _, j := range jobs {
			if j.Error != "" && j.Attempt >= 1 {
				require.NotContains(t, j.Error, token)
				require.Contains(t, j.Error, "webhook http://127.0.0.1")
				return true
			}
		}
		return false
	})
	require.NoError(t, eng.Stop(ctx))
	require.NotContains(t, logs.String(), token, "the webhook's token is never logged")
	require.Contains(t, logs.String(), "webhook delivery failed")
	hook, err := db.Webhook(ctx)
	require.NoError(t, err)
	require.False(t, bytes.Contains(hook.SealedURL, []byte(token)), "the URL is sealed")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			require.False(t, bytes.Contains(b, []byte(token)), "the token is stored in clear in %s", f)
		}
	}
}

// One notice per state episode (account, state, since): a second stop
// seen for the same episode, by another path or with a new reason, queues
// nothing more; a new episode does. On both stores.
func TestAttentionOncePerEpisode(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		testAttentionOncePerEpisode(t, db)
	})
	t.Run("postgres", func(t *testing.T) { testAttentionOncePerEpisode(t, pgStore(t)) })
}

func testAttentionOncePerEpisode(t *testing.T, db unvite.Store) {
	r := newRig(t, basePolicy(), db)
	acct := r.account(5, "UTC")
	keys, err := secret.NewKeyring(strings.Repeat("cd", 32))
	require.NoError(t, err)
	ns := &notify.Service{Store: db, Keys: func(context.Context, bool) (*secret.Keyring, error) { return keys, nil }, Now: r.clock.Now}
	_, err = ns.Save(ctx, notify.Settings{URL: "http://127.0.0.1:9/hook", Format: "json", Enabled: true}, "test")
	require.NoError(t, err)
	eng, err := engine.New(engine.Config{Store: db, Client: r.client, Policy: r.policy, Now: r.clock.Now, Notify: ns}, false)
	require.NoError(t, err)
	t.Cleanup(func() { eng.Close() })
	notices := func() int {
		jobs, err := eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"webhook"}, AccountID: acct.ID})
		require.NoError(t, err)
		return len(jobs)
	}
	stop := func(reason string) *unvite.Account {
		a, err := db.PatchAccount(ctx, acct.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountNeedsLogin), StateReason: &reason},
			unvite.Change{At: r.clock.Now(), Actor: "test"})
		require.NoError(t, err)
		return a
	}
	stopped := stop("session expired")
	eng.Attention(ctx, acct, stopped)
	require.Equal(t, 1, notices())
	eng.Attention(ctx, acct, stopped) // another process saw the same stop
	r.clock.Set(r.clock.Now().Add(time.Hour))
	again := stop("security challenge")
	require.True(t, again.StateSince.Equal(stopped.StateSince))
	eng.Attention(ctx, stopped, again)
	require.Equal(t, 1, notices(), "the same episode is announced once")

	_, err = db.PatchAccount(ctx, acct.ID, unvite.AccountPatch{State: unvite.Ptr(unvite.AccountActive), StateReason: unvite.Ptr("")},
		unvite.Change{At: r.clock.Now(), Actor: "test"})
	require.NoError(t, err)
	r.clock.Set(r.clock.Now().Add(time.Hour))
	eng.Attention(ctx, acct, stop("session expired"))
	require.Equal(t, 2, notices(), "a new episode is announced")
}

// A weekly review due while no process ran is sent once when the engine
// starts, not again on a restart or by a second process; a webhook set
// up after the last review was due has missed nothing. On both stores.
func TestMissedWeeklyReview(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		testMissedWeeklyReview(t, db, nil)
	})
	t.Run("postgres", func(t *testing.T) {
		db := pgStore(t)
		testMissedWeeklyReview(t, db, db)
	})
}

// other, when set, is the store for a second engine on the same database.
func testMissedWeeklyReview(t *testing.T, db, other unvite.Store) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	r := newRig(t, basePolicy(), db)
	r.account(5, "UTC")
	keys, err := secret.NewKeyring(strings.Repeat("ef", 32))
	require.NoError(t, err)
	ns := &notify.Service{Store: db, Keys: func(context.Context, bool) (*secret.Keyring, error) { return keys, nil }, Now: r.clock.Now}

	wed := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) // ISO week 49
	r.clock.Set(wed)
	_, err = ns.Save(ctx, notify.Settings{URL: srv.URL + "/hook", Format: "json", Enabled: true}, "user:admin")
	require.NoError(t, err)
	hook, err := db.Webhook(ctx)
	require.NoError(t, err)
	require.Equal(t, "2026-W49", hook.ReviewedWeek, "a new webhook missed no review due before it")

	start := func(store unvite.Store) *engine.Engine {
		t.Helper()
		eng, err := engine.New(engine.Config{Store: store, Client: r.client, Policy: r.policy, Now: r.clock.Now,
			FetchPoll: 50 * time.Millisecond, Notify: ns}, true)
		require.NoError(t, err)
		t.Cleanup(func() { eng.Close() })
		require.NoError(t, eng.Start(ctx))
		t.Cleanup(func() { eng.Stop(context.Background()) })
		return eng
	}
	// reviewed waits for the start's review job to finish.
	reviewed := func(eng *engine.Engine, n int) {
		t.Helper()
		waitFor(t, 20*time.Second, "the weekly-review job", func() bool {
			jobs, err := eng.Jobs(ctx, engine.JobFilter{Kinds: []string{"weekly-review"}})
			require.NoError(t, err)
			done := 0
			for _, j := range jobs {
				if j.State == rivertype.JobStateCompleted {
					done++
				}
			}
			return done >= n
		})
	}

	// Started the same week: nothing was missed.
	r.clock.Set(wed.Add(24 * time.Hour))
	eng := start(db)
	reviewed(eng, 1)
	require.NoError(t, eng.Stop(ctx))

	// Down over Monday 7 December, 08:00; up on Tuesday: week 50's review
	// is sent once.
	r.clock.Set(time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC))
	eng = start(db)
	waitFor(t, 20*time.Second, "the missed review", func() bool { b, _ := rc.got(); return len(b) >= 1 })
	reviewed(eng, 2)
	_, ids := rc.got()
	require.Equal(t, []string{"review-2026-W50"}, ids)
	hook, err = db.Webhook(ctx)
	require.NoError(t, err)
	require.Equal(t, "2026-W50", hook.ReviewedWeek)
	if other != nil {
		start(other) // a second process on the same database
	}
	// A restart (River's own record of the week's job aside), then idle.
	queued, err := eng.QueueWeeklyReview(ctx, "2026-W50")
	require.NoError(t, err)
	require.False(t, queued)
	require.NoError(t, eng.Stop(ctx))
	start(db) // restarted: it must not send the week again
	time.Sleep(500 * time.Millisecond)
	_, ids = rc.got()
	require.Equal(t, []string{"review-2026-W50"}, ids, "sent once")
}
