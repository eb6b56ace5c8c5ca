package nixbuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Stream runs an executable Nix output that writes an image to stdout, as
// dockerTools.streamLayeredImage builds, and returns its stdout. The stream
// ends with an error instead of io.EOF when the program fails, its stderr's
// tail included. Close stops the program if it is still writing. Cancelling
// ctx kills it.
func Stream(ctx context.Context, path string) (io.ReadCloser, error) {
	cmd := exec.CommandContext(ctx, path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", path, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", path, err)
	}
	return &streamReader{path: path, cmd: cmd, stdout: stdout, stderr: stderr}, nil
}

type streamReader struct {
	path   string
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr *tailBuffer

	once sync.Once
	err  error // from Wait
}

func (s *streamReader) wait() error {
	s.once.Do(func() {
		if err := s.cmd.Wait(); err != nil {
			msg := fmt.Sprintf("running %s: %v", s.path, err)
			if tail := lastLines(s.stderr.String(), TailLines); tail != "" {
				msg += "\n" + tail
			}
			s.err = errors.New(msg)
		}
	})
	return s.err
}

func (s *streamReader) Read(p []byte) (int, error) {
	n, err := s.stdout.Read(p)
	if err == io.EOF {
		if werr := s.wait(); werr != nil {
			return n, werr
		}
	}
	return n, err
}

// Close stops the program if it has not finished (reading stopped early)
// and reaps it. An early stop is not an error: the reader already has one.
func (s *streamReader) Close() error {
	done := false
	s.once.Do(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		_ = s.cmd.Wait()
		done = true
	})
	if done {
		return nil
	}
	return s.err
}
