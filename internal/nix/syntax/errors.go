package syntax

import (
	"fmt"

	"github.com/pinner-dev/pinner/internal/diag"
)

// Position is a human-readable source position. Line and Column are 1-based;
// Column counts bytes.
type Position struct {
	Filename string
	Offset   int
	Line     int
	Column   int
}

// String formats the position as "file:line:col".
func (p Position) String() string {
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// Error is one syntax error: a diag.Error, the one positioned error of
// pinner. Offset is its byte offset in the file.
type Error = diag.Error

// ErrorList is a list of syntax errors, in the manner of go/scanner.
type ErrorList = diag.List

// newError is a syntax error at pos.
func newError(pos Position, msg string) *Error {
	return &Error{File: pos.Filename, Line: pos.Line, Column: pos.Column, Offset: pos.Offset, Msg: msg}
}
