package linkedin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors, for errors.Is. Every error a call returns after reaching
// LinkedIn is an *Error whose Kind is one of these.
var (
	// ErrSessionExpired: 401, a redirect to a login page or one that deletes
	// li_at, or HTML where JSON was expected. The user must sign in again.
	ErrSessionExpired = errors.New("linkedin: session expired")
	// ErrChallenge: a redirect to /checkpoint or /challenge, or a 403
	// mentioning CHALLENGE. The user must pass it in a browser.
	ErrChallenge = errors.New("linkedin: security challenge")
	// ErrRateLimited: 429 without a known code. Error.RetryAfter says how
	// long LinkedIn asked to wait, when it did.
	ErrRateLimited = errors.New("linkedin: rate limited")
	// ErrSoftBlock: status 999 "Request denied". Never retry; stop the account.
	ErrSoftBlock = errors.New("linkedin: request denied (soft block)")
	// ErrNotPending: the invitation is no longer pending (accepted or
	// already withdrawn); re-read the list to learn which.
	ErrNotPending = errors.New("linkedin: invitation not pending")
	// ErrCoolDown: CANT_RESEND_YET, a re-invite inside the cool-down.
	ErrCoolDown = errors.New("linkedin: cannot invite again yet (cool-down)")
	// ErrWeeklyLimit: MAX_INVITATION_SENT.
	ErrWeeklyLimit = errors.New("linkedin: weekly invitation limit reached")
	// ErrCustomInviteLimit: CUSTOM_INVITE_LIMIT_REACHED, out of notes.
	ErrCustomInviteLimit = errors.New("linkedin: out of personalised notes")
	// ErrNoteTooLong: the note exceeds the plan's limit; nothing was sent.
	ErrNoteTooLong = errors.New("linkedin: note too long")
	// ErrConnectionLimit: CANT_INVITE_CONNECTION_LIMIT_REACHED (30,000).
	ErrConnectionLimit = errors.New("linkedin: connection limit reached")
	// ErrCSRF: 403 "CSRF check failed.": the JSESSIONID does not match.
	ErrCSRF = errors.New("linkedin: CSRF check failed")
	// ErrUnexpected: anything else: 5xx, a dropped connection, an unknown
	// status or shape. Retryable tells the transient ones.
	ErrUnexpected = errors.New("linkedin: unexpected reply")
)

