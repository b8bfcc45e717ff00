package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	type finding struct{ severity, field string }
	tests := []struct {
		name   string
		change func(*unvite.Policy)
		want   []finding
	}{
		{name: "default is clean", change: func(*unvite.Policy) {}},
		{
			name:   "negative days",
			change: func(p *unvite.Policy) { p.MinAgeDays, p.PendingCap = -1, -5 },
			want:   []finding{{"error", "min_age_days"}, {"error", "pending_cap"}},
		},
		{
			name:   "min age over withdraw age",
			change: func(p *unvite.Policy) { p.MinAgeDays, p.WithdrawAgeDays = 100, 90 },
			want:   []finding{{"error", "min_age_days"}},
		},
		{
			name:   "min age over withdraw age, but withdraw age off",
			change: func(p *unvite.Policy) { p.MinAgeDays, p.WithdrawAgeDays = 100, 0 },
		},
		{
			name:   "stages out of order",
			change: func(p *unvite.Policy) { p.ReviewAgeDays, p.ConsiderAgeDays, p.WithdrawAgeDays = 70, 65, 60 },
			want:   []finding{{"warning", "review_age_days"}, {"warning", "consider_age_days"}},
		},
		{
			name:   "selects nothing",
			change: func(p *unvite.Policy) { p.WithdrawAgeDays, p.PendingCap = 0, 0 },
			want:   []finding{{"warning", "withdraw_age_days"}},
		},
		{name: "daily limit 0", change: func(p *unvite.Policy) { p.DailyLimit = 0 }, want: []finding{{"error", "daily_limit"}}},
		{name: "daily limit -1", change: func(p *unvite.Policy) { p.DailyLimit = -1 }, want: []finding{{"error", "daily_limit"}}},
		{name: "daily limit 40", change: func(p *unvite.Policy) { p.DailyLimit = 40 }},
		{name: "daily limit 41", change: func(p *unvite.Policy) { p.DailyLimit = 41 }, want: []finding{{"warning", "daily_limit"}}},
		{name: "daily limit 100", change: func(p *unvite.Policy) { p.DailyLimit = 100 }, want: []finding{{"warning", "daily_limit"}}},
		{name: "daily limit 101", change: func(p *unvite.Policy) { p.DailyLimit = 101 }, want: []finding{{"error", "daily_limit"}}},
		{name: "hours malformed", change: func(p *unvite.Policy) { p.ActiveHours = "9-17" }, want: []finding{{"error", "active_hours"}}},
		{name: "hours empty", change: func(p *unvite.Policy) { p.ActiveHours = "" }, want: []finding{{"error", "active_hours"}}},
		{name: "hours empty window", change: func(p *unvite.Policy) { p.ActiveHours = "10:00-10:00" }, want: []finding{{"error", "active_hours"}}},
		{name: "hours over midnight", change: func(p *unvite.Policy) { p.ActiveHours = "22:00-02:00" }},
		{name: "hours whole day", change: func(p *unvite.Policy) { p.ActiveHours = "00:00-24:00" }},
		{name: "hours 25", change: func(p *unvite.Policy) { p.ActiveHours = "09:00-25:00" }, want: []finding{{"error", "active_hours"}}},
		{name: "zone unknown", change: func(p *unvite.Policy) { p.TimeZone = "Europe/Atlantis" }, want: []finding{{"error", "time_zone"}}},
		{name: "zone Local", change: func(p *unvite.Policy) { p.TimeZone = "Local" }, want: []finding{{"error", "time_zone"}}},
		{name: "zone of the account", change: func(p *unvite.Policy) { p.TimeZone = "" }},
		{name: "zone IANA", change: func(p *unvite.Policy) { p.TimeZone = "America/New_York" }},
		{name: "cool-down short", change: func(p *unvite.Policy) { p.CoolDownDays = 13 }, want: []finding{{"warning", "cool_down_days"}}},
		{name: "cool-down 14", change: func(p *unvite.Policy) { p.CoolDownDays = 14 }},
		{name: "cool-down unset", change: func(p *unvite.Policy) { p.CoolDownDays = 0 }},
		{name: "cool-down negative", change: func(p *unvite.Policy) { p.CoolDownDays = -1 }, want: []finding{{"error", "cool_down_days"}}},
		{name: "gaps inverted", change: func(p *unvite.Policy) { p.MinGap, p.MaxGap = time.Minute, time.Second }, want: []finding{{"error", "max_gap"}}},
		{name: "gap negative", change: func(p *unvite.Policy) { p.MinGap = -time.Second }, want: []finding{{"error", "min_gap"}}},
		{name: "gap tiny", change: func(p *unvite.Policy) { p.MinGap = time.Second }, want: []finding{{"warning", "min_gap"}}},
		{name: "sync too often", change: func(p *unvite.Policy) { p.SyncEvery = time.Minute }, want: []finding{{"error", "sync_every"}}},
		{name: "no failure allowed", change: func(p *unvite.Policy) { p.MaxFailures = 0 }, want: []finding{{"error", "max_failures"}}},
		{name: "failures negative", change: func(p *unvite.Policy) { p.MaxFailures = -2 }, want: []finding{{"error", "max_failures"}}},
		{name: "failures many", change: func(p *unvite.Policy) { p.MaxFailures = 50 }, want: []finding{{"warning", "max_failures"}}},
		{name: "sync negative", change: func(p *unvite.Policy) { p.SyncEvery = -time.Hour }, want: []finding{{"error", "sync_every"}}},
		{name: "all day", change: func(p *unvite.Policy) { p.ActiveHours = "00:00-24:00" }},
		{
			name: "protections that protect nothing",
			change: func(p *unvite.Policy) {
				p.Protect.Tags = []string{"vip", " "}
				p.Protect.Profiles = []string{"ann", "https://example.com/ann", "https://linkedin.com/in/bo"}
			},
			want: []finding{{"warning", "protect.tags[1]"}, {"warning", "protect.profiles[1]"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := policy.Default()
			tt.change(&p)
			var got []finding
			for _, pr := range policy.Check(p) {
				got = append(got, finding{pr.Severity, pr.Field})
				require.NotEmpty(t, pr.Message)
			}
			require.Equal(t, tt.want, got)

			err := policy.Validate(p)
			if len(policy.Errors(policy.Check(p))) == 0 {
				require.NoError(t, err)
				return
			}
			require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
			for _, f := range tt.want {
				if f.severity == policy.SeverityError {
					require.Contains(t, err.Error(), f.field+":")
				}
			}
		})
	}
}

