package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// The invitations status CHECK as written in 00001, and as 00002 makes it.
// SQLite codes an IN list of more than two values as a probe of a temporary
// index for every row written: a sixth of a million-row import. Comparisons
// say the same and cost a fraction.
const (
	statusCheckIn = `CHECK (status IN ('pending', 'withdrawing', 'accepted', 'withdrawn', 'gone'))`
	statusCheckOr = `CHECK (status = 'pending' OR status = 'withdrawing' OR status = 'accepted' OR status = 'withdrawn' OR status = 'gone')`
)

// checkMigration is migration 2. It rewrites the CHECK in place, as SQLite
// documents for changing constraints that every stored row already meets
// (https://sqlite.org/lang_altertable.html#otheralter): no table rebuild,
// which would also have to drop and restore the triggers and the tags'
// foreign key.
func checkMigration() *goose.Migration {
	return goose.NewGoMigration(2,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return swapCheck(ctx, tx, statusCheckIn, statusCheckOr) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return swapCheck(ctx, tx, statusCheckOr, statusCheckIn) }})
}

func swapCheck(ctx context.Context, tx *sql.Tx, from, to string) error {
	var def string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'invitations'`).Scan(&def); err != nil {
		return fmt.Errorf("read invitations schema: %w", err)
	}
	if strings.Count(def, from) != 1 {
		return fmt.Errorf("invitations schema: expected the status check %q once", from)
	}
	var version int64
	if err := tx.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, q := range []string{
		`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_schema SET sql = ` + quote(strings.Replace(def, from, to, 1)) + ` WHERE type = 'table' AND name = 'invitations'`,
		// Other connections reload the schema when its version moves.
		fmt.Sprintf(`PRAGMA schema_version = %d`, version+1),
		`PRAGMA writable_schema = OFF`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rewrite the status check: %w", err)
		}
	}
	return nil
}
