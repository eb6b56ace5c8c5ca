package syntax

import (
	"fmt"
	"strings"
	"testing"
)

// parseTree parses src without the scope check and fails on any error.
func parseTree(t *testing.T, src string) *File {
	t.Helper()
	f, err := parse("t.nix", []byte(src), false)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return f
}

func TestParseTree(t *testing.T) {
	tests := []struct{ src, want string }{
		// Literals.
		{`x`, `x`},
		{`__curPos`, `__curPos`},
		{`42`, `42`},
		{`9223372036854775807`, `9223372036854775807`},
		{`1.5`, `1.5`},
		{`.5`, `0.5`},
		{`1.`, `1.0`},
		{`1.e3`, `1000.0`},
		{`2.5E-1`, `0.25`},
		{`1e3`, `(app 1 e3)`},
		{`01.5`, `(app 1 0.5)`},
		{`"s"`, `(str "s")`},
		{`""`, `(str)`},
		{`''''`, `(istr)`},
		{`./a`, `(path "./a")`},
		{`../a/b.nix`, `(path "../a/b.nix")`},
		{`/abs/p`, `(path "/abs/p")`},
		{`a/b`, `(path "a/b")`},
		{`1/2`, `(path "1/2")`},
		{`~/x`, `(path "~/x")`},
		{`<nixpkgs>`, `<nixpkgs>`},
		{`<nixpkgs/lib>`, `<nixpkgs/lib>`},
		{`x:x`, `(uri x:x)`},
		{`https://example.org/a?b=c`, `(uri https://example.org/a?b=c)`},
		{"https://x/p#frag", `(uri https://x/p)`},

		// Tricky lexing.
		{`a-b'`, `a-b'`},
		{`a -b`, `(- a b)`},
		{`a / b`, `(/ a b)`},
		{`a//b`, `(// a b)`},
		{`a<b>`, `(app a <b>)`},
		{`a /b`, `(app a (path "/b"))`},
		{`x: x`, `(fn x x)`},
		{`a.b/c`, `(path "a.b/c")`},
		{`a+/b`, `(path "a+/b")`},
		{`/*c*/a#d`, `a`},
		{`a/*c*/`, `a`},

		// Interpolated paths.
		{`./a/${b}/c`, `(path "./a/" ${b} "/c")`},
		{`./a${b}`, `(path "./a" ${b})`},
		{`./${b}`, `(path "./" ${b})`},
		{`~/${b}`, `(path "~/" ${b})`},
		{`/${b}`, `(path "/" ${b})`},
		{`a/${b}${c}d`, `(path "a/" ${b} ${c} "d")`},
		{`./a//b${x}`, `(path "./a//b" ${x})`},
		{`./a${./b}`, `(path "./a" ${(path "./b")})`},

		// Strings.
		{`"a${b}c"`, `(str "a" ${b} "c")`},
		{`"\n\t\r\\\"\$\x"`, `(str "\n\t\r\\\"$x")`},
		{`"\${x}"`, `(str "${x}")`},
		{`"$${x}"`, `(str "$${x}")`},
		{`"$"`, `(str "$")`},
		{`"a$"`, `(str "a$")`},
		{`"$$${x}"`, `(str "$$" ${x})`},
		{"\"a\r\nb\rc\"", `(str "a\nb\nc")`},
		{`"${a}${b}"`, `(str ${a} ${b})`},
		{`"${ { a = "${x}"; }.a }"`, `(str ${(. (attrs (= a (str ${x}))) a)})`},
		{"''a''", `(istr "a")`},
		{"''a'''b''", `(istr "a''b")`},
		{"''a''$b''", `(istr "a$b")`},
		{"''a''\\nb''", `(istr "a\nb")`},
		{"''${a}''", `(istr ${a})`},
		{"''$${a}''", `(istr "$${a}")`},
		{"''a'b$c''", `(istr "a'b$c")`},

		// Lists, sets, lets.
		{`[ ]`, `(list)`},
		{`[ f 1 ]`, `(list f 1)`},
		{`[ a.b or c d ]`, `(list (. a b c) d)`},
		{`[ (f 1) ]`, `(list (paren (app f 1)))`},
		{`{ }`, `(attrs)`},
		{`{ a = 1; "b" = 2; ${c} = 3; or = 4; }`, `(attrs (= a 1) (= (str "b") 2) (= ${c} 3) (= or 4))`},
		{`{ a.b."c".${d}.or = 1; }`, `(attrs (= a.b.(str "c").${d}.or 1))`},
		{`{ inherit a "b" or; }`, `(attrs (inherit a (str "b") or))`},
		{`{ inherit (x) a b; }`, `(attrs (inherit (x) a b))`},
		{`{ inherit; }`, `(attrs (inherit))`},
		{`rec { a = 1; }`, `(rec (= a 1))`},
		{`let { body = 1; }`, `(let-legacy (= body 1))`},
		{`let a = 1; in a`, `(let (= a 1) a)`},
		{`let in 1`, `(let 1)`},
		{`let ${"a"} = 1; in a`, `(let (= ${(str "a")} 1) a)`},
		{`let a.${b} = 1; in a`, `(let (= a.${b} 1) a)`},
		{`f let { body = 1; }`, `(app f (let-legacy (= body 1)))`},

		// Selection, or, has-attr.
		{`a.b.c`, `(. a b.c)`},
		{`a.b or c`, `(. a b c)`},
		{`a.b or c.d or e`, `(. a b (. c d e))`},
		{`a."b".${c}`, `(. a (str "b").${c})`},
		{`{ or = 1; }.or`, `(. (attrs (= or 1)) or)`},
		{`f or`, `(app f or)`},
		{`f x or`, `(app f (app x or))`},
		{`a ? b`, `(? a b)`},
		{`a ? b.c`, `(? a b.c)`},
		{`a ? b ? c`, `(? (? a b) c)`},
		{`a ? "b" . c`, `(? a (str "b").c)`},
		{`a ? ${b}`, `(? a ${b})`},

		// Application.
		{`f x y`, `(app (app f x) y)`},
		{`f x.y z`, `(app (app f (. x y)) z)`},
		{`f{}`, `(app f (attrs))`},
		{`f"s"`, `(app f (str "s"))`},
		{`f[1]`, `(app f (list 1))`},
		{`f rec { }`, `(app f (rec))`},

		// Lambdas.
		{`x: y: x`, `(fn x (fn y x))`},
		{`{ }: 1`, `(fn {} 1)`},
		{`{ ... }: 1`, `(fn {...} 1)`},
		{`{ a, b ? 1, ... }: a`, `(fn {a b?1 ...} a)`},
		{`{ a, }: a`, `(fn {a} a)`},
		{`{ a }: a`, `(fn {a} a)`},
		{`{ a ? b: b }: a`, `(fn {a?(fn b b)} a)`},
		{`{ a }@x: a`, `(fn {a}@x a)`},
		{`x@{ a }: a`, `(fn x@{a} a)`},
		{`{ }@x: x`, `(fn {}@x x)`},
		{`x: { a = x; }`, `(fn x (attrs (= a x)))`},

		// assert, with, let, if: the body reaches as far right as it can.
		{`assert a; b`, `(assert a b)`},
		{`with a; b + c`, `(with a (+ b c))`},
		{`if a then b else c`, `(if a b c)`},
		{`if a then b else x: x`, `(if a b (fn x x))`},
		{`let a = 1; in x: x`, `(let (= a 1) (fn x x))`},
		{`assert a -> b; c`, `(assert (-> a b) c)`},

		// Precedence, loosest to tightest.
		{`a -> b || c`, `(-> a (|| b c))`},
		{`a -> b -> c`, `(-> a (-> b c))`},
		{`a || b && c`, `(|| a (&& b c))`},
		{`a || b || c`, `(|| (|| a b) c)`},
		{`a && b == c`, `(&& a (== b c))`},
		{`a && b && c`, `(&& (&& a b) c)`},
		{`a == b < c`, `(== a (< b c))`},
		{`a != b`, `(!= a b)`},
		{`a < b // c`, `(< a (// b c))`},
		{`a <= b`, `(<= a b)`},
		{`a >= b`, `(>= a b)`},
		{`a > b`, `(> a b)`},
		{`a // b // c`, `(// a (// b c))`},
		{`a // b + c`, `(// a (+ b c))`},
		{`!a // b`, `(// (! a) b)`},
		{`!a == b`, `(== (! a) b)`},
		{`!a + b`, `(! (+ a b))`},
		{`!a && b`, `(&& (! a) b)`},
		{`!!a`, `(! (! a))`},
		{`a + b - c`, `(- (+ a b) c)`},
		{`a + b * c`, `(+ a (* b c))`},
		{`a * b / c`, `(/ (* a b) c)`},
		{`a * b ++ c`, `(* a (++ b c))`},
		{`a ++ b ++ c`, `(++ a (++ b c))`},
		{`a ++ b ? c`, `(++ a (? b c))`},
		{`-a ? b`, `(? (neg a) b)`},
		{`-a ++ b`, `(++ (neg a) b)`},
		{`- f x`, `(neg (app f x))`},
		{`-a.b`, `(neg (. a b))`},
		{`- -a`, `(neg (neg a))`},
		{`-!a + b`, `(neg (! (+ a b)))`},
		{`!-a + b`, `(! (+ (neg a) b))`},
		{`a + -b * c`, `(+ a (* (neg b) c))`},
		{`a * !b + c`, `(* a (! (+ b c)))`},
		{`a == !b`, `(== a (! b))`},
		{`a - -1`, `(- a (neg 1))`},

		// Pipes: looser than every other operator; left and right.
		{`a |> f`, `(|> a f)`},
		{`a |> f |> g`, `(|> (|> a f) g)`},
		{`f <| g <| a`, `(<| f (<| g a))`},
		{`a -> b |> f`, `(|> (-> a b) f)`},
		{`a + 1 |> f x`, `(|> (+ a 1) (app f x))`},
		{`(a |> f) <| b`, `(<| (paren (|> a f)) b)`},
		{`a<|b`, `(<| a b)`},
		{`a|>b`, `(|> a b)`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f := parseTree(t, tt.src)
			if got := Dump(f.Root); got != tt.want {
				t.Errorf("Dump(Parse(%q)):\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		want []string // "line:col: message"
	}{
		{``, []string{`1:1: unexpected end of file`}},
		{"  # only a comment\n", []string{`2:1: unexpected end of file`}},
		{`[ 1 ;`, []string{`1:5: unexpected ';', expecting ']'`}},
		{`{ a = 1; `, []string{`1:10: unexpected end of file, expecting '}'`}},
		{`{ a = 1 }`, []string{`1:9: unexpected '}', expecting ';'`}},
		{`(1`, []string{`1:3: unexpected end of file, expecting ')'`}},
		{`[ f -1 ]`, []string{`1:5: unexpected '-', expecting ']'`}},
		{`1 2 )`, []string{`1:5: unexpected ')', expecting end of file`}},
		{`}`, []string{`1:1: unexpected '}', expecting expression`}},
		{`a == b == c`, []string{`1:8: unexpected '=='`}},
		{`a < b > c`, []string{`1:7: unexpected '>'`}},
		{`a |> b <| c`, []string{`1:8: unexpected '<|': '|>' and '<|' cannot be mixed without parentheses`}},
		{`a <| b |> c`, []string{`1:8: unexpected '|>': '|>' and '<|' cannot be mixed without parentheses`}},
		{`a.b or`, []string{`1:7: unexpected end of file, expecting expression`}},
		{`or`, []string{`1:1: unexpected 'or', expecting expression`}},
		{`{ if = 1; }`, []string{`1:3: unexpected 'if', expecting '}'`}},
		{`{ a, a }: 1`, []string{`1:6: duplicate formal function argument 'a'`}},
		{`{ a }@a: 1`, []string{`1:1: duplicate formal function argument 'a'`}},
		{`a@{ a }: 1`, []string{`1:1: duplicate formal function argument 'a'`}},
		{`{ ..., a }: 1`, []string{`1:6: unexpected ',', expecting '}'`}},
		{`x@y: 1`, []string{`1:3: unexpected identifier, expecting '{'`}},
		{"{\n  a = 1;\n  a = 2;\n}", []string{`3:3: attribute 'a' already defined at t.nix:2:3`}},
		{`{ a.b = 1; a.b = 2; }`, []string{`1:12: attribute 'a.b' already defined at t.nix:1:3`}},
		{`{ a = 1; a.b = 2; }`, []string{`1:10: attribute 'a.b' already defined at t.nix:1:3`}},
		{`{ a.b = 1; a = 2; }`, []string{`1:12: attribute 'a' already defined at t.nix:1:3`}},
		{`{ a = { b = 1; }; a.b = 2; }`, []string{`1:19: attribute 'a.b' already defined at t.nix:1:9`}},
		{`{ a = { b = 1; }; a = { b = 2; }; }`, []string{`1:25: attribute 'b' already defined at t.nix:1:9`}},
		{`{ inherit a; a = 1; }`, []string{`1:14: attribute 'a' already defined at t.nix:1:11`}},
		{`{ inherit a a; }`, []string{`1:13: attribute 'a' already defined at t.nix:1:11`}},
		{`{ inherit a; a.b = 1; }`, []string{`1:14: attribute 'a.b' already defined at t.nix:1:11`}},
		{`{ "a b".c = 1; "a b".c = 2; }`, []string{`1:16: attribute '"a b".c' already defined at t.nix:1:3`}},
		{`{ ${"a"} = 1; a = 2; }`, []string{`1:15: attribute 'a' already defined at t.nix:1:3`}},
		{`let a = 1; a = 2; in a`, []string{`1:12: attribute 'a' already defined at t.nix:1:5`}},
		{`let { a = 1; a = 2; body = a; }`, []string{`1:14: attribute 'a' already defined at t.nix:1:7`}},
		{`let ${a} = 1; in 1`, []string{`1:1: dynamic attributes not allowed in let`}},
		{"let ${''a'''b''} = 1; in 1", []string{`1:1: dynamic attributes not allowed in let`}},
		{"let ${''a$''} = 1; in 1", []string{`1:1: dynamic attributes not allowed in let`}},
		{"let ${''a''\\nb''} = 1; in 1", []string{`1:1: dynamic attributes not allowed in let`}},
		{"{ a = 1; ${''a''} = 2; }", []string{`1:10: attribute 'a' already defined at t.nix:1:3`}},
		{`let "${a}" = 1; in 1`, []string{`1:1: dynamic attributes not allowed in let`}},
		{`{ inherit ${a}; }`, []string{`1:11: dynamic attributes not allowed in inherit`}},
		{`{ inherit "${a}"; }`, []string{`1:11: dynamic attributes not allowed in inherit`}},
		{`9223372036854775808`, []string{`1:1: invalid integer '9223372036854775808'`}},
		{`1.0e309`, []string{`1:1: invalid float '1.0e309'`}},
		{`1.0e-310`, []string{`1:1: invalid float '1.0e-310'`}},
		{`./a/`, []string{`1:5: path has a trailing slash`}},
		{`./a/ + 1`, []string{`1:5: path has a trailing slash`}},
		{`~/a/`, []string{`1:5: path has a trailing slash`}},
		{`./a//b`, []string{`1:1: unexpected path continuation, expecting '${'`}},
		{`./a//b//${x}`, []string{`1:1: unexpected path continuation, expecting '${'`}},
		{`"abc`, []string{`1:1: unterminated string`}},
		{"''abc", []string{`1:1: unterminated string`}},
		{`"${a`, []string{`1:5: unexpected end of file, expecting '}'`}},
		{`/* abc`, []string{`1:1: unterminated comment`}},
		{`é`, []string{`1:1: unexpected non-ASCII character 'é' outside string or comment`}},
		{"1 + \xff", []string{`1:5: invalid UTF-8 byte 0xff; Nix files must be UTF-8 text`}},
		{"1 & 2", []string{`1:3: unexpected character '&'`}},
		{"[ 1 \x00 2 ]", []string{`1:5: NUL byte in file; Nix files must be text`}},
		{"\"a\x00b\"", []string{`1:3: NUL byte in file; Nix files must be text`}},
		{"# caf\xe9\n1", []string{`1:6: invalid UTF-8 byte 0xe9; Nix files must be UTF-8 text`}},
		{`x`, []string{`1:1: undefined variable 'x'`}},
		{`x: y`, []string{`1:4: undefined variable 'y'`}},
		{`let a = b; in a`, []string{`1:9: undefined variable 'b'`}},
		{`{ inherit a; }`, []string{`1:11: undefined variable 'a'`}},
		{`rec { a = b; }`, []string{`1:11: undefined variable 'b'`}},
		{`let inherit a; in 1`, []string{`1:13: undefined variable 'a'`}},
		{`f: f or`, []string{`1:6: undefined variable 'or'`}},
		{`1e3`, []string{`1:2: undefined variable 'e3'`}},
		{"{\n  a = 1 +;\n  b = [;\n  c = 3;\n}", []string{
			`2:10: unexpected ';', expecting expression`,
			`3:8: unexpected ';', expecting ']'`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f, err := Parse("t.nix", []byte(tt.src))
			if f == nil || f.Root == nil {
				t.Fatalf("Parse(%q) returned no file or root", tt.src)
			}
			var got []string
			if err != nil {
				list, ok := err.(ErrorList)
				if !ok {
					t.Fatalf("Parse(%q) error is %T, want ErrorList", tt.src, err)
				}
				for _, e := range list {
					got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse(%q) errors:\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseAcceptsScopes(t *testing.T) {
	for _, src := range []string{
		`x: x`,
		`{ a, b ? a }: b`,
		`{ a ? b, b ? 1 }: a`,
		`args@{ ... }: args`,
		`let a = b; b = 1; in a`,
		`rec { a = b; b = 1; }`,
		`let { body = a; a = 1; }`,
		`with {}; x`,
		`x: with x; y z`,
		`let inherit (a) b; a = { b = 1; }; in b`,
		"let ${''ab''} = 1; in ab",
		"{ a = 1; ${''a'''''} = 2; }",
		"let ${''''} = 1; ${'' x ''} = 2; in 1",
		`builtins.map toString [ true false null ]`,
		`__add 1 2 + __curPos.line`,
		`let or = 1; in 1`,
		`rec { or = 1; x = f: f or; }`,
		`<nixpkgs>`,
		`import ./x.nix`,
	} {
		if _, err := Parse("t.nix", []byte(src)); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Fatal("empty ErrorList.Err() != nil")
	}
	l = append(l, newError(Position{Filename: "b.nix", Offset: 1, Line: 1, Column: 2}, "second"))
	l = append(l, newError(Position{Filename: "a.nix", Offset: 9, Line: 2, Column: 3}, "first"))
	l = append(l, newError(Position{Filename: "b.nix", Offset: 0, Line: 1, Column: 1}, "also"))
	l.Sort()
	// One line per error, as every positioned error list of pinner prints.
	if got, want := l.Error(), "a.nix:2:3: first\nb.nix:1:1: also\nb.nix:1:2: second"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := l[1].Error(), "b.nix:1:1: also"; got != want {
		t.Errorf("l[1].Error() = %q, want %q", got, want)
	}
	if l.Err() == nil {
		t.Error("non-empty ErrorList.Err() == nil")
	}
}

func TestPosition(t *testing.T) {
	f := &File{Name: "p.nix", Src: []byte("ab\ncd\r\nef\rgh")}
	for _, tt := range []struct {
		off        int
		line, col  int
		wantString string
	}{
		{0, 1, 1, "p.nix:1:1"},
		{2, 1, 3, "p.nix:1:3"},
		{3, 2, 1, "p.nix:2:1"},
		{5, 2, 3, "p.nix:2:3"},
		{7, 3, 1, "p.nix:3:1"},
		{10, 4, 1, "p.nix:4:1"},
		{12, 4, 3, "p.nix:4:3"},
		{99, 4, 3, "p.nix:4:3"},
	} {
		p := f.Position(tt.off)
		if p.Line != tt.line || p.Column != tt.col || p.String() != tt.wantString {
			t.Errorf("Position(%d) = %+v (%s), want %d:%d", tt.off, p, p, tt.line, tt.col)
		}
	}
}

// Nix 2.8 resolves names after merging attribute sets, with quirks.
func TestScopesAfterMerge(t *testing.T) {
	for _, tt := range []struct {
		src string
		ok  bool
	}{
		{`{ a = {b=1;}; a = rec {c=2; d=c;}; }`, false},
		{`{ a = {b=1;}; a = {${x}=2;}; }`, true},
		{`rec { a = rec { b = 1; }; a.c = b; }`, true},
		{`{ a = rec { b = 1; }; a.c = b; }`, true},
		{`{ a.b = 1; a.c = b; }`, false},
		{`rec { a.b = 1; a.c = a; }`, true},
		{`let a.b = 1; a.c = a; in a`, true},
		{`let a = rec { b = 1; }; a.c = b; in a`, true},
		{`{ a.b = x; a.c = 1; }`, false},
		{`{ a.${"b"} = 1; a.c = y; }`, false},
	} {
		_, err := Parse("t.nix", []byte(tt.src))
		if (err == nil) != tt.ok {
			t.Errorf("Parse(%q) = %v, want ok=%v", tt.src, err, tt.ok)
		}
	}
}

// parse is Parse with the variable-scope check optional, so that tests can
// look at the shape of expressions with free variables.
func parse(filename string, src []byte, checkScope bool) (*File, error) {
	return parseMode(filename, src, checkScope, 0)
}
