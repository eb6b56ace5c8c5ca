package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests here run pinner as a child process, built once.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func pinnerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "pinner-test-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "pinner")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/pinner")
		cmd.Dir = filepath.Join(testDir, "..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// child is a pinner process started in dir.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error
}

func startPinner(t *testing.T, dir string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(pinnerBinary(t), args...), done: make(chan struct{})}
	c.cmd.Dir = dir
	c.cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH="+epoch, "PINNER_RETRY_BACKOFF=1ms", "PINNER_PROGRESS=none")
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// wait returns the exit code, or -1 for a process killed by a signal.
func (c *child) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(limit):
		t.Fatalf("pinner %v did not exit within %v; stderr:\n%s", c.cmd.Args[1:], limit, c.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		t.Fatal(c.err)
	}
	return 0
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// contents is every regular file below dir, by slash path.
func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// renameio's temporary files: "." + the name replaced + a number.
var pendingFile = regexp.MustCompile(`(^|/)\.[^/]+[0-9]+$`)

// TestInterruptLeavesOldOrNew kills `pinner update --all` (SIGKILL, and
// SIGINT) at many moments of a run slowed down by registry latency, and
// checks that every file is then either as it was or as an uninterrupted
// run leaves it, never half-written; that SIGINT stops the run promptly
// with exit 130 (or 0 when the run was already writing); that only
// renameio's pending files may be left behind by SIGKILL; and that the
// next run cleans those up and finishes the job.
func TestInterruptLeavesOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs pinner as a child process 40 times")
	}
	t.Parallel()
	fx := newFixture(t, "")
	pristine := t.TempDir()
	copyTree(t, fx.dir, pristine)
	old := contents(t, pristine)

	// The expected result: one uninterrupted run.
	ref := t.TempDir()
	copyTree(t, pristine, ref)
	if code := startPinner(t, ref, "update", "--all").wait(t, time.Minute); code != 0 {
		t.Fatalf("uninterrupted run: exit %d", code)
	}
	final := contents(t, ref)
	changed := 0
	for name, data := range final {
		if old[name] != data {
			changed++
		}
	}
	if changed < 10 {
		t.Fatalf("the uninterrupted run changed only %d files", changed)
	}

	// Slow enough that kills land in every phase: the scan, resolving
	// (about 40 requests, one at a time), and the writes.
	fx.faults.Latency(8 * time.Millisecond)
	slow := t.TempDir()
	copyTree(t, pristine, slow)
	start := time.Now()
	if code := startPinner(t, slow, "update", "--all", "--jobs", "1").wait(t, time.Minute); code != 0 {
		t.Fatal("slow run failed")
	}
	runTime := time.Since(start)
	t.Logf("a slow run takes %v", runTime)

	const points = 20
	for i := range points {
		sig := syscall.SIGKILL
		if i%2 == 1 {
			sig = syscall.SIGINT
		}
		// Spread over the run, a little past its end too.
		delay := runTime * time.Duration(i+1) / time.Duration(points-2)
		t.Run(fmt.Sprintf("%s after %v", sig, delay.Round(time.Millisecond)), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			copyTree(t, pristine, dir)
			c := startPinner(t, dir, "update", "--all", "--jobs", "1")
			time.Sleep(delay)
			sent := time.Now()
			_ = c.cmd.Process.Signal(sig)
			code := c.wait(t, 10*time.Second)
			switch {
			case sig == syscall.SIGKILL:
			case code == ExitInterrupted:
				if !strings.Contains(c.stderr.String(), "pinner: interrupted (interrupt signal received)") {
					t.Errorf("exit 130 without the message; stderr:\n%s", c.stderr.String())
				}
				if el := time.Since(sent); el > 2*time.Second {
					t.Errorf("SIGINT took %v to stop the run", el)
				}
			case code == 0: // finished, or was writing: the writes complete
			default:
				t.Errorf("after SIGINT: exit %d, want 130 or 0; stderr:\n%s", code, c.stderr.String())
			}

			got := contents(t, dir)
			for name, data := range got {
				want, isFinal := final[name]
				was, isOld := old[name]
				switch {
				case isOld && data == was, isFinal && data == want:
				case !isOld && !isFinal && (pendingFile.MatchString(name) || name == ".pinner.run.lock"):
					// Only a killed process leaves these.
					if sig != syscall.SIGKILL {
						t.Errorf("%s left after %s", name, sig)
					}
				default:
					t.Errorf("%s is neither the old nor the new content (%d bytes)", name, len(data))
				}
			}
			for name := range old {
				if _, ok := got[name]; !ok {
					t.Errorf("%s was removed", name)
				}
			}

			// The next run completes the job and tidies up.
			if code := startPinner(t, dir, "update", "--all").wait(t, time.Minute); code != 0 {
				t.Fatalf("the run after the interruption: exit %d", code)
			}
			got = contents(t, dir)
			for name, data := range final {
				if got[name] != data {
					t.Errorf("after the next run, %s differs from an uninterrupted run's", name)
				}
			}
			for name := range got {
				if _, ok := final[name]; !ok {
					t.Errorf("after the next run, %s is left over", name)
				}
			}
		})
	}
}

