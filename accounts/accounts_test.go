package accounts_test

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/secret"
	"github.com/unvite/unvite/sqlite"
)

const (
	key1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	key2 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

type bundle struct {
	sb     *sandbox.Sandbox
	member *sandbox.Account
	store  *sqlite.DB
	svc    *accounts.Service
	keys   *secret.Keyring
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{sb: sandbox.New(sandbox.Options{Seed: 7})}
	b.member = b.sb.AddAccount(sandbox.AccountConfig{SentInvitations: 30, Months: 2, Premium: true})
	srv := httptest.NewServer(b.sb)
	t.Cleanup(srv.Close)
	var err error
	b.store, err = sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "u.db"))
	require.NoError(t, err)
	t.Cleanup(func() { b.store.Close() })
	b.store.Now = b.sb.Now
	b.keys, err = secret.NewKeyring(key1)
	require.NoError(t, err)
	b.svc = &accounts.Service{
		Store: b.store,
		Keys:  func(context.Context, bool) (*secret.Keyring, error) { return b.keys, nil },
		NewClient: func(s linkedin.Session) (*linkedin.Client, error) {
			return linkedin.New(linkedin.Config{BaseURL: srv.URL, Session: s, Now: b.sb.Now})
		},
		Now: b.sb.Now,
	}
	return b
}

func (b *bundle) session() linkedin.Session {
	return linkedin.Session{LiAt: b.member.LiAt(), JSESSIONID: b.member.JSessionID()}
}

func (b *bundle) connect(t *testing.T) *unvite.Account {
	t.Helper()
	acct, err := b.svc.Connect(context.Background(), b.session(), nil, "Europe/Paris", "user")
	require.NoError(t, err)
	return acct
}

func TestConnectAndOpen(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	acct := b.connect(t)
	require.Equal(t, unvite.AccountActive, acct.State)
	require.True(t, acct.HasSession)
	require.Equal(t, "Europe/Paris", acct.TimeZone)
	require.NotEmpty(t, acct.Slug)
	require.Equal(t, unvite.PlanPremium, acct.Plan)

	sealed, err := b.store.Session(ctx, acct.ID)
	require.NoError(t, err)
	require.NotContains(t, string(sealed), b.member.LiAt(), "stored sealed")
	require.Equal(t, b.keys.KeyID(), secret.SealedKeyID(sealed))

	cl, err := b.svc.Open(ctx, acct)
	require.NoError(t, err)
	me, err := cl.Me(ctx)
	require.NoError(t, err)
	require.Equal(t, acct.Slug, me.Slug)

	// Connecting the same member again finds the account, whatever its state.
	_, err = accounts.Pause(ctx, b.store, acct, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	again, err := b.svc.Connect(ctx, b.session(), nil, "UTC", "user")
	require.NoError(t, err)
	require.Equal(t, acct.ID, again.ID)
	require.Equal(t, unvite.AccountActive, again.State)
	require.Equal(t, "Europe/Paris", again.TimeZone, "a time zone already set stays")
	list, err := b.store.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)

	// A session of another member does not go into this account.
	other := &unvite.Account{Name: "Someone else", Slug: "someone-else"}
	require.NoError(t, b.store.CreateAccount(ctx, other))
	_, err = b.svc.Connect(ctx, b.session(), other, "", "user")
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err))
	require.Contains(t, err.Error(), "not to account Someone else")
	_, err = b.svc.Open(ctx, other)
	require.ErrorContains(t, err, "unvite account reconnect "+strconv.FormatInt(other.ID, 10))

	// A bad session is refused before LinkedIn is asked.
	_, err = b.svc.Connect(ctx, linkedin.Session{LiAt: "x"}, nil, "", "user")
	require.ErrorContains(t, err, "JSESSIONID is missing")
}

// A session sealed with a key the keyring no longer holds: the error names
// the key and both ways out.
func TestOpenMissingKey(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	acct := b.connect(t)
	sealedBy := b.keys.KeyID()
	var err error
	b.keys, err = secret.NewKeyring(key2)
	require.NoError(t, err)
	_, err = b.svc.Open(ctx, acct)
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err))
	require.ErrorContains(t, err, "sealed with key "+sealedBy)
	require.ErrorContains(t, err, "restore that key")
	require.ErrorContains(t, err, "unvite account reconnect "+strconv.FormatInt(acct.ID, 10))
}

