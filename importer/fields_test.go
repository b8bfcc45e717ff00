package importer

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

var slugCases = []string{
	"https://www.linkedin.com/in/noah-rossi-ce5bb91d",
	"https://www.linkedin.com/in/in%C3%A9s-kowalski-dc4396c4",
	"https://www.linkedin.com/in/In%C3%A9s-Kowalski",
	"https://www.linkedin.com/in/noah-rossi/",
	"https://www.linkedin.com/in/noah?trk=x",
	"https://www.linkedin.com/in/%zz",
	"https://www.linkedin.com/in/a%2Fb",
	"https://www.linkedin.com/in/%20x%20",
	"https://www.linkedin.com/in/",
	"https://de.linkedin.com/in/MARIA",
	"https://www.linkedin.com/in/a.b~c",
	"https://www.linkedin.com/company/acme",
	" https://www.linkedin.com/in/x ",
	"",
}

func TestSlugFromURLMatchesDomain(t *testing.T) {
	for _, s := range slugCases {
		require.Equal(t, unvite.SlugFromURL(s), slugFromURL(s), s)
	}
}

func FuzzSlugFromURL(f *testing.F) {
	for _, s := range slugCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := slugFromURL(s), unvite.SlugFromURL(s); got != want {
			t.Fatalf("slugFromURL(%q) = %q, unvite.SlugFromURL = %q", s, got, want)
		}
		if got, want := slugFromURL(profilePrefix+s), unvite.SlugFromURL(profilePrefix+s); got != want {
			t.Fatalf("slugFromURL(%q) = %q, unvite.SlugFromURL = %q", profilePrefix+s, got, want)
		}
	})
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"Ana Baker":        "Ana Baker",
		"Ana  Baker":       "Ana Baker",
		" Ana Baker":       "Ana Baker",
		"Ana Baker ":       "Ana Baker",
		"Ana\tBaker":       "Ana Baker",
		"Zoë Test-Person":  "Zoë Test-Person",
		"Zoë\u00a0 Rogers": "Zoë Rogers",
		"":                 "",
		"   ":              "",
	} {
		require.Equal(t, want, cleanName(in), "%q", in)
	}
}
