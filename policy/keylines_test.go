package policy

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

func FuzzKeyLines(f *testing.F) {
	for _, s := range []string{
		"daily_limit = 20\n[withdraw]\nolder_than = \"60d\"\n",
		"# comment\n[account.\"maya-lindqvist\"]\npaused = true\n[account.'ana b'.withdraw]\nkeep = [\n  \"vip\",\n  \"x = 1\",\n]\n",
		"note = \"\"\"\nnot = a key\n\"\"\"\nafter = 1\nlit = '''\n[not.a.table]\n'''\n",
		"a.b.c = 1\n\"q\\\"k\" = 2\n[[list]]\nx = 1\n[[list]]\nx = 2\n",
		"[t]\ninline = { a = 1, b = 2 }\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if strings.ContainsRune(src, 0) {
			return // no TOML holds a NUL; keys are joined with one below
		}
		lines := keyLines(src)
		srcLines := strings.Split(src, "\n")
		for k, n := range lines {
			path := strings.Split(k, "\x00")
			if n < 1 || n > len(srcLines) {
				t.Fatalf("key %q on line %d of %d", path, n, len(srcLines))
			}
			// A key is first mentioned no earlier than the tables it is in.
			for i := 1; i < len(path); i++ {
				if pn, ok := lines[pathKey(path[:i])]; !ok || pn > n {
					t.Fatalf("key %q on line %d, its table %q on line %d (%v)", path, n, path[:i], pn, ok)
				}
			}
			// The key's last part is written on its line (unless escaped, or
			// not UTF-8, which no policy file can be).
			if l := srcLines[n-1]; utf8.ValidString(l) && !strings.Contains(l, `\`) && !strings.Contains(l, path[len(path)-1]) {
				t.Fatalf("key %q placed on line %d: %q", path, n, l)
			}
		}
		// Every top-level key of a valid document has a line: the messages
		// about unknown keys depend on it.
		var doc map[string]any
		md, err := toml.Decode(src, &doc)
		if err != nil {
			return
		}
		for _, k := range md.Keys() {
			if len(k) == 1 && !strings.ContainsRune(k[0], 0) { // an escaped NUL is not placed
				if _, ok := lines[pathKey(k)]; !ok {
					t.Fatalf("top-level key %q of a valid document has no line; found %v", k, lines)
				}
			}
		}
	})
}
