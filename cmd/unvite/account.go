package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/secret"
)

// linkedinFlags choose where and how fast unvite talks to LinkedIn.
type linkedinFlags struct {
	LinkedInURL string        `help:"LinkedIn's address; point it at 'unvite sandbox' to try things safely." name:"linkedin-url" env:"UNVITE_LINKEDIN_URL" default:"https://www.linkedin.com"`
	Gap         time.Duration `help:"Least time between two requests to LinkedIn." env:"UNVITE_LINKEDIN_GAP" default:"3s"`
	Jitter      time.Duration `help:"Random extra time between requests, up to this." env:"UNVITE_LINKEDIN_JITTER" default:"4s"`
}

// Validate refuses negative pauses (kong calls it on every command that
// embeds the flags).
func (f linkedinFlags) Validate() error {
	if f.Gap < 0 || f.Jitter < 0 {
		return unvite.Errorf(unvite.EINVALID, "--gap %s, --jitter %s: want 0 or more", f.Gap, f.Jitter)
	}
	return nil
}

// AccountCmd is `unvite account`.
type AccountCmd struct {
	Add       AccountAddCmd       `cmd:"" help:"Connect a LinkedIn account with its browser session (li_at, JSESSIONID)."`
	List      AccountListCmd      `cmd:"" help:"List accounts."`
	Status    AccountStatusCmd    `cmd:"" help:"Show an account's state, session and figures."`
	Reconnect AccountReconnectCmd `cmd:"" help:"Give an account a new session after it expired or met a challenge."`
	Pause     AccountPauseCmd     `cmd:"" help:"Stop all work on an account until resumed."`
	Resume    AccountResumeCmd    `cmd:"" help:"Resume a paused or throttled account."`
	Remove    AccountRemoveCmd    `cmd:"" help:"Delete an account with its invitations, audit log and session."`
}

// keyring loads the secret keys: UNVITE_SECRET_KEY, UNVITE_SECRET_KEY_FILE,
// or the key file beside the database (created when no session needs it).
func (a *app) keyring(ctx context.Context, sealing bool) (*secret.Keyring, error) {
	keys, err := accounts.LoadKeys(ctx, a.store, a.getenv, a.keyFile(), sealing)
	if errors.Is(err, accounts.ErrKeyMissing) {
		// Earlier versions kept the key file in the data directory
		// whatever --db said.
		if old := filepath.Join(a.dataDir(), "secret.key"); old != a.keyFile() {
			if _, serr := os.Stat(old); serr == nil {
				return nil, fmt.Errorf("%w (unvite used to keep the key file at %s: move it beside the database, to %s)", err, old, a.keyFile())
			}
		}
	}
	return keys, err
}

// keyFile is where the key file is kept: beside a SQLite database, or in
// the data directory for a PostgreSQL one.
func (a *app) keyFile() string {
	if db := a.cli.DB; db != "" && !isPostgresURL(db) {
		return filepath.Join(filepath.Dir(db), "secret.key")
	}
	return filepath.Join(a.dataDir(), "secret.key")
}

// accounts is the shared account service, talking to LinkedIn as f says.
func (a *app) accounts(f linkedinFlags) *accounts.Service {
	return &accounts.Service{Store: a.store, Keys: a.keyring, NewClient: func(s linkedin.Session) (*linkedin.Client, error) {
		cfg := linkedin.DefaultConfig(s)
		cfg.BaseURL, cfg.MinGap, cfg.Jitter = f.LinkedInURL, f.Gap, f.Jitter
		cfg.Logger = a.log
		return linkedin.New(cfg)
	}, Now: a.now}
}

