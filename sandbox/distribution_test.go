package sandbox

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"
)

func TestAcceptanceDistribution(t *testing.T) {
	t.Parallel()
	const n = 20_000
	sb := New(Options{Seed: 7})
	sb.AddAccount(AccountConfig{Key: "big", SentInvitations: n, Months: 6})
	sb.Advance(365 * day) // every fate is due within 120 days of sending

	conns := sb.Connections("big")
	pending := sb.PendingSent("big")
	require.Equal(t, n, len(conns)+len(pending))
	require.InDelta(t, AcceptRate, float64(len(conns))/n, 0.02)

	within := map[time.Duration]int{}
	for _, c := range conns {
		delay := c.CreatedAt.Sub(c.InvitationSentAt)
		require.Positive(t, delay)
		for _, d := range []time.Duration{day, 7 * day, 30 * day} {
			if delay <= d {
				within[d]++
			}
		}
	}
	for d, want := range map[time.Duration]float64{day: 0.63, 7 * day: 0.88, 30 * day: 0.99} {
		require.InDelta(t, want, float64(within[d])/float64(len(conns)), 0.03, "within %v", d)
	}
}

// drawFate alone, with many draws, sits on the published points.
func TestDrawFate(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const n = 200_000
	accepted, d1, d7, d30 := 0, 0, 0, 0
	for range n {
		ok, d := drawFate(r)
		if !ok {
			continue
		}
		accepted++
		if d <= day {
			d1++
		}
		if d <= 7*day {
			d7++
		}
		if d <= 30*day {
			d30++
		}
	}
	require.InDelta(t, 0.37, float64(accepted)/n, 0.005)
	require.InDelta(t, 0.63, float64(d1)/float64(accepted), 0.01)
	require.InDelta(t, 0.88, float64(d7)/float64(accepted), 0.01)
	require.InDelta(t, 0.99, float64(d30)/float64(accepted), 0.005)
}

func TestSameSeedSameNetwork(t *testing.T) {
	t.Parallel()
	build := func(seed uint64) *Sandbox {
		sb := New(Options{Seed: seed})
		sb.AddAccount(AccountConfig{SentInvitations: 2000, ReceivedInvitations: 20})
		sb.AddAccount(AccountConfig{SentInvitations: 500, Premium: true})
		return sb
	}
	a, b, c := build(99), build(99), build(100)
	for _, key := range []string{"acct1", "acct2"} {
		require.Equal(t, a.PendingSent(key), b.PendingSent(key))
		require.Equal(t, a.Connections(key), b.Connections(key))
		require.Equal(t, a.Received(key), b.Received(key))
		require.Equal(t, a.Account(key).Config(), b.Account(key).Config())
		require.NotEqual(t, a.PendingSent(key), c.PendingSent(key))
		require.NotEqual(t, a.Account(key).LiAt(), c.Account(key).LiAt())
	}
	require.NotEqual(t, a.Account("acct1").LiAt(), a.Account("acct2").LiAt())
}

func TestSeededPeople(t *testing.T) {
	t.Parallel()
	sb := New(Options{Seed: 3})
	sb.AddAccount(AccountConfig{Key: "k", SentInvitations: 5000, Months: 4})
	sb.Advance(365 * day)
	var all []InvitationInfo
	all = append(all, sb.PendingSent("k")...)
	for _, c := range sb.Connections("k") {
		all = append(all, InvitationInfo{Name: c.Name, Slug: c.Slug, ProfileID: c.ProfileID})
	}
	require.Len(t, all, 5000)
	names, slugs, profiles := map[string]bool{}, map[string]bool{}, map[string]bool{}
	nonASCII, notes := 0, 0
	for _, p := range all {
		require.False(t, names[p.Name], "duplicate name %q", p.Name)
		require.False(t, slugs[p.Slug], "duplicate slug %q", p.Slug)
		require.False(t, profiles[p.ProfileID], "duplicate profile %q", p.ProfileID)
		names[p.Name], slugs[p.Slug], profiles[p.ProfileID] = true, true, true
		require.Equal(t, strings.ToLower(p.Slug), p.Slug)
		if strings.ContainsFunc(p.Slug, func(r rune) bool { return r > unicode.MaxASCII }) {
			nonASCII++
			require.NotEqual(t, p.Slug, url.PathEscape(p.Slug))
		}
	}
	require.Greater(t, nonASCII, 250, "some slugs need percent-encoding")

	sb2 := New(Options{Seed: 3})
	sb2.AddAccount(AccountConfig{Key: "k", SentInvitations: 2000, Months: 4})
	pending := sb2.PendingSent("k")
	oldest, newest := pending[len(pending)-1].SentAt, pending[0].SentAt
	require.True(t, newest.Before(sb2.Now()))
	require.True(t, !oldest.Before(sb2.Now().AddDate(0, -4, 0)))
	for _, p := range pending {
		if p.HadNote {
			notes++
			require.LessOrEqual(t, len([]rune(p.Note)), DefaultNoteLimitFree)
		}
	}
	require.InDelta(t, 0.5, float64(notes)/float64(len(pending)), 0.05)
}