func TestHours(t *testing.T) {
	t.Parallel()
	at := func(hm string) time.Time {
		tm, err := time.Parse("15:04", hm)
		require.NoError(t, err)
		return tm
	}
	day, err := policy.ParseHours("09:00-17:00")
	require.NoError(t, err)
	require.Equal(t, "09:00-17:00", day.String())
	require.False(t, day.Contains(at("08:59")))
	require.True(t, day.Contains(at("09:00")))
	require.True(t, day.Contains(at("16:59")))
	require.False(t, day.Contains(at("17:00")))

	night, err := policy.ParseHours("22:00 - 06:30")
	require.NoError(t, err)
	require.True(t, night.Contains(at("23:00")))
	require.True(t, night.Contains(at("03:00")))
	require.False(t, night.Contains(at("06:30")))
	require.False(t, night.Contains(at("12:00")))

	all, err := policy.ParseHours("00:00-24:00")
	require.NoError(t, err)
	require.True(t, all.Contains(at("00:00")))
	require.True(t, all.Contains(at("23:59")))

	for _, bad := range []string{"", "09:00", "9:00-17:00", "24:00-05:00", "09:60-10:00", "09:00-17:00x", "ab:cd-ef:gh"} {
		_, err := policy.ParseHours(bad)
		require.Error(t, err, bad)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	require.Equal(t, `Withdraws every pending invitation once it is 90 days old.
Keeps at most 400 invitations pending, withdrawing the oldest first.
Never withdraws an invitation younger than 14 days.
Never withdraws invitations tagged "vip" or invitations marked protected.
Listings mark invitations for review at 30 days and to consider at 60 days.
Withdraws at most 30 a day, between 09:00 and 17:00 (UTC).
Will not re-invite someone until 21 days after withdrawing their invitation.
Only previews: nothing is withdrawn until you confirm a plan (enabled = false).`, policy.Explain(policy.Default()))

	p := policy.Default()
	p.WithdrawAgeDays, p.PendingCap, p.TimeZone, p.Enabled = 0, 0, "", true
	p.Protect = unvite.Protections{Tags: []string{"vip", "mentor"}, Profiles: []string{"ann", "bo"}, WithNote: true}
	got := policy.Explain(p)
	require.Contains(t, got, "Withdraws nothing for its age alone")
	require.Contains(t, got, "Sets no cap on pending invitations.")
	require.Contains(t, got, `Never withdraws invitations tagged "vip" or "mentor", invitations to 2 listed profiles, invitations sent with a note or invitations marked protected.`)
	require.Contains(t, got, "(the account's time zone)")
	require.Contains(t, got, "Runs by itself")
}
