package policy

import (
	"bytes"
	"fmt"
	"strconv"
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

# "fixed": withdraw at withdraw_age_days. "auto": withdraw at the age after
# which your own history shows fewer than auto_age.threshold_percent of
# pending invitations still accepted (see [auto_age]; until the history is
# large enough, withdraw_age_days applies and the plan says so).
max_age = %s

# How the pending cap picks: "oldest-first", or "least-likely-first" (the
# lowest learned chance of acceptance first).
order = %s

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

# Pause an account after this many LinkedIn calls failed in a row (server
# errors, no reply, replies unvite cannot read); "unvite account resume"
# lets it go on.
max_failures = %d

# Invitations never withdrawn, besides those marked protected.
[protect]
# Invitations carrying any of these tags (any case).
tags = %s
# Invitations to these people: profile URLs or slugs.
profiles = %s
# true: every invitation sent with a note.
with_note = %t

# Bounds of the learned age when max_age = "auto".
[auto_age]
# The chance of acceptance under which a pending invitation is not worth keeping.
threshold_percent = %s
# The learned age is kept between these (days).
floor_days = %d
ceiling_days = %d
# Acceptances with a known time needed before the learned age is trusted.
min_accepted = %d

# Per-account overrides, by account slug or id, for example:
#
# [account."maya-lindqvist"]
# daily_limit = 20
# pending_cap = 300
`,
		p.MinAgeDays, p.ReviewAgeDays, p.ConsiderAgeDays, p.WithdrawAgeDays,
		p.PendingCap, quote(p.MaxAge), quote(p.Order), DailyLimitMax, DailyLimitWarn, p.DailyLimit,
		quote(p.ActiveHours), quote(p.TimeZone), p.CoolDownDays, p.Enabled,
		quote(p.MinGap.String()), quote(p.MaxGap.String()), quote(p.SyncEvery.String()), p.MaxFailures,
		list(p.Protect.Tags), list(p.Protect.Profiles), p.Protect.WithNote,
		strconv.FormatFloat(p.AutoAge.ThresholdPercent, 'f', -1, 64), p.AutoAge.FloorDays, p.AutoAge.CeilingDays, p.AutoAge.MinAccepted)
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