// readSession reads the two cookies: from --session-file, or stdin when it
// is not a terminal, or a prompt that does not echo. Never from argv, where
// `ps` and shell history would keep them.
func (a *app) readSession(file string) (linkedin.Session, error) {
	var r io.Reader = a.stdin
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return linkedin.Session{}, unvite.Errorf(unvite.EINVALID, "session file: %v", err)
		}
		defer f.Close()
		return accounts.ParseSession(f)
	}
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintln(a.stderr, "Paste the cookies from your browser (DevTools → Application → Cookies → www.linkedin.com). Input is not shown.")
		var s linkedin.Session
		for _, c := range []struct {
			name string
			dst  *string
		}{{"li_at", &s.LiAt}, {"JSESSIONID", &s.JSESSIONID}} {
			fmt.Fprintf(a.stderr, "%s: ", c.name)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(a.stderr)
			if err != nil {
				return s, fmt.Errorf("read %s: %w", c.name, err)
			}
			*c.dst = strings.TrimSpace(string(b))
		}
		return s, accounts.CheckSession(s)
	}
	return accounts.ParseSession(r)
}

// AccountAddCmd is `unvite account add`.
type AccountAddCmd struct {
	linkedinFlags
	SessionFile string `help:"Read li_at and JSESSIONID from this file instead of a prompt or stdin." type:"existingfile" placeholder:"FILE"`
	TimeZone    string `help:"The account's time zone (IANA name) for active hours." default:"UTC"`
	JSON        bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *AccountAddCmd) Run(ctx context.Context, a *app) error {
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return unvite.Errorf(unvite.EINVALID, "time zone %q: %v", c.TimeZone, err)
	}
	sess, err := a.readSession(c.SessionFile)
	if err != nil {
		return err
	}
	if _, err := a.create(ctx); err != nil {
		return err
	}
	acct, err := a.accounts(c.linkedinFlags).Connect(ctx, sess, nil, c.TimeZone, "user")
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(acct)
	}
	fmt.Fprintf(a.stdout, "Connected %s (account %d, %s plan, member %s). Next: %s\n", acct.Name, acct.ID, acct.Plan, acct.MemberID, accounts.NextStep(acct, a.now()))
	return nil
}

// AccountListCmd is `unvite account list`.
type AccountListCmd struct {
	JSON bool `help:"Print JSON for scripts." name:"json"`
}

func (c *AccountListCmd) Run(ctx context.Context, a *app) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	list, err := s.Accounts(ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []*unvite.Account{}
		}
		return a.printJSON(list)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPROFILE\tPLAN\tSTATE\tSESSION\tLAST SYNC")
	for _, acct := range list {
		last := "-"
		if !acct.LastSyncAt.IsZero() {
			last = acct.LastSyncAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", acct.ID, clip(acct.Name, 40), clip(acct.Slug, 60), acct.Plan, clip(stateLabel(acct), 80), yesNo(acct.HasSession), last)
	}
	return tw.Flush()
}

func stateLabel(acct *unvite.Account) string {
	s := string(acct.State)
	if accounts.Stopped(acct) != "" {
		s += " since " + acct.StateSince.Format("2006-01-02 15:04")
	}
	if acct.State == unvite.AccountThrottled && !acct.ThrottledUntil.IsZero() {
		s += " until " + acct.ThrottledUntil.Format("2006-01-02 15:04")
	}
	if acct.StateReason != "" {
		s += " (" + acct.StateReason + ")"
	}
	return s
}

type accountArg struct {
	Account string `arg:"" optional:"" help:"Account: id, profile URL, slug or name (default: the only one)."`
}

// AccountStatusCmd is `unvite account status`.
type AccountStatusCmd struct {
	accountArg
	JSON bool `help:"Print JSON for scripts." name:"json"`
}

