package linkedin

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/unvite/unvite"
)

const redacted = "<redacted>"

// Session is a member's browser session: the li_at and JSESSIONID cookie
// values. Either may be given with or without surrounding double quotes.
// Formatting or logging a Session never shows the values.
type Session struct {
	LiAt       string
	JSESSIONID string
}

// String shows whether each value is set, never the value.
func (s Session) String() string {
	return "linkedin.Session{LiAt:" + mark(s.LiAt) + " JSESSIONID:" + mark(s.JSESSIONID) + "}"
}

// GoString is String.
func (s Session) GoString() string { return s.String() }

// Format prints String for every verb.
func (s Session) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue keeps the values out of slog output.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("li_at", mark(s.LiAt)), slog.String("jsessionid", mark(s.JSESSIONID)))
}

func mark(v string) string {
	if v == "" {
		return "<empty>"
	}
	return redacted
}

// credentials is what requests carry, built once. Client reaches it only
// through a closure (see Client.creds).
type credentials struct {
	cookie string // li_at=…; JSESSIONID="ajax:…"
	csrf   string // JSESSIONID without quotes
	// secrets are the raw values, scrubbed from any text an error carries.
	secrets []string
}

func (s Session) credentials() (*credentials, error) {
	liAt := unquote(s.LiAt)
	jsid := unquote(s.JSESSIONID)
	for _, f := range []struct{ name, v string }{{"li_at", liAt}, {"JSESSIONID", jsid}} {
		if f.v == "" {
			return nil, unvite.Errorf(unvite.EINVALID, "linkedin: session: %s cookie is empty", f.name)
		}
		if !cookieSafe(f.v) {
			// Never echo the value: it is a secret even when malformed.
			return nil, unvite.Errorf(unvite.EINVALID, "linkedin: session: %s cookie holds characters a cookie cannot carry", f.name)
		}
	}
	return &credentials{
		cookie:  "li_at=" + liAt + `; JSESSIONID="` + jsid + `"`,
		csrf:    jsid,
		secrets: []string{liAt, jsid},
	}, nil
}

func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	return v
}

// cookieSafe accepts RFC 6265 cookie-octets, which is what LinkedIn's
// values are made of (JSESSIONID's colon included).
func cookieSafe(v string) bool {
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b <= 0x20 || b >= 0x7f || b == '"' || b == ',' || b == ';' || b == '\\' {
			return false
		}
	}
	return true
}

// scrub replaces any secret value in s.
func (cr *credentials) scrub(s string) string {
	for _, v := range cr.secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}
