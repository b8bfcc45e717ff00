package importer

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/unvite/unvite"
)

// cleanName trims a name and collapses runs of white space to one space,
// without allocating when the name is already clean (nearly always).
func cleanName(s string) string {
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return collapse(s)
			}
			prevSpace = true
		case c < 0x20 || c == 0x7f:
			return collapse(s)
		case c >= utf8.RuneSelf:
			if strings.IndexFunc(s[i:], unicode.IsSpace) >= 0 {
				return collapse(s)
			}
			return trimTrailingSpace(s)
		default:
			prevSpace = false
		}
	}
	return trimTrailingSpace(s)
}

func trimTrailingSpace(s string) string {
	if strings.HasSuffix(s, " ") {
		return collapse(s)
	}
	return s
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

const profilePrefix = "https://www.linkedin.com/in/"

// slugFromURL is unvite.SlugFromURL with a fast path for the URLs exports
// write: the canonical prefix, then one path segment of unreserved or
// percent-encoded characters. Anything else takes the general way.
func slugFromURL(s string) string {
	rest, ok := strings.CutPrefix(s, profilePrefix)
	if !ok || rest == "" {
		return unvite.SlugFromURL(s)
	}
	plain := true
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_':
		case c == '%' || c >= 'A' && c <= 'Z':
			plain = false
		default:
			return unvite.SlugFromURL(s)
		}
	}
	if plain {
		return rest
	}
	dec, err := url.PathUnescape(rest)
	if err != nil {
		return unvite.SlugFromURL(s)
	}
	return strings.ToLower(strings.TrimSpace(dec))
}
