package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/planner"
	"github.com/unvite/unvite/policy"
)

// Accounts and settings: connect an account with its browser session,
// pause and resume it, give it a new session, and edit its policy with a
// preview of the plan before saving. Package accounts connects, pauses and
// resumes, as the CLI's `unvite account` does; package policy checks and
// saves the policy, as `unvite policy set` does.

// policyFile is the policy file in force, read afresh (edits apply at once).
func (s *Server) policyFile() (*policy.File, error) {
	if s.cfg.PolicyFile == "" {
		return policy.DefaultFile(), nil
	}
	return policy.Load(s.cfg.PolicyFile)
}

// accountRow is one account on the Accounts page.
type accountRow struct {
	*unvite.Account
	Standing   string // where it stands, in words
	NextStep   string // the CLI command that moves it on
	CanPause   bool
	CanResume  bool
	NeedsLogin bool   // the fix is a new session
	Stopped    string // "needs login", "paused", "throttled": shown with StateSince
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request) {
	s.renderAccounts(w, r, http.StatusOK, "", 0)
}

// renderAccounts draws the Accounts page; formErr is a connect or
// reconnect error, shown at the form of formAcct (0: the connect form).
// The cookies typed are never drawn back.
func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, code int, formErr string, formAcct int64) {
	p, err := s.base(r, "Accounts and settings", "accounts")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	rows := make([]accountRow, 0, len(p.Accounts))
	for _, a := range p.Accounts {
		row := accountRow{Account: a, Standing: accounts.Describe(a), NextStep: accounts.NextStep(a, now), Stopped: accounts.Stopped(a)}
		row.NeedsLogin = a.State == unvite.AccountNeedsLogin || a.State == unvite.AccountOffline || !a.HasSession
		row.CanResume = a.State == unvite.AccountPaused || a.State == unvite.AccountThrottled
		row.CanPause = a.State == unvite.AccountActive || a.State == unvite.AccountThrottled || a.State == unvite.AccountOffline
		rows = append(rows, row)
	}
	p.Data = struct {
		Rows       []accountRow
		FormError  string
		FormAcct   int64
		CanConnect bool
	}{rows, formErr, formAcct, s.cfg.Accounts != nil}
	s.render(w, r, code, "accounts", p)
}

// connectService is the account service, or an error saying how to get one.
func (s *Server) connectService() (*accounts.Service, error) {
	if s.cfg.Accounts == nil {
		return nil, unvite.Errorf(unvite.EINVALID, "this server cannot talk to LinkedIn: connect the account with `unvite account add`, or start the dashboard with `unvite serve`")
	}
	return s.cfg.Accounts, nil
}

// sessionForm reads the two cookies from the form; its errors never echo
// a value (see accounts.CheckSession).
func sessionForm(r *http.Request) (linkedin.Session, error) {
	sess := linkedin.Session{
		LiAt:       strings.TrimSpace(r.PostFormValue("li_at")),
		JSESSIONID: strings.Trim(strings.TrimSpace(r.PostFormValue("jsessionid")), `"`),
	}
	// A user may paste the cookie as copied: "li_at=…".
	sess.LiAt = strings.TrimPrefix(sess.LiAt, "li_at=")
	sess.JSESSIONID = strings.Trim(strings.TrimPrefix(sess.JSESSIONID, "JSESSIONID="), `"`)
	return sess, accounts.CheckSession(sess)
}

// connect adds an account (or refreshes the one the session belongs to).
func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	s.connectAs(w, r, nil)
}

