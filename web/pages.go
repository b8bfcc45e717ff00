package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/planner"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/stats"
)

const perPage = 50

// base starts a page: the accounts for the switcher and the one chosen by
// ?account= (or the first). A page about one account answers 404 for an
// unknown id.
func (s *Server) base(r *http.Request, title, nav string) (*page, error) {
	accts, err := s.store.Accounts(r.Context())
	if err != nil {
		return nil, err
	}
	p := &page{Title: title, Nav: nav, Accounts: accts, Notice: r.URL.Query().Get("done")}
	if v := r.URL.Query().Get("account"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, unvite.Errorf(unvite.EINVALID, "account %q: want an account id", v)
		}
		for _, a := range accts {
			if a.ID == id {
				p.Account = a
			}
		}
		if p.Account == nil {
			return nil, unvite.Errorf(unvite.ENOTFOUND, "account %d not found", id)
		}
	} else if len(accts) > 0 {
		p.Account = accts[0]
	}
	return p, nil
}

// accountCard is one account's figures on the overview.
type accountCard struct {
	Account     *unvite.Account
	Report      stats.Report
	Acceptance  stats.Acceptance
	Sent7       int
	WeeklyLimit int
	Standing    string // where the account stands, when it needs the user
	NextStep    string // the command that moves it on
	PolicyError string
	Histogram   template.HTML
	AgeLinks    []ageBucketLink
	PendingBar  template.HTML
	WeekBar     template.HTML
	PendingLvl  string
	WeekLvl     string
	Budget      *engine.Budget // today's withdrawals, when the engine is there
}

// accountsPerPage is how many accounts the overview and the weekly review
// show at once: each reads its account's figures, and an agency has
// thousands.
const accountsPerPage = 20

// pager is where a paged page stands, for the "pager" template.
type pager struct {
	Page, Pages int
	Prev, Next  string // links to the pages either side; "" at the ends
}