// Error describes a failed call. It never holds the session cookies.
type Error struct {
	Kind   error  // one of the sentinels above
	Op     string // the call, e.g. "withdraw invitation"
	Method string
	Path   string // under the base URL, without the query
	Status int    // HTTP status; 0 when no reply arrived
	// Code is LinkedIn's error code (data.code) or, for closeInvitations,
	// the per-invitation status.
	Code string
	// RetryAfter is the wait LinkedIn asked for (Retry-After on a 429 or
	// 5xx), 0 if none.
	RetryAfter time.Duration
	// Snippet is the start of the reply body, for diagnosis.
	Snippet string
	Err     error // the cause, if any (transport, JSON)

	temporary bool // 5xx or no reply: worth another try later
	shape     bool // a 2xx reply whose shape we do not know
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("linkedin: ")
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	kind := ErrUnexpected
	if e.Kind != nil {
		kind = e.Kind
	}
	b.WriteString(strings.TrimPrefix(kind.Error(), "linkedin: "))
	var detail []string
	if e.Status != 0 {
		detail = append(detail, "HTTP "+strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		detail = append(detail, "code "+e.Code)
	}
	if e.RetryAfter > 0 {
		detail = append(detail, "retry after "+e.RetryAfter.String())
	}
	if len(detail) > 0 {
		b.WriteString(" (" + strings.Join(detail, ", ") + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.Snippet != "" {
		b.WriteString(": reply " + strconv.Quote(e.Snippet))
	}
	return b.String()
}

// Unwrap exposes the sentinel and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	errs := []error{ErrUnexpected}
	if e.Kind != nil {
		errs[0] = e.Kind
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Retryable reports whether err is transient: a 5xx or a connection that
// failed or dropped. Session trouble, challenges, soft blocks, rate limits
// and limits are not: they stop the account (see RetryAfter for 429).
func Retryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.temporary
}

// RetryAfter returns the wait LinkedIn asked for with err, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// unavailable reports whether err says a call variant is not (or no
// longer) served: 404, 405 or 410.
func unavailable(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Kind != ErrUnexpected {
		return false
	}
	return e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed || e.Status == http.StatusGone
}

// unknownShape reports whether err is a 2xx reply we could not read.
func unknownShape(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.shape
}

// codeKinds maps LinkedIn's data.code values to sentinels.
var codeKinds = map[string]error{
	"CANT_RESEND_YET":                      ErrCoolDown,
	"MAX_INVITATION_SENT":                  ErrWeeklyLimit,
	"CUSTOM_INVITE_LIMIT_REACHED":          ErrCustomInviteLimit,
	"CANT_INVITE_CONNECTION_LIMIT_REACHED": ErrConnectionLimit,
}

// classify maps a reply to an *Error, or nil when it is a 2xx that is not
// HTML. Redirects are never followed, so 3xx arrive here.
func (c *Client) classify(resp *http.Response, body []byte) *Error {
	st := resp.StatusCode
	e := &Error{Status: st, Snippet: c.snippet(body)}
	loc := resp.Header.Get("Location")
	code := errorCode(body)
	ok := st >= 200 && st < 300
	switch {
	case containsAny(loc, "/checkpoint", "/challenge"):
		e.Kind = ErrChallenge
	case !ok && deletesSession(resp):
		e.Kind = ErrSessionExpired
	case st >= 300 && st < 400:
		e.Kind = ErrUnexpected
		if containsAny(loc, "/login", "/authwall", "/uas/login") {
			e.Kind = ErrSessionExpired
		}
	case st == http.StatusUnauthorized:
		e.Kind = ErrSessionExpired
	case st == 999:
		e.Kind = ErrSoftBlock
	case st == http.StatusForbidden && strings.Contains(string(body), "CSRF check failed"):
		e.Kind = ErrCSRF
	case st == http.StatusForbidden && strings.Contains(string(body), "CHALLENGE"):
		e.Kind = ErrChallenge
	case st >= 400 && st < 500 && codeKinds[code] != nil:
		e.Kind, e.Code = codeKinds[code], code
	case st == http.StatusTooManyRequests:
		e.Kind, e.Code = ErrRateLimited, code
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	case st >= 500:
		e.Kind, e.Code, e.temporary = ErrUnexpected, code, true
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	case ok && isHTML(resp, body):
		e.Kind = ErrSessionExpired
	case ok:
		return nil
	default:
		e.Kind, e.Code = ErrUnexpected, code
	}
	return e
}

// deletesSession reports a Set-Cookie that clears li_at (li_at=delete me).
func deletesSession(resp *http.Response) bool {
	for _, sc := range resp.Header.Values("Set-Cookie") {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc), "li_at=")
		if ok && strings.HasPrefix(strings.TrimLeft(v, `"`), "delete") {
			return true
		}
	}
	return false
}

func isHTML(resp *http.Response, body []byte) bool {
	if strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") {
		return true
	}
	t := strings.TrimLeft(string(body[:min(len(body), 64)]), " \t\r\n\ufeff")
	return strings.HasPrefix(t, "<")
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// parseRetryAfter reads delay-seconds or an HTTP-date; 0 when absent,
// unreadable or past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(365*24*3600))) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return max(t.Sub(now), 0)
}

const snippetLen = 160

// snippet is the start of a body with secrets scrubbed, white space
// collapsed and invalid UTF-8 dropped. The whole body is scrubbed before
// the cut, so no part of a secret can survive at the edge.
func (c *Client) snippet(body []byte) string {
	s := c.creds().scrub(strings.ToValidUTF8(string(body), ""))
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > snippetLen {
		r := []rune(s)
		s = string(r[:snippetLen]) + "…"
	}
	return s
}
