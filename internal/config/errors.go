package config

import "github.com/pinner-dev/pinner/internal/diag"

// Error is a problem with a configuration file, at a position when one is
// known. Every error from Load, Parse, Find and ModuleFiles that the user can
// fix by editing the file or the command line is an *Error (or an ErrorList
// of them), so a caller can map it to "bad input" with errors.As. It is
// diag's positioned error, the one every command prints.
type Error = diag.Error

// ErrorList collects several errors so that one run reports every problem in
// a file, not only the first.
type ErrorList = diag.List
