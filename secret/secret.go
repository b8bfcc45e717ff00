// Package secret seals small secrets (LinkedIn session cookies) for storage
// with AES-256-GCM. Each sealed value names the key that sealed it, so keys
// can be rotated: the first key of a Keyring seals, every key can open.
package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// version prefixes every sealed value so the format can change later.
const version = 1

// Key is one AES-256 key and its id (a short hash of the key, not secret).
type Key struct {
	ID  string
	aes cipher.AEAD
}

// Keyring holds the sealing key first, then older keys kept for opening.
type Keyring struct{ keys []Key }

// ErrNoKey is returned by Open when no key in the ring sealed the value.
var ErrNoKey = errors.New("secret: sealed with a key this keyring does not hold (was UNVITE_SECRET_KEY changed?)")

// NewKeyring parses keys given as base64 or hex strings of 32 bytes,
// newest (sealing) first.
func NewKeyring(encoded ...string) (*Keyring, error) {
	var r Keyring
	for i, e := range encoded {
		raw, err := decodeKey(strings.TrimSpace(e))
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i+1, err)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i+1, err)
		}
		sum := sha256.Sum256(raw)
		r.keys = append(r.keys, Key{ID: hex.EncodeToString(sum[:4]), aes: aead})
	}
	if len(r.keys) == 0 {
		return nil, errors.New("secret: no key")
	}
	return &r, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, dec := range []func(string) ([]byte, error){
		hex.DecodeString, base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString, base64.URLEncoding.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	// Never echo the value: it is the key.
	return nil, errors.New("want 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)")
}

// KeyID is the id of the sealing key.
func (r *Keyring) KeyID() string { return r.keys[0].ID }

// Seal encrypts plain, binding it to ad (say, the account id) so a sealed
// value copied to another row does not open there.
func (r *Keyring) Seal(plain, ad []byte) []byte {
	k := r.keys[0]
	out := append([]byte{version, byte(len(k.ID))}, k.ID...)
	return k.aes.Seal(out, nil, plain, ad)
}

// Open decrypts a value Seal produced with any key of the ring.
func (r *Keyring) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 2 || sealed[0] != version || len(sealed) < 2+int(sealed[1]) {
		return nil, errors.New("secret: not a sealed value")
	}
	id := sealed[2 : 2+int(sealed[1])]
	for _, k := range r.keys {
		if bytes.Equal([]byte(k.ID), id) {
			plain, err := k.aes.Open(nil, nil, sealed[2+len(id):], ad)
			if err != nil {
				return nil, errors.New("secret: sealed value is corrupt or belongs elsewhere")
			}
			return plain, nil
		}
	}
	return nil, ErrNoKey
}

// SealedKeyID says which key sealed a value ("" when it is not sealed).
func SealedKeyID(sealed []byte) string {
	if len(sealed) < 2 || sealed[0] != version || len(sealed) < 2+int(sealed[1]) {
		return ""
	}
	return string(sealed[2 : 2+int(sealed[1])])
}

// ErrNoKeyFile is returned by Load when the default key file does not exist
// (yet): the caller decides whether to Create it.
var ErrNoKeyFile = errors.New("secret: no key file")

// Load finds the keys: UNVITE_SECRET_KEY (a key, or several separated by
// commas, newest first), else the file UNVITE_SECRET_KEY_FILE, else
// defaultFile. A key file holds one key a line, newest first, and must not
// be readable by others. A missing defaultFile is ErrNoKeyFile (wrapping
// fs.ErrNotExist); a missing UNVITE_SECRET_KEY_FILE is an error.
func Load(getenv func(string) string, defaultFile string) (*Keyring, error) {
	if v := getenv("UNVITE_SECRET_KEY"); v != "" {
		r, err := NewKeyring(strings.Split(v, ",")...)
		if err != nil {
			return nil, fmt.Errorf("UNVITE_SECRET_KEY: %w", err)
		}
		return r, nil
	}
	file, named := getenv("UNVITE_SECRET_KEY_FILE"), true
	if file == "" {
		file, named = defaultFile, false
	}
	r, err := readKeyFile(file)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return nil, fmt.Errorf("%w %s: %w", ErrNoKeyFile, file, err)
	}
	if err != nil && named {
		return nil, fmt.Errorf("UNVITE_SECRET_KEY_FILE: %w", err)
	}
	return r, err
}

func readKeyFile(file string) (*Keyring, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s is readable by others (mode %v): chmod 600 it", file, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("secret: read key file %s: %w", file, err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	r, err := NewKeyring(lines...)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", file, err)
	}
	return r, nil
}

// Create makes file with a new random key, mode 0600, unless it exists:
// then its keys are returned. Processes creating it at once agree on one
// key: each writes a whole file under a temporary name and links it into
// place, which fails if another got there first; the loser reads the
// winner's file, complete from the moment it appears.
func Create(file string) (*Keyring, error) {
	key := make([]byte, 32)
	rand.Read(key)
	b := []byte("# unvite secret key: keep it (and back it up); without it stored LinkedIn sessions cannot be read.\n" +
		base64.StdEncoding.EncodeToString(key) + "\n")
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("secret: create key file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".secret-key-*")
	if err != nil {
		return nil, fmt.Errorf("secret: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("secret: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), file); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("secret: create key file %s: %w", file, err)
	}
	return readKeyFile(file)
}
