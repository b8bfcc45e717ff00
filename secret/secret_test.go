package secret_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/secret"
)

const (
	k1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // base64 of 32 bytes
	k2 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

func TestSealOpen(t *testing.T) {
	r, err := secret.NewKeyring(k1)
	require.NoError(t, err)
	plain := []byte(`{"li_at":"AQEDAT-secret-cookie"}`)
	s1, s2 := r.Seal(plain, []byte("1")), r.Seal(plain, []byte("1"))
	require.NotEqual(t, s1, s2, "a random nonce each time")
	require.False(t, bytes.Contains(s1, []byte("secret-cookie")))
	got, err := r.Open(s1, []byte("1"))
	require.NoError(t, err)
	require.Equal(t, plain, got)

	_, err = r.Open(s1, []byte("2"))
	require.Error(t, err, "bound to its row")
	s1[len(s1)-1] ^= 1
	_, err = r.Open(s1, []byte("1"))
	require.Error(t, err, "tampering is detected")
	_, err = r.Open([]byte("plain text"), nil)
	require.Error(t, err)
}

func TestRotation(t *testing.T) {
	old, _ := secret.NewKeyring(k1)
	sealed := old.Seal([]byte("x"), nil)
	ring, err := secret.NewKeyring(k2, k1)
	require.NoError(t, err)
	require.Equal(t, old.KeyID(), secret.SealedKeyID(sealed))
	got, err := ring.Open(sealed, nil)
	require.NoError(t, err, "old keys still open")
	require.Equal(t, []byte("x"), got)
	require.Equal(t, ring.KeyID(), secret.SealedKeyID(ring.Seal([]byte("x"), nil)), "the newest key seals")
	only2, _ := secret.NewKeyring(k2)
	_, err = only2.Open(sealed, nil)
	require.ErrorIs(t, err, secret.ErrNoKey)
}

func TestBadKeyNotEchoed(t *testing.T) {
	_, err := secret.NewKeyring("hunter2-not-a-key")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2")
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "secret.key")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	r1, err := secret.Load(getenv, file)
	require.NoError(t, err)
	fi, err := os.Stat(file)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "created private")
	r2, err := secret.Load(getenv, file)
	require.NoError(t, err)
	require.Equal(t, r1.KeyID(), r2.KeyID(), "the same key next time")

	env["UNVITE_SECRET_KEY"] = k2 + "," + k1
	r3, err := secret.Load(getenv, file)
	require.NoError(t, err)
	want, _ := secret.NewKeyring(k2)
	require.Equal(t, want.KeyID(), r3.KeyID())

	delete(env, "UNVITE_SECRET_KEY")
	kf := filepath.Join(dir, "k")
	require.NoError(t, os.WriteFile(kf, []byte("# comment\n"+k1+"\n"), 0o644))
	env["UNVITE_SECRET_KEY_FILE"] = kf
	_, err = secret.Load(getenv, file)
	require.ErrorContains(t, err, "chmod 600")
	require.NoError(t, os.Chmod(kf, 0o600))
	r4, err := secret.Load(getenv, file)
	require.NoError(t, err)
	require.Equal(t, mustID(t, k1), r4.KeyID())
	env["UNVITE_SECRET_KEY_FILE"] = filepath.Join(dir, "missing")
	_, err = secret.Load(getenv, file)
	require.Error(t, err, "a named key file that is missing is not created silently")
}

func mustID(t *testing.T, k string) string {
	r, err := secret.NewKeyring(k)
	require.NoError(t, err)
	return r.KeyID()
}
