package syntax

import (
	"strconv"
	"strings"
)

// Dump renders a tree as a compact S-expression, for tests and debugging:
// `(+ a (* b c))`, `(app f x)`, `(. x a.b default)`, `(fn {a b?1 ...}@x body)`.
func Dump(n Node) string {
	var b strings.Builder
	dump(&b, n)
	return b.String()
}

func dump(b *strings.Builder, n Node) {
	if isNil(n) {
		b.WriteString("nil")
		return
	}
	list := func(head string, xs ...Node) {
		b.WriteString("(" + head)
		for _, x := range xs {
			b.WriteByte(' ')
			dump(b, x)
		}
		b.WriteByte(')')
	}
	switch n := n.(type) {
	case *Ident:
		b.WriteString(n.Name)
	case *Int:
		b.WriteString(strconv.FormatInt(n.Value, 10))
	case *Float:
		b.WriteString(strconv.FormatFloat(n.Value, 'g', -1, 64))
		if !strings.ContainsAny(b.String()[b.Len()-1:], ".e") && n.Value == float64(int64(n.Value)) {
			b.WriteString(".0")
		}
	case *String:
		head := "str"
		if n.Indented {
			head = "istr"
		}
		b.WriteString("(" + head)
		for _, p := range n.Parts {
			b.WriteByte(' ')
			dump(b, p)
		}
		b.WriteByte(')')
	case *StringText:
		b.WriteString(strconv.Quote(n.Value))
	case *Interp:
		b.WriteString("${")
		dump(b, n.X)
		b.WriteString("}")
	case *Path:
		b.WriteString("(path")
		for _, p := range n.Parts {
			b.WriteByte(' ')
			dump(b, p)
		}
		b.WriteByte(')')
	case *SearchPath:
		b.WriteString("<" + n.Value + ">")
	case *URI:
		b.WriteString("(uri " + n.Value + ")")
	case *Paren:
		list("paren", n.X)
	case *List:
		xs := make([]Node, len(n.Elems))
		for i, e := range n.Elems {
			xs[i] = e
		}
		list("list", xs...)
	case *AttrSet:
		head := "attrs"
		if n.Rec {
			head = "rec"
		}
		dumpBindings(b, head, n.Bindings, nil)
	case *LegacyLet:
		dumpBindings(b, "let-legacy", n.Bindings, nil)
	case *Let:
		dumpBindings(b, "let", n.Bindings, n.Body)
	case *Assign:
		b.WriteString("(= ")
		dumpPath(b, n.Path)
		b.WriteByte(' ')
		dump(b, n.Value)
		b.WriteByte(')')
	case *Inherit:
		b.WriteString("(inherit")
		if n.From != nil {
			b.WriteString(" (")
			dump(b, n.From)
			b.WriteString(")")
		}
		for _, a := range n.Names {
			b.WriteByte(' ')
			dump(b, a)
		}
		b.WriteByte(')')
	case *AttrName:
		switch {
		case n.Ident != nil:
			b.WriteString(n.Ident.Name)
		case n.Str != nil:
			dump(b, n.Str)
		case n.Interp != nil:
			dump(b, n.Interp)
		}
	case *Select:
		b.WriteString("(. ")
		dump(b, n.X)
		b.WriteByte(' ')
		dumpPath(b, n.Path)
		if n.Default != nil {
			b.WriteByte(' ')
			dump(b, n.Default)
		}
		b.WriteByte(')')
	case *HasAttr:
		b.WriteString("(? ")
		dump(b, n.X)
		b.WriteByte(' ')
		dumpPath(b, n.Path)
		b.WriteByte(')')
	case *Apply:
		list("app", n.Fn, n.Arg)
	case *Unary:
		op := "!"
		if n.Op == MINUS {
			op = "neg"
		}
		list(op, n.X)
	case *Binary:
		list(strings.Trim(n.Op.String(), "'"), n.X, n.Y)
	case *Lambda:
		b.WriteString("(fn ")
		switch {
		case n.Formals == nil:
			dump(b, n.Param)
		case n.Param != nil && n.Param.Start < n.Formals.Start:
			b.WriteString(n.Param.Name + "@")
			dump(b, n.Formals)
		default:
			dump(b, n.Formals)
			if n.Param != nil {
				b.WriteString("@" + n.Param.Name)
			}
		}
		b.WriteByte(' ')
		dump(b, n.Body)
		b.WriteByte(')')
	case *Formals:
		b.WriteByte('{')
		for i, f := range n.List {
			if i > 0 {
				b.WriteByte(' ')
			}
			dump(b, f)
		}
		if n.Ellipsis {
			if len(n.List) > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("...")
		}
		b.WriteByte('}')
	case *Formal:
		b.WriteString(n.Name.Name)
		if n.Default != nil {
			b.WriteByte('?')
			dump(b, n.Default)
		}
	case *If:
		list("if", n.Cond, n.Then, n.Else)
	case *Assert:
		list("assert", n.Cond, n.Body)
	case *With:
		list("with", n.Env, n.Body)
	case *Bad:
		b.WriteString("BAD")
	default:
		b.WriteString("?")
	}
}

func dumpBindings(b *strings.Builder, head string, bs []Binding, body Expr) {
	b.WriteString("(" + head)
	for _, x := range bs {
		b.WriteByte(' ')
		dump(b, x)
	}
	if body != nil {
		b.WriteByte(' ')
		dump(b, body)
	}
	b.WriteByte(')')
}

func dumpPath(b *strings.Builder, path []*AttrName) {
	for i, a := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		dump(b, a)
	}
}
