//go:build !unix

package runlock

import (
	"errors"
	"os"
)

// Without flock the lock is not enforced; pinner's supported platforms
// are all unix.
var errWouldBlock = errors.New("would block")

func tryLock(*os.File) error { return nil }

func unlock(*os.File) error { return nil }
