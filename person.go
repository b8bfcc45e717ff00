package unvite

import (
	"net/url"
	"strings"
	"unicode"
)

// Person is the other side of an invitation.
type Person struct {
	Name     string `json:"name"`
	Headline string `json:"headline,omitempty"` // position or occupation
	Company  string `json:"company,omitempty"`
	// Slug is the normalised public identifier (/in/<slug>): lower-case,
	// percent-decoded. Empty when only a name is known (exports before 2023).
	Slug      string `json:"slug,omitempty"`
	MemberURN string `json:"member_urn,omitempty"` // urn:li:fs_miniProfile:… or urn:li:member:…, when known
}

// ProfileURL is the canonical profile address, or "" without a slug.
func (p Person) ProfileURL() string {
	if p.Slug == "" {
		return ""
	}
	return ProfileURL(p.Slug)
}

// Key identifies a person across files: the slug when known, else the
// normalised full name. Two people with one name are only told apart by slug.
func (p Person) Key() string { return PersonKey(p.Slug, p.Name) }

// PersonKey is Person.Key for loose values.
func PersonKey(slug, name string) string {
	if slug != "" {
		return "in:" + slug
	}
	return "name:" + NormalizeName(name)
}

// ProfileURL builds the canonical URL for a slug.
func ProfileURL(slug string) string {
	return "https://www.linkedin.com/in/" + url.PathEscape(slug)
}

// NormalizeName collapses white space and lower-cases, for matching by name
// where a file has no profile URLs.
func NormalizeName(name string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(name, unicode.IsSpace), " "))
}

// SlugFromURL extracts the normalised slug from a profile URL as found in
// exports, sheets or LinkedIn replies: any *.linkedin.com host (or none),
// percent-encoded or not, with or without trailing slash, query or fragment.
// It returns "" when s is not a /in/ profile URL.
func SlugFromURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if !strings.Contains(s, "://") && !strings.HasPrefix(s, "/") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host != "" && host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return ""
	}
	path := u.EscapedPath()
	i := strings.Index(path, "/in/")
	if i < 0 {
		return ""
	}
	seg := strings.Trim(path[i+len("/in/"):], "/")
	if j := strings.IndexByte(seg, '/'); j >= 0 {
		seg = seg[:j]
	}
	dec, err := url.PathUnescape(seg)
	if err != nil {
		dec = seg
	}
	return strings.ToLower(strings.TrimSpace(dec))
}
