package unvite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAcceptByName(t *testing.T) {
	day := func(n int) time.Time { return time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	conns := []Connection{
		{Person: Person{Name: "Ann Lee", Slug: "ann-lee"}, ConnectedOn: day(-5)},
		{Person: Person{Name: "Daniel Kim", Slug: "daniel-kim-1"}, ConnectedOn: day(-5)},
		{Person: Person{Name: "daniel  kim", Slug: "daniel-kim-2"}, ConnectedOn: day(-5)},
		{Person: Person{Name: "Bo Ek"}, ConnectedOn: day(-5)}, // an old file: no URL
		{Person: Person{Name: "Eva Berg"}, ConnectedOn: day(-5)},
	}
	cands := []NameCandidate{
		{ID: 1, Person: Person{Name: " ann LEE"}, SentAt: day(-5).Add(20 * time.Hour)}, // same day: accepted
		{ID: 2, Person: Person{Name: "Daniel Kim"}, SentAt: day(-9)},                   // two profiles of that name
		{ID: 3, Person: Person{Name: "Bo Ek", Slug: "bo-ek"}, SentAt: day(-9)},         // the reverse
		{ID: 4, Person: Person{Name: "Eva Berg", Slug: "eva-berg-1"}, SentAt: day(-9)}, // two invitees named so
		{ID: 5, Person: Person{Name: "Ann Lee"}, SentAt: day(-4)},                      // connected before it was sent
		{ID: 6, Person: Person{Name: "Nobody"}, SentAt: day(-9)},
	}
	invitees := []Person{{Name: "Bo Ek", Slug: "bo-ek"}, {Name: "Eva Berg", Slug: "eva-berg-1"}, {Name: "eva berg", Slug: "eva-berg-2"}}
	require.Equal(t, []Acceptance{{ID: 1, ConnectedOn: day(-5)}, {ID: 3, ConnectedOn: day(-5)}}, AcceptByName(cands, conns, invitees))
}

func TestOwnerAccount(t *testing.T) {
	maya := &Account{ID: 1, Name: "Maya Lind", Slug: "maya-lind"}
	ola := &Account{ID: 2, Name: "Ola Berg"} // from a Connections.csv with --name
	accounts := []*Account{maya, ola}
	for _, tc := range []struct {
		owner Account
		want  *Account
	}{
		{Account{Name: "Anything", Slug: "maya-lind"}, maya},
		{Account{Name: "maya  LIND"}, maya},
		{Account{Name: "Maya Lind", Slug: "maya-lind-2"}, nil}, // another person of that name
		{Account{Name: "ola berg", Slug: "ola-berg"}, ola},     // learns its profile
		{Account{Name: "Nobody", Slug: "nobody"}, nil},
	} {
		got, err := OwnerAccount(accounts, &tc.owner)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%+v", tc.owner)
	}
	_, err := OwnerAccount(append(accounts, &Account{ID: 3, Name: "Ola  Berg"}), &Account{Name: "Ola Berg"})
	require.Equal(t, ECONFLICT, ErrorCode(err))
}
