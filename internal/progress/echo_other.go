//go:build !linux

package progress

import "io"

// quietControls is a no-op where pinner does not know the terminal's
// flags; see echo_linux.go.
func quietControls(io.Writer) func() { return nil }
