package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/accounts"
	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/linkedin"
	"github.com/unvite/unvite/postgres"
	"github.com/unvite/unvite/sandbox"
)

// timedLinkedIn measures the time spent waiting on LinkedIn (the sandbox).
type timedLinkedIn struct {
	engine.LinkedIn
	spent *atomic.Int64
}

func (t timedLinkedIn) Withdraw(ctx context.Context, id string) error {
	start := time.Now()
	defer func() { t.spent.Add(int64(time.Since(start))) }()
	return t.LinkedIn.Withdraw(ctx, id)
}

// Request economy, counted by the sandbox: a withdrawal whose reply
// arrives costs one request; one whose reply is lost costs at most two
// more (a second withdrawal read with the connections); a paused account
// costs none.
func TestRequestEconomy(t *testing.T) {
	p := basePolicy()
	p.ActiveHours, p.DailyLimit = "00:00-24:00", 100
	r := newRig(t, p, nil)
	acct := r.account(120, "UTC")
	r.engine(false, true)
	sa := r.accts[acct.ID]
	ids := queueN(t, r, acct, 30, 0, "user")

	count := func() int { return r.sb.RequestCount(sa.Key(), "") }
	before := count()
	for i, id := range ids[:10] {
		wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("ok%d", i))
		require.NoError(t, err)
		require.Zero(t, wait)
	}
	perOK := float64(count()-before) / 10
	require.Equal(t, 1.0, perOK, "one request per withdrawal with a reply")

	before = count()
	for i, id := range ids[10:20] {
		sa.SetFaults(sandbox.Faults{WithdrawReplyLost: 1})
		_, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("lost%d", i))
		require.Error(t, err, "the outcome is unknown: the job retries")
		wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("lost%d.retry", i))
		require.NoError(t, err)
		require.Zero(t, wait)
		require.Equal(t, unvite.StatusWithdrawn, status(t, r, id))
	}
	perLost := float64(count()-before) / 10
	require.LessOrEqual(t, perLost, 3.0, "at most two more when the reply is lost")

	_, err := accounts.Pause(ctx, r.store, acct, unvite.Change{Actor: "user"})
	require.NoError(t, err)
	before = count()
	for i, id := range ids[20:] {
		wait, err := r.eng.Withdraw(ctx, engine.WithdrawArgs{AccountID: acct.ID, InvitationID: id}, fmt.Sprintf("paused%d", i))
		require.NoError(t, err)
		require.Positive(t, wait)
	}
	require.Equal(t, before, count(), "a paused account costs nothing")
	t.Logf("requests per withdrawal: %.1f with a reply, %.1f when the reply was lost, 0 when paused", perOK, perLost)
}

// BenchmarkWithdrawals: 10,000 withdrawals over 100 sandbox accounts, pacing
// off, on real River workers. It reports withdrawals per second, the
// engine's own time per withdrawal (job run time less LinkedIn's), the time
// spent waiting on the sandbox, and CPU time per withdrawal: of the whole
// benchmark (cpu-µs) and, with several processes, of the engine processes
// alone (engine-cpu-µs; the rest is the sandbox's, which serves them from
// this process). PostgreSQL's own CPU is not counted. Run with
// -benchtime=1x: each run needs fresh invitations.
//
//	go test ./engine -run '^$' -bench Withdrawals -benchtime=1x
//
// postgres-3 runs three engines as three OS processes (this test binary,
// run again, see TestMain), each with its own pools and GC.
func BenchmarkWithdrawals(b *testing.B) {
	for _, tc := range []struct {
		name      string
		processes int
		pg        bool
	}{{"sqlite", 1, false}, {"postgres-1", 1, true}, {"postgres-3", 3, true}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				benchWithdrawals(b, tc.processes, tc.pg)
			}
		})
	}
}

// benchEngine is what an engine process of the benchmark is given (as JSON
// in benchEngineEnv).
type benchEngine struct {
	DSN      string              `json:"dsn"`
	Sandbox  string              `json:"sandbox"`
	Now      time.Time           `json:"now"`
	Sessions map[int64][2]string `json:"sessions"` // account id → li_at, JSESSIONID
}

