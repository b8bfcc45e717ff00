//go:build unix

package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/web"
)

// BenchmarkInvitationsPage loads the invitations page of an account with
// 50,000 invitations, filtered and paged in several ways, from 32
// connections at once, and reports the p50 and p95 server time per page
// (as the server's Server-Timing header gives it; target: p95 under 50
// ms), and the time as the clients saw it over loopback, which adds the
// wait for a connection's turn and the clients' own work on the same two
// cores.
//
// The server runs as `unvite serve` does, with the withdrawal engine on
// the same file (its leader's commits come every few seconds), and the
// pages asked for spread over each listing's whole length, so that the
// figures are not those of a few pages answered again and again.
//
//	go test ./web/ -run '^$' -bench InvitationsPage -benchtime 2000x
func BenchmarkInvitationsPage(b *testing.B) {
	bd := setup(b, 50_000, func(c *web.Config) {
		eng, err := engine.New(engine.Config{Store: c.Store, Now: c.Now, Policy: policy.DefaultFile().ForAccount,
			Client: func(context.Context, *unvite.Account) (engine.LinkedIn, error) {
				return nil, errors.New("no LinkedIn in this benchmark")
			}}, true)
		require.NoError(b, err)
		require.NoError(b, eng.Start(context.Background()))
		b.Cleanup(func() {
			require.NoError(b, eng.Stop(context.Background()))
			require.NoError(b, eng.Close())
		})
		c.Engine = eng
	})
	c := bd.login(b)
	u, _ := url.Parse(bd.url)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, c.Jar.Cookies(u))
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 32, MaxConnsPerHost: 32}}
	filters := []string{
		"status=pending&age=90%2B",
		"q=northwind&status=pending",
		"status=pending&stage=review",
		"sort=name",
		"note=yes&status=accepted&sort=-sent",
		"tag=recruiter&status=pending",
		"age=30-59&sort=company",
	}
	// Each filter's pages, all of them, in a seeded random order. Each
	// filter is asked for twice first: the second time at one state of the
	// data builds its kept listing (see sqlite's listing cache), a one-off
	// cost of a change to the invitations, not of a page, so the figures
	// are those of a dashboard between changes.
	var queries []string
	for _, f := range filters {
		get(b, client, bd.url+"/invitations?"+f)
		code, body, _ := get(b, client, bd.url+"/invitations?"+f)
		require.Equal(b, http.StatusOK, code, f)
		m := totalRE.FindStringSubmatch(body)
		require.NotNil(b, m, "%s: no total on the page", f)
		total, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		require.NoError(b, err)
		for page := 1; page <= (total+49)/50; page++ {
			queries = append(queries, fmt.Sprintf("%s&page=%d", f, page))
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(queries), func(i, j int) { queries[i], queries[j] = queries[j], queries[i] })
	b.Logf("%d filters, %d pages", len(filters), len(queries))
	const conns = 32
	var next atomic.Int64
	times := make([]time.Duration, b.N)  // as the clients saw them
	server := make([]time.Duration, b.N) // as the server says (Server-Timing)
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
				if err == nil {
					server[i], err = serverTime(res.Header)
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
	slices.Sort(server)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(server[len(server)/2]), "server-p50-ms")
	b.ReportMetric(ms(server[len(server)*95/100]), "server-p95-ms")
	b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
	b.ReportMetric(ms(times[len(times)*95/100]), "p95-ms")
	// CPU per page (server and client, both in this process): what the
	// page costs whatever else the machine is doing.
	b.ReportMetric(ms(cpu)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(0, "ns/op")
}

// totalRE finds the number of matches on the invitations page.
var totalRE = regexp.MustCompile(`of <strong>([0-9,]+)</strong>`)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOverviewAccounts renders the overview of an agency's accounts,
// 200 sent invitations each.
//
//	go test ./web/ -run '^$' -bench OverviewAccounts -benchtime 5x
func BenchmarkOverviewAccounts(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		b.Run(fmt.Sprint("accounts=", n), func(b *testing.B) {
			bd := setup(b, 0)
			for i := range n {
				seed(b, bd.store, fmt.Sprint("Member ", i), fmt.Sprint("member-", i), 200)
			}
			c := bd.login(b)
			var size int
			for b.Loop() {
				code, body, _ := get(b, c, bd.url+"/")
				if code != http.StatusOK {
					b.Fatalf("status %d", code)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}
