package sandbox

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// rlValue is a rest.li 2.0 query value: a string, a List(...) or a
// record (k:v,...). Structural characters ( ) , : arrive unescaped; text
// inside is percent-encoded. A value whose structure was percent-encoded
// reads as a plain string, which the handlers then reject.
type rlValue struct {
	str  string
	list []rlValue
	rec  map[string]rlValue
	kind byte // 's', 'l' or 'r'
}

// query is a request's parameters, values kept raw until read.
type query map[string]string

// parseQuery splits a raw query on & and =. It does not unescape values:
// rest.li structure has to be read first.
func parseQuery(raw string) (query, error) {
	q := query{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("query key %q: %w", k, err)
		}
		if _, seen := q[key]; !seen {
			q[key] = v
		}
	}
	return q, nil
}

func (q query) has(k string) bool { _, ok := q[k]; return ok }

// str is a parameter as plain text.
func (q query) str(k string) string {
	v, err := url.PathUnescape(q[k])
	if err != nil {
		return q[k]
	}
	return v
}

// int reads a non-negative integer parameter, def when absent.
func (q query) int(k string, def int) (int, error) {
	if !q.has(k) {
		return def, nil
	}
	n, err := strconv.Atoi(q.str(k))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q is not a non-negative integer", k, q.str(k))
	}
	return n, nil
}

// restli parses a parameter as a rest.li value.
func (q query) restli(k string) (rlValue, error) { return parseRestli(q[k]) }

func parseRestli(raw string) (rlValue, error) {
	if !strings.HasPrefix(raw, "List(") && !strings.HasPrefix(raw, "(") {
		s, err := url.PathUnescape(raw)
		if err != nil {
			return rlValue{}, err
		}
		return rlValue{kind: 's', str: s}, nil
	}
	p := &rlParser{s: raw}
	v, err := p.value()
	if err != nil {
		return rlValue{}, err
	}
	if p.i != len(p.s) {
		return rlValue{}, fmt.Errorf("rest.li: trailing %q", p.s[p.i:])
	}
	return v, nil
}

type rlParser struct {
	s string
	i int
}

func (p *rlParser) value() (rlValue, error) {
	rest := p.s[p.i:]
	switch {
	case strings.HasPrefix(rest, "List("):
		p.i += len("List(")
		v := rlValue{kind: 'l'}
		if p.eat(')') {
			return v, nil
		}
		for {
			item, err := p.value()
			if err != nil {
				return v, err
			}
			v.list = append(v.list, item)
			if p.eat(')') {
				return v, nil
			}
			if !p.eat(',') {
				return v, p.errorf("want , or )")
			}
		}
	case strings.HasPrefix(rest, "("):
		p.i++
		v := rlValue{kind: 'r', rec: map[string]rlValue{}}
		if p.eat(')') {
			return v, nil
		}
		for {
			key, err := p.scalar()
			if err != nil {
				return v, err
			}
			if !p.eat(':') {
				return v, p.errorf("want : after %q", key)
			}
			item, err := p.value()
			if err != nil {
				return v, err
			}
			v.rec[key] = item
			if p.eat(')') {
				return v, nil
			}
			if !p.eat(',') {
				return v, p.errorf("want , or )")
			}
		}
	}
	s, err := p.scalar()
	return rlValue{kind: 's', str: s}, err
}

func (p *rlParser) scalar() (string, error) {
	j := p.i
	for j < len(p.s) && !strings.ContainsRune("(),:", rune(p.s[j])) {
		j++
	}
	raw := p.s[p.i:j]
	p.i = j
	s, err := url.PathUnescape(raw)
	if err != nil {
		return "", fmt.Errorf("rest.li: %w", err)
	}
	return s, nil
}

func (p *rlParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *rlParser) errorf(format string, args ...any) error {
	return fmt.Errorf("rest.li at %d in %q: %s", p.i, p.s, fmt.Sprintf(format, args...))
}

// field reads a record field as a string, "" when absent or not a string.
func (v rlValue) field(k string) (string, bool) {
	f, ok := v.rec[k]
	if !ok || f.kind != 's' {
		return "", false
	}
	return f.str, true
}
