package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/notify"
)

// Settings → Webhook: where unvite tells of accounts that need attention
// and posts the weekly review. The URL is written, never shown back: the
// page names its host only (package notify seals it).

func (s *Server) notifier() (*notify.Service, error) {
	if s.cfg.Notify == nil {
		return nil, unvite.Errorf(unvite.EINVALID, "this server runs without webhooks: start it with `unvite serve`")
	}
	return s.cfg.Notify, nil
}

func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.base(r, "Webhook", "webhook")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderWebhook(w, r, p, http.StatusOK)
}

func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, p *page, code int) {
	hook, err := s.store.Webhook(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	deliveries, err := s.webhookJobs(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = struct {
		Hook       *unvite.Webhook
		Available  bool
		Deliveries []jobView
	}{hook, s.cfg.Notify != nil, deliveries}
	s.render(w, r, code, "webhook", p)
}

// webhookJobs are the webhook's deliveries, newest first.
func (s *Server) webhookJobs(r *http.Request) ([]jobView, error) {
	if s.cfg.Engine == nil {
		return nil, nil
	}
	jobs, err := s.cfg.Engine.Jobs(r.Context(), engine.JobFilter{Kinds: []string{engine.WebhookArgs{}.Kind()}})
	if err != nil {
		return nil, err
	}
	slices.Reverse(jobs)
	now := s.now()
	out := make([]jobView, 0, min(len(jobs), 20))
	for _, j := range jobs[:min(len(jobs), 20)] {
		out = append(out, describeJob(j, now))
	}
	return out, nil
}

func (s *Server) saveWebhook(w http.ResponseWriter, r *http.Request) {
	ns, err := s.notifier()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, unvite.Errorf(unvite.EINVALID, "form: %v", err))
		return
	}
	_, err = ns.Save(r.Context(), notify.Settings{
		URL: r.PostFormValue("url"), Clear: r.PostFormValue("clear") == "on",
		Format: r.PostFormValue("format"), Enabled: r.PostFormValue("enabled") == "on",
	}, "user:"+userOf(r.Context()).Name)
	if err != nil {
		if unvite.ErrorCode(err) == unvite.EINTERNAL {
			s.fail(w, r, err)
			return
		}
		// Show the form again with the reason; the URL typed is not
		// echoed back (it may hold a token).
		p, berr := s.base(r, "Webhook", "webhook")
		if berr != nil {
			s.fail(w, r, berr)
			return
		}
		p.Error = message(err)
		s.renderWebhook(w, r, p, status(err))
		return
	}
	http.Redirect(w, r, "/settings/webhook?done="+url.QueryEscape("Saved the webhook settings."), http.StatusSeeOther)
}

// testWebhook posts a test message now, enabled or not, and says how it went.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) {
	ns, err := s.notifier()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hook, err := ns.SendTest(r.Context(), userOf(r.Context()).Name)
	if err != nil {
		p, berr := s.base(r, "Webhook", "webhook")
		if berr != nil {
			s.fail(w, r, berr)
			return
		}
		var de *notify.DeliveryError
		if errors.As(err, &de) {
			p.Error = "The test message was not delivered: " + de.Error()
		} else {
			p.Error = "The test message was not delivered: " + message(err)
		}
		s.renderWebhook(w, r, p, http.StatusOK)
		return
	}
	http.Redirect(w, r, "/settings/webhook?done="+url.QueryEscape("Sent a test message to "+hook.URLHint+": it was accepted."), http.StatusSeeOther)
}
