package unvite

import (
	"context"
	"time"
)

// Store keeps accounts, invitations and the audit log. Implementations:
// sqlite (embedded default) and, later, postgres; both must pass the suite
// in storetest. Every method that changes a status writes its audit event
// in the same transaction.
type Store interface {
	UserStore
	WebhookStore

	CreateAccount(ctx context.Context, a *Account) error
	// PatchAccount changes the fields the patch sets, on the row as it is
	// now, and records an "account" event in the same transaction. It
	// returns the account as it stands afterwards: when the patch's OnlyFrom
	// did not allow the state change, the state is left as it was.
	PatchAccount(ctx context.Context, id int64, p AccountPatch, ch Change) (*Account, error)
	Account(ctx context.Context, id int64) (*Account, error)
	// FindAccount resolves a user's reference: a numeric id, a slug or a
	// profile URL, or an exact name. ENOTFOUND when none, ECONFLICT when many.
	FindAccount(ctx context.Context, ref string) (*Account, error)
	Accounts(ctx context.Context) ([]*Account, error)
	DeleteAccount(ctx context.Context, id int64) error
	// SetSession stores the sealed (encrypted) session; nil clears it.
	SetSession(ctx context.Context, accountID int64, sealed []byte) error
	Session(ctx context.Context, accountID int64) ([]byte, error)
	// ReplaceSession stores sealed in place of old only when the stored
	// session is still old (a reconnect meanwhile wins), recording an
	// "account" event; it reports whether it replaced. For re-sealing a
	// session with the newest key.
	ReplaceSession(ctx context.Context, accountID int64, old, sealed []byte, ch Change) (bool, error)

	Invitation(ctx context.Context, id int64) (*Invitation, error)
	Invitations(ctx context.Context, f InvitationFilter) ([]*Invitation, error)
	// EachInvitation streams the matching invitations, for exports.
	EachInvitation(ctx context.Context, f InvitationFilter, fn func(*Invitation) error) error
	CountInvitations(ctx context.Context, f InvitationFilter) (int, error)
	// Transition moves one invitation, checking CanTransition, and records
	// the event. A move to withdrawn sets ReinviteAfter = at + coolDown.
	Transition(ctx context.Context, id int64, to Status, ch Change) (*Invitation, error)
	// Tag adds (or with remove, removes) tags on the invitations.
	Tag(ctx context.Context, ids []int64, tags []string, remove bool, ch Change) error
	SetProtected(ctx context.Context, ids []int64, protected bool, ch Change) error
	Events(ctx context.Context, f EventFilter) ([]*Event, error)
	Connections(ctx context.Context, accountID int64) ([]Connection, error)

	// BeginImport opens one atomic import: nothing is visible, and nothing
	// stored is changed, until Commit succeeds. With accountID 0 the import
	// goes into meta.Owner's account, found or created inside the import's
	// own transaction (see OwnerAccount): a failed import leaves no account
	// behind, and a second import of the same owner waits for the first.
	BeginImport(ctx context.Context, accountID int64, meta ImportMeta) (ImportBatch, error)
	// ApplySync reconciles the store with what LinkedIn listed, atomically.
	ApplySync(ctx context.Context, accountID int64, snap SyncSnapshot) (SyncSummary, error)

	Withdrawals

	Close() error
}

// Change says when, why and by whom something changed, for the audit log.
type Change struct {
	At       time.Time
	Reason   string
	Actor    string
	CoolDown time.Duration // for moves to withdrawn; 0 means DefaultCoolDown
}

// InvitationFilter selects invitations. Zero fields do not filter.
type InvitationFilter struct {
	AccountID int64
	IDs       []int64
	Direction Direction // "" = any
	Statuses  []Status
	// SentBefore/SentAfter bound SentAt (OlderThan/NewerThan in the CLI).
	SentBefore time.Time
	SentAfter  time.Time
	Tag        string
	// HasNote, when set, keeps invitations sent with a note (true) or
	// without one (false).
	HasNote *bool
	// Search matches name, company, headline, note or slug, case-insensitively.
	Search    string
	Protected *bool
	// ReinviteBy selects withdrawn invitations whose cool-down ends by then,
	// ReinviteFrom those whose cool-down ends at or after then.
	ReinviteBy   time.Time
	ReinviteFrom time.Time
	// ChangedFrom keeps invitations whose status changed at or after then
	// (StatusSince), ChangedBefore those whose status changed before then.
	ChangedFrom   time.Time
	ChangedBefore time.Time
	// Brief loads only what a plan needs (id, account, direction, name,
	// slug, sent time, note flag, status, protection, tags): several times
	// faster for a large account.
	Brief bool
	// Outcomes loads what acceptance analytics need: id, account,
	// direction, sent time, note flag and length (Invitation.NoteChars; the
	// text need not be loaded, and a length past 65,535 may read as that),
	// status and its time, protection, tags, and the invitee's company and
	// headline (not name or slug). A store may load more.
	Outcomes bool
	// Unordered lets EachInvitation stream the rows in any order (Sort is
	// then ignored; Limit and Offset must be 0), which a store may do much
	// faster for a large selection: in table order, on several connections
	// at once (each reading a snapshot of its part: for figures, not for
	// decisions), reusing the invitations it hands over. fn must then not
	// keep an invitation after it returns.
	Unordered bool
	// Sort is one of "sent" (oldest first, the default), "-sent", "name",
	// "-name", "status", "company".
	Sort   string
	Limit  int
	Offset int
}

