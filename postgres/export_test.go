package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// RawForTest exposes the pool so tests can try to bypass the store.
func (s *DB) RawForTest() *pgxpool.Pool { return s.pool }
