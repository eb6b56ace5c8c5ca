// Package cli is pinner's command-line layer: one struct per command, each
// with a Run method. It is the only package that talks to the terminal; the
// packages it calls return values and errors.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/alecthomas/kong"

	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/progress"
)

// Exit codes of the command-line contract.
const (
	ExitOK       = 0 // success
	ExitFindings = 1 // check found something, or update --exit-code saw changes
	ExitBadInput = 2 // usage, config or syntax errors
	ExitOutside  = 3 // a registry, Nix, or the file system failed
	// ExitInterrupted: SIGINT or SIGTERM stopped the run (128 + SIGINT).
	ExitInterrupted = 130
)

// Globals are the flags every command shares.
type Globals struct {
	Config   string `help:"Path to registry.yaml (default: registry.yaml in the working directory, when present)." env:"PINNER_CONFIG" placeholder:"FILE" predictor:"yaml"`
	Chdir    string `short:"C" help:"Change to DIR before doing anything else." placeholder:"DIR" predictor:"dir"`
	LogLevel string `help:"Log level: debug, info, warn, error." enum:"debug,info,warn,error" default:"warn"`
	Progress string `help:"Progress on stderr: auto (live bars on a terminal, else timestamped lines), plain, tty, none." enum:"auto,plain,tty,none" default:"auto" env:"PINNER_PROGRESS"`
	Quiet    bool   `short:"q" help:"Print no progress and no informational messages; warnings and errors still go to stderr."`
}

// CLI is the root of the command tree.
type CLI struct {
	Globals

	Init       InitCmd       `cmd:"" help:"Write a registry.yaml for this repository (never replaces one)."`
	Scan       ScanCmd       `cmd:"" help:"List the container image sites in Nix files."`
	Check      CheckCmd      `cmd:"" help:"Fail when an image site is not pinned to a digest (pre-commit gate, offline)."`
	Update     UpdateCmd     `cmd:"" help:"Pin image sites to the digests their tags name now, in place."`
	Resolve    ResolveCmd    `cmd:"" help:"Print the digest each image reference names now."`
	Build      BuildCmd      `cmd:"" help:"Build images of this repository through Nix and print their digests."`
	Outdated   OutdatedCmd   `cmd:"" help:"List third-party images that have a newer semver tag."`
	Inspect    InspectCmd    `cmd:"" help:"Print the platforms, sizes, created times and labels of image references."`
	Completion CompletionCmd `cmd:"" help:"Print a shell completion script (bash, zsh, fish)."`
	Version    VersionCmd    `cmd:"" help:"Print pinner's version."`
}

// Env is what a command needs from the process, bound into every Run.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
	// Info receives informational messages (summaries); io.Discard with
	// --quiet. Warnings and errors go to Stderr.
	Info io.Writer
	// Progress shows live progress on stderr (see --progress); nil-safe.
	Progress *progress.Reporter
	// Color: Stdout is a terminal and NO_COLOR is not set.
	Color bool
	// Width is what a table on Stdout may take: the terminal's width, or
	// $COLUMNS, or 0 for no limit (progress.Width).
	Width int
}

// exitError carries an exit code up to Main. Its message, if any, is printed
// to stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withCode marks err with the exit code Main should use. A nil err gives an
// exit code without a message (findings already printed, for instance).
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// kongExit is panicked by kong's exit hook so Main can return the code
// instead of the process exiting in the middle of a test.
type kongExit int

const description = `pinner keeps every container image of a kubenix repository pinned to an immutable digest.

It reads the Nix modules (by default modules/kubenix/**/*.nix), finds every place an image is written, and checks or rewrites the references in place without touching any other byte.

Exit codes: 0 success; 1 findings (check) or changes (update --exit-code); 2 bad input (usage, config, syntax); 3 an outside failure (registry, nix); 130 interrupted.`

// kongVars are the variables of the flags' help and defaults.
var kongVars = kong.Vars{"default_modules": defaultModules, "update_timeout": defaultUpdateTimeout.String()}

// Main runs pinner with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	// The logger, the progress reporter and the commands all write to
	// stderr, from several goroutines (retries are logged while pushes
	// report progress). An *os.File takes concurrent writes whole (and must
	// stay one, for terminal detection); other writers get a lock.
	if _, ok := stderr.(*os.File); !ok {
		stderr = &syncWriter{w: stderr}
	}
	var root CLI
	parser, err := kong.New(&root,
		kong.Name("pinner"),
		kong.Description(description),
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { panic(kongExit(c)) }),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kongVars,
	)
	if err != nil {
		// The command tree is static; this is a programming error.
		panic(err)
	}
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			code = int(c)
		}
	}()

	completeLine(parser)
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "pinner: %v\n", err)
		var perr *kong.ParseError
		if errors.As(err, &perr) {
			fmt.Fprintln(stderr, "Run \"pinner --help\" for usage.")
		}
		return ExitBadInput
	}
	if root.Chdir != "" {
		if err := os.Chdir(root.Chdir); err != nil {
			fmt.Fprintf(stderr, "pinner: changing directory: %v\n", err)
			return ExitBadInput
		}
	}
	env := newEnv(&root.Globals, stdout, stderr)
	env.Progress.RestoreOn(ctx)
	err = kctx.Run(env, &root.Globals)
	// The bars stop before anything else is printed below them.
	env.Progress.Close()
	if err != nil {
		if ctx.Err() != nil {
			// The error is the cancellation's echo, not its cause.
			fmt.Fprintf(stderr, "pinner: interrupted (%v)\n", context.Cause(ctx))
			return ExitInterrupted
		}
		return report(stderr, err)
	}
	return ExitOK
}

// report prints err (unless it only carries a code) and picks the exit code.
func report(stderr io.Writer, err error) int {
	code := ExitOutside
	if diag.KindOf(err) == diag.BadInput {
		code = ExitBadInput
	}
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return code
		}
	}
	msg := err.Error()
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	if code == ExitBadInput || code == ExitOutside {
		msg = "pinner: " + msg
	}
	fmt.Fprint(stderr, msg)
	return code
}

// newEnv sets up the process side of a run from the global flags.
func newEnv(g *Globals, stdout, stderr io.Writer) *Env {
	env := &Env{Stdout: stdout, Stderr: stderr, Info: stderr, Log: newLogger(stderr, g.LogLevel)}
	if g.Quiet {
		env.Info = io.Discard
	}
	// kong's enum already validated the flag.
	mode, _ := progress.Choose(g.Progress, progress.IsTerminal(stderr), g.Quiet)
	env.Progress = progress.New(stderr, mode)
	env.Color = progress.Color(stdout, os.Getenv)
	env.Width = progress.Width(stdout, os.Getenv)
	return env
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // kong's enum already validated it
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
