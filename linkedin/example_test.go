package linkedin_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/linkedin"
)

// One Client per account, with production pacing; errors steer the account.
func Example() {
	c, err := linkedin.New(linkedin.DefaultConfig(linkedin.Session{LiAt: "…", JSESSIONID: `"ajax:…"`}))
	if err != nil {
		return
	}
	ctx := context.Background()
	stats, err := c.SentInvitations(ctx, func(page []unvite.SyncedInvitation) error {
		return nil // store the page
	})
	switch {
	case errors.Is(err, linkedin.ErrSessionExpired), errors.Is(err, linkedin.ErrChallenge):
		// mark the account needs-login
	case errors.Is(err, linkedin.ErrRateLimited):
		_ = linkedin.RetryAfter(err) // throttle the account until then
	case linkedin.Retryable(err):
		// try again later
	case err == nil:
		fmt.Println(stats.Invitations, "pending, via", stats.Variant)
	}
}
