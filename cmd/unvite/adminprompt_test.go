package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// At a terminal, serve's first run asks for the admin's password twice;
// an empty answer leaves it to a generated one, a short or mistyped one
// creates nothing.
func TestAskAdminPassword(t *testing.T) {
	answers := func(lines ...string) func() ([]byte, error) {
		return func() ([]byte, error) {
			if len(lines) == 0 {
				return nil, errors.New("no more input")
			}
			l := lines[0]
			lines = lines[1:]
			return []byte(l), nil
		}
	}
	var out strings.Builder
	pw, err := askAdminPassword(answers("correct horse battery", "correct horse battery"), &out)
	require.NoError(t, err)
	require.Equal(t, "correct horse battery", pw)
	require.Contains(t, out.String(), `dashboard user "admin"`)
	require.NotContains(t, out.String(), "correct horse", "never echoed")

	pw, err = askAdminPassword(answers(""), &out)
	require.NoError(t, err)
	require.Empty(t, pw, "empty: a generated one")

	_, err = askAdminPassword(answers("short"), &out)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	require.Contains(t, err.Error(), "at least 12")

	_, err = askAdminPassword(answers("correct horse battery", "correct horse battle"), &out)
	require.Equal(t, unvite.EINVALID, unvite.ErrorCode(err))
	require.Contains(t, err.Error(), "differ")

	_, err = askAdminPassword(answers(), &out)
	require.ErrorContains(t, err, "read the admin password")
}

// Off a terminal (here: stdin a string), serve never prompts nor reads
// stdin: the first admin gets a generated password, printed once.
func TestServeDoesNotPromptOffTerminal(t *testing.T) {
	a := &app{env: env{stdin: strings.NewReader("typed\n"), getenv: func(string) string { return "" }}}
	require.NoError(t, a.promptAdminPassword(t.Context()))
	require.Empty(t, a.adminPassword)
}
