package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestChoose(t *testing.T) {
	for _, tc := range []struct {
		flag            string
		terminal, quiet bool
		want            Mode
	}{
		{"auto", true, false, TTY},
		{"auto", false, false, Plain},
		{"", false, false, Plain},
		{"plain", true, false, Plain},
		{"tty", false, false, TTY},
		{"none", true, false, None},
		{"tty", true, true, None},
		{"auto", true, true, None},
	} {
		got, err := Choose(tc.flag, tc.terminal, tc.quiet)
		if err != nil || got != tc.want {
			t.Errorf("Choose(%q, terminal %v, quiet %v) = %v, %v; want %v", tc.flag, tc.terminal, tc.quiet, got, err, tc.want)
		}
	}
	if _, err := Choose("fancy", true, false); err == nil {
		t.Error("Choose(fancy): no error")
	}
}

func TestColorNeedsATerminalAndNoNOCOLOR(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	if Color(&bytes.Buffer{}, env("")) {
		t.Error("colour on a buffer")
	}
	// Whatever the test's stderr is, NO_COLOR wins.
	if Color(nil, env("1")) {
		t.Error("colour with NO_COLOR=1")
	}
}

func TestPlainLinesAreTimestamped(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, Plain)
	r.Now = func() time.Time { return time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC) }
	r.Logf("resolving %d references", 12)
	r.Logf("pushed %s\n", "ghcr.io/x/y:1.0")
	// Bars do nothing outside TTY mode.
	b := r.Counter("resolving")
	b.AddTotal(3)
	b.Increment()
	b.Done()
	r.Close()
	want := "15:04:05 resolving 12 references\n15:04:05 pushed ghcr.io/x/y:1.0\n"
	if buf.String() != want {
		t.Errorf("output %q, want %q", buf.String(), want)
	}
}

func TestNoneAndNilPrintNothing(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, None)
	r.Logf("x")
	r.Bytes("y").Set(1, 2)
	r.Close()
	var nilR *Reporter
	nilR.Logf("x")
	nilR.Spinner("z").Done()
	nilR.Close()
	if buf.Len() != 0 || nilR.Mode() != None {
		t.Errorf("printed %q", buf.String())
	}
}

func TestTTYBarsFinish(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, TTY)
	c := r.Counter("resolving")
	c.AddTotal(2)
	c.Increment()
	c.Increment()
	c.Done()
	p := r.Bytes("pushing ghcr.io/x/y:1.0")
	p.Set(512, 1024)
	s := r.Spinner("building")
	s.Done()
	r.Logf("pushed ghcr.io/x/y:1.0 sha256:abc")
	// p is not done: Close must still return.
	done := make(chan struct{})
	go func() { r.Close(); r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs")
	}
	out := buf.String()
	for _, want := range []string{"resolving", "pushing ghcr.io/x/y:1.0", "building", "pushed ghcr.io/x/y:1.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// After Close, lines are plain.
	buf.Reset()
	r.Now = func() time.Time { return time.Date(2026, 1, 1, 1, 2, 3, 0, time.UTC) }
	r.Logf("late")
	if buf.String() != "01:02:03 late\n" {
		t.Errorf("after Close: %q", buf.String())
	}
}

// lockedBuffer is a bytes.Buffer safe to read while mpb writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTTYBarsUnderAParent(t *testing.T) {
	var buf lockedBuffer
	r := New(&buf, TTY)
	a := r.Bytes("pushing ghcr.io/x/a:1")
	b := r.Bytes("pushing ghcr.io/x/b:1")
	la := r.BytesUnder(a, "sha256:aaaaaaaaaaaa")
	lb := r.BytesUnder(b, "sha256:bbbbbbbbbbbb")
	left := r.BytesUnder(a, "sha256:cccccccccccc")
	la.Set(1<<20, 4<<20)
	lb.Set(1, 2)
	time.Sleep(300 * time.Millisecond) // a refresh or two
	// Children sit right below their parent.
	out := buf.String()
	last := out[strings.LastIndex(out, "pushing ghcr.io/x/a:1"):]
	ia, ic := strings.Index(last, "aaaaaaaaaaaa"), strings.Index(last, "cccccccccccc")
	ib, ibb := strings.Index(last, "pushing ghcr.io/x/b:1"), strings.Index(last, "bbbbbbbbbbbb")
	if ia < 0 || ic < 0 || ib < 0 || ibb < 0 || !(ia < ic && ic < ib && ib < ibb) {
		t.Errorf("bars out of order:\n%s", last)
	}
	la.Done()
	lb.Remove()
	a.Done()
	b.Done()
	// left is neither done nor removed: Close drops it and returns.
	_ = left
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs")
	}
	var nilBar *Bar
	nilBar.Remove()
	if (*Reporter)(nil).BytesUnder(nil, "x") != nil || New(&bytes.Buffer{}, Plain).BytesUnder(nil, "x") != nil {
		t.Error("a bar outside TTY mode")
	}
}

// TestWidth: a writer that is no terminal has no limit, unless COLUMNS
// gives one.
func TestWidth(t *testing.T) {
	var buf bytes.Buffer
	for cols, want := range map[string]int{"": 0, "80": 80, " 120 ": 120, "0": 0, "-5": 0, "wide": 0} {
		if got := Width(&buf, func(string) string { return cols }); got != want {
			t.Errorf("COLUMNS=%q: %d, want %d", cols, got, want)
		}
	}
}
