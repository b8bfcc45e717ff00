package policy_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

func ExamplePlan() {
	f, err := policy.Parse(strings.NewReader(`
pending_cap = 400

[account."maya-lindqvist"]
pending_cap = 2
`), "policy.toml")
	if err != nil {
		panic(err)
	}
	p := f.For("maya-lindqvist", 1)

	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	pending := []*unvite.Invitation{
		{ID: 1, Direction: unvite.Sent, Status: unvite.StatusPending, SentAt: ago(20), Invitee: unvite.Person{Name: "Cy"}},
		{ID: 2, Direction: unvite.Sent, Status: unvite.StatusPending, SentAt: ago(120), Invitee: unvite.Person{Name: "Ann"}},
		{ID: 3, Direction: unvite.Sent, Status: unvite.StatusPending, SentAt: ago(40), Invitee: unvite.Person{Name: "Bo"}},
		{ID: 4, Direction: unvite.Sent, Status: unvite.StatusPending, SentAt: ago(5), Invitee: unvite.Person{Name: "Di"}},
	}
	plan := policy.Plan(p, pending, now)
	for _, w := range plan.Withdrawals {
		fmt.Printf("day %d: %s, %s\n", w.Day, w.Invitation.Invitee.Name, w.Reason)
	}
	fmt.Println("pending after:", plan.PendingAfter)
	// Output:
	// day 1: Ann, sent 120 days ago (≥ 90: withdraw by 90)
	// day 1: Bo, pending 4 > cap 2: oldest first
	// pending after: 2
}
