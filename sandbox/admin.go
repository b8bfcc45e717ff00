package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// adminHandler serves the admin API under /_sandbox/ (listed in doc.go).
func (s *Sandbox) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sandbox/state", func(w http.ResponseWriter, r *http.Request) {
		writeAdmin(w, http.StatusOK, s.State())
	})
	mux.HandleFunc("POST /_sandbox/clock", s.adminClock)
	mux.HandleFunc("POST /_sandbox/faults", s.adminFaults)
	mux.HandleFunc("POST /_sandbox/removed", s.adminRemoved)
	mux.HandleFunc("POST /_sandbox/accounts", s.adminAccounts)
	list := func(f func(key string) any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			key := r.URL.Query().Get("account")
			if s.Account(key) == nil {
				adminError(w, http.StatusNotFound, "unknown account %q", key)
				return
			}
			writeAdmin(w, http.StatusOK, f(key))
		}
	}
	mux.HandleFunc("GET /_sandbox/pending", list(func(k string) any { return orEmpty(s.PendingSent(k)) }))
	mux.HandleFunc("GET /_sandbox/connections", list(func(k string) any { return orEmpty(s.Connections(k)) }))
	mux.HandleFunc("GET /_sandbox/withdrawn", list(func(k string) any { return orEmpty(s.Withdrawn(k)) }))
	mux.HandleFunc("GET /_sandbox/received", list(func(k string) any { return orEmpty(s.Received(k)) }))
	mux.HandleFunc("GET /_sandbox/requests", func(w http.ResponseWriter, r *http.Request) {
		writeAdmin(w, http.StatusOK, orEmpty(s.Requests()))
	})
	return mux
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// State is the admin API's view of the sandbox.
type State struct {
	Now      time.Time      `json:"now"`
	Accounts []AccountState `json:"accounts"`
}

// AccountState is one account in State.
type AccountState struct {
	Key         string     `json:"key"`
	Name        string     `json:"name"`
	Slug        string     `json:"slug"`
	ProfileID   string     `json:"profileId"`
	MemberID    int64      `json:"memberId"`
	Premium     bool       `json:"premium"`
	LiAt        string     `json:"liAt"`
	JSessionID  string     `json:"jsessionid"`
	Cookie      string     `json:"cookie"`
	CSRFToken   string     `json:"csrfToken"`
	Pending     int        `json:"pending"`
	Connections int        `json:"connections"`
	Withdrawn   int        `json:"withdrawn"`
	Requests    int        `json:"requests"`
	Faults      Faults     `json:"faults"`
	Removed     []PathKind `json:"removed"`
}

// State reports the clock and every account.
func (s *Sandbox) State() State {
	st := State{Now: s.Now(), Accounts: []AccountState{}}
	for _, a := range s.Accounts() {
		st.Accounts = append(st.Accounts, s.accountState(a))
	}
	return st
}

func (s *Sandbox) accountState(a *Account) AccountState {
	as := AccountState{
		Key: a.cfg.Key, Name: a.me.name(), Slug: a.me.slug, ProfileID: a.me.profileID,
		MemberID: a.me.memberNum, Premium: a.cfg.Premium, LiAt: a.cfg.LiAt, JSessionID: a.cfg.JSessionID,
		Cookie: a.CookieHeader(), CSRFToken: a.CSRFToken(), Faults: a.Faults(), Removed: orEmpty(a.Removed()),
		Requests: s.RequestCount(a.cfg.Key, ""),
	}
	s.locked(a.cfg.Key, func(a *Account) {
		as.Pending, as.Connections, as.Withdrawn = len(a.pending()), len(a.conns), len(a.withdrawn)
	})
	return as
}

func (s *Sandbox) adminClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string    `json:"advance"`
		Set     time.Time `json:"set"`
	}
	if !readAdmin(w, r, &req) {
		return
	}
	if !req.Set.IsZero() {
		s.SetNow(req.Set)
	}
	if req.Advance != "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			adminError(w, http.StatusBadRequest, "advance: %v", err)
			return
		}
		s.Advance(d)
	}
	writeAdmin(w, http.StatusOK, map[string]time.Time{"now": s.Now()})
}

