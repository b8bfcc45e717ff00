package sandbox

import (
	"net/http"
	"strings"
)

// parseCookies reads Cookie headers leniently, as LinkedIn does: values may
// be quoted (li_at="…"; JSESSIONID="ajax:…"), a trailing "; " is fine, and
// the first occurrence of a name wins.
func parseCookies(headers []string) map[string]string {
	c := map[string]string{}
	for _, h := range headers {
		for part := range strings.SplitSeq(h, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			name = strings.TrimSpace(name)
			value = unquote(strings.TrimSpace(value))
			if _, seen := c[name]; !seen && name != "" {
				c[name] = value
			}
		}
	}
	return c
}

func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// checkSession applies LinkedIn's CSRF check and session lookup: the
// csrf-token header must equal the JSESSIONID cookie without its quotes,
// and li_at and JSESSIONID must be the account's. It returns nil when the
// request may proceed.
func (s *Sandbox) checkSession(r *http.Request, cookies map[string]string, a *Account) *reply {
	js := cookies["JSESSIONID"]
	if js == "" || r.Header.Get("csrf-token") != js {
		return csrfReply()
	}
	if a == nil {
		return sessionTroubleReply(s.opts.UnknownSession)
	}
	if js != a.cfg.JSessionID {
		return sessionTroubleReply(a.cfg.SessionTrouble)
	}
	return nil
}
