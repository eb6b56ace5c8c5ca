package syntax

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// rootString parses src and returns its root, which must be a string.
func rootString(t *testing.T, src string) *String {
	t.Helper()
	f := parseTree(t, src)
	s, ok := f.Root.(*String)
	if !ok {
		t.Fatalf("Parse(%q) root is %T, want *String", src, f.Root)
	}
	return s
}

type partWant struct {
	raw, value string // an Interp has raw "${...}" text and value ""
}

func TestStringParts(t *testing.T) {
	tests := []struct {
		src   string
		parts []partWant
	}{
		{`"abc"`, []partWant{{`abc`, `abc`}}},
		{`"a\"b\\c\nd"`, []partWant{{`a\"b\\c\nd`, "a\"b\\c\nd"}}},
		{`"a${x}b"`, []partWant{{`a`, `a`}, {`${x}`, ``}, {`b`, `b`}}},
		{`"\${x} $${x} $"`, []partWant{{`\${x} $${x} $`, `${x} $${x} $`}}},
		{"\"a\r\nb\"", []partWant{{"a\r\nb", "a\nb"}}},
		{"''\n  a ''${x} '''\n  ${y}''", []partWant{{"  a ''${x} '''\n  ", "  a ${x} ''\n  "}, {`${y}`, ``}}},
		{"''a''\\tb''", []partWant{{"a''\\tb", "a\tb"}}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			s := rootString(t, tt.src)
			if len(s.Parts) != len(tt.parts) {
				t.Fatalf("%d parts, want %d: %s", len(s.Parts), len(tt.parts), Dump(s))
			}
			for i, p := range s.Parts {
				span := p.NodeSpan()
				raw := tt.src[span.Start:span.End]
				switch p := p.(type) {
				case *StringText:
					if p.Raw != raw {
						t.Errorf("part %d: Raw %q is not the source text %q", i, p.Raw, raw)
					}
					if p.Raw != tt.parts[i].raw || p.Value != tt.parts[i].value {
						t.Errorf("part %d: Raw %q Value %q, want %q %q", i, p.Raw, p.Value, tt.parts[i].raw, tt.parts[i].value)
					}
				case *Interp:
					if raw != tt.parts[i].raw {
						t.Errorf("part %d: interpolation spans %q, want %q", i, raw, tt.parts[i].raw)
					}
				}
			}
			if got := tt.src[s.Open.Start:s.Open.End]; !strings.HasPrefix(got, `"`) && !strings.HasPrefix(got, "''") {
				t.Errorf("Open spans %q", got)
			}
			if s.Span.End != len(tt.src) || s.Close.End != len(tt.src) {
				t.Errorf("span %v close %v, want both to end at %d", s.Span, s.Close, len(tt.src))
			}
		})
	}
}

// literalCases are strings whose value Literal must compute as Nix does;
// TestLiteralMatchesNix checks the expectations themselves against Nix.
var literalCases = []struct {
	src, want string
	ok        bool
}{
	{`"plain"`, "plain", true},
	{`""`, "", true},
	{`"a\nb\tc\rd\\e\"f\$g\{"`, "a\nb\tc\rd\\e\"f$g{", true},
	{`"$${x}"`, "$${x}", true},
	{`"a$"`, "a$", true},
	{"\"a\r\nb\rc\"", "a\nb\nc", true},
	{`"a${"b"}"`, "", false},
	{"''''", "", true},
	{"''\n  a\n    b\n  ''", "a\n  b\n", true},
	{"''\n  a\n  b''", "a\nb", true},
	{"''  a\n  b''", "a\nb", true},
	{"''\n  a\n\n  b\n''", "a\n\nb\n", true},
	{"''\n    a\n  \n    b\n  ''", "a\n\nb\n", true},
	{"''\n\ta\n\tb\n''", "\ta\n\tb\n", true},
	{"''\n  a\n   ''", "a\n", true},
	{"''\n  a\n   x''", "a\n x", true},
	{"''\n  a'''b\n  ''$c\n  ''", "a''b\n$c\n", true},
	{"''\n  ''\\n  a\n  b\n''", "\na\nb\n", true},
	{"''\n  a\n  ''\\ b\n''", "a\n b\n", true},
	{"''\n  x\n  ''\\ \n''", "x\n \n", true},
	{"''\n    a\n  ''\\n''", "  a\n\n", true},
	{"''\n  a\n  b ''\\t ''", "a\nb \t ", true},
	{"''\n   ''\\  a''", "  a", true},
	{"''\n  ''\\ta\n    b\n''", "\ta\n  b\n", true},
	{"''\n  a\n  ''\\n''", "a\n\n", true},
	{"''\n  $a '\n  ''", "$a '\n", true},
	{"''a\r\n  b''", "a\r\n  b", true},
	{"''\n    a\n  ${\"x\"}\n''", "", false},
	{"''   ''", "", true},
	{"''\n''", "", true},
	{"''\n  \n''", "\n", true},
}

func TestLiteral(t *testing.T) {
	for _, tt := range literalCases {
		s := rootString(t, tt.src)
		got, ok := s.Literal()
		if ok != tt.ok || got != tt.want {
			t.Errorf("Literal(%q) = %q, %v; want %q, %v", tt.src, got, ok, tt.want, tt.ok)
		}
	}
	s := rootString(t, "''\n    a\n  ${x}\n''")
	if s.Indentation != 2 {
		t.Errorf("Indentation = %d, want 2", s.Indentation)
	}
	if got := s.TextValue(0); got != "  a\n" {
		t.Errorf("TextValue(0) = %q, want %q", got, "  a\n")
	}
	if got := s.TextValue(2); got != "\n" {
		t.Errorf("TextValue(2) = %q, want %q", got, "\n")
	}
}

// TestLiteralMatchesNix evaluates each literal case with Nix itself.
func TestLiteralMatchesNix(t *testing.T) {
	nix, err := exec.LookPath("nix-instantiate")
	if err != nil {
		t.Skip("nix-instantiate not installed")
	}
	for _, tt := range literalCases {
		if !tt.ok {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, nix, "--eval", "--strict", "--json", "-E", tt.src).Output()
		cancel()
		if err != nil {
			t.Errorf("nix-instantiate --eval %q: %v", tt.src, err)
			continue
		}
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Errorf("decoding Nix's output %q: %v", out, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Nix evaluates %q to %q, the test expects %q", tt.src, got, tt.want)
		}
	}
}
