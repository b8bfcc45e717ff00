package policy

import (
	"slices"
	"strconv"
	"strings"
)

// The TOML decoder reports unknown keys without their position, so keyLines
// scans the source for where each key and table is written. It understands
// what a policy file holds (tables, dotted and quoted keys, multi-line
// strings and arrays); a key it cannot place gets no line in messages.
func keyLines(src string) map[string]int {
	lines := make(map[string]int)
	var table []string
	closing := "" // the delimiter of an open multi-line string
	for i, raw := range strings.Split(src, "\n") {
		n := i + 1
		s := strings.TrimSpace(raw)
		if closing != "" {
			if strings.Contains(s, closing) {
				closing = ""
			}
			continue
		}
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			inner := strings.TrimLeft(s, "[")
			path, _, ok := parseKeyPath(inner)
			if !ok {
				continue
			}
			table = path
			record(lines, path, n)
			continue
		}
		path, rest, ok := parseKeyPath(s)
		if !ok || !strings.HasPrefix(rest, "=") {
			continue // a value line of a multi-line array
		}
		record(lines, append(slices.Clone(table), path...), n)
		val := strings.TrimSpace(rest[1:])
		for _, d := range []string{`"""`, `'''`} {
			if strings.HasPrefix(val, d) && !strings.Contains(val[len(d):], d) {
				closing = d
			}
		}
	}
	return lines
}

// record notes the line of path and of each table it implies, keeping the
// first mention.
func record(lines map[string]int, path []string, n int) {
	for i := 1; i <= len(path); i++ {
		k := pathKey(path[:i])
		if _, ok := lines[k]; !ok {
			lines[k] = n
		}
	}
}

func pathKey(path []string) string { return strings.Join(path, "\x00") }

// parseKeyPath reads a dotted key (bare, "quoted" or 'literal' parts) from
// the start of s and returns its parts and what follows, trimmed.
func parseKeyPath(s string) (path []string, rest string, ok bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, "", false
		}
		var part string
		switch s[0] {
		case '"':
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, "", false
			}
			part = s[1:end]
			if u, err := strconv.Unquote(s[:end+1]); err == nil {
				part = u
			}
			s = s[end+1:]
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, "", false
			}
			part, s = s[1:end+1], s[end+2:]
		default:
			end := 0
			for end < len(s) && isBare(s[end]) {
				end++
			}
			if end == 0 {
				return nil, "", false
			}
			part, s = s[:end], s[end:]
		}
		if strings.ContainsRune(part, 0) {
			// An escaped NUL would collide with pathKey's separator; such a
			// key is left without a line rather than given a wrong one.
			return nil, "", false
		}
		path = append(path, part)
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, ".") {
			return path, s, true
		}
		s = s[1:]
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func sortByLine(ts []accountTable, lines map[string]int) {
	slices.SortStableFunc(ts, func(a, b accountTable) int {
		la, lb := lines[pathKey([]string{"account", a.key})], lines[pathKey([]string{"account", b.key})]
		if la != lb {
			return la - lb
		}
		return strings.Compare(a.key, b.key)
	})
}
