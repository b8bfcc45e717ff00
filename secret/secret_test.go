package secret_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

	_, err := secret.Load(getenv, file)
	require.ErrorIs(t, err, secret.ErrNoKeyFile, "a missing key file is the caller's decision")
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = os.Stat(file)
	require.ErrorIs(t, err, fs.ErrNotExist, "not created by Load")
	r1, err := secret.Create(file)
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
	require.NotErrorIs(t, err, secret.ErrNoKeyFile)
}

// Create never replaces a key file that exists.
func TestCreateKeepsExisting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secret.key")
	require.NoError(t, os.WriteFile(file, []byte(k1+"\n"), 0o600))
	r, err := secret.Create(file)
	require.NoError(t, err)
	require.Equal(t, mustID(t, k1), r.KeyID())
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, k1+"\n", string(b))
}

// Goroutines creating one key file at once all get the same key, and no
// temporary file is left behind.
func TestCreateConcurrent(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		file := filepath.Join(dir, "secret.key")
		const n = 8
		ids := make(chan string, n)
		errs := make(chan error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := secret.Create(file)
				if err != nil {
					errs <- err
					return
				}
				ids <- r.KeyID()
			}()
		}
		close(start)
		wg.Wait()
		close(ids)
		close(errs)
		for err := range errs {
			require.NoError(t, err, "round %d", round)
		}
		var first string
		for id := range ids {
			if first == "" {
				first = id
			}
			require.Equal(t, first, id, "round %d: every creator agrees on one key", round)
		}
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "only the key file remains")
	}
}

// Processes creating one key file at once agree on one key. They are
// released together: each waits for a line on its stdin.
func TestCreateConcurrentProcesses(t *testing.T) {
	if file := os.Getenv("UNVITE_TEST_CREATE_KEY"); file != "" {
		bufio.NewReader(os.Stdin).ReadString('\n')
		r, err := secret.Create(file)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(r.KeyID())
		os.Exit(0)
	}
	file := filepath.Join(t.TempDir(), "secret.key")
	const n = 6
	type proc struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bytes.Buffer
	}
	var procs []proc
	for range n {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCreateConcurrentProcesses$")
		cmd.Env = append(os.Environ(), "UNVITE_TEST_CREATE_KEY="+file)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		procs = append(procs, proc{cmd, stdin, out})
	}
	for _, p := range procs {
		_, err := io.WriteString(p.stdin, "go\n")
		require.NoError(t, err)
		p.stdin.Close()
	}
	var first string
	for _, p := range procs {
		require.NoError(t, p.cmd.Wait(), p.out.String())
		id := strings.TrimSpace(p.out.String())
		if first == "" {
			first = id
		}
		require.Equal(t, first, id, "every process agrees on one key")
	}
	r, err := secret.Load(func(string) string { return "" }, file)
	require.NoError(t, err)
	require.Equal(t, first, r.KeyID())
}

func mustID(t *testing.T, k string) string {
	r, err := secret.NewKeyring(k)
	require.NoError(t, err)
	return r.KeyID()
}
