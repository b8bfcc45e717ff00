package web

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/engine"
)

// Job states read as a person would say them, with LinkedIn's errors
// explained and the original kept.
func TestDescribeJob(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		job          engine.Job
		state, words string
	}{
		{engine.Job{Kind: "withdraw", State: rivertype.JobStateAvailable}, "queued", "queued, runs next"},
		{engine.Job{Kind: "withdraw", State: rivertype.JobStateScheduled, ScheduledAt: at, Waiting: "daily limit reached"},
			"waiting", "waiting until 21 Nov 09:00 UTC: daily limit reached"},
		{engine.Job{Kind: "sync", State: rivertype.JobStateRunning}, "running", "running now"},
		{engine.Job{Kind: "withdraw", State: rivertype.JobStateCompleted, FinalizedAt: now}, "done", "done"},
		{engine.Job{Kind: "withdraw", State: rivertype.JobStateRetryable, ScheduledAt: at,
			Error: "linkedin: withdraw invitation: POST /voyager/api/x: unexpected reply (status 503)"},
			"retrying", "will try again at 21 Nov 09:00 UTC: LinkedIn answered with an error or not at all; it is tried again (linkedin: withdraw invitation: POST /voyager/api/x: unexpected reply (status 503))"},
		{engine.Job{Kind: "reinvite", State: rivertype.JobStateDiscarded, FinalizedAt: now,
			Error: "linkedin: send invitation: POST /voyager/api/y: session expired"},
			"failed", "failed: LinkedIn signed this account out; sign in on LinkedIn and connect the account again (linkedin: send invitation: POST /voyager/api/y: session expired)"},
		{engine.Job{Kind: "withdraw", State: rivertype.JobStateDiscarded, FinalizedAt: now, Error: "disk full"}, "failed", "failed: disk full"},
	} {
		v := describeJob(tc.job, now)
		require.Equal(t, tc.state, v.State, "%+v", tc.job)
		require.Equal(t, tc.words, v.Words, "%+v", tc.job)
	}
}
