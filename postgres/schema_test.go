package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/postgres"
)

// A schema an older release left at migration 17 shows what is pending
// without Inspect changing it; opening applies it all; a version past this
// build's shows as newer. An empty schema is no database.
func TestInspectSchema(t *testing.T) {
	ctx := context.Background()
	dsn := freshSchema(t)
	_, err := postgres.Inspect(ctx, dsn)
	require.Equal(t, unvite.ENOTFOUND, unvite.ErrorCode(err), "%v", err)

	require.NoError(t, postgres.MigrateUpToForTest(ctx, dsn, 17))
	st, err := postgres.Inspect(ctx, dsn)
	require.NoError(t, err)
	require.Regexp(t, `^127\.0\.0\.1/\w+ \(schema "unvite_test_[0-9a-f]+"\)$`, st.Database)
	require.Len(t, st.Parts, 2)
	own, river := st.Parts[0], st.Parts[1]
	require.Equal(t, "unvite", own.Name)
	require.Equal(t, int64(17), own.Version)
	require.Greater(t, own.Latest, int64(17))
	require.Len(t, own.Pending, int(own.Latest-17))
	require.Equal(t, "00018_invitation_unlisted", own.Pending[0])
	require.Equal(t, "river", river.Name)
	require.Zero(t, river.Version)
	require.Len(t, river.Pending, int(river.Latest))
	st2, err := postgres.Inspect(ctx, dsn)
	require.NoError(t, err)
	require.Equal(t, st, st2, "Inspect applied nothing")

	db := openDSN(t, dsn)
	now, err := db.Schema(ctx)
	require.NoError(t, err)
	require.Equal(t, st.Database, now.Database)
	for i, part := range now.Parts {
		require.Equal(t, st.Parts[i].Latest, part.Version, part.Name)
		require.Empty(t, part.Pending, part.Name)
	}
	_, err = db.RawForTest().Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, own.Latest+1)
	require.NoError(t, err)
	st, err = postgres.Inspect(ctx, dsn)
	require.NoError(t, err)
	part, newer := st.Newer()
	require.True(t, newer)
	require.Equal(t, unvite.SchemaPart{Name: "unvite", Version: own.Latest + 1, Latest: own.Latest}, part)
}