// SentBy narrows f to the invitations that existed as of asOf's day, as
// Invitation.SentBy tells them, on top of any SentBefore already set.
func (f *InvitationFilter) SentBy(asOf time.Time) {
	if end := DayAfter(asOf); f.SentBefore.IsZero() || end.Before(f.SentBefore) {
		f.SentBefore = end
	}
}

// EventFilter selects audit events, newest first. Events of the same second
// (one import records many) come by invitation id, then event id, both
// descending: a total order that both stores give alike, although they may
// number one import's events differently.
type EventFilter struct {
	AccountID    int64
	InvitationID int64
	Limit        int
}

// Connection is a first-degree connection as an export or sync knows it.
type Connection struct {
	Person      Person    `json:"person"`
	Email       string    `json:"email,omitempty"`
	ConnectedOn time.Time `json:"connected_on"`
}

// ImportMeta describes one import.
type ImportMeta struct {
	File string // shown in errors and recorded as the actor "import:<file>"
	// Snapshot is true when the batch carries a whole Invitations.csv: a
	// pending export invitation absent from it has vanished (accepted if now a
	// connection, else gone).
	Snapshot bool
	// AsOf is the export date when the archive's name gives it. When zero,
	// the batch takes the day of the newest invitation or connection it is
	// given (see ExportDay): reading a file twice to learn it up front cost
	// a tenth of a large import.
	AsOf     time.Time
	CoolDown time.Duration
	// ExpectedRows estimates how many invitation rows the batch will carry
	// (0 if unknown). A store may load a large batch another way.
	ExpectedRows int
	// Owner is whose export this is, when BeginImport is given no account
	// id: its Name (required) and Slug, and the fields a new account takes.
	Owner *Account
}

// TrackedRow is one row of a hand-kept tracking sheet.
type TrackedRow struct {
	Line       int
	Person     Person
	SentOn     time.Time // a day
	HadNote    bool
	FollowUpOn time.Time
	Status     Status // "" when the sheet says nothing usable
	Comment    string
}

// ImportBatch receives the rows of one import. Rows of invitations are
// upserted by (direction, person, sent at); an existing invitation's status
// is never moved backward. Commit applies the status rules, in order:
// a sent invitation followed by a later one to the same person is withdrawn
// (superseded by a re-invite); a pending one whose invitee connected on or
// after the day it was sent is accepted; with Snapshot, a pending export
// invitation absent from the batch is gone.
type ImportBatch interface {
	// Account is the account the rows go into (created by this import if
	// it is new: then it exists once Commit succeeds).
	Account() *Account
	PutConnection(ctx context.Context, c Connection) error
	PutInvitation(ctx context.Context, inv *Invitation) error
	// PutTracked matches a sheet row to an invitation to the same person sent
	// that day (enriching it with follow-up date and comment), or adds it.
	PutTracked(ctx context.Context, r TrackedRow) (matched bool, err error)
	Commit(ctx context.Context) (ImportSummary, error)
	// Rollback abandons the import; safe after Commit.
	Rollback() error
}

// ImportSummary counts what an import did.
type ImportSummary struct {
	Rows        int `json:"rows"` // invitation rows read
	Added       int `json:"added"`
	Updated     int `json:"updated"`
	Unchanged   int `json:"unchanged"`
	Connections int `json:"connections"`
	Accepted    int `json:"accepted"`   // moved to accepted by this import
	Superseded  int `json:"superseded"` // moved to withdrawn: re-invited later
	Gone        int `json:"gone"`       // vanished from a newer export
	Matched     int `json:"matched"`    // tracking-sheet rows that matched
	Unmatched   int `json:"unmatched"`  // tracking-sheet rows added as new
	// AsOf is the export date the import judged by; zero when neither the
	// meta nor any row gave one.
	AsOf time.Time `json:"-"`
	// Account is the account imported into (ImportBatch.Account), for the
	// caller that gave only the owner.
	Account *Account `json:"-"`
	// Warnings say what looks wrong although nothing failed.
	Warnings []string `json:"warnings,omitempty"`
	// Skipped and IgnoredColumns say what of the input files the import
	// left out, and why: the reader fills them in, not the store.
	Skipped        []SkippedRows    `json:"skipped,omitempty"`
	IgnoredColumns []IgnoredColumns `json:"ignored_columns,omitempty"`
}

