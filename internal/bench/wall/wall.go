// Package wall times whole processes for the benchmark commands behind
// make bench*: each is run as a user runs it, and its wall time taken.
package wall

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// Runs runs argv runs times (after one warm-up) and returns the sorted
// wall times. Exit status 1 is accepted: check reports findings with it
// and grep reports no match with it.
func Runs(runs int, argv []string) ([]time.Duration, error) {
	var ds []time.Duration
	for i := -1; i < runs; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			return nil, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
		if i >= 0 {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	return ds, nil
}

// Ms is d in milliseconds.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
