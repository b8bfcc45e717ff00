package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// Kinds of a Field's value, for forms.
const (
	KindInt      = "int"      // a whole number
	KindFloat    = "float"    // a number
	KindBool     = "bool"     // "true" or "false"
	KindChoice   = "choice"   // one of Choices
	KindText     = "text"     // a string (checked by Check)
	KindDuration = "duration" // "45s", "4m", "6h"
	KindList     = "list"     // comma-separated strings
)

// Field is one key of the policy, as a settings form or `unvite policy set`
// edits it: its value is text ("20", "auto", "45s", "vip, friends"), read
// and written the same way everywhere, and stored so in an account's own
// values (unvite.Account.Policy).
type Field struct {
	Key     string   // the TOML key: "daily_limit", "protect.tags"
	Label   string   // a short label
	Help    string   // what it does, one sentence or two
	Kind    string   // one of the Kind constants
	Choices []string // KindChoice only
	Unit    string   // "days", "a day", … (forms only)

	get func(*unvite.Policy) string
	set func(*unvite.Policy, string) error
}

// Value is the field's value in p, as text.
func (f Field) Value(p unvite.Policy) string { return f.get(&p) }

// Fields lists the policy's keys in the order of the policy file.
func Fields() []Field { return fields }

// FieldByKey finds a field by its key.
func FieldByKey(key string) (Field, bool) {
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Key == key })
	if i < 0 {
		return Field{}, false
	}
	return fields[i], true
}

func intField(key, label, unit, help string, v func(*unvite.Policy) *int) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindInt, Unit: unit,
		get: func(p *unvite.Policy) string { return strconv.Itoa(*v(p)) },
		set: func(p *unvite.Policy, s string) error {
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("want a whole number, got %q", s)
			}
			*v(p) = n
			return nil
		}}
}

func boolField(key, label, help string, v func(*unvite.Policy) *bool) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindBool,
		get: func(p *unvite.Policy) string { return strconv.FormatBool(*v(p)) },
		set: func(p *unvite.Policy, s string) error {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", s)
			}
			*v(p) = b
			return nil
		}}
}

func textField(key, label, help string, choices []string, v func(*unvite.Policy) *string) Field {
	kind := KindText
	if choices != nil {
		kind = KindChoice
	}
	return Field{Key: key, Label: label, Help: help, Kind: kind, Choices: choices,
		get: func(p *unvite.Policy) string { return *v(p) },
		set: func(p *unvite.Policy, s string) error { *v(p) = s; return nil }}
}

func durationField(key, label, help string, v func(*unvite.Policy) *time.Duration) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindDuration,
		get: func(p *unvite.Policy) string { return durationText(*v(p)) },
		set: func(p *unvite.Policy, s string) error {
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("want a duration like \"45s\", \"4m\" or \"6h\", got %q", s)
			}
			*v(p) = d
			return nil
		}}
}

func listField(key, label, help string, v func(*unvite.Policy) *[]string) Field {
	return Field{Key: key, Label: label, Help: help, Kind: KindList,
		get: func(p *unvite.Policy) string { return strings.Join(*v(p), ", ") },
		set: func(p *unvite.Policy, s string) error {
			var out []string
			for _, e := range strings.Split(s, ",") {
				if e = strings.TrimSpace(e); e != "" {
					out = append(out, e)
				}
			}
			*v(p) = out
			return nil
		}}
}

// durationText drops a duration's zero tails: "4m", not "4m0s".
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

