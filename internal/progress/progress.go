// Package progress shows what a long pinner run is doing: live bars
// (github.com/vbauerster/mpb) when stderr is a terminal, timestamped lines
// ("15:04:05 resolving 12 references") when it is not, or nothing.
//
// Only the command-line layer uses it. The libraries report through
// callbacks (oci.WithOnResolve, oci.Request.Progress and LayerProgress,
// owned.Options.Progress) and the CLI turns those into calls here, so no
// library prints anything.
//
// A nil *Reporter and a nil *Bar are valid and do nothing, so callers need
// not check the mode.
package progress

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// Mode is how progress is shown.
type Mode int

const (
	None  Mode = iota // nothing
	Plain             // timestamped lines
	TTY               // live bars
)

// Modes are the values of --progress.
var Modes = []string{"auto", "plain", "tty", "none"}

// Choose turns --progress (auto, plain, tty, none) into a Mode: auto is TTY
// on a terminal and Plain elsewhere; quiet turns everything off.
func Choose(flag string, terminal, quiet bool) (Mode, error) {
	if quiet {
		return None, nil
	}
	switch flag {
	case "", "auto":
		if terminal {
			return TTY, nil
		}
		return Plain, nil
	case "plain":
		return Plain, nil
	case "tty":
		return TTY, nil
	case "none":
		return None, nil
	}
	return None, fmt.Errorf("parsing progress mode %q: want one of %s", flag, strings.Join(Modes, ", "))
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Color reports whether w may get ANSI colours: it is a terminal and
// NO_COLOR (https://no-color.org) is unset or empty. getenv is os.Getenv
// outside tests.
func Color(w io.Writer, getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && IsTerminal(w)
}

// Width is how many columns a table written to w may take: the
// terminal's width when w is one, else $COLUMNS when it is a positive
// number (a pipe into a pager that sets it), else 0 for no limit (a file
// or a pipe gets full rows, as --json does). getenv is os.Getenv outside
// tests.
func Width(w io.Writer, getenv func(string) string) int {
	if f, ok := w.(*os.File); ok && IsTerminal(w) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return 0
}

// hasWidth reports whether w is a terminal that knows its width.
func hasWidth(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !IsTerminal(w) {
		return false
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	return err == nil && cols > 0
}

// Reporter shows progress on one writer (stderr). It is safe for
// concurrent use.
type Reporter struct {
	mode Mode
	w    io.Writer
	// Now is the clock of the plain lines; tests replace it.
	Now func() time.Time

	mu     sync.Mutex
	p      *mpb.Progress
	bars   []*Bar
	closed bool
	// restore puts the terminal's echo of control characters back (see
	// quietControls); nil when nothing was changed.
	restore     func()
	restoreOnce sync.Once
	// tops counts the top-level bars, which are drawn in the order they
	// were added, each followed by its children (see BytesUnder).
	tops int
}

// childSlots is how many children a top-level bar has room for below it
// before the next top-level bar; later ones go at the bottom of that room.
const childSlots = 1 << 16

// New starts a Reporter writing to w in mode.
func New(w io.Writer, mode Mode) *Reporter {
	r := &Reporter{mode: mode, w: w, Now: time.Now}
	if mode == TTY {
		opts := []mpb.ContainerOption{mpb.WithOutput(w), mpb.WithRefreshRate(120 * time.Millisecond)}
		if !hasWidth(w) {
			// --progress=tty on a pipe, or a terminal that reports no
			// size (a bare pty): draw anyway, at a fixed width. Hiding the
			// *os.File keeps mpb from asking the terminal its size.
			opts = append(opts, mpb.WithOutput(struct{ io.Writer }{w}), mpb.WithAutoRefresh(), mpb.WithWidth(100))
		}
		r.p = mpb.New(opts...)
		r.restore = quietControls(w)
	}
	return r
}

// RestoreOn gives the terminal back its echo of control characters as
// soon as ctx is done (an interrupt), rather than at Close: when a second
// interrupt kills the process before Close, the terminal is as it was.
func (r *Reporter) RestoreOn(ctx context.Context) {
	if r == nil || r.restore == nil {
		return
	}
	context.AfterFunc(ctx, r.restoreTerminal)
}

func (r *Reporter) restoreTerminal() {
	if r.restore != nil {
		r.restoreOnce.Do(r.restore)
	}
}

// Mode is the reporter's mode; None for a nil Reporter.
func (r *Reporter) Mode() Mode {
	if r == nil {
		return None
	}
	return r.mode
}

// Logf prints one line: with a timestamp in Plain mode, above the bars in
// TTY mode, and not at all in None mode.
func (r *Reporter) Logf(format string, args ...any) {
	if r == nil || r.mode == None {
		return
	}
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mode == Plain || r.closed {
		fmt.Fprintf(r.w, "%s %s\n", r.Now().Format("15:04:05"), msg)
		return
	}
	// Printed above the running bars at their next refresh.
	fmt.Fprintf(r.p, "%s\n", msg)
}

// Bar is one live bar; nil outside TTY mode.
type Bar struct {
	b *mpb.Bar
	// priority places the bar (lower is higher up); children counts the
	// bars added under it; transient bars vanish when done or closed.
	priority  int
	children  int
	transient bool

	mu    sync.Mutex
	total int64
}

func (r *Reporter) add(total int64, builder mpb.BarFillerBuilder, opts ...mpb.BarOption) *Bar {
	return r.addUnder(nil, total, builder, opts...)
}

// addUnder adds a bar at the bottom, or with a parent, below the parent
// and its earlier children.
func (r *Reporter) addUnder(parent *Bar, total int64, builder mpb.BarFillerBuilder, opts ...mpb.BarOption) *Bar {
	if r == nil || r.mode != TTY {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	var prio int
	if parent != nil {
		parent.children = min(parent.children+1, childSlots-1)
		prio = parent.priority + parent.children
	} else {
		r.tops++
		prio = r.tops * childSlots
	}
	b := &Bar{b: r.p.New(total, builder, append(opts, mpb.BarPriority(prio))...), priority: prio, transient: parent != nil}
	r.bars = append(r.bars, b)
	return b
}

// Counter adds a bar counting items ("resolving 3/12"); its total grows
// with AddTotal.
func (r *Reporter) Counter(label string) *Bar {
	return r.add(0, mpb.BarStyle(),
		mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
		mpb.AppendDecorators(finished(decor.Elapsed(decor.ET_STYLE_GO))),
	)
}

// Bytes adds a bar of bytes written ("pushing ghcr.io/x/y:1  3.1 MiB / 12 MiB").
func (r *Reporter) Bytes(label string) *Bar {
	return r.add(0, mpb.BarStyle(),
		mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR), decor.Counters(decor.SizeB1024(0), "% .1f / % .1f", decor.WCSyncSpace)),
		mpb.AppendDecorators(finished(decor.Percentage(decor.WC{W: 5}))),
	)
}

// BytesUnder adds a bar of bytes drawn below parent ("sha256:abcdef123456
// 1.2 MiB / 12 MiB"), for one part of the parent's work such as a layer
// of an image; it disappears once done or removed. A nil parent puts it
// at the bottom.
func (r *Reporter) BytesUnder(parent *Bar, label string) *Bar {
	return r.addUnder(parent, 0, mpb.BarStyle(),
		mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name("  "+label, decor.WCSyncSpaceR), decor.Counters(decor.SizeB1024(0), "% .1f / % .1f", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Percentage(decor.WC{W: 5})),
	)
}

// Spinner adds a bar for work of unknown size ("building 4 installables
// through nix"). Done or stopped, the spinner is cleared: its last frame
// says "done" or "stopped", with no glyph left turning.
func (r *Reporter) Spinner(label string) *Bar {
	return r.add(0, mpb.SpinnerStyle(),
		mpb.BarFillerClearOnComplete(), mpb.BarFillerClearOnAbort(),
		mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(finished(decor.Elapsed(decor.ET_STYLE_GO))),
	)
}

// finished is d while the bar runs, "done" once it completes and
// "stopped" when it was stopped before (an interrupt, a failure).
func finished(d decor.Decorator) decor.Decorator {
	return decor.OnAbort(decor.OnComplete(d, "done"), "stopped")
}

// AddTotal grows the bar's total by n. A bar completes only with Done,
// however its count compares with its total.
func (b *Bar) AddTotal(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total += n
	b.b.SetTotal(b.total, false)
}

// Increment counts one item done.
func (b *Bar) Increment() {
	if b == nil {
		return
	}
	b.b.Increment()
}

// Set sets how much of total is done.
func (b *Bar) Set(complete, total int64) {
	if b == nil {
		return
	}
	b.b.SetTotal(total, false)
	b.b.SetCurrent(complete)
}

// Done completes the bar.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.b.SetTotal(-1, true)
}

// Remove takes the bar off the display, done or not.
func (b *Bar) Remove() {
	if b == nil {
		return
	}
	b.b.Abort(true)
}

// Close stops the bars (those not done are left as they are) and waits
// until they are drawn for the last time. Later lines are plain. It is
// safe to call more than once.
func (r *Reporter) Close() {
	if r == nil || r.p == nil {
		return
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	bars := r.bars
	r.mu.Unlock()
	for _, b := range bars {
		if !b.b.Completed() {
			b.b.Abort(b.transient)
		}
	}
	r.p.Wait()
	r.restoreTerminal()
}
