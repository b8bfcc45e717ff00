package password_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/password"
)

func TestHashVerify(t *testing.T) {
	t.Parallel()
	h, err := password.Hash("correct horse battery")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=4$"), h)
	require.NotContains(t, h, "correct")

	ok, err := password.Verify(h, "correct horse battery")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = password.Verify(h, "correct horse batterY")
	require.NoError(t, err)
	require.False(t, ok)

	h2, err := password.Hash("correct horse battery")
	require.NoError(t, err)
	require.NotEqual(t, h, h2, "salted")

	_, err = password.Hash("short")
	require.ErrorContains(t, err, "at least 12")
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=8,t=1,p=1$!!$a2V5"} {
		_, err := password.Verify(bad, "x")
		require.Error(t, err, bad)
	}
	g := password.Generate()
	require.GreaterOrEqual(t, len(g), password.MinLength)
	require.NotEqual(t, g, password.Generate())
}
