package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/unvite/unvite"
)

// page is what every template receives; each page fills its own Data.
type page struct {
	Title    string
	Nav      string // the active menu entry
	User     *unvite.User
	Accounts []*unvite.Account
	Account  *unvite.Account // the account a page is about, if any
	Notice   string          // a confirmation after an action
	Error    string
	// Login page only.
	Next, Username string
	Data           any
}

type views struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"date":    func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"isodate": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"datetime": func(t time.Time) string {
		return t.UTC().Format("2 Jan 2006, 15:04")
	},
	"num":     thousands,
	"pct":     func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f) },
	"join":    strings.Join,
	// chars counts as LinkedIn and the engine do: code points, not bytes.
	"chars": utf8.RuneCountInString,
	"add":   func(a, b int) int { return a + b },
	"query": func(v url.Values) string { return v.Encode() },
	"with": func(v url.Values, kv ...string) string {
		c := url.Values{}
		for k, vs := range v {
			c[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				c.Del(kv[i])
			} else {
				c.Set(kv[i], kv[i+1])
			}
		}
		return c.Encode()
	},
}

func loadViews() (*views, error) {
	v := &views{pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		v.pages[base] = t
	}
	return v, nil
}

// render writes a page; the page is built in memory first so that a
// template error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, p *page) {
	t := s.views.pages[name]
	if t == nil {
		s.fail(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	if p.User == nil {
		p.User = userOf(r.Context())
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		http.Error(w, "the page could not be drawn; the details are in the server's log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// fail answers with an error: JSON for the API and clients that ask for
// it, else an HTML page. Internal errors are logged, not shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeError(w, s.log, r, err)
		return
	}
	if unvite.ErrorCode(err) == unvite.EINTERNAL {
		s.log.Error("web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	code := status(err)
	s.render(w, r, code, "error", &page{Title: http.StatusText(code), Error: message(err)})
}

// thousands writes n with thin-space-free comma grouping: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
