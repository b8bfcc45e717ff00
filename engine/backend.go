package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/unvite/unvite/postgres"
	"github.com/unvite/unvite/sqlite"
)

// New builds the engine for the store: River on the same SQLite file, or
// in the same PostgreSQL schema. work=false makes a client that only
// inserts, lists and cancels jobs (the CLI's withdraw and jobs commands).
func New(cfg Config, work bool) (*Engine, error) {
	cfg = withDefaults(cfg)
	e := &Engine{cfg: cfg, log: cfg.Logger}
	switch s := cfg.Store.(type) {
	case *sqlite.DB:
		// River's own pool: one connection, as River advises for SQLite.
		pool, err := s.OpenPool(1)
		if err != nil {
			return nil, err
		}
		c, err := river.NewClient(riversqlite.New(pool), e.riverConfig(work))
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("engine: %w", err)
		}
		e.be = &sqliteBackend{riverBackend: riverBackend[*sql.Tx]{client: c}, pool: pool}
	case *postgres.DB:
		// River gets a pool of its own, sized for the workers, and the
		// account locks sessions of their own (see lock). (InsertTx still
		// runs in the store's own transaction: River takes the pgx.Tx it is
		// given.)
		riverPool, err := pgxpool.NewWithConfig(context.Background(), poolConfig(s, int32(cfg.Workers)+5))
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		c, err := river.NewClient(riverpgxv5.New(riverPool), e.riverConfig(work))
		if err != nil {
			riverPool.Close()
			return nil, fmt.Errorf("engine: %w", err)
		}
		be := &pgBackend{riverBackend: riverBackend[pgx.Tx]{client: c}, riverPool: riverPool}
		for range lockSessions {
			be.locks = append(be.locks, &lockSession{cfg: s.Pool().Config().ConnConfig})
		}
		e.be = be
	default:
		return nil, fmt.Errorf("engine: unsupported store %T", cfg.Store)
	}
	return e, nil
}

// riverBackend is what both backends share, over River's transaction type.
type riverBackend[TTx any] struct {
	client *river.Client[TTx]
}

func (b *riverBackend[TTx]) start(ctx context.Context) error { return b.client.Start(ctx) }
func (b *riverBackend[TTx]) stop(ctx context.Context) error  { return b.client.Stop(ctx) }

func (b *riverBackend[TTx]) enqueue(ctx context.Context, tx any, jobs []river.InsertManyParams) error {
	t, ok := tx.(TTx)
	if !ok {
		return fmt.Errorf("engine: store transaction is %T, River's driver wants another", tx)
	}
	if _, err := b.client.InsertManyTx(ctx, t, jobs); err != nil {
		return fmt.Errorf("engine: enqueue: %w", err)
	}
	return nil
}

func (b *riverBackend[TTx]) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := b.client.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("engine: insert %s job: %w", args.Kind(), err)
	}
	return nil
}

func (b *riverBackend[TTx]) insertMany(ctx context.Context, jobs []river.InsertManyParams) error {
	if _, err := b.client.InsertMany(ctx, jobs); err != nil {
		return fmt.Errorf("engine: insert jobs: %w", err)
	}
	return nil
}

func (b *riverBackend[TTx]) list(ctx context.Context, params *river.JobListParams) ([]*rivertype.JobRow, error) {
	var all []*rivertype.JobRow
	for {
		res, err := b.client.JobList(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("engine: list jobs: %w", err)
		}
		all = append(all, res.Jobs...)
		if res.LastCursor == nil || len(res.Jobs) == 0 {
			return all, nil
		}
		params = params.After(res.LastCursor)
	}
}

func (b *riverBackend[TTx]) retry(ctx context.Context, id int64) error {
	if _, err := b.client.JobRetry(ctx, id); err != nil {
		return fmt.Errorf("engine: retry job %d: %w", id, err)
	}
	return nil
}

func (b *riverBackend[TTx]) rescue(context.Context) (int, error) { return 0, nil }