// TestRunLock: while one update runs, a second one in the same repository
// fails at once with exit 3 and names the first's pid; one started with
// --wait runs after it (and, the first having pinned everything, changes
// nothing). Dry runs take no lock. The lock lives in .git when there is
// one, and no lock file is left afterwards.
func TestRunLock(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs pinner as a child process")
	}
	t.Parallel()
	fx := newFixture(t, "")
	if err := os.Mkdir(filepath.Join(fx.dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(fx.dir, ".git", "pinner.lock-run")
	fx.faults.Latency(10 * time.Millisecond)

	first := startPinner(t, fx.dir, "update", "--all", "--jobs", "1")
	pid := strconv.Itoa(first.cmd.Process.Pid)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(lockFile)
		if strings.TrimSpace(string(b)) == pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first run never wrote its pid into %s", lockFile)
		}
		time.Sleep(5 * time.Millisecond)
	}
	waiter := startPinner(t, fx.dir, "update", "--all", "--wait")

	second := startPinner(t, fx.dir, "update", "--all")
	if code := second.wait(t, 10*time.Second); code != ExitOutside {
		t.Errorf("second run: exit %d, want 3; stderr:\n%s", code, second.stderr.String())
	}
	want := fmt.Sprintf("pinner: another pinner update is running in %s (pid %s;", fx.dir, pid)
	if !strings.Contains(second.stderr.String(), want) {
		t.Errorf("second run's stderr lacks %q:\n%s", want, second.stderr.String())
	}
	dry := startPinner(t, fx.dir, "update", "--all", "--dry-run")
	if code := dry.wait(t, time.Minute); code != 0 {
		t.Errorf("a dry run during an update: exit %d; stderr:\n%s", code, dry.stderr.String())
	}

	if code := first.wait(t, time.Minute); code != 0 {
		t.Fatalf("first run: exit %d; stderr:\n%s", code, first.stderr.String())
	}
	afterFirst := snapshot(t, fx.dir)
	// The --wait run may already hold the run lock, and so have written the
	// lock file, when the snapshot is taken; that file is checked below.
	delete(afterFirst, filepath.Join(".git", "pinner.lock-run"))
	if code := waiter.wait(t, time.Minute); code != 0 {
		t.Fatalf("--wait run: exit %d; stderr:\n%s", code, waiter.stderr.String())
	}
	if !strings.Contains(waiter.stderr.String(), "nothing to change") {
		t.Errorf("the --wait run changed something, so it did not run after the first:\n%s", waiter.stderr.String())
	}
	sameFiles(t, afterFirst, snapshot(t, fx.dir))
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}
