package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/unvite/unvite"
)

// lockServe takes the SQLite file's serve lock: one process works a SQLite
// database (many processes need PostgreSQL). The kernel frees the lock
// when the process ends, however it ends.
func lockServe(dbPath string) (func(), error) {
	path := dbPath + ".serve.lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("serve: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, unvite.Errorf(unvite.ECONFLICT, "another unvite serve is working %s already: one process per SQLite file (use PostgreSQL for several)", dbPath)
		}
		return nil, fmt.Errorf("serve: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
