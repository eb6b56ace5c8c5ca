// Command pinner keeps every container image of a kubenix repository pinned
// to an immutable digest. All logic lives in internal/cli; main only wires the
// process: a context cancelled by SIGINT/SIGTERM, the arguments, the exit code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pinner-dev/pinner/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
