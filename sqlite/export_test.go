package sqlite

import "database/sql"

// RawForTest exposes the handle so tests can try to bypass the store.
func (s *DB) RawForTest() *sql.DB { return s.db }