// SkippedRows counts the rows of one input file an import left out for
// one reason.
type SkippedRows struct {
	File   string `json:"file"`
	Reason string `json:"reason"` // a stable code, e.g. "no_name_or_url"
	Why    string `json:"why"`    // the reason in words
	Count  int    `json:"count"`
	Lines  []int  `json:"lines"` // the first few, where the rows start
}

// IgnoredColumns lists the columns of one input file that nothing reads.
type IgnoredColumns struct {
	File    string   `json:"file"`
	Columns []string `json:"columns"`
}

// ExportDay finds an export's date from its rows: the day (UTC) of the
// newest sent or connected time. The zero value is ready to use.
type ExportDay struct{ newest time.Time }

// See takes one row's time into account.
func (d *ExportDay) See(t time.Time) {
	if t.After(d.newest) {
		d.newest = t
	}
}

// Day is the export's day, or the zero time when no row was seen.
func (d *ExportDay) Day() time.Time {
	if d.newest.IsZero() {
		return time.Time{}
	}
	return d.newest.UTC().Truncate(24 * time.Hour)
}

// Or is meta's date when it has one, else the day of the rows.
func (d *ExportDay) Or(meta time.Time) time.Time {
	if !meta.IsZero() {
		return meta
	}
	return d.Day()
}

// SyncedInvitation is a sent invitation as LinkedIn lists it now.
type SyncedInvitation struct {
	LinkedInID   string
	Invitee      Person
	SentAt       time.Time
	SentAtApprox bool
	HadNote      bool
	Kind         Kind
}

// SyncSnapshot is what one sync saw.
type SyncSnapshot struct {
	At      time.Time
	Pending []SyncedInvitation // every pending sent invitation LinkedIn listed
	// Complete is false when LinkedIn's collection ceiling hid the oldest
	// ones: then only invitations newer than the oldest seen are reconciled.
	Complete bool
	// Connections are recent connections, to tell accepted from gone.
	Connections []Connection
}

// SyncSummary counts what a sync changed.
type SyncSummary struct {
	Added     int `json:"added"`
	Accepted  int `json:"accepted"`
	Gone      int `json:"gone"`
	Withdrawn int `json:"withdrawn,omitempty"` // withdrawing ones that vanished: our attempt landed
	Unchanged int `json:"unchanged"`
	Unseen    int `json:"unseen"` // pending in the store but hidden by the ceiling
	// Unlisted counts the unseen ones with no LinkedIn id: marked
	// Invitation.UnlistedAt, out of plans.
	Unlisted int `json:"unlisted,omitempty"`
}

// Horizon is the sending time at or before which a stored pending
// invitation this snapshot does not list may merely be hidden behind
// LinkedIn's collection ceiling (it is older than everything listed) rather
// than vanished. It is the zero time when the list is complete.
func (s SyncSnapshot) Horizon() time.Time {
	if s.Complete {
		return time.Time{}
	}
	h := time.Unix(1<<62, 0) // nothing listed: everything may be hidden
	for _, p := range s.Pending {
		if p.SentAt.Before(h) {
			h = p.SentAt
		}
	}
	return h
}

// SchemaStatus is where a database's schema stands against the migrations
// this build carries: what `unvite migrate` shows and does.
type SchemaStatus struct {
	// Database names the database without secrets: the file, or the
	// server, database and schema.
	Database string       `json:"database"`
	Parts    []SchemaPart `json:"parts"`
}

// SchemaPart is one set of migrations: unvite's own tables, or River's.
type SchemaPart struct {
	Name    string `json:"name"`
	Version int64  `json:"version"` // the newest applied; 0 for none
	Latest  int64  `json:"latest"`  // the newest this build carries
	// Pending names the migrations this build would apply, in order.
	Pending []string `json:"pending,omitempty"`
}

// Newer tells whether a newer release of unvite migrated the database past
// what this build knows: it runs on it, but should be upgraded.
func (p SchemaPart) Newer() bool { return p.Version > p.Latest }

// Newer is the first part a newer release migrated past this build, if any.
func (s SchemaStatus) Newer() (SchemaPart, bool) {
	for _, p := range s.Parts {
		if p.Newer() {
			return p, true
		}
	}
	return SchemaPart{}, false
}

// Migration is one migration a build carries.
type Migration struct {
	Version int64
	Name    string
}

// NewSchemaPart tells where a part stands at version applied, of the
// migrations known (in order).
func NewSchemaPart(name string, applied int64, known []Migration) SchemaPart {
	p := SchemaPart{Name: name, Version: applied}
	for _, m := range known {
		p.Latest = max(p.Latest, m.Version)
		if m.Version > applied {
			p.Pending = append(p.Pending, m.Name)
		}
	}
	return p
}
