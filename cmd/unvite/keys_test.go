package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/sandbox"
	"github.com/unvite/unvite/secret"
)

const rotatedKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

// The key file lives beside the database, as the README says; a rotation
// re-seals sessions with the newest key; a lost key file is never silently
// replaced while sessions need it, and status says so with the way out.
func TestKeyFile(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Seed: 5})
	member := sb.AddAccount(sandbox.AccountConfig{SentInvitations: 40, Months: 2})
	serveSandbox(t, sb)
	c := newCLI(t)
	c.now = sb.Now()
	c.db = filepath.Join(t.TempDir(), "elsewhere", "unvite.db")
	session := fmt.Sprintf("li_at=%s\nJSESSIONID=%s\n", member.LiAt(), member.JSessionID())

	r := c.run(session, "account", "add")
	require.Equal(t, 0, r.code, r.stderr)
	keyFile := filepath.Join(filepath.Dir(c.db), "secret.key")
	b, err := os.ReadFile(keyFile)
	require.NoError(t, err, "the key file is beside the database")
	_, err = os.Stat(filepath.Join(c.env["XDG_DATA_HOME"], "unvite", "secret.key"))
	require.ErrorIs(t, err, fs.ErrNotExist, "and nowhere else")

	// Rotate: a new key first, the old one kept for opening. A sync
	// re-seals the session, so the old key can then go.
	var oldKey string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			oldKey = l
		}
	}
	require.NoError(t, os.WriteFile(keyFile, []byte(rotatedKey+"\n"+oldKey+"\n"), 0o600))
	c.ok("sync")
	require.NoError(t, os.WriteFile(keyFile, []byte(rotatedKey+"\n"), 0o600))
	c.ok("sync")
	rotated, err := secret.NewKeyring(rotatedKey)
	require.NoError(t, err)

	// The key file is lost.
	require.NoError(t, os.Remove(keyFile))
	r = c.run("", "sync")
	require.Equal(t, 1, r.code)
	out := r.stdout + r.stderr
	require.Contains(t, out, "sealed with key "+rotated.KeyID())
	require.Contains(t, out, "restore the file")
	require.Contains(t, out, "unvite account reconnect 1")
	_, err = os.Stat(keyFile)
	require.ErrorIs(t, err, fs.ErrNotExist, "no new key replaces the lost one")

	status := c.ok("account", "status")
	require.Contains(t, status, "cannot be opened")
	require.Contains(t, status, "next:     restore the key that sealed it, or: unvite account reconnect 1")

	// Restoring the file is enough.
	require.NoError(t, os.WriteFile(keyFile, []byte(rotatedKey+"\n"), 0o600))
	c.ok("sync")
	require.NotContains(t, c.ok("account", "status"), "cannot be opened")

	// So is reconnecting, the other way out: it makes a new key.
	require.NoError(t, os.Remove(keyFile))
	r = c.run(session, "account", "reconnect", "1")
	require.Equal(t, 0, r.code, r.stderr)
	c.ok("sync")
	require.NotContains(t, c.ok("account", "status"), "cannot be opened")
}

// Session cookies never travel over plain http to another machine.
func TestLinkedInURLOverPlainHTTP(t *testing.T) {
	c := newCLI(t)
	t.Setenv("UNVITE_LINKEDIN_URL", "http://www.linkedin.com")
	r := c.run("li_at=AQEsecret\nJSESSIONID=ajax:1\n", "account", "add")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "clear text")
	require.NotContains(t, r.stdout+r.stderr, "AQEsecret")
}
