// Package accounts is what the CLI, the withdrawal engine and the web server
// all do with a LinkedIn account: connect it with a browser session, open
// its stored session as a client, pause and resume it, and record what a
// refusal from LinkedIn means for it, telling the user the exact next step.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/secret"
)

// Service connects accounts and opens their sessions.
type Service struct {
	Store unvite.Store
	// Keys returns the keyring that seals sessions (see LoadKeys). It is
	// called only when a session is sealed or opened, so commands that never
	// touch one never create a key file. sealing is true when a session the
	// user just gave is to be sealed: then a lost key file may be replaced.
	Keys func(ctx context.Context, sealing bool) (*secret.Keyring, error)
	// NewClient builds a LinkedIn client for a session: base URL, pacing
	// and logging are the caller's choice.
	NewClient func(linkedin.Session) (*linkedin.Client, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Connect checks a session with LinkedIn ("who am I") and stores it, sealed,
// with the account it belongs to: want when given (which must be that
// member, if its profile is known), else the account with that profile, else
// a new one in timeZone. The account becomes active.
func (s *Service) Connect(ctx context.Context, sess linkedin.Session, want *unvite.Account, timeZone string, actor string) (*unvite.Account, error) {
	if err := CheckSession(sess); err != nil {
		return nil, err
	}
	if timeZone != "" {
		if _, err := time.LoadLocation(timeZone); err != nil {
			return nil, unvite.Errorf(unvite.EINVALID, "time zone %q: %v", timeZone, err)
		}
	}
	keys, err := s.Keys(ctx, true)
	if err != nil {
		return nil, err
	}
	cl, err := s.NewClient(sess)
	if err != nil {
		return nil, err
	}
	me, err := cl.Me(ctx)
	if err != nil {
		return nil, fmt.Errorf("checking the session with LinkedIn: %w", err)
	}
	acct := want
	if acct == nil {
		if found, err := s.Store.FindAccount(ctx, me.Slug); err == nil {
			acct = found
		} else if unvite.ErrorCode(err) != unvite.ENOTFOUND {
			return nil, err
		}
	}
	if want != nil && want.Slug != "" && want.Slug != me.Slug {
		return nil, unvite.Errorf(unvite.ECONFLICT, "this session belongs to %s (%s), not to account %s", me.Name(), me.Slug, want.Name)
	}
	name := me.Name()
	if name == "" {
		name = me.Slug
	}
	if acct == nil {
		acct = &unvite.Account{Name: name, Slug: me.Slug, TimeZone: timeZone}
		if err := s.Store.CreateAccount(ctx, acct); err != nil {
			return nil, err
		}
	}
	p := unvite.AccountPatch{
		MemberID: &me.MemberID, Plan: unvite.Ptr(me.Plan()),
		State: unvite.Ptr(unvite.AccountActive), StateReason: unvite.Ptr(""), ThrottledUntil: &time.Time{},
		ResetFailures: true, // LinkedIn answered "me"
	}
	if name != "" {
		p.Name = &name
	}
	if me.Slug != "" {
		p.Slug = &me.Slug
	}
	if acct.TimeZone == "" && timeZone != "" {
		p.TimeZone = &timeZone
	}
	if err := s.Store.SetSession(ctx, acct.ID, seal(keys, acct.ID, sess)); err != nil {
		return nil, err
	}
	return s.Store.PatchAccount(ctx, acct.ID, p, unvite.Change{At: s.now(), Actor: actor, Reason: "connected with a new session"})
}

// storedSession is a session as sealed in the store.
type storedSession struct{ LiAt, JSESSIONID string }

func seal(keys *secret.Keyring, id int64, sess linkedin.Session) []byte {
	plain, _ := json.Marshal(storedSession{sess.LiAt, sess.JSESSIONID}) // two strings cannot fail
	return keys.Seal(plain, accountAD(id))
}

// accountAD binds a sealed session to its account's row.
func accountAD(id int64) []byte { return []byte("unvite-account:" + strconv.FormatInt(id, 10)) }

// Session opens the account's stored session. Its errors say what the user
// can do: reconnect when there is none, restore the key when the key that
// sealed it is missing. A session sealed with an older key of the ring is
// sealed again with the newest, so that dropping the old key later breaks
// nothing.
func (s *Service) Session(ctx context.Context, acct *unvite.Account) (linkedin.Session, error) {
	return s.session(ctx, acct, true)
}

// CanOpen says whether the account's stored session can be opened, without
// calling LinkedIn or changing anything: nil when it can (or there is none).
func (s *Service) CanOpen(ctx context.Context, acct *unvite.Account) error {
	if !acct.HasSession {
		return nil
	}
	_, err := s.session(ctx, acct, false)
	return err
}

func (s *Service) session(ctx context.Context, acct *unvite.Account, reseal bool) (linkedin.Session, error) {
	sealed, err := s.Store.Session(ctx, acct.ID)
	if err != nil {
		return linkedin.Session{}, err
	}
	if sealed == nil {
		return linkedin.Session{}, unvite.Errorf(unvite.ECONFLICT, "account %s has no LinkedIn session: unvite account reconnect %d", acct.Name, acct.ID)
	}
	keys, err := s.Keys(ctx, false)
	if err != nil {
		return linkedin.Session{}, err
	}
	plain, err := keys.Open(sealed, accountAD(acct.ID))
	if errors.Is(err, secret.ErrNoKey) {
		return linkedin.Session{}, unvite.Errorf(unvite.ECONFLICT,
			"account %s: its session was sealed with key %s, which the keyring does not hold: restore that key (the key file, UNVITE_SECRET_KEY or UNVITE_SECRET_KEY_FILE), or give the account a new session: unvite account reconnect %d",
			acct.Name, secret.SealedKeyID(sealed), acct.ID)
	}
	if err != nil {
		return linkedin.Session{}, unvite.Errorf(unvite.ECONFLICT, "account %s: the stored session cannot be opened (%v): unvite account reconnect %d", acct.Name, err, acct.ID)
	}
	var st storedSession
	if err := json.Unmarshal(plain, &st); err != nil {
		return linkedin.Session{}, unvite.Errorf(unvite.ECONFLICT, "account %s: the stored session is unreadable: unvite account reconnect %d", acct.Name, acct.ID)
	}
	sess := linkedin.Session{LiAt: st.LiAt, JSESSIONID: st.JSESSIONID}
	if old := secret.SealedKeyID(sealed); reseal && old != keys.KeyID() {
		// Only if unchanged meanwhile: a reconnect's newer session wins.
		_, err := s.Store.ReplaceSession(ctx, acct.ID, sealed, seal(keys, acct.ID, sess), unvite.Change{
			At: s.now(), Actor: "unvite", Reason: fmt.Sprintf("session sealed again with key %s (was %s)", keys.KeyID(), old),
		})
		if err != nil {
			return linkedin.Session{}, err
		}
	}
	return sess, nil
}

// Open opens the account's stored session as a LinkedIn client. It does not
// check whether the account may be called now: see Ready.
func (s *Service) Open(ctx context.Context, acct *unvite.Account) (*linkedin.Client, error) {
	sess, err := s.Session(ctx, acct)
	if err != nil {
		return nil, err
	}
	return s.NewClient(sess)
}