// Each refusal LinkedIn makes moves the account as the one mapping says,
// tells the user the command that moves it on, and nothing else is called.
func TestFail(t *testing.T) {
	cases := []struct {
		name     string
		faults   sandbox.Faults
		state    unvite.AccountState
		next     string
		slowDown bool
	}{
		{"session expired", sandbox.Faults{SessionExpired: true}, unvite.AccountNeedsLogin, "unvite account reconnect", false},
		{"challenge", sandbox.Faults{Challenge: sandbox.ChallengeRedirect}, unvite.AccountNeedsLogin, "unvite account reconnect", false},
		{"999", sandbox.Faults{SoftBlock: true}, unvite.AccountPaused, "unvite account resume", false},
		{"429", sandbox.Faults{RateLimit: 1, RetryAfter: 90 * time.Second}, unvite.AccountThrottled, "wait until", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			b := setup(t)
			acct := b.connect(t)
			cl, err := b.svc.Open(ctx, acct)
			require.NoError(t, err)
			b.member.SetFaults(c.faults)
			lerr := refusal(ctx, t, cl)
			now := b.sb.Now()
			out, err := accounts.Fail(ctx, b.store, acct, lerr, 0, unvite.Change{At: now, Actor: "worker"})
			require.True(t, out.Stop)
			require.Equal(t, c.slowDown, out.SlowDown)
			require.Equal(t, c.state, out.Account.State)
			require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err))
			require.ErrorIs(t, err, lerr, "LinkedIn's error stays in the chain")
			require.ErrorContains(t, err, c.next, "the first failure says what to do")
			require.ErrorContains(t, err, "nothing was retried")

			stored, serr := b.store.Account(ctx, acct.ID)
			require.NoError(t, serr)
			require.Equal(t, out.Account, stored)
			require.Error(t, accounts.Ready(stored, now), "stopped now")
			require.Contains(t, accounts.NextStep(stored, now), c.next)
			ev, serr := b.store.Events(ctx, unvite.EventFilter{AccountID: acct.ID, Limit: 1})
			require.NoError(t, serr)
			require.Equal(t, "account", ev[0].Type)
			require.Equal(t, "worker", ev[0].Actor)

			require.Equal(t, c.slowDown, !stored.RateLimitedAt.IsZero(), "a rate limit is recorded for the day's pace")
			later := now.Add(48 * time.Hour)
			if c.state == unvite.AccountThrottled {
				require.True(t, stored.ThrottledUntil.Equal(now.Add(90*time.Second).Truncate(time.Second)), "until Retry-After")
				require.NoError(t, accounts.Ready(stored, later), "a throttle ends by itself")
			} else {
				// No timer lifts a 999 or a dead session: only the user.
				require.ErrorContains(t, accounts.Ready(stored, later), c.next)
			}
		})
	}
}

// refusal calls LinkedIn until it refuses: a rate limit of one a minute
// lets the first call through.
func refusal(ctx context.Context, t *testing.T, cl *linkedin.Client) error {
	t.Helper()
	for range 2 {
		if _, err := cl.PendingCount(ctx); err != nil {
			return err
		}
	}
	t.Fatal("LinkedIn did not refuse")
	return nil
}