// benchReport is what an engine process reports when it stops.
type benchReport struct {
	Run      time.Duration `json:"run"`      // withdrawal jobs' run time
	LinkedIn time.Duration `json:"linkedin"` // of which waiting on LinkedIn
	Runs     int64         `json:"runs"`     // withdrawal jobs run
}

const benchEngineEnv = "UNVITE_BENCH_ENGINE"

// benchPolicy: pacing off (NoPacing), every withdrawal within the budget.
func benchPolicy() unvite.Policy {
	p := basePolicy()
	p.ActiveHours, p.DailyLimit = "00:00-24:00", 100
	return p
}

// benchConfig is one benchmark engine's configuration.
func benchConfig(store unvite.Store, now func() time.Time, client func(context.Context, *unvite.Account) (engine.LinkedIn, error), rep *benchTimes) engine.Config {
	pol := benchPolicy()
	return engine.Config{Store: store, Now: now, NoPacing: true,
		Policy:  func(*unvite.Account) (unvite.Policy, error) { return pol, nil },
		Workers: 20, FetchPoll: 100 * time.Millisecond, RetryBase: 50 * time.Millisecond, SyncCheck: time.Hour,
		Client: func(ctx context.Context, a *unvite.Account) (engine.LinkedIn, error) {
			li, err := client(ctx, a)
			return timedLinkedIn{li, &rep.linkedIn}, err
		},
		Observe: func(kind string, d time.Duration) {
			if kind == "withdraw" {
				rep.run.Add(int64(d))
				rep.runs.Add(1)
			}
		}}
}

type benchTimes struct{ run, linkedIn, runs atomic.Int64 }

