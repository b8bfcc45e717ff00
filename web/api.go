package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/planner"
)

// apiHandler answers one API call with a value to send as JSON.
type apiHandler func(r *http.Request, tok *unvite.APIToken) (any, error)

// requireToken checks the bearer token, and its write right for calls that
// change something, then writes the handler's answer or error as JSON.
func (s *Server) requireToken(write bool, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := s.tokenFrom(r)
		if err == nil && write && !tok.Write {
			err = unvite.Errorf(unvite.EFORBIDDEN, "this token may only read: create one with write access in Settings → API tokens")
		}
		var v any
		if err == nil {
			v, err = h(r, tok)
		}
		if err != nil {
			writeError(w, s.log, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(v)
	})
}

// apiError is the body of every API error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with err's status and code; internal errors are
// logged and their details kept from the client.
func writeError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	code := unvite.ErrorCode(err)
	if code == unvite.EINTERNAL {
		log.Error("web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body apiError
	body.Error.Code, body.Error.Message = code, message(err)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if code == unvite.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="unvite"`)
	}
	w.WriteHeader(status(err))
	json.NewEncoder(w).Encode(body)
}

// accountArg is the account named by the {id} path segment.
func (s *Server) accountArg(r *http.Request) (*unvite.Account, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, unvite.Errorf(unvite.EINVALID, "account id %q: want a number", r.PathValue("id"))
	}
	return s.store.Account(r.Context(), id)
}

// apiAccount is an account with where it stands in words and the command
// that moves it on (package accounts says both, for the CLI too).
type apiAccount struct {
	*unvite.Account
	Standing string `json:"standing"`
	NextStep string `json:"next_step"`
}

func (s *Server) apiAccounts(r *http.Request, _ *unvite.APIToken) (any, error) {
	list, err := s.store.Accounts(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]apiAccount, 0, len(list))
	for _, a := range list {
		out = append(out, apiAccount{a, accounts.Describe(a), accounts.NextStep(a, s.now())})
	}
	return out, nil
}

func (s *Server) apiInvitations(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	l, err := parseListQuery(r.URL.Query(), 100)
	if err != nil {
		return nil, err
	}
	res, err := s.listInvitations(r, acct, l)
	if err != nil {
		return nil, err
	}
	type item struct {
		*unvite.Invitation
		AgeDays int    `json:"age_days"`
		Stage   string `json:"stage,omitempty"`
	}
	items := make([]item, 0, len(res.Rows))
	for _, row := range res.Rows {
		items = append(items, item(row))
	}
	return map[string]any{"total": res.Total, "offset": l.Offset, "limit": l.Limit, "invitations": items}, nil
}

func (s *Server) apiInvitation(r *http.Request, _ *unvite.APIToken) (any, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, unvite.Errorf(unvite.EINVALID, "invitation id %q: want a number", r.PathValue("id"))
	}
	inv, err := s.store.Invitation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	events, err := s.store.Events(r.Context(), unvite.EventFilter{InvitationID: id})
	if err != nil {
		return nil, err
	}
	if events == nil {
		events = []*unvite.Event{}
	}
	return struct {
		*unvite.Invitation
		Events []*unvite.Event `json:"events"`
	}{inv, events}, nil
}

// decode reads a JSON body into v, refusing unknown fields.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body) // at most a megabyte: see securityHeaders
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return unvite.Errorf(unvite.EINVALID, "request body too large: at most %d bytes", tooBig.Limit)
		}
		return unvite.Errorf(unvite.EINVALID, "request body: %v", err)
	}
	return nil
}

func (s *Server) apiTag(r *http.Request, tok *unvite.APIToken) (any, error) {
	var req struct {
		IDs    []int64  `json:"ids"`
		Tags   []string `json:"tags"`
		Remove bool     `json:"remove"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if len(req.IDs) == 0 || len(req.Tags) == 0 {
		return nil, unvite.Errorf(unvite.EINVALID, "ids and tags are both required")
	}
	if err := s.store.Tag(r.Context(), req.IDs, req.Tags, req.Remove, unvite.Change{Actor: "api:" + tok.Name}); err != nil {
		return nil, err
	}
	return map[string]any{"ids": req.IDs, "tags": req.Tags, "removed": req.Remove}, nil
}

func (s *Server) apiProtect(r *http.Request, tok *unvite.APIToken) (any, error) {
	var req struct {
		IDs       []int64 `json:"ids"`
		Protected *bool   `json:"protected"`
		Reason    string  `json:"reason"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if len(req.IDs) == 0 || req.Protected == nil {
		return nil, unvite.Errorf(unvite.EINVALID, "ids and protected are both required")
	}
	if err := s.store.SetProtected(r.Context(), req.IDs, *req.Protected, unvite.Change{Actor: "api:" + tok.Name, Reason: req.Reason}); err != nil {
		return nil, err
	}
	return map[string]any{"ids": req.IDs, "protected": *req.Protected}, nil
}

// accountPolicy resolves the request's account and the policy for it.
func (s *Server) accountPolicy(r *http.Request) (*unvite.Account, unvite.Policy, error) {
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, unvite.Policy{}, err
	}
	p, err := s.policyFor(acct)
	return acct, p, err
}

func (s *Server) apiPlan(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, p, err := s.accountPolicy(r)
	if err != nil {
		return nil, err
	}
	return planner.Plan(r.Context(), s.store, acct, p, s.now())
}

func (s *Server) apiActivity(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return nil, unvite.Errorf(unvite.EINVALID, "limit %q: want 1 to 1000", v)
		}
	}
	events, err := s.store.Events(r.Context(), unvite.EventFilter{AccountID: acct.ID, Limit: limit})
	if events == nil && err == nil {
		events = []*unvite.Event{}
	}
	return events, err
}

func (s *Server) apiStats(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, p, err := s.accountPolicy(r)
	if err != nil {
		return nil, err
	}
	return planner.Stats(r.Context(), s.store, acct, p, s.now())
}

func (s *Server) apiReconnect(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Invitations(r.Context(), unvite.ReconnectFilter(acct.ID, s.now()))
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []*unvite.Invitation{}
	}
	return map[string]any{"note_limit": unvite.MaxNoteLength(acct.Plan), "invitations": list}, nil
}
