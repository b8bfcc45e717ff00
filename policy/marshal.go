package policy

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/unvite/unvite"
)

// Marshal writes p as a commented policy file that Parse reads back to p.
// Every key is written, so the file shows all there is to set.
func Marshal(p unvite.Policy) ([]byte, error) {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w(`# unvite withdrawal policy.
#
# Top-level keys apply to every account. An [account."<slug or id>"] table
# at the end overrides, for that account, only the keys it sets.
# "unvite policy check" checks this file; "unvite policy show" explains it.

# Never withdraw an invitation younger than this many days.
min_age_days = %d

# The 30-60-90 rule: listings mark invitations for review, then to consider;
# every pending invitation is withdrawn at withdraw_age_days (0 = off).
review_age_days = %d
consider_age_days = %d
withdraw_age_days = %d

# Keep at most this many invitations pending, withdrawing the oldest first
# (0 = no cap).
pending_cap = %d

# Withdrawals a day at most: 1 to %d; above %d LinkedIn may take notice.
daily_limit = %d

# When withdrawals run ("HH:MM-HH:MM"), in time_zone: an IANA name such as
# "Europe/Paris", or "" for the account's own time zone.
active_hours = %s
time_zone = %s

# Days after a withdrawal before unvite lets you invite the same person
# again (LinkedIn itself refuses for about three weeks).
cool_down_days = %d

# false: plans are previews until you confirm them; true: the scheduler
# withdraws by itself.
enabled = %t

# The random gap between two withdrawals of one account, at least min_gap
# and at most max_gap ("45s", "4m"), and how often "unvite serve" syncs.
min_gap = %s
max_gap = %s
sync_every = %s

# Invitations never withdrawn, besides those marked protected.
[protect]
# Invitations carrying any of these tags (any case).
tags = %s
# Invitations to these people: profile URLs or slugs.
profiles = %s
# true: every invitation sent with a note.
with_note = %t

# Per-account overrides, by account slug or id, for example:
#
# [account."maya-lindqvist"]
# daily_limit = 20
# pending_cap = 300
`,
		p.MinAgeDays, p.ReviewAgeDays, p.ConsiderAgeDays, p.WithdrawAgeDays,
		p.PendingCap, DailyLimitMax, DailyLimitWarn, p.DailyLimit,
		quote(p.ActiveHours), quote(p.TimeZone), p.CoolDownDays, p.Enabled,
		quote(p.MinGap.String()), quote(p.MaxGap.String()), quote(p.SyncEvery.String()),
		list(p.Protect.Tags), list(p.Protect.Profiles), p.Protect.WithNote)
	return b.Bytes(), nil
}

func list(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
