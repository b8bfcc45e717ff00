package unvite

import (
	"errors"
	"fmt"
)

// Error codes, in the manner of benbjohnson/wtf: the CLI and HTTP layers map
// them to exit codes and statuses; only EINTERNAL is a bug.
const (
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	ECONFLICT  = "conflict"
	EINTERNAL  = "internal"
	EFORBIDDEN = "forbidden"
	// EUNAUTHORIZED: no valid login or token was given.
	EUNAUTHORIZED = "unauthorized"
)

// Error is an application error with a machine-readable code and a message
// fit to show the user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
