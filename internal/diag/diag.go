// Package diag is the one shape of a positioned error in pinner: a problem
// at a file's line and column, as the Nix parser, the configuration
// loader and every command report it. Its JSON form is the contract's
// {"file","line","column","message"}.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is a problem at a position of a file, when one is known.
type Error struct {
	File   string `json:"file"` // "" for a built-in default
	Line   int    `json:"line"` // 1-based; 0 when there is no position
	Column int    `json:"column"`
	Msg    string `json:"message"`
	// Offset is the byte offset of Line:Column, when known; it orders
	// errors on one line.
	Offset int `json:"-"`
	// Err is the cause, if any, for errors.Is.
	Err error `json:"-"`
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

// Position is "file:line:column".
func (e *Error) Position() string { return fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column) }

// List collects errors so that one run reports every problem, not only the
// first, in the manner of go/scanner.ErrorList.
type List []*Error

// Add appends an error.
func (l *List) Add(file string, line, column int, msg string) {
	*l = append(*l, &Error{File: file, Line: line, Column: column, Msg: msg})
}

// Sort orders the list by file, line and column (then offset); errors at
// the same position keep their order.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Offset, b.Offset),
		)
	})
}

// Err returns nil for an empty list and the list otherwise.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Error prints one error per line.
func (l List) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find the individual errors.
func (l List) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}
