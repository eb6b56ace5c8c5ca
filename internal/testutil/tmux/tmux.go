// Package tmux runs programs in a real terminal for tests: a detached tmux
// session of a given size, keys sent to it, and the screen read back
// (capture-pane), so that what a person would see — live bars, their last
// frame, a table's width — is what the test checks.
package tmux

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Session is one tmux server with one window, running an interactive bash
// without rc files and with the prompt "$ ".
type Session struct {
	t    testing.TB
	sock string
	runs int
}

// Start starts a session of width × height in dir, with env (NAME=value)
// added to the shell's environment. It skips the test when tmux is not
// installed; the session ends with the test.
func Start(t testing.TB, width, height int, dir string, env ...string) *Session {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (apt-get install tmux)")
	}
	// A socket of its own: the test's server, nobody else's. Short, as
	// socket paths are limited to about 100 bytes.
	sockDir, err := os.MkdirTemp("", "tmx")
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{t: t, sock: filepath.Join(sockDir, "s")}
	args := []string{"new-session", "-d", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "-c", dir}
	for _, e := range append([]string{"PS1=$ ", "HISTFILE=/dev/null"}, env...) {
		args = append(args, "-e", e)
	}
	args = append(args, "bash", "--norc", "--noprofile", "-i")
	s.run(args...)
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-S", s.sock, "kill-server").Run()
		os.RemoveAll(sockDir)
	})
	// The window keeps its size whatever clients attach (none do).
	s.run("set-option", "-g", "window-size", "manual")
	s.WaitFor("$", 10*time.Second) // the prompt, its space trimmed
	return s
}

func (s *Session) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Type types line (literally) and Enter.
func (s *Session) Type(line string) {
	s.t.Helper()
	s.run("send-keys", "-t", "0", "-l", line)
	s.run("send-keys", "-t", "0", "Enter")
}

// Keys sends tmux key names: "C-c", "Enter".
func (s *Session) Keys(keys ...string) {
	s.t.Helper()
	s.run(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

// Screen is the visible screen, one string per row, trailing spaces
// removed (rows that wrapped are separate rows).
func (s *Session) Screen() []string {
	s.t.Helper()
	out := s.run("capture-pane", "-p", "-t", "0")
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, r := range rows {
		rows[i] = strings.TrimRight(r, " ")
	}
	return rows
}

// WaitFor waits until the screen holds want, and returns the screen; it
// fails the test after timeout.
func (s *Session) WaitFor(want string, timeout time.Duration) []string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		rows := s.Screen()
		if strings.Contains(strings.Join(rows, "\n"), want) {
			return rows
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the terminal did not show %q within %v:\n%s", want, timeout, strings.Join(rows, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Run types cmd followed by an echo of its exit status, on a cleared
// screen, waits for it to finish and returns the screen (the command's
// rows, from the one it was typed on) and the status.
func (s *Session) Run(cmd string, timeout time.Duration) ([]string, int) {
	s.t.Helper()
	s.runs++
	mark := fmt.Sprintf("exit-%d=", s.runs)
	s.Type("clear")
	s.WaitFor("$", timeout)
	// The typed line must not hold the mark itself: wrapped at the
	// screen's width, a row of it could start with the mark and pass for
	// the status. The shell joins "exit-N" "" "=" into the mark.
	s.Type(cmd + fmt.Sprintf("; echo \"exit-%d\"\"=$?\"", s.runs))
	rows := s.WaitFor("\n"+mark, timeout)
	code := -1
	for _, r := range rows {
		if v, ok := strings.CutPrefix(r, mark); ok {
			fmt.Sscan(v, &code)
		}
	}
	return rows, code
}
