package linkedin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/unvite/unvite"
)

// Defaults for Config.
const (
	DefaultBaseURL = "https://www.linkedin.com"
	DefaultMinGap  = 3 * time.Second
	DefaultJitter  = 4 * time.Second
	// DefaultUserAgent is a current desktop Chrome on Windows; keep it
	// current, an outdated browser stands out.
	DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/153.0.0.0 Safari/537.36"
	// DefaultAcceptLanguage is sent as accept-language; replies are parsed
	// in English (sentTimeLabel), so it matches x-li-lang.
	DefaultAcceptLanguage = "en-US,en;q=0.9"
	// DefaultSentInvitationsQueryID is the GraphQL query id of the sent
	// invitations list as seen in public client code. The hash rotates:
	// override it with Config.SentInvitationsQueryID.
	DefaultSentInvitationsQueryID = "voyagerRelationshipsDashSentInvitationViews.1901307baa315a33bf17bb743daf1250"
	// DefaultTimeout bounds one request when Config.HTTPClient is nil.
	DefaultTimeout = 60 * time.Second
)

// Config configures a Client. Only Session is required.
type Config struct {
	// BaseURL is scheme and host, without /voyager/api (default DefaultBaseURL).
	BaseURL string
	Session Session
	// HTTPClient is copied, never changed: the copy never follows
	// redirects and has no cookie jar. Default: a client with DefaultTimeout
	// over the session's own connections, kept alive between Clients.
	HTTPClient *http.Client
	// MinGap and Jitter space requests: at least MinGap + rand[0, Jitter)
	// between the end of one request and the start of the next. Zero means
	// no wait, for tests against a local server: production callers start
	// from DefaultConfig (3 s and 4 s).
	MinGap time.Duration
	Jitter time.Duration
	// UserAgent defaults to DefaultUserAgent.
	UserAgent string
	// AcceptLanguage defaults to DefaultAcceptLanguage.
	AcceptLanguage string
	// SentInvitationsQueryID is the GraphQL queryId (name.hash) of the
	// third listing variant (default DefaultSentInvitationsQueryID).
	SentInvitationsQueryID string
	// Logger receives one debug line per request (method, path, status,
	// duration; never headers or bodies). Nil: no logging.
	Logger *slog.Logger
	// Now and Sleep replace the clock in tests. Sleep must return early
	// with ctx.Err() when ctx is done.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultConfig returns a Config with production pacing for sess.
func DefaultConfig(sess Session) Config {
	return Config{Session: sess, MinGap: DefaultMinGap, Jitter: DefaultJitter}
}

// String is a redacted summary: the session shows as <redacted>.
func (c Config) String() string {
	return fmt.Sprintf("linkedin.Config{BaseURL:%q Session:%s MinGap:%s Jitter:%s UserAgent:%q}",
		c.BaseURL, c.Session, c.MinGap, c.Jitter, c.UserAgent)
}

// GoString is String: %#v must not show the session either.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb, so no verb reaches the fields.
func (c Config) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue keeps the session out of slog output, JSON handlers included.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.Any("session", c.Session),
		slog.Duration("min_gap", c.MinGap),
		slog.Duration("jitter", c.Jitter),
	)
}

// Client talks to Voyager for one account. It is safe for concurrent use;
// requests are serialised.
type Client struct {
	base string // scheme://host/voyager/api
	// creds is a closure: fmt prints a func as an address whatever the
	// verb, so even a Client's raw fields cannot show the cookies.
	creds     func() *credentials
	http      *http.Client
	minGap    time.Duration
	jitter    time.Duration
	userAgent string
	acceptLng string
	queryID   string
	log       *slog.Logger
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error

	// slot holds the one request in flight; nextAt (guarded by slot) is
	// the earliest start of the next request.
	slot   chan struct{}
	nextAt time.Time

	requests atomic.Int64
	// Variants that worked last, by call (index into that call's list).
	listVariant     atomic.Int32
	withdrawVariant atomic.Int32
	sendVariant     atomic.Int32
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	creds, err := cfg.Session.credentials()
	if err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("linkedin: base URL %q: want http(s)://host", base)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		// The session cookies would cross the network in clear text.
		return nil, unvite.Errorf(unvite.EINVALID, "linkedin: base URL %q: plain http:// would send the session cookies in clear text; use https://, or http:// only for a loopback host such as a local sandbox (127.0.0.1, ::1, localhost)", base)
	}
	hc := &http.Client{Timeout: DefaultTimeout, Transport: sessionTransports.get(creds.cookie)}
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient
		hc = &cp
	}
	hc.Jar = nil // cookies are ours alone: nothing extra, nothing stored
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	c := &Client{
		base:      strings.TrimRight(base, "/") + "/voyager/api",
		creds:     func() *credentials { return creds },
		http:      hc,
		minGap:    cfg.MinGap,
		jitter:    cfg.Jitter,
		userAgent: cfg.UserAgent,
		acceptLng: cfg.AcceptLanguage,
		queryID:   cfg.SentInvitationsQueryID,
		log:       cfg.Logger,
		now:       cfg.Now,
		sleep:     cfg.Sleep,
		slot:      make(chan struct{}, 1),
	}
	if c.minGap < 0 || c.jitter < 0 {
		return nil, fmt.Errorf("linkedin: negative MinGap or Jitter")
	}
	if c.minGap == 0 && c.log != nil && isLinkedIn(u.Hostname()) {
		c.log.Warn("linkedin: requests to LinkedIn are not paced (MinGap 0)")
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.acceptLng == "" {
		c.acceptLng = DefaultAcceptLanguage
	}
	if c.queryID == "" {
		c.queryID = DefaultSentInvitationsQueryID
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	return c, nil
}

// Requests counts the HTTP requests this client has sent.
func (c *Client) Requests() int64 { return c.requests.Load() }

// String is a redacted summary.
func (c *Client) String() string {
	if c == nil {
		return "linkedin.Client(nil)"
	}
	return fmt.Sprintf("linkedin.Client{base:%q session:%s requests:%d}", c.base, redacted, c.Requests())
}

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue keeps slog from walking the client's fields.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("linkedin.Client(nil)")
	}
	return slog.GroupValue(slog.String("base", c.base), slog.Int64("requests", c.Requests()))
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func isLinkedIn(host string) bool {
	host = strings.ToLower(host)
	return host == "linkedin.com" || strings.HasSuffix(host, ".linkedin.com")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
