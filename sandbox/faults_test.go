package sandbox

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFaultReplies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cfg    AccountConfig
		faults Faults
		check  func(t *testing.T, r resp)
	}{
		{"soft block", AccountConfig{}, Faults{SoftBlock: true}, func(t *testing.T, r resp) {
			require.Equal(t, 999, r.status)
			require.Contains(t, string(r.body), "Request denied")
		}},
		{"session expired 401", AccountConfig{}, Faults{SessionExpired: true}, func(t *testing.T, r resp) {
			require.Equal(t, 401, r.status)
		}},
		{"session expired redirect", AccountConfig{SessionTrouble: TroubleRedirect}, Faults{SessionExpired: true}, func(t *testing.T, r resp) {
			require.Equal(t, 302, r.status)
			require.True(t, strings.HasPrefix(r.header.Get("Location"), "https://www.linkedin.com/login"))
			require.True(t, strings.HasPrefix(r.header.Get("Set-Cookie"), "li_at=delete me; Max-Age=0;"))
		}},
		{"challenge redirect", AccountConfig{}, Faults{Challenge: ChallengeRedirect}, func(t *testing.T, r resp) {
			require.Equal(t, 302, r.status)
			require.Contains(t, r.header.Get("Location"), "/checkpoint/challenge/")
		}},
		{"challenge forbidden", AccountConfig{}, Faults{Challenge: ChallengeForbidden}, func(t *testing.T, r resp) {
			require.Equal(t, 403, r.status)
			require.Contains(t, string(r.body), "CHALLENGE")
		}},
		{"server error", AccountConfig{}, Faults{ServerErrors: 1, ServerErrorStatus: 503}, func(t *testing.T, r resp) {
			require.Equal(t, 503, r.status)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, c.cfg)
			require.Equal(t, 200, b.get(t, pathMe).status)
			b.acct.SetFaults(c.faults)
			c.check(t, b.get(t, pathMe))
			b.acct.SetFaults(Faults{})
			require.Equal(t, 200, b.get(t, pathMe).status, "cleared")
		})
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{})
	b.acct.SetFaults(Faults{RateLimit: 3})
	for range 3 {
		require.Equal(t, 200, b.get(t, pathMe).status)
	}
	b.sb.Advance(20 * time.Second)
	r := b.get(t, pathMe)
	require.Equal(t, 429, r.status)
	require.Equal(t, "40", r.header.Get("Retry-After"), "until the first request leaves the minute")
	require.Equal(t, float64(429), r.json(t)["status"])

	b.sb.Advance(40 * time.Second)
	require.Equal(t, 200, b.get(t, pathMe).status)

	b.acct.SetFaults(Faults{RateLimit: 1, RetryAfter: 90 * time.Second})
	b.sb.Advance(time.Minute)
	require.Equal(t, 200, b.get(t, pathMe).status)
	require.Equal(t, "90", b.get(t, pathMe).header.Get("Retry-After"))
}

func TestServerErrorCountAndRate(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{})
	b.acct.SetFaults(Faults{ServerErrors: 2})
	require.Equal(t, 500, b.get(t, pathMe).status)
	require.Equal(t, 500, b.get(t, pathMe).status)
	require.Equal(t, 200, b.get(t, pathMe).status)
	require.Zero(t, b.acct.Faults().ServerErrors)

	statuses := func() []int {
		b := setup(t, AccountConfig{Seed: 5})
		b.acct.SetFaults(Faults{ServerErrorRate: 0.5})
		var s []int
		for range 100 {
			s = append(s, b.get(t, pathMe).status)
		}
		return s
	}
	first := statuses()
	require.Equal(t, first, statuses(), "the seeded fault generator repeats")
	fails := 0
	for _, s := range first {
		if s == 500 {
			fails++
		}
	}
	require.InDelta(t, 50, fails, 20)
}

func TestLatency(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{})
	b.acct.SetFaults(Faults{Latency: 150 * time.Millisecond})
	start := time.Now()
	require.Equal(t, 200, b.get(t, pathMe).status)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	// A client that gives up ends the wait on the server too.
	b.acct.SetFaults(Faults{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := b.send(t, http.MethodGet, pathMe, "", func(r *http.Request) { *r = *r.WithContext(ctx) })
	require.Error(t, err)
	require.Eventually(t, func() bool {
		l := b.sb.Requests()
		return len(l) == 2 && l[1].Status == 0
	}, 5*time.Second, 10*time.Millisecond)
}

func TestDropConnection(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{})
	b.acct.SetFaults(Faults{DropConnections: 1})
	_, err := b.send(t, http.MethodGet, pathMe, "")
	require.Error(t, err)
	require.Equal(t, 200, b.get(t, pathMe).status)
	require.Equal(t, 0, b.sb.Requests()[0].Status)
}

func TestWithdrawReplyLost(t *testing.T) {
	t.Parallel()
	for _, v := range withdrawVariants {
		for _, status := range []int{0, 502} {
			t.Run(v.name+"/"+strconv.Itoa(status), func(t *testing.T) {
				t.Parallel()
				b := setup(t, AccountConfig{SentInvitations: 30})
				inv := pendingWith(t, b, anyInv)
				b.acct.SetFaults(Faults{WithdrawReplyLost: 1, WithdrawReplyLostStatus: status})

				// Other calls are untouched.
				require.Equal(t, 200, b.get(t, pathMe).status)
				var r resp
				var err error
				switch v.name {
				case "closeInvitations":
					r, err = b.send(t, http.MethodPost, pathClose, closeBody(inv.ID))
				case "action=withdraw":
					r, err = b.send(t, http.MethodPost, pathWithdrawAction(inv.ID), `{}`)
				default:
					r, err = b.send(t, http.MethodPost, pathWithdrawDash(inv.ID), `{"invitationType":"CONNECTION"}`)
				}
				if status == 0 {
					require.Error(t, err, "connection dropped")
				} else {
					require.NoError(t, err)
					require.Equal(t, status, r.status)
				}
				// The withdrawal happened all the same; a retry learns it is not pending.
				require.Len(t, b.sb.Withdrawn(b.acct.Key()), 1)
				require.True(t, v.gone(t, v.do(t, b, inv.ID), inv.ID))
			})
		}
	}
}

func TestFaultsBeforeAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{})
	b.acct.SetFaults(Faults{SoftBlock: true})
	// A soft block is about the account's traffic, whatever the CSRF token.
	require.Equal(t, 999, b.get(t, pathMe, header("csrf-token", "nope")).status)
}
