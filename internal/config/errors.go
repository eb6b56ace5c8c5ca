package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is a problem with a configuration file, at a position when one is
// known. Every error from Load, Parse, Find and ModuleFiles that the user can
// fix by editing the file or the command line is an *Error (or an ErrorList
// of them), so a caller can map it to "bad input" with errors.As.
type Error struct {
	File   string // as given to Load or Find; "" for a built-in default
	Line   int    // 1-based; 0 when the problem has no position
	Column int    // 1-based
	Msg    string
	Err    error // the cause, if any, for errors.Is
}

func (e *Error) Error() string {
	switch {
	case e.File == "" && e.Line == 0:
		return e.Msg
	case e.Line == 0:
		return e.File + ": " + e.Msg
	default:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorList collects several errors so that one run reports every problem in
// a file, not only the first.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(file string, line, column int, msg string) {
	*l = append(*l, &Error{File: file, Line: line, Column: column, Msg: msg})
}

// Sort orders the list by file, line and column; errors at the same position
// keep their order.
func (l ErrorList) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
		)
	})
}

// Err returns nil for an empty list and the list otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Error prints one error per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find the individual *Error values.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}
