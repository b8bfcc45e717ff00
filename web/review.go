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

// reviewPage is the weekly review: the week of all accounts in a table
// (a page of them at a time), then the chosen account's lists with their
// actions (withdraw the stale ones through the usual confirmation;
// re-invite on Reconnect).
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
	account := "/review?account=" + strconv.FormatInt(p.Account.ID, 10)
	pg, from, to, err := accountPage(r, len(p.Accounts), func(n int) string { return account + "&page=" + strconv.Itoa(n) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rev, err := s.weekReview(r, p.Accounts[from:to])
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
	if mine == nil { // the chosen account is on another page of the table
		pol, err := s.policyFor(p.Account)
		if err == nil {
			mine, err = review.ForAccount(r.Context(), s.store, p.Account, pol, s.now())
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p.Data = struct {
		Review  *review.Review
		Account *review.Account
		Engine  bool // the stale ones can be withdrawn from here
		Back    string
		// Accounts counts them all; with more than a page, the table has
		// no totals (they would need every account's week).
		Accounts int
		pager
	}{rev, mine, s.cfg.Engine != nil, account, len(p.Accounts), pg}
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