func (b *riverBackend[TTx]) cancel(ctx context.Context, id int64) error {
	if _, err := b.client.JobCancel(ctx, id); err != nil {
		return fmt.Errorf("engine: cancel job %d: %w", id, err)
	}
	return nil
}

// jobCount keys the queue depth.
type jobCount struct{ kind, state string }

// depthSQL counts River's live jobs in the database, where listing them
// would read every queued job's row at each scrape.
var depthSQL = func() string {
	states := make([]string, len(liveStates))
	for i, s := range liveStates {
		states[i] = "'" + string(s) + "'"
	}
	return `SELECT kind, state, count(*) FROM river_job WHERE state IN (` + strings.Join(states, ", ") + `) GROUP BY kind, state`
}()

func (b *sqliteBackend) depth(ctx context.Context) (map[jobCount]int, error) {
	rows, err := b.pool.QueryContext(ctx, depthSQL)
	if err != nil {
		return nil, fmt.Errorf("engine: count jobs: %w", err)
	}
	defer rows.Close()
	out := map[jobCount]int{}
	for rows.Next() {
		var k jobCount
		var n int
		if err := rows.Scan(&k.kind, &k.state, &n); err != nil {
			return nil, fmt.Errorf("engine: count jobs: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

func (b *pgBackend) depth(ctx context.Context) (map[jobCount]int, error) {
	rows, err := b.riverPool.Query(ctx, depthSQL)
	if err != nil {
		return nil, fmt.Errorf("engine: count jobs: %w", err)
	}
	out := map[jobCount]int{}
	var k jobCount
	var n int
	_, err = pgx.ForEachRow(rows, []any{&k.kind, &k.state, &n}, func() error {
		out[k] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: count jobs: %w", err)
	}
	return out, nil
}

type sqliteBackend struct {
	riverBackend[*sql.Tx]
	pool  *sql.DB
	turns accountTurns
}

func (b *sqliteBackend) stop(ctx context.Context) error {
	return b.client.Stop(ctx)
}

func (b *sqliteBackend) close() error { return b.pool.Close() }

// retry: rescue made every retryable job available already.
func (b *sqliteBackend) retry(context.Context, int64) error { return nil }

// rescue makes the jobs a killed process left running, and those waiting
// to retry, available again at once. Only for SQLite, where serve holds the file alone: on PostgreSQL
// another process may be running them, and River's rescuer takes over
// after RescueStuckJobsAfter.
func (b *sqliteBackend) rescue(ctx context.Context) (int, error) {
	// Retryable ones too: a start retries what failed (see Engine.Start).
	// River's JobRetry leaves a future scheduled_at in place on SQLite, so
	// the time is set here, as River's SQLite driver writes it.
	res, err := b.pool.ExecContext(ctx, `UPDATE river_job SET state = 'available',
		scheduled_at = datetime('now', 'subsec') WHERE state IN ('running', 'retryable')`)
	if err != nil {
		return 0, fmt.Errorf("engine: rescue jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// On SQLite one process works the file (serve holds a lock file), so the
// in-process turns keep one LinkedIn call in flight per account.
func (b *sqliteBackend) lock(ctx context.Context, accountID int64) (func(), time.Duration, error) {
	release, err := b.turns.take(ctx, accountID)
	return release, 0, err
}

// accountTurns keeps one call per account in flight in this process: the
// workers with jobs of a busy account wait in line for it (in memory: no
// round trip through the job table). It also books turns for jobs that
// find the account held by another process, which come back later.
type accountTurns struct {
	mu sync.Mutex
	m  map[int64]*turns
}

type turns struct {
	held chan struct{} // full while a call is in flight
	last time.Time     // the latest turn booked
	hold time.Duration // how long a call holds the account, smoothed
}

// firstHold is the hold expected of an account not seen yet.
const firstHold = 20 * time.Millisecond

func (a *accountTurns) get(id int64) *turns {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[int64]*turns{}
	}
	t, ok := a.m[id]
	if !ok {
		t = &turns{held: make(chan struct{}, 1), hold: firstHold}
		a.m[id] = t
	}
	return t
}

// take waits for the account's turn and holds it until release.
func (a *accountTurns) take(ctx context.Context, id int64) (release func(), err error) {
	t := a.get(id)
	select {
	case t.held <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	start := time.Now()
	return func() {
		a.mu.Lock()
		t.hold = (3*t.hold + time.Since(start)) / 4
		a.mu.Unlock()
		<-t.held
	}, nil
}

// book books a later turn for a job whose account another process holds,
// after the turns booked before it, each expected to last as long as the
// account's recent calls here; it says how long to wait for it. The job
// comes back then rather than hold a worker (and a connection) waiting.
func (a *accountTurns) book(id int64) time.Duration {
	t := a.get(id)
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	if t.last.Before(now) {
		t.last = now
	}
	t.last = t.last.Add(t.hold)
	// A call that hangs (until the job's timeout) must not push the turns
	// of the jobs that keep arriving ever further: they look again soon.
	return min(t.last.Sub(now), maxTurnWait)
}

// maxTurnWait bounds the wait for a booked turn.
const maxTurnWait = 30 * time.Second

type pgBackend struct {
	riverBackend[pgx.Tx]
	riverPool *pgxpool.Pool
	locks     []*lockSession
	turns     accountTurns
}

func (b *pgBackend) close() error {
	b.riverPool.Close()
	var err error
	for _, l := range b.locks {
		err = errors.Join(err, l.close())
	}
	return err
}

// lockSessions is how many sessions hold a process's account locks, each
// account always on the same one: a session makes one round trip at a
// time, and a lock and an unlock go with every call.
const lockSessions = 4

// poolConfig is the store's connection settings (server, schema) with a
// pool size of its own.
func poolConfig(s *postgres.DB, size int32) *pgxpool.Config {
	cfg := s.Pool().Config()
	cfg.MaxConns = size
	cfg.MinConns = 0
	return cfg
}

// On PostgreSQL several processes work: a session advisory lock per
// account keeps one LinkedIn call in flight across all of them, and is
// freed by the server if the process dies. This process's workers take
// the account's turn in memory first, so that the lock is asked for by one
// of them at a time; its locks are held by a few sessions (lockSessions
// connections, not one per worker). A lock another process holds is not
// waited for: the job books a later turn.
func (b *pgBackend) lock(ctx context.Context, accountID int64) (func(), time.Duration, error) {
	local, err := b.turns.take(ctx, accountID)
	if err != nil {
		return nil, 0, err
	}
	session := b.locks[uint64(accountID)%lockSessions]
	key, ok, err := session.try(ctx, accountID)
	if err != nil || !ok {
		local()
		if err != nil {
			return nil, 0, fmt.Errorf("engine: lock account %d: %w", accountID, err)
		}
		return nil, b.turns.book(accountID), nil
	}
	return func() {
		session.unlock(context.WithoutCancel(ctx), key)
		local()
	}, 0, nil
}

// lockSession is a connection that holds account locks of this process.
type lockSession struct {
	cfg  *pgx.ConnConfig
	mu   sync.Mutex
	conn *pgx.Conn
}

func (l *lockSession) try(ctx context.Context, accountID int64) (key int64, ok bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil || l.conn.IsClosed() {
		if l.conn, err = pgx.ConnectConfig(ctx, l.cfg); err != nil {
			return 0, false, err
		}
	}
	err = l.conn.QueryRow(ctx, `SELECT k, pg_try_advisory_lock(k) FROM (SELECT hashtextextended('unvite:linkedin:' || current_schema() || ':' || $1::bigint::text, 0) AS k) x`, accountID).Scan(&key, &ok)
	return key, ok, err
}

func (l *lockSession) unlock(ctx context.Context, key int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return
	}
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
		// The session ends, and its locks with it: a lock must not outlive
		// its call.
		l.conn.Close(context.Background())
		l.conn = nil
	}
}

func (l *lockSession) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil
	}
	err := l.conn.Close(context.Background())
	l.conn = nil
	return err
}