// accountPage reads ?page= for a list of n accounts: the pager (link makes
// a page's address) and the bounds of the page's accounts.
func accountPage(r *http.Request, n int, link func(page int) string) (pg pager, from, to int, err error) {
	pg = pager{Page: 1, Pages: max(1, (n+accountsPerPage-1)/accountsPerPage)}
	if v := r.URL.Query().Get("page"); v != "" {
		if pg.Page, err = strconv.Atoi(v); err != nil || pg.Page < 1 {
			return pg, 0, 0, unvite.Errorf(unvite.EINVALID, "page %q: want a number from 1", v)
		}
	}
	if pg.Page > pg.Pages {
		return pg, 0, 0, unvite.Errorf(unvite.ENOTFOUND, "page %d: there are %d", pg.Page, pg.Pages)
	}
	if pg.Page > 1 {
		pg.Prev = link(pg.Page - 1)
	}
	if pg.Page < pg.Pages {
		pg.Next = link(pg.Page + 1)
	}
	from = (pg.Page - 1) * accountsPerPage
	return pg, from, min(from+accountsPerPage, n), nil
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Overview", "overview")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The accounts that need the user come first, on the first page.
	accts := slices.Clone(p.Accounts)
	slices.SortStableFunc(accts, func(a, b *unvite.Account) int {
		switch na, nb := accounts.NeedsUser(a), accounts.NeedsUser(b); {
		case na && !nb:
			return -1
		case nb && !na:
			return 1
		}
		return 0
	})
	pg, from, to, err := accountPage(r, len(accts), func(n int) string { return "/?page=" + strconv.Itoa(n) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	var cards []accountCard
	var reports []stats.Report
	total := accountCard{}
	for _, a := range accts[from:to] {
		c := accountCard{Account: a, WeeklyLimit: unvite.WeeklyInviteLimit(a.Plan)}
		if accounts.NeedsUser(a) {
			c.Standing, c.NextStep = accounts.Describe(a), accounts.NextStep(a, now)
		}
		pol, err := s.policyFor(a)
		if err != nil {
			if unvite.ErrorCode(err) != unvite.EINVALID {
				s.fail(w, r, err)
				return
			}
			c.PolicyError = message(err)
			pol = policy.Default()
		}
		if c.Report, err = planner.Stats(r.Context(), s.store, a, pol, now); err != nil {
			s.fail(w, r, err)
			return
		}
		if c.Sent7, err = s.store.CountInvitations(r.Context(), unvite.InvitationFilter{
			AccountID: a.ID, Direction: unvite.Sent, SentAfter: now.Add(-7 * 24 * time.Hour),
		}); err != nil {
			s.fail(w, r, err)
			return
		}
		if s.cfg.Engine != nil && c.PolicyError == "" {
			b, err := s.cfg.Engine.Budget(r.Context(), a)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			c.Budget = &b
		}
		c.draw(a.ID)
		cards = append(cards, c)
		reports = append(reports, c.Report)
		total.Sent7 += c.Sent7
		total.WeeklyLimit += c.WeeklyLimit
	}
	data := struct {
		Cards []accountCard
		Total *accountCard
		// With more accounts than a page, a summary of all of them from
		// counts, in place of the total card's sum of every account's
		// figures.
		Summary *overviewSummary
		pager
	}{Cards: cards, pager: pg}
	switch {
	case pg.Pages > 1:
		if data.Summary, err = s.summarize(r, accts, now); err != nil {
			s.fail(w, r, err)
			return
		}
	case len(cards) > 1:
		total.Report = stats.Sum(reports)
		total.draw(0)
		data.Total = &total
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "overview", p)
}

// overviewSummary is all the accounts at a glance, from counts.
type overviewSummary struct {
	Accounts, NeedUser, Pending, Sent7 int
}

func (s *Server) summarize(r *http.Request, accts []*unvite.Account, now time.Time) (*overviewSummary, error) {
	sum := &overviewSummary{Accounts: len(accts)}
	for _, a := range accts {
		if accounts.NeedsUser(a) {
			sum.NeedUser++
		}
	}
	var err error
	if sum.Pending, err = s.store.CountInvitations(r.Context(), unvite.InvitationFilter{
		Direction: unvite.Sent, Statuses: []unvite.Status{unvite.StatusPending},
	}); err != nil {
		return nil, err
	}
	if sum.Sent7, err = s.store.CountInvitations(r.Context(), unvite.InvitationFilter{
		Direction: unvite.Sent, SentAfter: now.Add(-7 * 24 * time.Hour),
	}); err != nil {
		return nil, err
	}
	return sum, nil
}

func (c *accountCard) draw(accountID int64) {
	c.Acceptance = c.Report.Overall()
	c.Histogram = histogram(c.Report.PendingByAge)
	for _, b := range c.Report.PendingByAge {
		l := ageBucketLink{Label: b.Label, Count: b.Count}
		if accountID != 0 {
			l.Href = ageLink(accountID, b)
		}
		c.AgeLinks = append(c.AgeLinks, l)
	}
	c.PendingBar = meter(c.Report.Pending, c.Report.PendingCap, "Pending against the cap")
	c.WeekBar = meter(c.Sent7, c.WeeklyLimit, "Sent in the last 7 days against LinkedIn's weekly limit")
	c.PendingLvl, c.WeekLvl = level(c.Report.Pending, c.Report.PendingCap), level(c.Sent7, c.WeeklyLimit)
}

// ageBucketLink lists one age bucket under the chart, linked to its
// invitations when the card is one account's.
type ageBucketLink struct {
	Label string
	Count int
	Href  string
}

// invitationRow is one invitation as listings show it.
type invitationRow struct {
	*unvite.Invitation
	AgeDays int
	Stage   string // 30-60-90 stage of a pending invitation
}

type invitationList struct {
	Rows   []invitationRow
	Total  int
	policy unvite.Policy // the listing's, for the page's age buckets
}

// listInvitations runs a listing for one account: the page and the API.
func (s *Server) listInvitations(r *http.Request, acct *unvite.Account, l listQuery) (invitationList, error) {
	pol, err := s.policyFor(acct)
	if err != nil {
		return invitationList{}, err
	}
	now := s.now()
	f, err := l.filter(acct.ID, pol, now)
	if err != nil {
		return invitationList{}, err
	}
	list, err := s.store.Invitations(r.Context(), f)
	if err != nil {
		return invitationList{}, err
	}
	// A short page is the last one: its rows tell the total without
	// counting again (a narrow filter's usual case).
	total := f.Offset + len(list)
	if len(list) == 0 && f.Offset > 0 || f.Limit > 0 && len(list) >= f.Limit {
		count := f
		count.Limit, count.Offset, count.Sort = 0, 0, ""
		if total, err = s.store.CountInvitations(r.Context(), count); err != nil {
			return invitationList{}, err
		}
	}
	out := invitationList{Total: total, Rows: make([]invitationRow, 0, len(list)), policy: pol}
	for _, inv := range list {
		row := invitationRow{Invitation: inv, AgeDays: inv.AgeDays(now)}
		if inv.Status == unvite.StatusPending {
			row.Stage = policy.Stage(pol, inv, now)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

type option struct{ Value, Label string }

// rowView is a row of the invitations page in plain fields, its dates
// formatted.
type rowView struct {
	ID                int64
	Name, URL, Sub    string
	Protected, Approx bool
	SentISO, SentDate string
	AgeDays           int
	Status, Stage     string
	Note              string
	HadNote           bool
	Tags              []string
}

func newRowView(r invitationRow) rowView {
	v := rowView{
		ID: r.ID, Name: r.Invitee.Name, URL: r.Invitee.ProfileURL(), Sub: r.Invitee.Headline,
		Protected: r.Protected, Approx: r.SentAtApprox,
		SentISO: r.SentAt.UTC().Format("2006-01-02"), SentDate: r.SentAt.UTC().Format("2 Jan 2006"),
		AgeDays: r.AgeDays, Status: string(r.Status), Stage: r.Stage, Note: r.Note, HadNote: r.HadNote,
		Tags: r.Tags,
	}
	if v.Sub == "" {
		v.Sub = r.Invitee.Company
	}
	return v
}

// drawRows writes the invitations table's rows. They are drawn here, not
// by a template: html/template calls an escaper through reflection for
// each value it writes, some 800 calls for a page of 50 rows and, once the
// listing is kept, most of the page's CPU. Every value from the data goes
// through html.EscapeString, which is safe in text and in quoted
// attributes; the only link is a profile URL that unvite builds.
func drawRows(rows []rowView) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 1200)
	e := html.EscapeString
	for _, r := range rows {
		id := strconv.FormatInt(r.ID, 10)
		name := e(r.Name)
		b.WriteString("<tr>\n<td class=\"sel\"><input type=\"checkbox\" name=\"id\" value=\"" + id + "\" id=\"sel-" + id + "\" aria-label=\"Select " + name + "\"></td>\n")
		b.WriteString("<td data-label=\"Person\" class=\"person\">")
		if r.URL != "" {
			b.WriteString("<a href=\"" + e(r.URL) + "\" rel=\"noopener noreferrer\" target=\"_blank\">" + name + "</a>")
		} else {
			b.WriteString(name)
		}
		if r.Protected {
			b.WriteString(" <span class=\"badge protected\" title=\"No policy withdraws it\">protected</span>")
		}
		if r.Sub != "" {
			b.WriteString(" <span class=\"sub\">" + e(r.Sub) + "</span>")
		}
		b.WriteString("</td>\n<td data-label=\"Sent\"><time datetime=\"" + r.SentISO + "\">")
		if r.Approx {
			b.WriteString("~")
		}
		b.WriteString(r.SentDate + "</time> <span class=\"sub\">" + strconv.Itoa(r.AgeDays) + " days</span></td>\n")
		st := e(r.Status)
		b.WriteString("<td data-label=\"Status\"><span class=\"badge st-" + st + "\">" + st + "</span></td>\n<td data-label=\"Stage\">")
		if r.Stage != "" {
			sg := e(r.Stage)
			b.WriteString("<span class=\"badge stage-" + sg + "\">" + sg + "</span>")
		} else {
			b.WriteString("<span class=\"muted\">—</span>")
		}
		b.WriteString("</td>\n<td data-label=\"Note\">")
		switch {
		case r.Note != "":
			b.WriteString("<span class=\"note\" title=\"" + e(r.Note) + "\">yes</span>")
		case r.HadNote:
			b.WriteString("yes")
		default:
			b.WriteString("<span class=\"muted\">no</span>")
		}
		b.WriteString("</td>\n<td data-label=\"Tags\">")
		for _, t := range r.Tags {
			b.WriteString("<span class=\"tag\">" + e(t) + "</span> ")
		}
		if len(r.Tags) == 0 {
			b.WriteString("<span class=\"muted\">—</span>")
		}
		b.WriteString("</td>\n</tr>\n")
	}
	return template.HTML(b.String())
}

func (s *Server) invitations(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Invitations", "invitations")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Account == nil {
		s.render(w, r, http.StatusOK, "empty", p)
		return
	}
	l, err := parseListQuery(r.URL.Query(), perPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l.Limit = perPage
	l.Offset = (l.Page - 1) * perPage
	res, err := s.listInvitations(r, p.Account, l)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var ages []option
	for _, b := range stats.AgeBuckets(res.policy) {
		ages = append(ages, option{b.Label, b.Label + " days"})
	}
	var statuses []option
	for _, st := range unvite.Statuses {
		statuses = append(statuses, option{string(st), string(st)})
	}
	q := l.values()
	q.Set("account", strconv.FormatInt(p.Account.ID, 10))
	pages := (res.Total + perPage - 1) / perPage
	rows := make([]rowView, len(res.Rows))
	for i, r := range res.Rows {
		rows[i] = newRowView(r)
	}
	rowsHTML := drawRows(rows)
	p.Data = struct {
		Q                     listQuery
		Query                 url.Values
		List                  invitationList
		Rows                  template.HTML
		Statuses, Ages, Sorts []option
		Stages                []option
		From, To, Page, Pages int
		Prev, Next            string
		Back                  string
	}{
		Q: l, Query: q, List: res, Rows: rowsHTML, Statuses: statuses, Ages: ages,
		Sorts:  sortOptions(),
		Stages: []option{{policy.StageNew, "New"}, {policy.StageReview, "Review"}, {policy.StageConsider, "Consider"}, {policy.StageWithdraw, "Withdraw"}},
		From:   min(l.Offset+1, res.Total), To: l.Offset + len(res.Rows), Page: l.Page, Pages: pages,
		Prev: pageLink(q, l.Page-1, pages), Next: pageLink(q, l.Page+1, pages),
		Back: "/invitations?" + withPage(q, l.Page),
	}
	s.render(w, r, http.StatusOK, "invitations", p)
}

func sortOptions() []option {
	out := make([]option, len(sorts))
	for i, s := range sorts {
		out[i] = option{s.Value, s.Label}
	}
	return out
}

func withPage(q url.Values, n int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	if n > 1 {
		c.Set("page", strconv.Itoa(n))
	}
	return c.Encode()
}

func pageLink(q url.Values, n, pages int) string {
	if n < 1 || n > pages {
		return ""
	}
	return "/invitations?" + withPage(q, n)
}

// invitationActions tags, untags, protects or unprotects the selected
// invitations, then goes back to the listing.
func (s *Server) invitationActions(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, unvite.Errorf(unvite.EINVALID, "form: %v", err))
		return
	}
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.fail(w, r, unvite.Errorf(unvite.EINVALID, "invitation id %q: want a number", v))
			return
		}
		ids = append(ids, id)
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/invitations") && !strings.HasPrefix(back, "/plan?") && !strings.HasPrefix(back, "/review?") {
		back = "/invitations"
	}
	if r.PostFormValue("action") == "withdraw" {
		s.withdraw(w, r, ids, back)
		return
	}
	if len(ids) == 0 {
		http.Redirect(w, r, addDone(back, "Nothing selected: tick the invitations first."), http.StatusSeeOther)
		return
	}
	ch := unvite.Change{Actor: "user:" + userOf(r.Context()).Name}
	var err error
	var done string
	switch action := r.PostFormValue("action"); action {
	case "tag", "untag":
		tag := strings.TrimSpace(r.PostFormValue("tag"))
		if tag == "" {
			s.fail(w, r, unvite.Errorf(unvite.EINVALID, "write the tag to %s", action))
			return
		}
		err = s.store.Tag(r.Context(), ids, []string{tag}, action == "untag", ch)
		done = fmt.Sprintf("%sged %d invitation(s) %q.", map[string]string{"tag": "Tag", "untag": "Untag"}[action], len(ids), tag)
	case "protect", "unprotect":
		ch.Reason = "from the dashboard"
		err = s.store.SetProtected(r.Context(), ids, action == "protect", ch)
		done = fmt.Sprintf("%sed %d invitation(s).", map[string]string{"protect": "Protect", "unprotect": "Unprotect"}[action], len(ids))
	default:
		err = unvite.Errorf(unvite.EINVALID, "action %q: want tag, untag, protect or unprotect", action)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, addDone(back, done), http.StatusSeeOther)
}