func (c *AccountStatusCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	counts := map[unvite.Status]int{}
	for _, st := range unvite.Statuses {
		n, err := a.store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Direction: unvite.Sent, Statuses: []unvite.Status{st}})
		if err != nil {
			return err
		}
		counts[st] = n
	}
	next := accounts.NextStep(acct, a.now())
	session := map[bool]string{true: "stored, encrypted", false: "none"}[acct.HasSession]
	var sessionErr string
	if err := a.accounts(linkedinFlags{}).CanOpen(ctx, acct); err != nil {
		sessionErr = err.Error()
		session = "stored, but cannot be opened: " + sessionErr
		next = fmt.Sprintf("restore the key that sealed it, or: unvite account reconnect %d", acct.ID)
	}
	if c.JSON {
		return a.printJSON(struct {
			*unvite.Account
			Invitations  map[unvite.Status]int `json:"invitations"`
			SessionError string                `json:"session_error,omitempty"`
			Next         string                `json:"next"`
		}{acct, counts, sessionErr, next})
	}
	fmt.Fprintf(a.stdout, "%s (account %d)\n  profile:  %s\n  plan:     %s\n  state:    %s\n  session:  %s\n",
		acct.Name, acct.ID, acct.ProfileURL(), acct.Plan, stateLabel(acct), session)
	if !acct.LastSyncAt.IsZero() {
		fmt.Fprintf(a.stdout, "  synced:   %s\n", acct.LastSyncAt.Format(time.RFC3339))
	}
	fmt.Fprintf(a.stdout, "  sent:     %d pending, %d accepted, %d withdrawn, %d gone, %d withdrawing\n",
		counts[unvite.StatusPending], counts[unvite.StatusAccepted], counts[unvite.StatusWithdrawn], counts[unvite.StatusGone], counts[unvite.StatusWithdrawing])
	fmt.Fprintf(a.stdout, "  next:     %s\n", next)
	return nil
}

// AccountReconnectCmd is `unvite account reconnect`.
type AccountReconnectCmd struct {
	accountArg
	linkedinFlags
	SessionFile string `help:"Read li_at and JSESSIONID from this file." type:"existingfile" placeholder:"FILE"`
	JSON        bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *AccountReconnectCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	sess, err := a.readSession(c.SessionFile)
	if err != nil {
		return err
	}
	if acct, err = a.accounts(c.linkedinFlags).Connect(ctx, sess, acct, "", "user"); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(acct)
	}
	fmt.Fprintf(a.stdout, "Account %s has a new session and is active.\n", acct.Name)
	return nil
}

// AccountPauseCmd is `unvite account pause`.
type AccountPauseCmd struct {
	accountArg
	JSON bool `help:"Print JSON for scripts." name:"json"`
}

func (c *AccountPauseCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	acct, err = accounts.Pause(ctx, a.store, acct, unvite.Change{At: a.now(), Actor: "user"})
	if err != nil {
		return err
	}
	return a.printState(acct, c.JSON)
}

// AccountResumeCmd is `unvite account resume`.
type AccountResumeCmd struct {
	accountArg
	JSON bool `help:"Print JSON for scripts." name:"json"`
}

func (c *AccountResumeCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	acct, err = accounts.Resume(ctx, a.store, acct, unvite.Change{At: a.now(), Actor: "user"})
	if err != nil {
		return err
	}
	return a.printState(acct, c.JSON)
}

func (a *app) printState(acct *unvite.Account, asJSON bool) error {
	if asJSON {
		return a.printJSON(acct)
	}
	fmt.Fprintf(a.stdout, "Account %s is %s. Next: %s\n", acct.Name, acct.State, accounts.NextStep(acct, a.now()))
	return nil
}

// AccountRemoveCmd is `unvite account remove`.
type AccountRemoveCmd struct {
	Account string `arg:"" help:"Account: id, profile URL, slug or name."`
	Yes     bool   `help:"Confirm: the account's invitations and audit log are deleted too."`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *AccountRemoveCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	if !c.Yes {
		return unvite.Errorf(unvite.EINVALID, "removing %s deletes its invitations, audit log and session: run again with --yes", acct.Name)
	}
	if err := a.store.DeleteAccount(ctx, acct.ID); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(map[string]any{"removed": acct.ID, "name": acct.Name})
	}
	fmt.Fprintf(a.stdout, "Removed account %s.\n", acct.Name)
	return nil
}
