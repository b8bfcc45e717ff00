package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// Every field reads back what it writes, so an account's own values and
// a form's round trip lose nothing.
func TestFieldsRoundTrip(t *testing.T) {
	p := policy.Default()
	p.Protect.Profiles = []string{"https://www.linkedin.com/in/ada", "bruno"}
	p.AutoAge.ThresholdPercent = 2.5
	got, ps := policy.WithValues(unvite.Policy{}, policy.Values(p))
	require.Empty(t, ps)
	require.Equal(t, p, got)
	require.Len(t, policy.Values(p), len(policy.Fields()))
	for _, f := range policy.Fields() {
		require.NotEmpty(t, f.Label, f.Key)
		require.NotEmpty(t, f.Help, f.Key)
	}
}

// Bad values and unknown keys are problems naming the key; good ones
// still apply.
func TestWithValuesNamesKeys(t *testing.T) {
	got, ps := policy.WithValues(policy.Default(), map[string]string{
		"daily_limit": "many", "min_gap": "soon", "enabled": "perhaps", "dailylimit": "3", "withdraw_age_days": " 45 ",
	})
	require.Equal(t, 45, got.WithdrawAgeDays)
	var msgs []string
	for _, p := range ps {
		require.Equal(t, policy.SeverityError, p.Severity)
		msgs = append(msgs, p.Field+": "+p.Message)
	}
	require.Equal(t, []string{
		`daily_limit: want a whole number, got "many"`,
		`dailylimit: is not a policy key (did you mean daily_limit?)`,
		`enabled: want true or false, got "perhaps"`,
		`min_gap: want a duration like "45s", "4m" or "6h", got "soon"`,
	}, msgs)
}

// An account's own values apply over the file's table for it, and Changes
// keeps only what differs from the file.
func TestForAccountOwnValues(t *testing.T) {
	f, err := policy.Parse(strings.NewReader("daily_limit = 25\n[account.\"maya\"]\npending_cap = 300\n"), "policy.toml")
	require.NoError(t, err)
	acct := &unvite.Account{ID: 1, Name: "Maya", Slug: "maya", Policy: map[string]string{"daily_limit": "12", "max_age": "auto"}}
	p, err := f.ForAccount(acct)
	require.NoError(t, err)
	require.Equal(t, 12, p.DailyLimit)
	require.Equal(t, 300, p.PendingCap)
	require.Equal(t, unvite.MaxAgeAuto, p.MaxAge)

	ch := policy.Changes(f.For("maya", 1), p)
	require.Equal(t, "12", *ch["daily_limit"])
	require.Equal(t, "auto", *ch["max_age"])
	require.Nil(t, ch["pending_cap"], "the file's value is not copied")
	require.Len(t, ch, len(policy.Fields()))

	acct.Policy["daily_limit"] = "500"
	_, err = f.ForAccount(acct)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	require.Contains(t, err.Error(), "daily_limit: must be at most 100")
	acct.Policy["daily_limit"] = "lots"
	_, err = f.ForAccount(acct)
	require.Contains(t, err.Error(), `the account's own daily_limit: want a whole number, got "lots"`)
}
