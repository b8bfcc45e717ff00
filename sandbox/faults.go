package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"
)

// Faults are failures injected into one account's traffic. They can be
// changed at any time with Account.SetFaults; counters ("the next K
// requests") go down as requests consume them.
type Faults struct {
	// RateLimit answers 429 (error.rate-limited.json, Retry-After) to any
	// request beyond RateLimit in a sliding minute of simulated time. 0 = off.
	RateLimit int
	// RetryAfter is the Retry-After sent with a 429; 0 means the time until
	// the window frees a slot (at least one second).
	RetryAfter time.Duration
	// SoftBlock answers 999 with the "Request denied" HTML page.
	SoftBlock bool
	// SessionExpired turns every request away as session trouble (401 or
	// 302 to /login, per the account's SessionTrouble) while set.
	SessionExpired bool
	// Challenge answers with a security checkpoint while set.
	Challenge Challenge
	// Latency delays every reply (wall time), giving up when the request's
	// context ends.
	Latency time.Duration
	// ServerErrors answers the next K requests with ServerErrorStatus.
	ServerErrors int
	// ServerErrorRate answers each request with ServerErrorStatus with this
	// probability, drawn from the account's seeded fault generator.
	ServerErrorRate float64
	// ServerErrorStatus defaults to 500.
	ServerErrorStatus int
	// DropConnections closes the connection without a reply for the next K
	// requests.
	DropConnections int
	// WithdrawReplyLost applies the next K withdrawal requests and then
	// loses the reply: the connection is dropped, or, when
	// WithdrawReplyLostStatus is set, that status (e.g. 502) is answered.
	WithdrawReplyLost       int
	WithdrawReplyLostStatus int
}

// faultsJSON is Faults on the wire of the admin API, durations as Go
// duration strings ("250ms", "30s").
type faultsJSON struct {
	RateLimit               int       `json:"rateLimit,omitempty"`
	RetryAfter              string    `json:"retryAfter,omitempty"`
	SoftBlock               bool      `json:"softBlock,omitempty"`
	SessionExpired          bool      `json:"sessionExpired,omitempty"`
	Challenge               Challenge `json:"challenge,omitempty"`
	Latency                 string    `json:"latency,omitempty"`
	ServerErrors            int       `json:"serverErrors,omitempty"`
	ServerErrorRate         float64   `json:"serverErrorRate,omitempty"`
	ServerErrorStatus       int       `json:"serverErrorStatus,omitempty"`
	DropConnections         int       `json:"dropConnections,omitempty"`
	WithdrawReplyLost       int       `json:"withdrawReplyLost,omitempty"`
	WithdrawReplyLostStatus int       `json:"withdrawReplyLostStatus,omitempty"`
}

func (f Faults) MarshalJSON() ([]byte, error) {
	j := faultsJSON{
		RateLimit: f.RateLimit, SoftBlock: f.SoftBlock, SessionExpired: f.SessionExpired,
		Challenge: f.Challenge, ServerErrors: f.ServerErrors, ServerErrorRate: f.ServerErrorRate,
		ServerErrorStatus: f.ServerErrorStatus, DropConnections: f.DropConnections,
		WithdrawReplyLost: f.WithdrawReplyLost, WithdrawReplyLostStatus: f.WithdrawReplyLostStatus,
	}
	if f.RetryAfter != 0 {
		j.RetryAfter = f.RetryAfter.String()
	}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	return json.Marshal(j)
}

func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var out Faults
	var err error
	if out.RetryAfter, err = parseDuration(j.RetryAfter); err != nil {
		return fmt.Errorf("retryAfter: %w", err)
	}
	if out.Latency, err = parseDuration(j.Latency); err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	out.RateLimit, out.SoftBlock, out.SessionExpired = j.RateLimit, j.SoftBlock, j.SessionExpired
	out.Challenge, out.ServerErrors, out.ServerErrorRate = j.Challenge, j.ServerErrors, j.ServerErrorRate
	out.ServerErrorStatus, out.DropConnections = j.ServerErrorStatus, j.DropConnections
	out.WithdrawReplyLost, out.WithdrawReplyLostStatus = j.WithdrawReplyLost, j.WithdrawReplyLostStatus
	*f = out
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// verdict is what the fault layer decided for one request before it is
// served.
type verdict struct {
	latency time.Duration
	drop    bool
	reply   *reply // a fault reply that replaces the real one
}

// takeFaults applies the account's faults to one request at simulated time
// now, consuming counters. The order is fixed: latency, dropped connection,
// soft block, expired session, challenge, rate limit, server error.
func (a *Account) takeFaults(now time.Time) verdict {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := &a.faults
	v := verdict{latency: f.Latency}
	switch {
	case f.DropConnections > 0:
		f.DropConnections--
		v.drop = true
		return v
	case f.SoftBlock:
		v.reply = softBlockReply()
		return v
	case f.SessionExpired:
		v.reply = sessionTroubleReply(a.cfg.SessionTrouble)
		return v
	case f.Challenge != ChallengeOff:
		v.reply = challengeReply(f.Challenge, a.cfg.ProfileID)
		return v
	}
	if f.RateLimit > 0 {
		cut := now.Add(-time.Minute)
		i := 0
		for i < len(a.window) && !a.window[i].After(cut) {
			i++
		}
		a.window = a.window[i:]
		if len(a.window) >= f.RateLimit {
			wait := f.RetryAfter
			if wait <= 0 {
				wait = a.window[0].Add(time.Minute).Sub(now)
			}
			secs := max(1, int(math.Ceil(wait.Seconds())))
			v.reply = rateLimitedReply(secs)
			return v
		}
		a.window = append(a.window, now)
	}
	status := f.ServerErrorStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if f.ServerErrors > 0 {
		f.ServerErrors--
		v.reply = statusReply(status)
		return v
	}
	if f.ServerErrorRate > 0 && a.faultRNG.Float64() < f.ServerErrorRate {
		v.reply = statusReply(status)
		return v
	}
	return v
}

// takeWithdrawLost consumes one WithdrawReplyLost for a withdrawal that is
// about to be served, returning whether its reply is to be lost and how (0 =
// drop the connection, else the status to answer).
func (a *Account) takeWithdrawLost() (bool, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.faults.WithdrawReplyLost <= 0 {
		return false, 0
	}
	a.faults.WithdrawReplyLost--
	return true, a.faults.WithdrawReplyLostStatus
}
