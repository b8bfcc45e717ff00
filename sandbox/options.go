package sandbox

import (
	"fmt"
	"log/slog"
	"time"
)

// DefaultStart is where the simulated clock starts when Options.Start is
// zero: a fixed instant, so that a seed reproduces the same network.
var DefaultStart = time.Date(2026, time.June, 1, 9, 0, 0, 0, time.UTC)

// Defaults of the network's rules (see LINKEDIN.md, "Rules of the network").
const (
	DefaultCoolDown        = 21 * 24 * time.Hour
	DefaultWeeklyFree      = 100
	DefaultWeeklyPremium   = 200
	DefaultNotesPerMonth   = 5 // personalised notes a free account may send in 30 days
	DefaultNoteLimitFree   = 200
	DefaultNoteLimit       = 300
	DefaultConnectionLimit = 30000
	DefaultMonths          = 6
	MaxPageSize            = 100
)

// Options configures a Sandbox.
type Options struct {
	// Seed makes every account's network reproducible (mixed with the
	// account key unless AccountConfig.Seed is set).
	Seed uint64
	// Start is the simulated clock's first reading; zero means DefaultStart.
	Start time.Time
	// Live makes the simulated clock run with wall time from Start (plus any
	// Advance). Off, it stands still until moved; tests want it off, a
	// standalone server driven by a real client usually wants it on.
	Live bool
	// Ceiling is the default collection ceiling for sent-invitation
	// listings: pages past the newest Ceiling pending invitations come back
	// empty. 0 = no ceiling.
	Ceiling int
	// UnknownSession is how requests with an unknown li_at are turned away.
	UnknownSession SessionTrouble
	// MaxLoggedRequests bounds the request log kept for Requests();
	// 0 means 10,000.
	MaxLoggedRequests int
	// Logger receives the start-up banner of ListenAndServe; nil means slog.Default().
	Logger *slog.Logger
}

// AccountConfig describes one simulated LinkedIn member. Zero fields get
// seeded or default values.
type AccountConfig struct {
	Key       string // how tests and the admin API name the account; "" → "acct<n>"
	FirstName string
	LastName  string
	Headline  string
	Slug      string // public identifier
	ProfileID string // the id in urn:li:fs_miniProfile:<id> / urn:li:fsd_profile:<id>
	MemberID  int64  // plainId, urn:li:member:<n>
	Premium   bool

	// LiAt and JSessionID are the session cookies the account accepts
	// (JSessionID without quotes, like "ajax:123…").
	LiAt       string
	JSessionID string

	// Seed overrides the seed derived from Options.Seed and Key.
	Seed uint64
	// SentInvitations invitations are seeded, spread over Months months
	// before the clock (0 → DefaultMonths). Their fates follow the
	// published acceptance data; those already due are connections.
	SentInvitations int
	Months          int
	// ReceivedInvitations are seeded incoming invitations (last 30 days).
	ReceivedInvitations int
	// BackgroundConnections count towards the connection limit but are not
	// listed (older than anything the sandbox models).
	BackgroundConnections int

	// Ceiling overrides Options.Ceiling: 0 inherits it, <0 turns it off.
	Ceiling         int
	WeeklyLimit     int           // 0 → 100 free, 200 premium (rolling 7 days)
	NotesPerMonth   int           // free accounts only; 0 → 5 (rolling 30 days)
	NoteLimit       int           // characters; 0 → 200 free, 300 premium
	CoolDown        time.Duration // after a withdrawal; 0 → 21 days
	ConnectionLimit int           // 0 → 30,000

	// SessionTrouble is how this account's session problems show.
	SessionTrouble SessionTrouble
	// Removed lists call variants answering 404, as if LinkedIn removed them.
	Removed []PathKind
}

// SessionTrouble is how an invalid or expired session is reported.
type SessionTrouble int

const (
	// TroubleUnauthorized answers 401.
	TroubleUnauthorized SessionTrouble = iota
	// TroubleRedirect answers 302 to https://www.linkedin.com/login… with
	// Set-Cookie: li_at=delete me; Max-Age=0.
	TroubleRedirect
)

func (t SessionTrouble) MarshalText() ([]byte, error) {
	switch t {
	case TroubleUnauthorized:
		return []byte("401"), nil
	case TroubleRedirect:
		return []byte("redirect"), nil
	}
	return nil, fmt.Errorf("sandbox: unknown session trouble %d", int(t))
}

func (t *SessionTrouble) UnmarshalText(b []byte) error {
	switch string(b) {
	case "", "401":
		*t = TroubleUnauthorized
	case "redirect", "302":
		*t = TroubleRedirect
	default:
		return fmt.Errorf("sandbox: session trouble %q: want 401 or redirect", b)
	}
	return nil
}

// Challenge is how a security checkpoint is shown.
type Challenge int

const (
	ChallengeOff Challenge = iota
	// ChallengeRedirect answers 302 to /checkpoint/challenge/….
	ChallengeRedirect
	// ChallengeForbidden answers 403 with a JSON body mentioning CHALLENGE.
	ChallengeForbidden
)

func (c Challenge) MarshalText() ([]byte, error) {
	switch c {
	case ChallengeOff:
		return []byte(""), nil
	case ChallengeRedirect:
		return []byte("redirect"), nil
	case ChallengeForbidden:
		return []byte("forbidden"), nil
	}
	return nil, fmt.Errorf("sandbox: unknown challenge %d", int(c))
}

func (c *Challenge) UnmarshalText(b []byte) error {
	switch string(b) {
	case "", "off":
		*c = ChallengeOff
	case "redirect", "302":
		*c = ChallengeRedirect
	case "forbidden", "403":
		*c = ChallengeForbidden
	default:
		return fmt.Errorf("sandbox: challenge %q: want redirect or forbidden", b)
	}
	return nil
}

// PathKind names one kind of Voyager call, for counting requests and for
// switching variants off.
type PathKind string

const (
	KindMe             PathKind = "me"
	KindSentLegacy     PathKind = "sent-legacy"
	KindSentDash       PathKind = "sent-dash"
	KindSentGraphQL    PathKind = "sent-graphql"
	KindSentSummary    PathKind = "sent-summary"
	KindWithdrawClose  PathKind = "withdraw-close"
	KindWithdrawAction PathKind = "withdraw-action"
	KindWithdrawDash   PathKind = "withdraw-dash"
	KindSendDash       PathKind = "send-dash"
	KindSendLegacy     PathKind = "send-legacy"
	KindReceived       PathKind = "received"
	KindReceivedAction PathKind = "received-action"
	KindConnections    PathKind = "connections"
	KindUnknown        PathKind = "unknown"
)

func (k PathKind) isWithdraw() bool {
	return k == KindWithdrawClose || k == KindWithdrawAction || k == KindWithdrawDash
}
