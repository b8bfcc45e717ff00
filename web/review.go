package web

import (
	"net/http"
	"strconv"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/review"
)

// weekReview is the week of every account (package review builds it, as
// for the API and the weekly webhook) under each one's policy.
func (s *Server) weekReview(r *http.Request, accts []*unvite.Account) (*review.Review, error) {
	return review.Build(r.Context(), s.store, accts, s.policyFor, s.now())
}

// reviewPage is the weekly review: the week of all accounts in a table,
// then the chosen account's lists with their actions (withdraw the stale
// ones through the usual confirmation; re-invite on Reconnect).
func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Weekly review", "review")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Account == nil {
		s.render(w, r, http.StatusOK, "empty", p)
		return
	}
	rev, err := s.weekReview(r, p.Accounts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var mine *review.Account
	for _, a := range rev.Accounts {
		if a.Account.ID == p.Account.ID {
			mine = a
		}
	}
	p.Data = struct {
		Review  *review.Review
		Account *review.Account
		Engine  bool // the stale ones can be withdrawn from here
		Back    string
	}{rev, mine, s.cfg.Engine != nil, "/review?account=" + strconv.FormatInt(p.Account.ID, 10)}
	s.render(w, r, http.StatusOK, "review", p)
}

// apiReview is one account's week, as the page shows it.
func (s *Server) apiReview(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, p, err := s.accountPolicy(r)
	if err != nil {
		return nil, err
	}
	return review.ForAccount(r.Context(), s.store, acct, p, s.now())
}