// An automatic stop never replaces the user's pause: the worker's error
// still stops the work, and the pause with its reason stands.
func TestFailKeepsUserPause(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	acct := b.connect(t)
	cl, err := b.svc.Open(ctx, acct)
	require.NoError(t, err)
	_, err = accounts.Pause(ctx, b.store, acct, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	for _, f := range []sandbox.Faults{{RateLimit: 1}, {SessionExpired: true}} {
		b.member.SetFaults(f)
		lerr := refusal(ctx, t, cl)
		out, err := accounts.Fail(ctx, b.store, acct, lerr, 0, unvite.Change{Actor: "worker"})
		require.Error(t, err)
		require.True(t, out.Stop)
		require.Equal(t, unvite.AccountPaused, out.Account.State)
		require.Equal(t, "paused by the user", out.Account.StateReason)
		require.Contains(t, err.Error(), "unvite account resume")
	}
}

// Errors that say nothing about the account leave it alone.
func TestFailOtherErrors(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	acct := b.connect(t)
	before, err := b.store.Events(ctx, unvite.EventFilter{AccountID: acct.ID})
	require.NoError(t, err)
	for _, lerr := range []error{
		&linkedin.Error{Kind: linkedin.ErrNotPending},
		&linkedin.Error{Kind: linkedin.ErrCoolDown, Status: 400},
		&linkedin.Error{Kind: linkedin.ErrUnexpected, Err: context.Canceled}, // unvite's own cancel
		context.Canceled,
	} {
		out, err := accounts.Fail(ctx, b.store, acct, lerr, 0, unvite.Change{Actor: "worker"})
		require.False(t, out.Stop)
		require.Same(t, lerr, err)
	}
	out, err := accounts.Fail(ctx, b.store, acct, nil, 0, unvite.Change{})
	require.NoError(t, err)
	require.False(t, out.Stop)
	after, err := b.store.Events(ctx, unvite.EventFilter{AccountID: acct.ID})
	require.NoError(t, err)
	require.Equal(t, len(before), len(after))
	got, err := b.store.Account(ctx, acct.ID)
	require.NoError(t, err)
	require.Equal(t, unvite.AccountActive, got.State)
}

// Server errors are counted, and the account is paused at the limit with
// a reason that says so, the last failure and the way on; a call LinkedIn
// answers in between starts the count again, and so does a resume.
func TestFailCircuitBreaker(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	acct := b.connect(t)
	cl, err := b.svc.Open(ctx, acct)
	require.NoError(t, err)
	fail := func() (accounts.Outcome, error) {
		t.Helper()
		_, lerr := cl.PendingCount(ctx)
		require.Error(t, lerr)
		out, err := accounts.Fail(ctx, b.store, acct, lerr, 3, unvite.Change{Actor: "worker"})
		if !out.Stop {
			require.Same(t, lerr, err, "under the limit the error is LinkedIn's own")
		}
		return out, err
	}
	b.member.SetFaults(sandbox.Faults{ServerErrors: 2})
	for i := 1; i <= 2; i++ {
		out, _ := fail()
		require.False(t, out.Stop)
		require.Equal(t, i, out.Account.Failures)
		require.Equal(t, unvite.AccountActive, out.Account.State)
	}
	// LinkedIn answers: the count starts again.
	_, err = cl.PendingCount(ctx)
	require.NoError(t, err)
	got, err := b.store.Account(ctx, acct.ID)
	require.NoError(t, err)
	got, err = accounts.Lift(ctx, b.store, got, unvite.Change{Actor: "worker"})
	require.NoError(t, err)
	require.Zero(t, got.Failures)

	b.member.SetFaults(sandbox.Faults{ServerErrors: 3, ServerErrorStatus: 503})
	for range 2 {
		out, _ := fail()
		require.False(t, out.Stop)
	}
	out, err := fail()
	require.True(t, out.Stop)
	require.Equal(t, unvite.AccountPaused, out.Account.State)
	require.Equal(t, 3, out.Account.Failures)
	id := strconv.FormatInt(acct.ID, 10)
	require.Equal(t, "paused after 3 failed calls in a row; last: count pending invitations: HTTP 503; resume with unvite account resume "+id, out.Account.StateReason)
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err))
	require.ErrorContains(t, err, "Next: unvite account resume "+id)
	stored, err := b.store.Account(ctx, acct.ID)
	require.NoError(t, err)
	require.Equal(t, out.Account, stored)
	require.ErrorContains(t, accounts.Ready(stored, b.sb.Now().Add(48*time.Hour)), "paused after 3 failed calls in a row", "no timer lifts it")
	ev, err := b.store.Events(ctx, unvite.EventFilter{AccountID: acct.ID, Limit: 2})
	require.NoError(t, err)
	require.Contains(t, ev[0].Reason, "circuit breaker: state active → paused")
	require.Contains(t, ev[1].Reason, "LinkedIn call failed: count pending invitations: HTTP 503: failed calls in a row 2 → 3")

	got, err = accounts.Resume(ctx, b.store, stored, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountActive, got.State)
	require.Zero(t, got.Failures, "a resumed account gets its tries again")
}

