package engine

import (
	"context"
	"errors"
	"time"
)

// LockAccount takes the account's LinkedIn lock as a job does, so that a
// test can hold it while a job asks for it.
func (e *Engine) LockAccount(ctx context.Context, accountID int64) (release func(), err error) {
	release, wait, err := e.be.lock(ctx, accountID)
	if err == nil && wait > 0 {
		err = errors.New("the account's lock is held")
	}
	return release, err
}

// OnLock makes fn run whenever a job asks for an account's lock, before it
// waits for it: a test lands a change (a pause) in that wait.
func (e *Engine) OnLock(fn func(accountID int64)) {
	e.be = lockHook{backend: e.be, fn: fn}
}

type lockHook struct {
	backend
	fn func(accountID int64)
}

func (h lockHook) lock(ctx context.Context, accountID int64) (func(), time.Duration, error) {
	h.fn(accountID)
	return h.backend.lock(ctx, accountID)
}