func addDone(back, msg string) string {
	u, err := url.Parse(back)
	if err != nil {
		return "/invitations"
	}
	q := u.Query()
	q.Set("done", msg)
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Plan", "plan")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Account == nil {
		s.render(w, r, http.StatusOK, "empty", p)
		return
	}
	pol, err := s.policyFor(p.Account)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plan, err := planner.Plan(r.Context(), s.store, p.Account, pol, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	const show = 200
	steps := plan.Withdrawals[:min(len(plan.Withdrawals), show)]
	p.Data = struct {
		Plan   unvite.WithdrawalPlan
		Policy unvite.Policy
		Steps  []unvite.PlannedWithdrawal
		More   int
		Over   bool
		Engine bool // the plan can be approved here
		Back   string
		// ByHand is where the unlisted ones (plan.Unlisted) are withdrawn.
		ByHand string
	}{plan, pol, steps, len(plan.Withdrawals) - len(steps), pol.PendingCap > 0 && plan.PendingAfter > pol.PendingCap,
		s.cfg.Engine != nil, "/plan?account=" + strconv.FormatInt(p.Account.ID, 10), engine.SentInvitationsPage}
	s.render(w, r, http.StatusOK, "plan", p)
}

func (s *Server) activity(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Activity", "activity")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Account == nil {
		s.render(w, r, http.StatusOK, "empty", p)
		return
	}
	events, err := s.store.Events(r.Context(), unvite.EventFilter{AccountID: p.Account.ID, Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	jobs, err := s.jobsOf(r, p.Account)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = struct {
		Events []*unvite.Event
		Jobs   []jobView
		Engine bool
	}{events, jobs, s.cfg.Engine != nil}
	s.render(w, r, http.StatusOK, "activity", p)
}

func (s *Server) reconnect(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Reconnect", "reconnect")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Account == nil {
		s.render(w, r, http.StatusOK, "empty", p)
		return
	}
	list, err := s.store.Invitations(r.Context(), unvite.ReconnectFilter(p.Account.ID, s.now()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = struct {
		List  []*unvite.Invitation
		Limit int
	}{list, unvite.MaxNoteLength(p.Account.Plan)}
	s.render(w, r, http.StatusOK, "reconnect", p)
}

func (s *Server) tokens(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "API tokens", "tokens")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderTokens(w, r, p, "")
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, p *page, created string) {
	list, err := s.store.APITokens(r.Context(), userOf(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = struct {
		Tokens  []*unvite.APIToken
		Created string
	}{list, created}
	s.render(w, r, http.StatusOK, "tokens", p)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "API tokens", "tokens")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, hash := newSecret(tokenPrefix)
	t := &unvite.APIToken{UserID: userOf(r.Context()).ID, Name: strings.TrimSpace(r.PostFormValue("name")), Hash: hash,
		Write: r.PostFormValue("write") == "on"}
	if err := s.store.CreateAPIToken(r.Context(), t); err != nil {
		s.fail(w, r, err)
		return
	}
	// Shown once, in this answer only; the store keeps the hash.
	p.Notice = fmt.Sprintf("Created the token %q. Copy it now: it is not shown again.", t.Name)
	s.renderTokens(w, r, p, token)
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, unvite.Errorf(unvite.EINVALID, "token id %q: want a number", r.PathValue("id")))
		return
	}
	if err := s.store.DeleteAPIToken(r.Context(), userOf(r.Context()).ID, id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings/tokens?done="+url.QueryEscape("Revoked the token."), http.StatusSeeOther)
}
