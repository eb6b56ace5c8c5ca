package syntax

// Inspect walks the tree rooted at n in depth-first pre-order, like
// go/ast.Inspect: it calls f(n), and if f returns true, inspects each child.
// Besides expressions it visits bindings (*Assign, *Inherit), attribute
// names (*AttrName, and the *Ident, *String or *Interp inside), string and
// path parts (*StringText, *Interp), *Formals and each *Formal (with its
// Name *Ident). A lambda's Param is visited too. Children come in source
// order. Unlike go/ast.Inspect, f is not called with nil after the children.
func Inspect(n Node, f func(Node) bool) {
	if isNil(n) || !f(n) {
		return
	}
	switch n := n.(type) {
	case *String:
		for _, p := range n.Parts {
			Inspect(p, f)
		}
	case *Path:
		for _, p := range n.Parts {
			Inspect(p, f)
		}
	case *Interp:
		Inspect(n.X, f)
	case *Paren:
		Inspect(n.X, f)
	case *List:
		for _, e := range n.Elems {
			Inspect(e, f)
		}
	case *AttrSet:
		inspectBindings(n.Bindings, f)
	case *LegacyLet:
		inspectBindings(n.Bindings, f)
	case *Let:
		inspectBindings(n.Bindings, f)
		Inspect(n.Body, f)
	case *Assign:
		inspectPath(n.Path, f)
		Inspect(n.Value, f)
	case *Inherit:
		Inspect(n.From, f)
		inspectPath(n.Names, f)
	case *AttrName:
		switch {
		case n.Ident != nil:
			Inspect(n.Ident, f)
		case n.Str != nil:
			Inspect(n.Str, f)
		case n.Interp != nil:
			Inspect(n.Interp, f)
		}
	case *Select:
		Inspect(n.X, f)
		inspectPath(n.Path, f)
		Inspect(n.Default, f)
	case *HasAttr:
		Inspect(n.X, f)
		inspectPath(n.Path, f)
	case *Apply:
		Inspect(n.Fn, f)
		Inspect(n.Arg, f)
	case *Unary:
		Inspect(n.X, f)
	case *Binary:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *Lambda:
		// In source order: `x@{...}` or `{...}@x`.
		paramFirst := n.Param != nil && (n.Formals == nil || n.Param.Start < n.Formals.Start)
		if paramFirst {
			Inspect(n.Param, f)
		}
		if n.Formals != nil {
			Inspect(n.Formals, f)
		}
		if n.Param != nil && !paramFirst {
			Inspect(n.Param, f)
		}
		Inspect(n.Body, f)
	case *Formals:
		for _, fm := range n.List {
			Inspect(fm, f)
		}
	case *Formal:
		if n.Name != nil {
			Inspect(n.Name, f)
		}
		Inspect(n.Default, f)
	case *If:
		Inspect(n.Cond, f)
		Inspect(n.Then, f)
		Inspect(n.Else, f)
	case *Assert:
		Inspect(n.Cond, f)
		Inspect(n.Body, f)
	case *With:
		Inspect(n.Env, f)
		Inspect(n.Body, f)
	}
}

func inspectBindings(bs []Binding, f func(Node) bool) {
	for _, b := range bs {
		Inspect(b, f)
	}
}

func inspectPath(path []*AttrName, f func(Node) bool) {
	for _, a := range path {
		Inspect(a, f)
	}
}

// isNil reports a nil interface or a typed nil pointer in one.
func isNil(n Node) bool {
	switch n := n.(type) {
	case nil:
		return true
	case *Ident:
		return n == nil
	case *String:
		return n == nil
	case *Interp:
		return n == nil
	case *Formals:
		return n == nil
	case *AttrSet:
		return n == nil
	}
	return false
}