func TestResume(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	acct := b.connect(t)
	paused, err := accounts.Pause(ctx, b.store, acct, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	require.Equal(t, "unvite account resume "+strconv.FormatInt(acct.ID, 10), accounts.NextStep(paused, b.sb.Now()))
	got, err := accounts.Resume(ctx, b.store, paused, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	require.Equal(t, unvite.AccountActive, got.State)
	require.Empty(t, got.StateReason)

	// A worker found the session dead after the user read the account: the
	// resume does not hide that.
	b.member.SetFaults(sandbox.Faults{SessionExpired: true})
	cl, err := b.svc.Open(ctx, acct)
	require.NoError(t, err)
	_, lerr := cl.PendingCount(ctx)
	_, _ = accounts.Fail(ctx, b.store, acct, lerr, 0, unvite.Change{Actor: "worker"})
	got, err = accounts.Resume(ctx, b.store, paused, unvite.Change{Actor: "user"})
	require.Equal(t, unvite.ECONFLICT, unvite.ErrorCode(err))
	require.True(t, strings.Contains(err.Error(), "reconnect"))
	require.Equal(t, unvite.AccountNeedsLogin, got.State)
}

func TestParseSession(t *testing.T) {
	s, err := accounts.ParseSession(strings.NewReader("Cookie: li_at=AQE123; JSESSIONID=\"ajax:42\"; lang=en\n"))
	require.NoError(t, err)
	require.Equal(t, "AQE123", s.LiAt)
	require.Equal(t, `"ajax:42"`, s.JSESSIONID)
	s, err = accounts.ParseSession(strings.NewReader("li_at=AQE123\nJSESSIONID=ajax:42\n"))
	require.NoError(t, err)
	require.Equal(t, "ajax:42", s.JSESSIONID)
	_, err = accounts.ParseSession(strings.NewReader("li_at=AQE-secret\n"))
	require.ErrorContains(t, err, "JSESSIONID is missing")
	require.NotContains(t, err.Error(), "AQE-secret")
	_, err = accounts.ParseSession(strings.NewReader(""))
	require.ErrorContains(t, err, "no session given")
}

// After a session is opened with an older key of the ring, it is sealed
// again with the newest: dropping the old key later breaks nothing.
func TestOpenReseals(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	acct := b.connect(t)
	oldID := b.keys.KeyID()
	var err error
	b.keys, err = secret.NewKeyring(key2, key1) // rotated: key2 seals now
	require.NoError(t, err)
	_, err = b.svc.Open(ctx, acct)
	require.NoError(t, err)
	sealed, err := b.store.Session(ctx, acct.ID)
	require.NoError(t, err)
	require.Equal(t, b.keys.KeyID(), secret.SealedKeyID(sealed))
	ev, err := b.store.Events(ctx, unvite.EventFilter{AccountID: acct.ID, Limit: 1})
	require.NoError(t, err)
	require.Contains(t, ev[0].Reason, "sealed again with key "+b.keys.KeyID()+" (was "+oldID+")")

	b.keys, err = secret.NewKeyring(key2) // the old key is gone
	require.NoError(t, err)
	cl, err := b.svc.Open(ctx, acct)
	require.NoError(t, err)
	_, err = cl.Me(ctx)
	require.NoError(t, err)

	// CanOpen looks without changing anything.
	b.keys, err = secret.NewKeyring(key1, key2)
	require.NoError(t, err)
	require.NoError(t, b.svc.CanOpen(ctx, acct))
	again, err := b.store.Session(ctx, acct.ID)
	require.NoError(t, err)
	require.Equal(t, sealed, again)
}

// A missing key file is created only while no stored session needs the
// key it held; otherwise the error names the key and both ways out.
func TestLoadKeys(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	noEnv := func(string) string { return "" }
	file := filepath.Join(t.TempDir(), "secret.key")

	keys, err := accounts.LoadKeys(ctx, b.store, noEnv, file, false)
	require.NoError(t, err, "no session yet: the key file is created")
	b.keys = keys
	acct := b.connect(t)
	again, err := accounts.LoadKeys(ctx, b.store, noEnv, file, false)
	require.NoError(t, err)
	require.Equal(t, keys.KeyID(), again.KeyID())

	require.NoError(t, os.Remove(file))
	_, err = accounts.LoadKeys(ctx, b.store, noEnv, file, false)
	require.ErrorIs(t, err, accounts.ErrKeyMissing)
	require.ErrorContains(t, err, "sealed with key "+keys.KeyID())
	require.ErrorContains(t, err, "restore the file")
	require.ErrorContains(t, err, "unvite account reconnect "+strconv.FormatInt(acct.ID, 10))
	_, err = os.Stat(file)
	require.ErrorIs(t, err, fs.ErrNotExist, "no new key replaces the lost one")

	// Connecting an account is a way out: it may make a new key.
	fresh, err := accounts.LoadKeys(ctx, b.store, noEnv, file, true)
	require.NoError(t, err)
	require.NotEqual(t, keys.KeyID(), fresh.KeyID())
	require.NoError(t, os.Remove(file))

	// A key given another way is used as it is (opening then says whether
	// it is the right one).
	env := map[string]string{"UNVITE_SECRET_KEY": key1}
	got, err := accounts.LoadKeys(ctx, b.store, func(k string) string { return env[k] }, file, false)
	require.NoError(t, err)
	want, err := secret.NewKeyring(key1)
	require.NoError(t, err)
	require.Equal(t, want.KeyID(), got.KeyID())
}
