package syntax

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// nodeTexts lists every node Inspect visits as "Type text".
func nodeTexts(f *File) []string {
	var out []string
	Inspect(f.Root, func(n Node) bool {
		s := n.NodeSpan()
		out = append(out, fmt.Sprintf("%s %s", strings.TrimPrefix(fmt.Sprintf("%T", n), "*syntax."), f.Src[s.Start:s.End]))
		return true
	})
	return out
}

func TestSpansAndInspect(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{" { a.b = \"x${y}\" ; /* c */ inherit (z) w; } # end\n", []string{
			`AttrSet { a.b = "x${y}" ; /* c */ inherit (z) w; }`,
			`Assign a.b = "x${y}" ;`,
			`AttrName a`, `Ident a`,
			`AttrName b`, `Ident b`,
			`String "x${y}"`,
			`StringText x`,
			`Interp ${y}`, `Ident y`,
			`Inherit inherit (z) w;`,
			`Ident z`,
			`AttrName w`, `Ident w`,
		}},
		{"{ a ? 1, ... }@args: args.a or (-2)", []string{
			`Lambda { a ? 1, ... }@args: args.a or (-2)`,
			`Formals { a ? 1, ... }`,
			`Formal a ? 1`, `Ident a`, `Int 1`,
			`Ident args`,
			`Select args.a or (-2)`,
			`Ident args`,
			`AttrName a`, `Ident a`,
			`Paren (-2)`,
			`Unary -2`, `Int 2`,
		}},
		{"let x = [ ./a/${b} <c> ]; in if x ? y then f x else !x", []string{
			`Let let x = [ ./a/${b} <c> ]; in if x ? y then f x else !x`,
			`Assign x = [ ./a/${b} <c> ];`,
			`AttrName x`, `Ident x`,
			`List [ ./a/${b} <c> ]`,
			`Path ./a/${b}`, `StringText ./a/`, `Interp ${b}`, `Ident b`,
			`SearchPath <c>`,
			`If if x ? y then f x else !x`,
			`HasAttr x ? y`, `Ident x`, `AttrName y`, `Ident y`,
			`Apply f x`, `Ident f`, `Ident x`,
			`Unary !x`, `Ident x`,
		}},
		{"with a; assert b; x: a + b.c", []string{
			`With with a; assert b; x: a + b.c`,
			`Ident a`,
			`Assert assert b; x: a + b.c`,
			`Ident b`,
			`Lambda x: a + b.c`,
			`Ident x`,
			`Binary a + b.c`,
			`Ident a`,
			`Select b.c`, `Ident b`, `AttrName c`, `Ident c`,
		}},
		{"''\n  a ${b}\n''", []string{
			"String ''\n  a ${b}\n''",
			"StringText   a ",
			"Interp ${b}", "Ident b",
			"StringText \n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got := nodeTexts(parseTree(t, tt.src))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("nodes of %q:\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestInspectStops(t *testing.T) {
	f := parseTree(t, "{ a = { b = 1; }; c = 2; }")
	var kinds []string
	Inspect(f.Root, func(n Node) bool {
		kinds = append(kinds, fmt.Sprintf("%T", n))
		_, isAssign := n.(*Assign)
		return !isAssign
	})
	if got := strings.Join(kinds, " "); got != "*syntax.AttrSet *syntax.Assign *syntax.Assign" {
		t.Errorf("visited %s", got)
	}
	Inspect(nil, func(Node) bool { t.Error("called for nil"); return true })
}

func TestTokens(t *testing.T) {
	src := "{ a = ./p/${x}/q; # c\n b = ''\n  s''; }"
	f := parseTree(t, src)
	var got []string
	for _, tok := range f.Tokens {
		got = append(got, fmt.Sprintf("%s %q", tok.Kind, src[tok.Start:tok.End]))
	}
	want := []string{
		`'{' "{"`, `whitespace " "`, `identifier "a"`, `whitespace " "`, `'=' "="`, `whitespace " "`,
		`path "./p/"`, `'${' "${"`, `identifier "x"`, `'}' "}"`, `path "/q"`, `';' ";"`,
		`whitespace " "`, `comment "# c"`, `whitespace "\n "`, `identifier "b"`, `whitespace " "`,
		`'=' "="`, `whitespace " "`, `"''" "''\n"`, `string "  s"`, `"''" "''"`, `';' ";"`,
		`whitespace " "`, `'}' "}"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tokens:\n got %q\nwant %q", got, want)
	}
}

// checkCover checks that toks tile src exactly.
func checkCover(t *testing.T, name string, src []byte, toks []Token) {
	t.Helper()
	var buf bytes.Buffer
	pos := 0
	for i, tok := range toks {
		if tok.Start != pos || tok.End <= tok.Start || tok.End > len(src) {
			t.Fatalf("%s: token %d (%v) spans [%d,%d), want it to start at %d", name, i, tok.Kind, tok.Start, tok.End, pos)
		}
		buf.Write(src[tok.Start:tok.End])
		pos = tok.End
	}
	if pos != len(src) || !bytes.Equal(buf.Bytes(), src) {
		t.Fatalf("%s: tokens do not reproduce the input", name)
	}
}

// TestRoundTrip checks on every .nix file the repository holds that the
// token texts concatenate back to the file.
func TestRoundTrip(t *testing.T) {
	root := repoRoot(t)
	var files []string
	for _, dir := range []string{"testdata", filepath.Join(root, "testdata"), filepath.Join(root, "modules-fixtures")} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".nix") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walking %s: %v", dir, err)
		}
	}
	if len(files) == 0 {
		t.Fatal("no .nix files found")
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := Parse(path, src)
		checkCover(t, path, src, f.Tokens)
		checkSpans(t, path, f)
	}
}

// checkSpans checks that every node lies within the file and within its
// parent.
func checkSpans(t *testing.T, name string, f *File) {
	t.Helper()
	var stack []Span
	var walk func(n Node) bool
	walk = func(n Node) bool {
		s := n.NodeSpan()
		if s.Start < 0 || s.End > len(f.Src) || s.Start > s.End {
			t.Errorf("%s: %T spans [%d,%d), outside the file (%d bytes)", name, n, s.Start, s.End, len(f.Src))
		}
		for _, outer := range stack {
			if s.Start < outer.Start || s.End > outer.End {
				t.Errorf("%s: %T [%d,%d) is not inside its parent [%d,%d)", name, n, s.Start, s.End, outer.Start, outer.End)
				break
			}
		}
		return true
	}
	// Inspect has no post-order hook, so walk children by hand to keep
	// a stack of the enclosing spans.
	var visit func(n Node)
	visit = func(n Node) {
		walk(n)
		stack = append(stack, n.NodeSpan())
		first := true
		Inspect(n, func(c Node) bool {
			if first {
				first = false
				return true
			}
			visit(c)
			return false
		})
		stack = stack[:len(stack)-1]
	}
	if !isNil(f.Root) {
		visit(f.Root)
	}
}

func TestDepthLimit(t *testing.T) {
	const n = 100000
	for name, src := range map[string]string{
		"parens":   strings.Repeat("(", n) + "1" + strings.Repeat(")", n),
		"lists":    strings.Repeat("[", n) + strings.Repeat("]", n),
		"sets":     strings.Repeat("{a=", n) + "1" + strings.Repeat(";}", n),
		"interps":  strings.Repeat(`"${`, n) + "1" + strings.Repeat(`}"`, n),
		"lambdas":  strings.Repeat("x: ", n) + "x",
		"negation": strings.Repeat("-", n) + "1",
		"not":      strings.Repeat("!", n) + "true",
		"defaults": "x: x" + strings.Repeat(".a or x", n),
		"lets":     strings.Repeat("let a = 1; in ", n) + "a",
		"unclosed": strings.Repeat("{", n),
	} {
		t.Run(name, func(t *testing.T) {
			f, err := Parse(name+".nix", []byte(src))
			found := false
			if list, ok := err.(ErrorList); ok {
				for _, e := range list {
					found = found || strings.HasPrefix(e.Msg, "expression nested too deeply")
				}
			}
			if !found {
				t.Errorf("error %v, want one about nesting", err)
			}
			checkCover(t, name, []byte(src), f.Tokens)
		})
	}
	// Long flat chains are not nesting.
	for name, src := range map[string]string{
		"concat": "[(" + strings.Repeat("[1]++", n) + "[])]",
		"update": strings.Repeat("{}//", n) + "{}",
		"impl":   strings.Repeat("true -> ", n) + "true",
		"plus":   strings.Repeat("1+", n) + "1",
		"apply":  "(x: x)" + strings.Repeat(" 1", n),
		"list":   "[" + strings.Repeat(" 1", n) + "]",
		"pipe":   "1" + strings.Repeat(" |> (x: x)", n),
		"pipe2":  strings.Repeat("(x: x) <| ", n) + "1",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(name+".nix", []byte(src)); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

// nixDeepest is, per construct, the deepest nesting Nix 2.8's parser accepts
// (found by bisection with nix-instantiate --parse; one more level is
// "memory exhausted", bison's YYMAXDEPTH of 10,000 stack entries).
var nixDeepest = []struct {
	name string
	n    int
	gen  func(n int) string
}{
	{"parens", 9995, func(n int) string { return strings.Repeat("(", n) + "1" + strings.Repeat(")", n) }},
	{"negation", 9996, func(n int) string { return strings.Repeat("-", n) + "1" }},
	{"not", 9996, func(n int) string { return strings.Repeat("!", n) + "true" }},
	{"lists", 4998, func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }},
	{"lambdas", 4998, func(n int) string { return strings.Repeat("x: ", n) + "x" }},
	{"interps", 4997, func(n int) string { return strings.Repeat(`"${`, n) + "1" + strings.Repeat(`}"`, n) }},
	{"paths", 4997, func(n int) string { return strings.Repeat("./a${", n) + "./b" + strings.Repeat("}", n) }},
	{"lets", 3331, func(n int) string { return strings.Repeat("let a = 1; in ", n) + "a" }},
	{"ifs", 3331, func(n int) string { return strings.Repeat("if true then ", n) + "1" + strings.Repeat(" else 1", n) }},
	{"indented interps", 3331, func(n int) string { return strings.Repeat("''${", n) + "1" + strings.Repeat("}''", n) }},
	{"asserts", 3332, func(n int) string { return strings.Repeat("assert true; ", n) + "1" }},
	{"withs", 3325, func(n int) string { return strings.Repeat("with {}; ", n) + "1" }},
	{"sets", 2496, func(n int) string { return strings.Repeat("{a=", n) + "1" + strings.Repeat(";}", n) }},
	{"let values", 2498, func(n int) string { return strings.Repeat("let a = ", n) + "1" + strings.Repeat("; in a", n) }},
	{"defaults", 2498, func(n int) string { return "x: x" + strings.Repeat(".a or x", n) }},
}

// TestDepthNixAccepts: whatever nesting Nix parses, pinner parses too (the
// issue: 1,500 nested lets were refused at a limit of 1,000), and with a
// stack that stays small: each construct at Nix's own limit is parsed with
// the goroutine stack capped at 64 MiB, a sixteenth of Go's default, so a
// stack overflow (fatal, not recoverable) is far off. With nix-instantiate
// installed, the inputs are checked to be ones Nix accepts.
func TestDepthNixAccepts(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	nix, _ := exec.LookPath("nix-instantiate")
	dir := t.TempDir()
	for _, c := range nixDeepest {
		t.Run(c.name, func(t *testing.T) {
			src := c.gen(c.n)
			if _, err := Parse(c.name+".nix", []byte(src)); err != nil {
				msg := err.Error()
				t.Errorf("nesting %d deep, which Nix accepts: %.200s", c.n, msg)
			}
			if nix == "" {
				return
			}
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".nix")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			v, err := runNixParse(context.Background(), nix, path)
			if err != nil {
				t.Fatal(err)
			}
			if !v.accepted {
				t.Errorf("nix-instantiate rejects %d levels: %s", c.n, v.message)
			}
		})
	}
	t.Run("1500 lets", func(t *testing.T) {
		if _, err := Parse("lets.nix", []byte(strings.Repeat("let a = 1; in ", 1500)+"a")); err != nil {
			t.Errorf("%.200s", err.Error())
		}
	})
}

// TestDepthLimitMessage: past the limit the error says why, at the
// expression that goes one level too deep (the value of the 10,000th let),
// for nesting ten times the limit, still within a 64 MiB stack.
func TestDepthLimitMessage(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	const let = "let a = 1; in "
	src := strings.Repeat(let, 10*maxDepth) + "a"
	_, err := Parse("deep.nix", []byte(src))
	list, ok := err.(ErrorList)
	if !ok || len(list) == 0 {
		t.Fatalf("err = %v, want an ErrorList", err)
	}
	e := list[0]
	want := fmt.Sprintf("expression nested too deeply (more than %d levels)", maxDepth)
	at := len(let)*(maxDepth-1) + len("let a = ")
	if e.Msg != want || e.Offset != at || e.Line != 1 || e.Column != at+1 {
		t.Errorf("first error %v (offset %d), want deep.nix:1:%d: %s", e, e.Offset, at+1, want)
	}
}
