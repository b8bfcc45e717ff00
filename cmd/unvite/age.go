package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// age is a span a user writes: 60d, 8w, 36h, or 90 (days).
type age time.Duration

func (a *age) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return nil
	}
	unit := time.Duration(24 * time.Hour)
	switch {
	case strings.HasSuffix(s, "d"):
		s = strings.TrimSuffix(s, "d")
	case strings.HasSuffix(s, "w"):
		s, unit = strings.TrimSuffix(s, "w"), 7*24*time.Hour
	default:
		if d, err := time.ParseDuration(s); err == nil {
			*a = age(d)
			return nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return unvite.Errorf(unvite.EINVALID, "age %q: want a number of days like 60d, weeks like 8w, or hours like 36h", string(b))
	}
	*a = age(time.Duration(n) * unit)
	return nil
}

// date is a day or a time given on the command line (--as-of).
type date struct{ time.Time }

func (d *date) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			d.Time = t.UTC()
			return nil
		}
	}
	return unvite.Errorf(unvite.EINVALID, "date %q: want YYYY-MM-DD or RFC 3339", s)
}

// asOf is the clock a report uses: --as-of when given, else now.
func (a *app) asOf(d date) time.Time {
	if !d.IsZero() {
		return d.Time
	}
	return a.now().UTC()
}

// count is a number of things given on the command line (--limit, --sent):
// a whole number, 0 or more.
type count int

func (n *count) UnmarshalText(b []byte) error {
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || v < 0 {
		return unvite.Errorf(unvite.EINVALID, "%q: want a whole number, 0 or more", string(b))
	}
	*n = count(v)
	return nil
}
