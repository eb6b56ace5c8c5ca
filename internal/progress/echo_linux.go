package progress

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// quietControls stops the terminal w from echoing control characters as
// ^C while bars are drawn, and returns what restores it (nil when w is no
// terminal or nothing changed). The echo moves the cursor two columns to
// the right of where the bars expect it, and every later frame is drawn
// that much off ("bubuilding … do"); without ECHOCTL the interrupt still
// interrupts, and nothing is echoed.
func quietControls(w io.Writer) func() {
	f, ok := w.(*os.File)
	if !ok || !IsTerminal(w) {
		return nil
	}
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil || t.Lflag&unix.ECHOCTL == 0 {
		return nil
	}
	quiet := *t
	quiet.Lflag &^= unix.ECHOCTL
	if unix.IoctlSetTermios(fd, unix.TCSETS, &quiet) != nil {
		return nil
	}
	return func() {
		// Only ECHOCTL is put back: whatever else changed meanwhile stays.
		if now, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			now.Lflag |= unix.ECHOCTL
			_ = unix.IoctlSetTermios(fd, unix.TCSETS, now)
		}
	}
}
