package unvite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// The whole status machine, pair by pair.
func TestCanTransition(t *testing.T) {
	legal := map[unvite.Status][]unvite.Status{
		unvite.StatusPending:     {unvite.StatusWithdrawing, unvite.StatusAccepted, unvite.StatusWithdrawn, unvite.StatusGone},
		unvite.StatusWithdrawing: {unvite.StatusPending, unvite.StatusWithdrawn, unvite.StatusAccepted, unvite.StatusGone},
		unvite.StatusGone:        {unvite.StatusAccepted},
	}
	for _, from := range unvite.Statuses {
		for _, to := range unvite.Statuses {
			want := false
			for _, l := range legal[from] {
				want = want || l == to
			}
			err := unvite.CanTransition(from, to)
			if want {
				require.NoError(t, err, "%s → %s", from, to)
				continue
			}
			require.Error(t, err, "%s → %s", from, to)
			require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
		}
	}
	require.EqualError(t, unvite.CanTransition(unvite.StatusAccepted, unvite.StatusWithdrawing), "illegal status change accepted → withdrawing")
	require.EqualError(t, unvite.CanTransition(unvite.StatusWithdrawn, unvite.StatusWithdrawn), "invitation is already withdrawn")
}

func TestParseStatus(t *testing.T) {
	for _, s := range unvite.Statuses {
		got, err := unvite.ParseStatus(string(s))
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	_, err := unvite.ParseStatus("declined")
	require.ErrorContains(t, err, `unknown status "declined"`)
	var st unvite.Status
	require.Error(t, st.UnmarshalText([]byte("nope")))
	require.NoError(t, st.UnmarshalText([]byte("gone")))
	require.Equal(t, unvite.StatusGone, st)
}

func TestSlugFromURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.linkedin.com/in/noah-rossi-ce5bb91d":                 "noah-rossi-ce5bb91d",
		"https://www.linkedin.com/in/Noah-Rossi-CE5BB91D/":                "noah-rossi-ce5bb91d",
		"https://de.linkedin.com/in/chlo%C3%A9-dubois-1b2c3d4e?trk=x#top": "chloé-dubois-1b2c3d4e",
		"linkedin.com/in/ana-baker/details/experience/":                   "ana-baker",
		"http://linkedin.com/in/ana%20baker":                              "ana baker",
		"/in/relative-slug":                                               "relative-slug",
		"  https://www.linkedin.com/in/padded  ":                          "padded",
		"https://www.linkedin.com/company/acme":                           "",
		"https://example.com/in/not-linkedin":                             "",
		"https://evil-linkedin.com/in/x":                                  "",
		"":                                                                "",
		"urn:li:member:123":                                               "",
	} {
		require.Equal(t, want, unvite.SlugFromURL(in), in)
	}
}

func TestPersonKey(t *testing.T) {
	require.Equal(t, "in:a-b", unvite.Person{Name: "A B", Slug: "a-b"}.Key())
	require.Equal(t, "name:finn duarte", unvite.Person{Name: " Finn  Duarte "}.Key(), "white space collapsed, case folded")
	require.Equal(t, unvite.Person{Name: "Finn Duarte"}.Key(), unvite.Person{Name: "finn\tduarte"}.Key())
	require.Equal(t, "https://www.linkedin.com/in/chlo%C3%A9-dubois", unvite.Person{Slug: "chloé-dubois"}.ProfileURL())
	require.Empty(t, unvite.Person{Name: "x"}.ProfileURL())
}

func TestSyncSnapshotHorizon(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	listed := []unvite.SyncedInvitation{{SentAt: at(20)}, {SentAt: at(12)}, {SentAt: at(15)}}
	require.True(t, unvite.SyncSnapshot{Complete: true, Pending: listed}.Horizon().IsZero(), "a complete list hides nothing")
	h := unvite.SyncSnapshot{Pending: listed}.Horizon()
	require.True(t, h.Equal(at(12)), "behind a ceiling, only what is older than everything listed may be hidden")
	require.True(t, unvite.SyncSnapshot{}.Horizon().After(at(30)), "nothing listed: anything may be hidden")
}
