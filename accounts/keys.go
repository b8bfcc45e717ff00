package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/secret"
)

// ErrKeyMissing is in the chain of LoadKeys' error when the key file is
// missing while sessions sealed with its key are stored.
var ErrKeyMissing = errors.New("the key that sealed the stored sessions is missing")

// LoadKeys loads the keyring as secret.Load does, creating the default key
// file when it is missing, unless sealed sessions are stored: a new key
// would open none of them, and would hide the loss. Then the error names the
// missing key and both ways out. With sealing (the user is connecting an
// account: one of those ways out), the file is created all the same.
func LoadKeys(ctx context.Context, s unvite.Store, getenv func(string) string, file string, sealing bool) (*secret.Keyring, error) {
	keys, err := secret.Load(getenv, file)
	if !errors.Is(err, secret.ErrNoKeyFile) {
		return keys, err
	}
	if sealing {
		return secret.Create(file)
	}
	sealed, err := sealedBy(ctx, s)
	if err != nil {
		return nil, err
	}
	if len(sealed) == 0 {
		return secret.Create(file)
	}
	var ids []string
	var steps []string
	for id, accts := range sealed {
		ids = append(ids, id)
		for _, a := range accts {
			steps = append(steps, fmt.Sprintf("unvite account reconnect %d", a.ID))
		}
	}
	slices.Sort(ids)
	slices.Sort(steps)
	return nil, fmt.Errorf("%w: the key file %s does not exist, and %d stored session(s) were sealed with key %s: restore the file from a backup (or give the key in UNVITE_SECRET_KEY or UNVITE_SECRET_KEY_FILE), or connect the accounts again: %s",
		ErrKeyMissing, file, countSessions(sealed), strings.Join(ids, ", "), strings.Join(steps, "; "))
}

// sealedBy groups the accounts with a stored session by the key that
// sealed it.
func sealedBy(ctx context.Context, s unvite.Store) (map[string][]*unvite.Account, error) {
	list, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string][]*unvite.Account{}
	for _, a := range list {
		if !a.HasSession {
			continue
		}
		b, err := s.Session(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if b != nil {
			id := secret.SealedKeyID(b)
			m[id] = append(m[id], a)
		}
	}
	return m, nil
}

func countSessions(m map[string][]*unvite.Account) int {
	n := 0
	for _, l := range m {
		n += len(l)
	}
	return n
}
