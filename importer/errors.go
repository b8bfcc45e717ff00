package importer

import (
	"fmt"
	"strings"

	"github.com/unvite/unvite"
)

// ParseError says what is wrong with an input file, and where. It unwraps to
// an *unvite.Error with code EINVALID, so the CLI reports it as the user's
// input, not a bug.
type ParseError struct {
	File  string // the path as given, or "archive.zip/Member.csv"
	Line  int    // 1-based line where the record starts; 0 when not about a line
	Field string // the column's header; "" when not about one field
	Msg   string
	Err   error // the underlying cause, if any
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap exposes the EINVALID *unvite.Error and the cause.
func (e *ParseError) Unwrap() []error {
	errs := []error{&unvite.Error{Code: unvite.EINVALID, Message: e.Error()}}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func parseErr(file string, line int, field, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}
