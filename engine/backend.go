package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
		e.be = &sqliteBackend{riverBackend: riverBackend[*sql.Tx]{client: c}, pool: pool, locks: &accountMutexes{}}
	case *postgres.DB:
		// River and the account locks get pools of their own, sized for the
		// workers: a worker holds a lock connection for its whole call and
		// needs the store's connections meanwhile; sharing one small pool,
		// the workers would starve each other. (InsertTx still runs in the
		// store's own transaction: River takes the pgx.Tx it is given.)
		riverPool, err := pgxpool.NewWithConfig(context.Background(), poolConfig(s, int32(cfg.Workers)+5))
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		lockPool, err := pgxpool.NewWithConfig(context.Background(), poolConfig(s, int32(cfg.Workers)+2))
		if err != nil {
			riverPool.Close()
			return nil, fmt.Errorf("engine: %w", err)
		}
		c, err := river.NewClient(riverpgxv5.New(riverPool), e.riverConfig(work))
		if err != nil {
			riverPool.Close()
			lockPool.Close()
			return nil, fmt.Errorf("engine: %w", err)
		}
		e.be = &pgBackend{riverBackend: riverBackend[pgx.Tx]{client: c}, riverPool: riverPool, lockPool: lockPool}
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

type sqliteBackend struct {
	riverBackend[*sql.Tx]
	pool  *sql.DB
	locks *accountMutexes
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

// On SQLite one process works the file (serve holds a lock file), so an
// in-process mutex per account keeps one LinkedIn call in flight.
func (b *sqliteBackend) lock(ctx context.Context, accountID int64) (func(), bool, error) {
	return b.locks.lock(ctx, accountID)
}

type accountMutexes struct {
	mu sync.Mutex
	m  map[int64]chan struct{}
}

func (a *accountMutexes) lock(ctx context.Context, id int64) (func(), bool, error) {
	a.mu.Lock()
	if a.m == nil {
		a.m = map[int64]chan struct{}{}
	}
	ch, ok := a.m[id]
	if !ok {
		ch = make(chan struct{}, 1)
		a.m[id] = ch
	}
	a.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, true, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

type pgBackend struct {
	riverBackend[pgx.Tx]
	riverPool, lockPool *pgxpool.Pool
	local               accountMutexes
}

func (b *pgBackend) close() error {
	b.riverPool.Close()
	b.lockPool.Close()
	return nil
}

// poolConfig is the store's connection settings (server, schema) with a
// pool size of its own.
func poolConfig(s *postgres.DB, size int32) *pgxpool.Config {
	cfg := s.Pool().Config()
	cfg.MaxConns = size
	cfg.MinConns = 0
	return cfg
}

// On PostgreSQL several processes work: a session advisory lock per
// account, held on one connection for the call and its records, keeps one
// LinkedIn call in flight across all of them, and is freed by the server
// if the process dies. This process's workers queue for an account in
// memory first, so that at most one of them holds a connection waiting.
func (b *pgBackend) lock(ctx context.Context, accountID int64) (func(), bool, error) {
	local, ok, err := b.local.lock(ctx, accountID)
	if !ok {
		return nil, false, err
	}
	conn, err := b.lockPool.Acquire(ctx)
	if err != nil {
		local()
		return nil, false, fmt.Errorf("engine: lock account %d: %w", accountID, err)
	}
	// Wait a little for another process's call to end; longer, the job
	// snoozes and its worker takes other work.
	var key int64
	_, err = conn.Exec(ctx, `SET lock_timeout = '3s'`)
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT k FROM (SELECT hashtextextended('unvite:linkedin:' || current_schema() || ':' || $1::bigint::text, 0) AS k) x, pg_advisory_lock(k)`, accountID).Scan(&key)
	}
	if err != nil {
		conn.Release()
		local()
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("engine: lock account %d: %w", accountID, err)
	}
	return func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			conn.Conn().Close(context.Background()) // the session ends, and its lock with it
		}
		conn.Release()
		local()
	}, true, nil
}