var fields = []Field{
	intField("min_age_days", "Never withdraw younger than", "days", "An invitation younger than this is never withdrawn, whatever the other rules say.",
		func(p *unvite.Policy) *int { return &p.MinAgeDays }),
	intField("review_age_days", "Mark for review at", "days", "The 30-60-90 rule's first step: listings mark invitations this old for review. Selects nothing.",
		func(p *unvite.Policy) *int { return &p.ReviewAgeDays }),
	intField("consider_age_days", "Mark to consider at", "days", "The rule's second step: listings mark invitations this old to consider. Selects nothing.",
		func(p *unvite.Policy) *int { return &p.ConsiderAgeDays }),
	intField("withdraw_age_days", "Withdraw at age (max age)", "days", "Every pending invitation this old is withdrawn (0 = off). With max age “auto”, until the history is large enough.",
		func(p *unvite.Policy) *int { return &p.WithdrawAgeDays }),
	intField("pending_cap", "Pending cap", "invitations", "Keep at most this many invitations pending, withdrawing as the order below says (0 = no cap).",
		func(p *unvite.Policy) *int { return &p.PendingCap }),
	textField("max_age", "Max age rule", "“fixed”: withdraw at the age above. “auto”: at the age after which your own history shows almost no acceptance (see the learned-age bounds).",
		[]string{unvite.MaxAgeFixed, unvite.MaxAgeAuto}, func(p *unvite.Policy) *string { return &p.MaxAge }),
	textField("order", "Cap order", "How the pending cap picks: the oldest first, or those least likely to be accepted first (learned).",
		[]string{unvite.OrderOldestFirst, unvite.OrderLeastLikelyFirst}, func(p *unvite.Policy) *string { return &p.Order }),
	intField("daily_limit", "Daily limit", "a day", fmt.Sprintf("Withdrawals a day at most: 1 to %d; above %d LinkedIn may take notice.", DailyLimitMax, DailyLimitWarn),
		func(p *unvite.Policy) *int { return &p.DailyLimit }),
	textField("active_hours", "Active hours", "When withdrawals run, as HH:MM-HH:MM in the time zone below.", nil,
		func(p *unvite.Policy) *string { return &p.ActiveHours }),
	textField("time_zone", "Time zone", "An IANA name such as Europe/Paris; empty for the account's own.", nil,
		func(p *unvite.Policy) *string { return &p.TimeZone }),
	intField("cool_down_days", "Re-invite cool-down", "days", "Days after a withdrawal before unvite lets you invite the same person again (LinkedIn refuses for about three weeks).",
		func(p *unvite.Policy) *int { return &p.CoolDownDays }),
	boolField("enabled", "Run by itself", "Off: plans are previews until you approve them. On: the scheduler withdraws by itself.",
		func(p *unvite.Policy) *bool { return &p.Enabled }),
	durationField("min_gap", "Least gap", "The least random gap between two withdrawals of the account (“45s”).",
		func(p *unvite.Policy) *time.Duration { return &p.MinGap }),
	durationField("max_gap", "Longest gap", "The longest random gap between two withdrawals (“4m”).",
		func(p *unvite.Policy) *time.Duration { return &p.MaxGap }),
	durationField("sync_every", "Sync every", "How often the server syncs the account with LinkedIn (“6h”; at least 15m).",
		func(p *unvite.Policy) *time.Duration { return &p.SyncEvery }),
	intField("max_failures", "Pause after failures", "in a row", "LinkedIn calls that may fail in a row (server errors, no reply) before the account is paused until you resume it.",
		func(p *unvite.Policy) *int { return &p.MaxFailures }),
	listField("protect.tags", "Protected tags", "Invitations carrying any of these tags are never withdrawn (comma-separated, any case).",
		func(p *unvite.Policy) *[]string { return &p.Protect.Tags }),
	listField("protect.profiles", "Protected profiles", "Invitations to these people are never withdrawn: profile URLs or slugs, comma-separated.",
		func(p *unvite.Policy) *[]string { return &p.Protect.Profiles }),
	boolField("protect.with_note", "Protect invitations with a note", "Never withdraw an invitation sent with a note.",
		func(p *unvite.Policy) *bool { return &p.Protect.WithNote }),
	{Key: "auto_age.threshold_percent", Label: "Learned age: threshold", Unit: "%", Kind: KindFloat,
		Help: "With max age “auto”: the chance of acceptance under which a pending invitation is not worth keeping.",
		get:  func(p *unvite.Policy) string { return strconv.FormatFloat(p.AutoAge.ThresholdPercent, 'f', -1, 64) },
		set: func(p *unvite.Policy, s string) error {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("want a number, got %q", s)
			}
			p.AutoAge.ThresholdPercent = f
			return nil
		}},
	intField("auto_age.floor_days", "Learned age: at least", "days", "The learned age is never under this.",
		func(p *unvite.Policy) *int { return &p.AutoAge.FloorDays }),
	intField("auto_age.ceiling_days", "Learned age: at most", "days", "The learned age is never over this.",
		func(p *unvite.Policy) *int { return &p.AutoAge.CeilingDays }),
	intField("auto_age.min_accepted", "Learned age: history needed", "acceptances", "Acceptances with a known time needed before the learned age is trusted.",
		func(p *unvite.Policy) *int { return &p.AutoAge.MinAccepted }),
}

// WithValues is p with the values given by key, as text. A key that is
// not the policy's, or a value its field cannot read, is an error Problem
// naming the key; the rest still apply. Nothing else is checked: see Check.
func WithValues(p unvite.Policy, values map[string]string) (unvite.Policy, []Problem) {
	p = clone(p)
	var ps []Problem
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f, ok := FieldByKey(k)
		if !ok {
			ps = append(ps, Problem{Severity: SeverityError, Field: k, Message: "is not a policy key" + suggestKey(k)})
			continue
		}
		if err := f.set(&p, strings.TrimSpace(values[k])); err != nil {
			ps = append(ps, Problem{Severity: SeverityError, Field: k, Message: err.Error()})
		}
	}
	tidy(&p)
	return p, ps
}

// Values is every field of p as text, by key.
func Values(p unvite.Policy) map[string]string {
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		out[f.Key] = f.get(&p)
	}
	return out
}

// Changes is the patch of an account's own values that makes base
// (the policy file's policy for it) into p: the keys where p differs are
// set, the others removed, so the file's later edits of those apply.
func Changes(base, p unvite.Policy) map[string]*string {
	out := make(map[string]*string, len(fields))
	for _, f := range fields {
		if v := f.get(&p); v != f.get(&base) {
			out[f.Key] = &v
		} else {
			out[f.Key] = nil
		}
	}
	return out
}

func suggestKey(k string) string {
	best, bestD := "", 4
	for _, f := range fields {
		if d := distance(k, f.Key); d < bestD {
			best, bestD = f.Key, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