// reconnect gives an account a new session; it must be that member's.
func (s *Server) reconnectAccount(w http.ResponseWriter, r *http.Request) {
	acct, err := s.accountArg(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.connectAs(w, r, acct)
}

func (s *Server) connectAs(w http.ResponseWriter, r *http.Request, want *unvite.Account) {
	var formAcct int64
	if want != nil {
		formAcct = want.ID
	}
	svc, err := s.connectService()
	if err != nil {
		s.renderAccounts(w, r, status(err), message(err), formAcct)
		return
	}
	sess, err := sessionForm(r)
	if err != nil {
		s.renderAccounts(w, r, status(err), message(err), formAcct)
		return
	}
	zone := ""
	if want == nil {
		zone = strings.TrimSpace(r.PostFormValue("time_zone"))
		if zone == "" {
			zone = "UTC"
		}
	}
	// LinkedIn is asked "who am I" once; a slow answer must not hold the
	// form for ever.
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	acct, err := svc.Connect(ctx, sess, want, zone, "user:"+userOf(r.Context()).Name)
	if err != nil {
		code := status(err)
		if code == http.StatusInternalServerError {
			// LinkedIn's refusal or an unreachable LinkedIn: say it, as
			// the CLI does; it holds no cookie.
			s.log.Warn("web: connect", "err", err)
			code = http.StatusBadGateway
		}
		s.renderAccounts(w, r, code, err.Error(), formAcct)
		return
	}
	done := fmt.Sprintf("Connected %s (%s plan): the account is active. The worker syncs its invitations shortly (or run: unvite sync --account %d).", acct.Name, acct.Plan, acct.ID)
	if want != nil {
		done = fmt.Sprintf("%s has a new session and is active.", acct.Name)
	}
	http.Redirect(w, r, "/accounts?done="+url.QueryEscape(done), http.StatusSeeOther)
}

func (s *Server) pause(w http.ResponseWriter, r *http.Request) { s.setState(w, r, true) }

func (s *Server) resume(w http.ResponseWriter, r *http.Request) { s.setState(w, r, false) }

func (s *Server) setState(w http.ResponseWriter, r *http.Request, pause bool) {
	acct, err := s.accountArg(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if acct, err = s.pauseOrResume(r, acct, pause, "user:"+userOf(r.Context()).Name); err != nil {
		s.fail(w, r, err)
		return
	}
	done := fmt.Sprintf("%s is paused: nothing is withdrawn or synced until you resume it.", acct.Name)
	if !pause {
		done = fmt.Sprintf("%s is resumed (%s).", acct.Name, acct.State)
	}
	back := "/accounts"
	if r.PostFormValue("back") == "overview" {
		back = fmt.Sprintf("/?account=%d", acct.ID)
	}
	http.Redirect(w, r, addDone(back, done), http.StatusSeeOther)
}

func (s *Server) pauseOrResume(r *http.Request, acct *unvite.Account, pause bool, actor string) (*unvite.Account, error) {
	ch := unvite.Change{At: s.now(), Actor: actor}
	if pause {
		return accounts.Pause(r.Context(), s.store, acct, ch)
	}
	return accounts.Resume(r.Context(), s.store, acct, ch)
}

// figures are what a policy does to an account's invitations now.
type figures struct {
	Withdraw     int                        `json:"withdraw"`    // the plan's withdrawals
	Today        int                        `json:"today"`       // of which today, at the daily limit
	DailyLimit   int                        `json:"daily_limit"` //
	Days         int                        `json:"days"`        // days the daily limit takes for them all
	Pending      int                        `json:"pending"`
	PendingAfter int                        `json:"pending_after"`
	Cap          int                        `json:"pending_cap"`
	CapDays      int                        `json:"cap_days"`  // days until pending is at or under the cap (0: already)
	CapShort     int                        `json:"cap_short"` // pending that stays over the cap (protected, too young)
	MaxAgeDays   int                        `json:"max_age_days"`
	MaxAgeWhy    string                     `json:"max_age_why,omitempty"`
	Steps        []unvite.PlannedWithdrawal `json:"first_steps"`
}

const previewSteps = 5

// figuresOf plans pol against the account's invitations now.
func (s *Server) figuresOf(ctx context.Context, acct *unvite.Account, pol unvite.Policy) (figures, error) {
	plan, err := planner.Plan(ctx, s.store, acct, pol, s.now())
	if err != nil {
		return figures{}, err
	}
	f := figures{
		Withdraw: len(plan.Withdrawals), DailyLimit: plan.DailyLimit, Days: plan.DaysNeeded,
		Pending: plan.Pending, PendingAfter: plan.PendingAfter, Cap: pol.PendingCap,
		MaxAgeDays: plan.MaxAgeDays, MaxAgeWhy: plan.MaxAgeWhy,
		Steps: plan.Withdrawals[:min(len(plan.Withdrawals), previewSteps)],
	}
	for _, w := range plan.Withdrawals {
		if w.Day == 1 {
			f.Today++
		}
	}
	if over := plan.Pending - pol.PendingCap; pol.PendingCap > 0 && over > 0 {
		if over <= len(plan.Withdrawals) {
			f.CapDays = plan.Withdrawals[over-1].Day
		} else {
			f.CapShort = plan.PendingAfter - pol.PendingCap
		}
	}
	return f, nil
}

// policyField is one key on the policy form.
type policyField struct {
	policy.Field
	ID       string // the input's id
	Value    string
	FileVal  string // the policy file's value for the account
	Own      bool   // set for this account, over the file
	Problems []policy.Problem
	Invalid  bool // a problem of severity error
}

type policyView struct {
	Fields   []policyField
	Errors   []policy.Problem // every error, for the summary
	Warnings []policy.Problem
	Current  figures
	Preview  *figures // after a preview without errors
	Values   [][2]string
	Was      [][2]string // the values the form first showed, carried along
	Explain  []string    // what the previewed policy does, in words
	Source   string      // where the file's values come from
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) {
	s.policyForm(w, r, nil, nil)
}

// policyPost previews (action=preview) or saves (action=save) the values
// posted. Save comes only from the preview's own form, which carries the
// values previewed; both check them as `unvite policy check` does.
func (s *Server) policyPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, unvite.Errorf(unvite.EINVALID, "form: %v", err))
		return
	}
	vals, was := map[string]string{}, map[string]string{}
	for _, f := range policy.Fields() {
		switch {
		case f.Kind == policy.KindBool:
			vals[f.Key] = fmt.Sprint(r.PostForm.Get(f.Key) == "true")
		default:
			vals[f.Key] = r.PostForm.Get(f.Key)
		}
		if w, ok := r.PostForm["was."+f.Key]; ok {
			was[f.Key] = w[0]
		}
	}
	s.policyForm(w, r, vals, was)
}

