package syncer_test

import (
	"context"
	"testing"

	"github.com/unvite/unvite/sandbox"
)

// BenchmarkSync5000 is a full sync of 5,000 pending invitations (this seed
// and size give exactly 5,000) from the sandbox over loopback with pacing
// off, into a fresh SQLite store each time; then an incremental sync with
// nothing changed. Reported: list requests, all requests, pending synced.
func BenchmarkSync5000(b *testing.B) {
	cfg := sandbox.AccountConfig{SentInvitations: 7922, Months: 24, Ceiling: -1}
	var pending, total, lists, quick int64
	for b.Loop() {
		b.StopTimer()
		bd := setup(b, 5000, cfg)
		b.StartTimer()
		res, err := bd.sy.Sync(context.Background(), bd.acct, bd.client)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		pending, total = int64(res.Listed), res.Requests
		lists = int64(bd.sb.RequestCount(bd.sbAcct.Key(), sandbox.KindSentLegacy))
		again, err := bd.sy.Sync(context.Background(), bd.acct, bd.client)
		if err != nil || !again.Quick {
			b.Fatalf("incremental sync: %v quick=%v", err, again.Quick)
		}
		quick = again.Requests
		b.StartTimer()
	}
	b.ReportMetric(float64(pending), "pending")
	b.ReportMetric(float64(lists), "list-requests")
	b.ReportMetric(float64(total), "requests")
	b.ReportMetric(float64(quick), "incremental-requests")
}
