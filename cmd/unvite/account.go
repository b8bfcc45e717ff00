package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/unvite/unvite"
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

// keyring loads the secret keys (UNVITE_SECRET_KEY, UNVITE_SECRET_KEY_FILE,
// or a key file beside the database).
func (a *app) keyring() (*secret.Keyring, error) {
	return secret.Load(a.getenv, filepath.Join(a.dataDir(), "secret.key"))
}

// sessionInput reads the two cookies: from --session-file, or stdin when it
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
		return parseSession(f)
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
		return s, checkSession(s)
	}
	return parseSession(r)
}

// parseSession accepts `li_at=…` and `JSESSIONID=…` lines, or one Cookie
// header line holding both (as copied from a request).
func parseSession(r io.Reader) (linkedin.Session, error) {
	var s linkedin.Session
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "Cookie:"))
		for _, part := range strings.Split(line, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "li_at":
				s.LiAt = strings.TrimSpace(v)
			case "JSESSIONID":
				s.JSESSIONID = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("read session: %w", err)
	}
	return s, checkSession(s)
}

func checkSession(s linkedin.Session) error {
	switch {
	case s.LiAt == "" && s.JSESSIONID == "":
		return unvite.Errorf(unvite.EINVALID, "no session given: want li_at=… and JSESSIONID=… (one a line, or a Cookie header)")
	case s.LiAt == "":
		return unvite.Errorf(unvite.EINVALID, "session: li_at is missing")
	case s.JSESSIONID == "":
		return unvite.Errorf(unvite.EINVALID, "session: JSESSIONID is missing")
	}
	return nil
}

func (a *app) client(f linkedinFlags, s linkedin.Session) (*linkedin.Client, error) {
	cfg := linkedin.DefaultConfig(s)
	cfg.BaseURL, cfg.MinGap, cfg.Jitter = f.LinkedInURL, f.Gap, f.Jitter
	cfg.Logger = a.log
	return linkedin.New(cfg)
}

// storedClient opens the account's sealed session and builds its client.
func (a *app) storedClient(ctx context.Context, f linkedinFlags, acct *unvite.Account) (*linkedin.Client, error) {
	sealed, err := a.store.Session(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	if sealed == nil {
		return nil, unvite.Errorf(unvite.ECONFLICT, "account %s has no LinkedIn session: unvite account reconnect %d", acct.Name, acct.ID)
	}
	ring, err := a.keyring()
	if err != nil {
		return nil, err
	}
	plain, err := ring.Open(sealed, accountAD(acct.ID))
	if err != nil {
		return nil, fmt.Errorf("account %s: open session: %w", acct.Name, err)
	}
	var s linkedin.Session
	if err := json.Unmarshal(plain, &s); err != nil {
		return nil, fmt.Errorf("account %s: stored session is unreadable", acct.Name)
	}
	return a.client(f, s)
}

func accountAD(id int64) []byte { return []byte("unvite-account:" + strconv.FormatInt(id, 10)) }

func (a *app) saveSession(ctx context.Context, acct *unvite.Account, s linkedin.Session) error {
	ring, err := a.keyring()
	if err != nil {
		return err
	}
	plain, err := json.Marshal(struct{ LiAt, JSESSIONID string }{s.LiAt, s.JSESSIONID})
	if err != nil {
		return err
	}
	return a.store.SetSession(ctx, acct.ID, ring.Seal(plain, accountAD(acct.ID)))
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
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	acct, err := connect(ctx, a, c.linkedinFlags, sess, nil)
	if err != nil {
		return err
	}
	if acct.TimeZone == "" {
		acct.TimeZone = c.TimeZone
		if err := s.UpdateAccount(ctx, acct); err != nil {
			return err
		}
	}
	if c.JSON {
		return a.printJSON(acct)
	}
	fmt.Fprintf(a.stdout, "Connected %s (account %d, %s plan, member %s). Next: unvite sync\n", acct.Name, acct.ID, acct.Plan, acct.MemberID)
	return nil
}

// connect checks a session with LinkedIn ("who am I") and stores it with the
// account it belongs to: want, or the one with that profile, or a new one.
func connect(ctx context.Context, a *app, f linkedinFlags, sess linkedin.Session, want *unvite.Account) (*unvite.Account, error) {
	cl, err := a.client(f, sess)
	if err != nil {
		return nil, err
	}
	me, err := cl.Me(ctx)
	if err != nil {
		return nil, fmt.Errorf("checking the session with LinkedIn: %w", err)
	}
	acct := want
	if acct == nil {
		if found, err := a.store.FindAccount(ctx, me.Slug); err == nil {
			acct = found
		}
	}
	if want != nil && want.Slug != "" && want.Slug != me.Slug {
		return nil, unvite.Errorf(unvite.ECONFLICT, "this session belongs to %s (%s), not to account %s", me.Name(), me.Slug, want.Name)
	}
	isNew := acct == nil
	if isNew {
		acct = &unvite.Account{}
	}
	acct.Name, acct.Slug, acct.MemberID, acct.Plan = me.Name(), me.Slug, me.MemberID, me.Plan()
	acct.State, acct.StateReason, acct.ThrottledUntil = unvite.AccountActive, "", time.Time{}
	if isNew {
		err = a.store.CreateAccount(ctx, acct)
	} else {
		err = a.store.UpdateAccount(ctx, acct)
	}
	if err != nil {
		return nil, err
	}
	return acct, a.saveSession(ctx, acct, sess)
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
	if acct.State == unvite.AccountThrottled {
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
	if c.JSON {
		return a.printJSON(struct {
			*unvite.Account
			Invitations map[unvite.Status]int `json:"invitations"`
		}{acct, counts})
	}
	fmt.Fprintf(a.stdout, "%s (account %d)\n  profile:  %s\n  plan:     %s\n  state:    %s\n  session:  %s\n",
		acct.Name, acct.ID, acct.ProfileURL(), acct.Plan, stateLabel(acct), map[bool]string{true: "stored, encrypted", false: "none"}[acct.HasSession])
	if !acct.LastSyncAt.IsZero() {
		fmt.Fprintf(a.stdout, "  synced:   %s\n", acct.LastSyncAt.Format(time.RFC3339))
	}
	fmt.Fprintf(a.stdout, "  sent:     %d pending, %d accepted, %d withdrawn, %d gone, %d withdrawing\n",
		counts[unvite.StatusPending], counts[unvite.StatusAccepted], counts[unvite.StatusWithdrawn], counts[unvite.StatusGone], counts[unvite.StatusWithdrawing])
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
	if acct, err = connect(ctx, a, c.linkedinFlags, sess, acct); err != nil {
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
	return setState(ctx, a, c.Account, unvite.AccountPaused, "paused by the user", c.JSON)
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
	if acct.State == unvite.AccountNeedsLogin {
		return unvite.Errorf(unvite.ECONFLICT, "account %s needs a new session, not a resume: unvite account reconnect %d", acct.Name, acct.ID)
	}
	next := unvite.AccountActive
	if !acct.HasSession {
		next = unvite.AccountOffline
	}
	return setState(ctx, a, c.Account, next, "", c.JSON)
}

func setState(ctx context.Context, a *app, ref string, st unvite.AccountState, why string, asJSON bool) error {
	acct, err := a.account(ctx, ref)
	if err != nil {
		return err
	}
	acct.State, acct.StateReason, acct.ThrottledUntil = st, why, time.Time{}
	if err := a.store.UpdateAccount(ctx, acct); err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(acct)
	}
	fmt.Fprintf(a.stdout, "Account %s is %s.\n", acct.Name, st)
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