func benchWithdrawals(b *testing.B, processes int, pg bool) {
	b.StopTimer()
	accounts, each := 100, 100
	if n, err := strconv.Atoi(os.Getenv("UNVITE_BENCH_ACCOUNTS")); err == nil && n > 0 {
		accounts = n // a quicker run while profiling
	}
	var store unvite.Store
	var dsn string
	if pg {
		// The server's processes serving this benchmark are found by name.
		u, err := url.Parse(pgDSN(b))
		require.NoError(b, err)
		q := u.Query()
		q.Set("application_name", "bench_"+q.Get("search_path"))
		u.RawQuery = q.Encode()
		dsn = u.String()
		db, err := postgres.Open(ctx, dsn)
		require.NoError(b, err)
		b.Cleanup(func() { db.Close() })
		store = db
	}
	r := newRig(b, benchPolicy(), store)
	spec := benchEngine{DSN: dsn, Sandbox: r.url, Now: r.clock.Now(), Sessions: map[int64][2]string{}}
	byAccount := make([][]int64, accounts)
	for i := range byAccount {
		a := r.account(3*each, "UTC")
		spec.Sessions[a.ID] = [2]string{r.accts[a.ID].LiAt(), r.accts[a.ID].JSessionID()}
		list, err := r.store.Invitations(ctx, unvite.InvitationFilter{AccountID: a.ID, Statuses: []unvite.Status{unvite.StatusPending}, Limit: each})
		require.NoError(b, err)
		require.Len(b, list, each)
		for _, inv := range list {
			byAccount[i] = append(byAccount[i], inv.ID)
		}
	}
	// The withdrawals are queued in turns, each batch of 500 holding five
	// of every account's. With pacing on, each account's jobs wake one at a
	// time (see Engine.inTurn), so the jobs due at any moment are spread
	// over the accounts; queueing in turns gives the same spread with
	// pacing off. UNVITE_BENCH_ORDER=accounts queues them account by
	// account instead: the first jobs due are then a few accounts', which
	// one call at a time each can serve, and the other workers find them
	// busy and come back later (job-runs/withdrawal says how often).
	var all []int64
	if os.Getenv("UNVITE_BENCH_ORDER") == "accounts" {
		all = slices.Concat(byAccount...)
	} else {
		for k := range each {
			for _, ids := range byAccount {
				all = append(all, ids[k])
			}
		}
	}
	// The queuer is configured as the engines are (pacing off), so that it
	// spaces each account's jobs as they expect.
	queuer, err := engine.New(engine.Config{Store: r.store, Policy: r.policy, Now: r.clock.Now, NoPacing: true}, false)
	require.NoError(b, err)
	for i := 0; i < len(all); i += 500 {
		_, err := queuer.QueueWithdrawals(ctx, all[i:min(i+500, len(all))], unvite.Change{Actor: "bench"})
		require.NoError(b, err)
	}
	require.NoError(b, queuer.Close())

	var times benchTimes
	var eng *engine.Engine
	var children []*benchChild
	if processes == 1 {
		eng, err = engine.New(benchConfig(r.store, r.clock.Now, r.client, &times), true)
		require.NoError(b, err)
	} else {
		for range processes {
			children = append(children, startBenchChild(b, spec))
		}
	}
	cpu0 := cpuTime(syscall.RUSAGE_SELF)
	pg0 := serverCPU(b, dsn)
	b.StartTimer()
	start := time.Now()
	if eng != nil {
		require.NoError(b, eng.Start(ctx))
	}
	for _, c := range children {
		_, err := c.stdin.Write([]byte("start\n"))
		require.NoError(b, err)
	}
	// The end is watched on the sandbox (in this process) until every
	// withdrawal landed there, and only then in the store, until every
	// outcome is recorded: counting the store's invitations ten times a
	// second was a fifth of the server's CPU during the run.
	withdrawn := func() (n int) {
		for _, sa := range r.sb.Accounts() {
			n += len(r.sb.Withdrawn(sa.Key()))
		}
		return n
	}
	recorded := func() int {
		n, err := r.store.CountInvitations(ctx, unvite.InvitationFilter{Statuses: []unvite.Status{unvite.StatusWithdrawn}})
		require.NoError(b, err)
		return n
	}
	for n := withdrawn(); n < len(all) || recorded() < len(all); n = withdrawn() {
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("only %d of %d withdrawn", n, len(all))
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := cpuTime(syscall.RUSAGE_SELF) - cpu0
	var pgCPU time.Duration
	for pid, t := range serverCPU(b, dsn) {
		pgCPU += t - pg0[pid]
	}
	var engineCPU time.Duration
	if eng != nil {
		require.NoError(b, eng.Stop(ctx))
		require.NoError(b, eng.Close())
	}
	for _, c := range children {
		rep, used := c.stop(b)
		times.run.Add(int64(rep.Run))
		times.linkedIn.Add(int64(rep.LinkedIn))
		times.runs.Add(rep.Runs)
		engineCPU += used
	}
	n := float64(len(all))
	b.ReportMetric(n/elapsed.Seconds(), "withdrawals/s")
	b.ReportMetric(float64(times.run.Load()-times.linkedIn.Load())/n/1e3, "engine-µs/withdrawal")
	b.ReportMetric(float64(times.linkedIn.Load())/n/1e3, "sandbox-µs/withdrawal")
	b.ReportMetric(float64(cpu+engineCPU)/n/1e3, "cpu-µs/withdrawal")
	// A job that finds its account's call in flight elsewhere waits and
	// runs again: runs above 1 per withdrawal are the engine's overhead.
	b.ReportMetric(float64(times.runs.Load())/n, "job-runs/withdrawal")
	if len(children) > 0 {
		b.ReportMetric(float64(engineCPU)/n/1e3, "engine-cpu-µs/withdrawal")
	}
	if pg {
		b.ReportMetric(float64(pgCPU)/n/1e3, "pg-cpu-µs/withdrawal")
	}
}

// cpuTime is the user and system time used so far by this process
// (RUSAGE_SELF), or by its waited-for children.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU is the CPU time used so far by each PostgreSQL server process
// that serves a connection named as dsn names its own (application_name),
// read from /proc (the server runs on this machine). A connection that
// closes before the end takes its count with it: the pools keep theirs
// open for the run.
func serverCPU(b *testing.B, dsn string) map[int]time.Duration {
	b.Helper()
	out := map[int]time.Duration{}
	if dsn == "" {
		return out
	}
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(b, err)
	defer conn.Close(ctx)
	u, err := url.Parse(dsn)
	require.NoError(b, err)
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`, u.Query().Get("application_name"))
	require.NoError(b, err)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(b, err)
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // ended, or not on this machine
		}
		// The fields after the command (in parentheses): utime and stime
		// are the 12th and 13th, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[int(pid)] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return out
}

// benchChild is an engine process of the benchmark.
type benchChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

// startBenchChild runs this test binary again as an engine process and
// waits until it is ready to start.
func startBenchChild(b *testing.B, spec benchEngine) *benchChild {
	b.Helper()
	js, err := json.Marshal(spec)
	require.NoError(b, err)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), benchEngineEnv+"="+string(js))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	c := &benchChild{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	b.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	})
	require.True(b, c.out.Scan(), "engine process did not start")
	require.Equal(b, "ready", c.out.Text())
	return c
}

// stop ends the process (its stdin closes) and reads its report and the
// CPU time it used.
func (c *benchChild) stop(b *testing.B) (benchReport, time.Duration) {
	b.Helper()
	require.NoError(b, c.stdin.Close())
	var rep benchReport
	for c.out.Scan() {
		if line, ok := strings.CutPrefix(c.out.Text(), "report "); ok {
			require.NoError(b, json.Unmarshal([]byte(line), &rep))
		}
	}
	require.NoError(b, c.cmd.Wait())
	ru := c.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return rep, time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMain runs this test binary as an engine process of
// BenchmarkWithdrawals when that benchmark started it (benchEngineEnv is
// set), and as the tests otherwise.
func TestMain(m *testing.M) {
	if js := os.Getenv(benchEngineEnv); js != "" {
		if err := benchEngineProcess(js); err != nil {
			fmt.Fprintln(os.Stderr, "engine process:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchEngineProcess is an engine process of BenchmarkWithdrawals. It says
// "ready", starts on a line from stdin, and stops and reports when stdin
// closes.
func benchEngineProcess(js string) error {
	var spec benchEngine
	if err := json.Unmarshal([]byte(js), &spec); err != nil {
		return fmt.Errorf("read spec: %w", err)
	}
	db, err := postgres.Open(ctx, spec.DSN)
	if err != nil {
		return err
	}
	defer db.Close()
	client := func(_ context.Context, a *unvite.Account) (engine.LinkedIn, error) {
		s := spec.Sessions[a.ID]
		return linkedin.New(linkedin.Config{BaseURL: spec.Sandbox, Session: linkedin.Session{LiAt: s[0], JSESSIONID: s[1]}})
	}
	var times benchTimes
	eng, err := engine.New(benchConfig(db, func() time.Time { return spec.Now }, client, &times), true)
	if err != nil {
		return err
	}
	defer eng.Close()
	in := bufio.NewScanner(os.Stdin)
	fmt.Println("ready")
	if !in.Scan() {
		return errors.New("stdin closed before the start line")
	}
	// UNVITE_BENCH_CPUPROFILE=prefix: each engine process writes a CPU
	// profile of its run to prefix.<pid>.
	if prefix := os.Getenv("UNVITE_BENCH_CPUPROFILE"); prefix != "" {
		f, err := os.Create(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if err := eng.Start(ctx); err != nil {
		return err
	}
	for in.Scan() {
	}
	if err := eng.Stop(ctx); err != nil {
		return err
	}
	rep, err := json.Marshal(benchReport{Run: time.Duration(times.run.Load()), LinkedIn: time.Duration(times.linkedIn.Load()), Runs: times.runs.Load()})
	if err != nil {
		return err
	}
	fmt.Println("report " + string(rep))
	return nil
}
