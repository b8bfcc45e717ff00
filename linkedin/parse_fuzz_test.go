package linkedin

import (
	"testing"
	"time"

	"github.com/unvite/unvite"
)

// The seed corpus in testdata/fuzz/FuzzReplyParsers holds the recorded
// replies of ../shared/linkedin-golden (ids and people invented).

// Every reply parser takes any body without panicking, and what it returns
// is usable: ids are numbers, people have a name or a profile slug.
func FuzzReplyParsers(f *testing.F) {
	f.Add([]byte(`{"data":{"*elements":[]},"included":[]}`))
	f.Add([]byte(`{"elements":[{"entityUrn":"urn:li:fs_relInvitationView:1","invitation":{"entityUrn":"urn:li:fs_relInvitation:7","sentTime":1700000000000,"invitee":{"miniProfile":{"firstName":"Ana","lastName":"Baker","publicIdentifier":"ana-baker"}}}}]}`))
	f.Add([]byte(`{"status":400,"data":{"code":"CANT_RESEND_YET"}}`))
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSent := func(what string, invs []unvite.SyncedInvitation, err error) {
			if err != nil {
				return
			}
			for _, inv := range invs {
				if !isDigits(inv.LinkedInID) {
					t.Fatalf("%s: id %q", what, inv.LinkedInID)
				}
				requirePerson(t, what, inv.Invitee)
			}
		}
		invs, err := parseLegacySent(body)
		checkSent("legacy", invs, err)
		invs, err = parseDashSent(body, now)
		checkSent("dash", invs, err)
		for _, inv := range invs {
			if inv.SentAt.After(now) {
				t.Fatalf("dash: sent %v after now", inv.SentAt)
			}
		}
		invs, err = parseGraphQLSent(body, now)
		checkSent("graphql", invs, err)

		if recv, _, err := parseReceived(body); err == nil {
			for _, r := range recv {
				if !isDigits(r.LinkedInID) {
					t.Fatalf("received: id %q", r.LinkedInID)
				}
				requirePerson(t, "received", r.From)
			}
		}
		if conns, err := parseConnections(body); err == nil {
			for _, c := range conns {
				requirePerson(t, "connections", c.Person)
			}
		}
		if me, err := parseMe(body); err == nil && me == nil {
			t.Fatal("me: nil without an error")
		}
		if n, err := parseSummary(body); err == nil && n < 0 {
			t.Fatalf("summary: %d pending", n)
		}
		if id, err := parseCreated(body); err == nil && !isDigits(id) {
			t.Fatalf("created: id %q", id)
		}
		_ = checkClose("7", body)
		_ = checkWithdrawAction("7", body)
		_ = checkDashWithdraw("7", body)
		_ = errorCode(body)
	})
}

func requirePerson(t *testing.T, what string, p unvite.Person) {
	t.Helper()
	if p.Name == "" && p.Slug == "" {
		t.Fatalf("%s: a person with neither name nor slug: %+v", what, p)
	}
}

// A relative "Sent … ago" label gives bounds in order, never after now.
func FuzzSentLabelBounds(f *testing.F) {
	for _, s := range []string{"Sent today", "Sent yesterday", "Sent 2 days ago", "Sent 3 weeks ago", "Sent 1 month ago",
		"Sent 11 months ago", "Sent 2 years ago", "Sent 1 hour ago", "Sent 99999999999999999999 years ago", "sent  5 minutes ago"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, label string) {
		earliest, latest, err := SentLabelBounds(label, now)
		if err != nil {
			return
		}
		if earliest.After(latest) || latest.After(now) {
			t.Fatalf("%q: [%v, %v] as of %v", label, earliest, latest, now)
		}
	})
}