// policyForm draws the policy page: the values in force (vals nil), or
// those posted, checked, with a preview or saved. was holds the values the
// form showed when it was first drawn: a save patches only the keys the
// user changed from them (all when was is empty), so that it does not undo
// another edit of other keys made meanwhile.
func (s *Server) policyForm(w http.ResponseWriter, r *http.Request, vals, was map[string]string) {
	acct, err := s.accountArg(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	q.Set("account", fmt.Sprint(acct.ID))
	r.URL.RawQuery = q.Encode()
	p, err := s.base(r, "Policy", "accounts")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	file, err := s.policyFile()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fileFor := file.For(acct.Slug, acct.ID)
	current, err := file.ForAccount(acct)
	currentOK := err == nil
	v := policyView{Source: "the built-in defaults"}
	if s.cfg.PolicyFile != "" {
		v.Source = "the policy file (" + s.cfg.PolicyFile + ")"
	}
	if !currentOK {
		p.Error = message(err)
	}

	edited, problems := current, []policy.Problem(nil)
	if vals != nil {
		edited, problems = policy.WithValues(current, vals)
		problems = append(problems, policy.Check(edited)...)
	}
	v.Errors, v.Warnings = policy.Errors(problems), policy.Warnings(problems)
	action := r.PostFormValue("action")
	if vals != nil && len(v.Errors) == 0 && action == "save" {
		var keys []string
		if len(was) > 0 {
			keys = []string{}
			for _, f := range policy.Fields() {
				if old, ok := was[f.Key]; !ok || old != f.Value(edited) {
					keys = append(keys, f.Key)
				}
			}
		}
		_, err := file.Save(r.Context(), s.store, acct, edited, keys, unvite.Change{At: s.now(), Actor: "user:" + userOf(r.Context()).Name, Reason: "policy set from the dashboard"})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		done := "Saved the policy for " + acct.Name + ". The plan follows it from now on."
		http.Redirect(w, r, addDone(fmt.Sprintf("/accounts/%d/policy", acct.ID), done), http.StatusSeeOther)
		return
	}

	ownKeys := acct.Policy
	for _, f := range policy.Fields() {
		pf := policyField{Field: f, ID: "pf-" + strings.NewReplacer(".", "-", "_", "-").Replace(f.Key),
			Value: f.Value(edited), FileVal: f.Value(fileFor)}
		if vals != nil {
			if raw, ok := vals[f.Key]; ok {
				pf.Value = raw // as typed, even when it does not read
			}
			pf.Own = pf.Value != pf.FileVal
		} else {
			_, pf.Own = ownKeys[f.Key]
		}
		for _, pr := range problems {
			if pr.Field == f.Key || strings.HasPrefix(pr.Field, f.Key+"[") {
				pf.Problems = append(pf.Problems, pr)
				pf.Invalid = pf.Invalid || pr.Severity == policy.SeverityError
			}
		}
		v.Fields = append(v.Fields, pf)
	}
	if currentOK {
		if v.Current, err = s.figuresOf(r.Context(), acct, current); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	code := http.StatusOK
	switch {
	case vals != nil && len(v.Errors) > 0:
		code = http.StatusBadRequest
	case vals != nil:
		prev, err := s.figuresOf(r.Context(), acct, edited)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Preview = &prev
		for _, f := range policy.Fields() {
			v.Values = append(v.Values, [2]string{f.Key, f.Value(edited)})
		}
		v.Explain = strings.Split(policy.Explain(edited), "\n")
	}
	for _, f := range policy.Fields() {
		old, ok := was[f.Key]
		if !ok {
			old = f.Value(current)
		}
		v.Was = append(v.Was, [2]string{f.Key, old})
	}
	p.Title = "Policy for " + acct.Name
	p.Data = v
	s.render(w, r, code, "policy", p)
}

func (s *Server) apiPause(r *http.Request, tok *unvite.APIToken) (any, error) {
	return s.apiState(r, tok, true)
}

func (s *Server) apiResume(r *http.Request, tok *unvite.APIToken) (any, error) {
	return s.apiState(r, tok, false)
}

func (s *Server) apiState(r *http.Request, tok *unvite.APIToken, pause bool) (any, error) {
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	if acct, err = s.pauseOrResume(r, acct, pause, "api:"+tok.Name); err != nil {
		return nil, err
	}
	return apiAccount{acct, accounts.Describe(acct), accounts.NextStep(acct, s.now())}, nil
}

// apiPolicyAnswer is an account's policy: every key's value in force, the
// keys set for the account itself, and what the policy does now.
type apiPolicyAnswer struct {
	AccountID int64             `json:"account_id"`
	Policy    map[string]string `json:"policy"`
	Own       map[string]string `json:"own"`
	Figures   figures           `json:"figures"`
	Explain   []string          `json:"explain"`
}

func (s *Server) apiPolicy(r *http.Request, _ *unvite.APIToken) (any, error) {
	acct, pol, err := s.accountPolicy(r)
	if err != nil {
		return nil, err
	}
	return s.policyAnswer(r.Context(), acct, pol)
}

func (s *Server) policyAnswer(ctx context.Context, acct *unvite.Account, pol unvite.Policy) (apiPolicyAnswer, error) {
	f, err := s.figuresOf(ctx, acct, pol)
	if err != nil {
		return apiPolicyAnswer{}, err
	}
	own := acct.Policy
	if own == nil {
		own = map[string]string{}
	}
	return apiPolicyAnswer{acct.ID, policy.Values(pol), own, f, strings.Split(policy.Explain(pol), "\n")}, nil
}

// apiSetPolicy changes the keys the body names (a JSON object of policy
// keys: numbers, strings, true/false, lists of strings; null gives the key
// back to the policy file). ?dry_run=1 checks and previews without saving.
func (s *Server) apiSetPolicy(r *http.Request, tok *unvite.APIToken) (any, error) {
	acct, err := s.accountArg(r)
	if err != nil {
		return nil, err
	}
	file, err := s.policyFile()
	if err != nil {
		return nil, err
	}
	var body map[string]json.RawMessage
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, unvite.Errorf(unvite.EINVALID, "request body: name at least one policy key, as {\"daily_limit\": 20}")
	}
	fileFor := file.For(acct.Slug, acct.ID)
	vals := map[string]string{}
	for k, raw := range body {
		v, err := jsonValue(raw)
		if err != nil {
			return nil, unvite.Errorf(unvite.EINVALID, "policy: %s: %v", k, err)
		}
		if v == nil {
			if f, ok := policy.FieldByKey(k); ok {
				v = unvite.Ptr(f.Value(fileFor))
			} else {
				v = new(string)
			}
		}
		vals[k] = *v
	}
	// Keys not named keep the account's values in force; a broken stored
	// value is one the body may fix, so start from what reads.
	start, _ := policy.WithValues(fileFor, acct.Policy)
	edited, problems := policy.WithValues(start, vals)
	problems = append(problems, policy.Check(edited)...)
	if errs := policy.Errors(problems); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Field + ": " + e.Message
		}
		return nil, unvite.Errorf(unvite.EINVALID, "policy: %s", strings.Join(msgs, "; "))
	}
	if dry := r.URL.Query().Get("dry_run"); dry == "1" || dry == "true" {
		out := struct {
			DryRun   bool             `json:"dry_run"`
			Current  *figures         `json:"current,omitempty"`
			Preview  apiPolicyAnswer  `json:"preview"`
			Warnings []policy.Problem `json:"warnings"`
		}{DryRun: true, Warnings: policy.Warnings(problems)}
		if out.Warnings == nil {
			out.Warnings = []policy.Problem{}
		}
		if cur, err := file.ForAccount(acct); err == nil {
			f, err := s.figuresOf(r.Context(), acct, cur)
			if err != nil {
				return nil, err
			}
			out.Current = &f
		}
		if out.Preview, err = s.policyAnswer(r.Context(), acct, edited); err != nil {
			return nil, err
		}
		// What would be stored, not what is.
		out.Preview.Own = map[string]string{}
		for k, v := range policy.Changes(fileFor, edited) {
			if v != nil {
				out.Preview.Own[k] = *v
			}
		}
		return out, nil
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	acct, err = file.Save(r.Context(), s.store, acct, edited, keys, unvite.Change{At: s.now(), Actor: "api:" + tok.Name, Reason: "policy set through the API"})
	if err != nil {
		return nil, err
	}
	return s.policyAnswer(r.Context(), acct, edited)
}

// jsonValue is a JSON value as a policy value's text; nil for null.
func jsonValue(raw json.RawMessage) (*string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return &v, nil
	case json.Number:
		return unvite.Ptr(v.String()), nil
	case bool:
		return unvite.Ptr(fmt.Sprint(v)), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok || strings.Contains(s, ",") {
				return nil, fmt.Errorf("want a list of strings without commas")
			}
			parts[i] = s
		}
		return unvite.Ptr(strings.Join(parts, ", ")), nil
	}
	return nil, fmt.Errorf("want a number, a string, true or false, a list of strings, or null")
}
