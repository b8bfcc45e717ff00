package accounts

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/linkedin"
)

// ParseSession reads the two cookies a session is made of, as a user copies
// them: `li_at=…` and `JSESSIONID=…` lines, or one Cookie header holding
// both. It never echoes a value in its errors.
func ParseSession(r io.Reader) (linkedin.Session, error) {
	var s linkedin.Session
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "Cookie:"))
		for _, part := range strings.Split(line, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "li_at":
				s.LiAt = strings.TrimSpace(v)
			case "JSESSIONID":
				s.JSESSIONID = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("read session: %w", err)
	}
	return s, CheckSession(s)
}

// CheckSession says which cookie is missing, if any.
func CheckSession(s linkedin.Session) error {
	switch {
	case s.LiAt == "" && s.JSESSIONID == "":
		return unvite.Errorf(unvite.EINVALID, "no session given: want li_at=… and JSESSIONID=… (one a line, or a Cookie header)")
	case s.LiAt == "":
		return unvite.Errorf(unvite.EINVALID, "session: li_at is missing")
	case s.JSESSIONID == "":
		return unvite.Errorf(unvite.EINVALID, "session: JSESSIONID is missing")
	}
	return nil
}
