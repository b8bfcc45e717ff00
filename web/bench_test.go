//go:build unix

package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkInvitationsPage loads the invitations page of an account with
// 50,000 invitations, filtered and paged in several ways, from 32
// connections at once, and reports the p50 and p95 time per page as the
// clients saw it over loopback (target: p95 under 50 ms).
//
//	go test ./web/ -run '^$' -bench InvitationsPage -benchtime 2000x
func BenchmarkInvitationsPage(b *testing.B) {
	bd := setup(b, 50_000)
	c := bd.login(b)
	u, _ := url.Parse(bd.url)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, c.Jar.Cookies(u))
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 32, MaxConnsPerHost: 32}}
	queries := []string{
		"status=pending&age=90%2B&page=3",
		"q=northwind&status=pending&page=2",
		"status=pending&stage=review",
		"sort=name&page=40",
		"note=yes&status=accepted&sort=-sent&page=5",
		"tag=recruiter&status=pending",
		"age=30-59&sort=company&page=2",
	}
	for _, q := range queries { // warm up, and check each works
		code, body, _ := get(b, client, bd.url+"/invitations?"+q)
		require.Equal(b, http.StatusOK, code, q)
		require.Contains(b, body, "Showing", q)
	}
	const conns = 32
	var next atomic.Int64
	times := make([]time.Duration, b.N)
	var failed atomic.Value
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	b.ResetTimer()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				start := time.Now()
				res, err := client.Get(bd.url + "/invitations?" + queries[int(i)%len(queries)])
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				if err != nil {
					failed.Store(err)
					return
				}
				times[i] = time.Since(start)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu := cpuTime() - cpu0
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
	b.ReportMetric(ms(times[len(times)*95/100]), "p95-ms")
	// CPU per page (server and client, both in this process): what the
	// page costs whatever else the machine is doing.
	b.ReportMetric(ms(cpu)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
