package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/sqlite"
)

func setupStoreOnly(t *testing.T) *sqlite.DB {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