func (s *Sandbox) adminFaults(w http.ResponseWriter, r *http.Request) {
	var who struct {
		Account string `json:"account"`
	}
	var f Faults
	if !readAdmin(w, r, &who, &f) {
		return
	}
	a := s.Account(who.Account)
	if a == nil {
		adminError(w, http.StatusNotFound, "unknown account %q", who.Account)
		return
	}
	a.SetFaults(f)
	writeAdmin(w, http.StatusOK, a.Faults())
}

func (s *Sandbox) adminRemoved(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string     `json:"account"`
		Kinds   []PathKind `json:"kinds"`
		Removed *bool      `json:"removed"`
	}
	if !readAdmin(w, r, &req) {
		return
	}
	a := s.Account(req.Account)
	if a == nil {
		adminError(w, http.StatusNotFound, "unknown account %q", req.Account)
		return
	}
	for _, k := range req.Kinds {
		if _, ok := s.table[k]; !ok {
			adminError(w, http.StatusBadRequest, "unknown kind %q", k)
			return
		}
	}
	for _, k := range req.Kinds {
		a.SetRemoved(k, req.Removed == nil || *req.Removed)
	}
	writeAdmin(w, http.StatusOK, orEmpty(a.Removed()))
}

// accountRequest is POST /_sandbox/accounts: the AccountConfig fields a
// shell needs, durations as strings.
type accountRequest struct {
	Key                   string         `json:"key"`
	FirstName             string         `json:"firstName"`
	LastName              string         `json:"lastName"`
	Premium               bool           `json:"premium"`
	LiAt                  string         `json:"liAt"`
	JSessionID            string         `json:"jsessionid"`
	Seed                  uint64         `json:"seed"`
	Sent                  int            `json:"sent"`
	Months                int            `json:"months"`
	Received              int            `json:"received"`
	BackgroundConnections int            `json:"backgroundConnections"`
	Ceiling               int            `json:"ceiling"`
	WeeklyLimit           int            `json:"weeklyLimit"`
	NotesPerMonth         int            `json:"notesPerMonth"`
	NoteLimit             int            `json:"noteLimit"`
	CoolDown              string         `json:"coolDown"`
	SessionTrouble        SessionTrouble `json:"sessionTrouble"`
	Removed               []PathKind     `json:"removed"`
}

func (s *Sandbox) adminAccounts(w http.ResponseWriter, r *http.Request) {
	var req accountRequest
	if !readAdmin(w, r, &req) {
		return
	}
	cd, err := parseDuration(req.CoolDown)
	if err != nil {
		adminError(w, http.StatusBadRequest, "coolDown: %v", err)
		return
	}
	a, err := s.addAccount(AccountConfig{
		Key: req.Key, FirstName: req.FirstName, LastName: req.LastName, Premium: req.Premium,
		LiAt: req.LiAt, JSessionID: req.JSessionID, Seed: req.Seed,
		SentInvitations: req.Sent, Months: req.Months, ReceivedInvitations: req.Received,
		BackgroundConnections: req.BackgroundConnections, Ceiling: req.Ceiling,
		WeeklyLimit: req.WeeklyLimit, NotesPerMonth: req.NotesPerMonth, NoteLimit: req.NoteLimit,
		CoolDown: cd, SessionTrouble: req.SessionTrouble, Removed: req.Removed,
	})
	if err != nil {
		adminError(w, http.StatusConflict, "%v", err)
		return
	}
	writeAdmin(w, http.StatusCreated, s.accountState(a))
}

// readAdmin decodes the JSON body into each of vs (the faults call reads
// one body as two structs).
func readAdmin(w http.ResponseWriter, r *http.Request, vs ...any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil && len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	for _, v := range vs {
		if err == nil {
			err = json.Unmarshal(body, v)
		}
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, "body: %v", err)
		return false
	}
	return true
}

func writeAdmin(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, format string, args ...any) {
	writeAdmin(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}
