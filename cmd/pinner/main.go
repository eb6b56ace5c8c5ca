// Command pinner keeps every container image of a kubenix repository pinned
// to an immutable digest. All logic lives in internal/cli; main only wires the
// process: a context cancelled by SIGINT/SIGTERM, the arguments, the exit code.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/pinner-dev/pinner/internal/cli"
)

func main() {
	// A scan allocates many short-lived trees and keeps little: collect
	// less often than the default (GOGC=100) unless the user chose.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal cancels the run, which then stops cleanly
		// (exit 130; files are replaced atomically, so each is old or new).
		// A second one kills the process at once.
		<-ctx.Done()
		stop()
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
