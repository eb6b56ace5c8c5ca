package syntax

// The AST keeps byte offsets into File.Src for every node. Offsets are
// half-open: [Start, End). A node's span covers its own tokens only, never the
// trivia (whitespace, comments) around it. Line and column are derived on
// demand through File.Position, so nodes stay small.

// Node is any syntax tree node.
//
// The method is NodeSpan, not Span: every node embeds the Span struct, and a
// struct cannot have both a field and a method named Span, so an interface
// method named Span could never be satisfied. Concrete nodes keep the field:
// n.Span, n.Start, n.End.
type Node interface {
	NodeSpan() Span
}

// Span is a half-open byte range of the source.
type Span struct {
	Start, End int
}

// Span returns s itself.
func (s Span) Span() Span { return s }

// NodeSpan lets Span itself satisfy Node; every node embeds Span and so gets
// this method.
func (s Span) NodeSpan() Span { return s }

// Len is the span's length in bytes.
func (s Span) Len() int { return s.End - s.Start }

// Expr is any expression node.
type Expr interface {
	Node
	exprNode()
}

// Ident is a variable reference: `x`, `__curPos`, or the "cursed" `or` used as
// an application argument.
type Ident struct {
	Span
	Name string
}

// Int is an integer literal; Value is valid when the literal fits in int64
// (an overflow is reported as a syntax error).
type Int struct {
	Span
	Value int64
}

// Float is a floating-point literal.
type Float struct {
	Span
	Value float64
}

// String is a double-quoted ("...") or indented (”...”) string. Parts
// alternate between literal text and interpolations; adjacent literal text is
// one part. For an indented string, Value of each StringText is the text after
// escape decoding but before indentation stripping; Indentation gives the
// number of leading spaces Nix strips from every line.
type String struct {
	Span
	Indented bool
	// Open and Close are the spans of the delimiters (`"`, `''`). For an
	// indented string Open includes the spaces and newline Nix folds into it.
	Open, Close Span
	Parts       []StringPart
	// Indentation is the common indentation stripped from indented strings.
	Indentation int

	stripped []string // per part: the final text of an indented string
	pieces   int      // Nix's tokens in an indented string's text, see staticName
}

// StringPart is *StringText or *Interp.
type StringPart interface {
	Node
	stringPart()
}

// StringText is one run of literal text inside a string or path. Raw is the
// bytes as written (Src[Start:End]); Value is the decoded text (escapes
// resolved, CRLF normalised to LF).
type StringText struct {
	Span
	Raw   string
	Value string
}

// Interp is `${ expr }` inside a string, a path, or as a dynamic attribute
// name. Its span covers `${` through `}`.
type Interp struct {
	Span
	X Expr
}

// Path is a path literal: `./a/b`, `/abs`, `~/home`, or an interpolated path
// `./a/${x}/b`. Parts are *StringText and *Interp.
type Path struct {
	Span
	Parts []StringPart
}

// SearchPath is `<nixpkgs>`; Value is the text between the brackets.
type SearchPath struct {
	Span
	Value string
}

// URI is an unquoted URI literal such as `https://example.org/x`.
type URI struct {
	Span
	Value string
}

// Paren is `( X )`.
type Paren struct {
	Span
	X Expr
}

// List is `[ Elems... ]`.
type List struct {
	Span
	Elems []Expr
}

// AttrSet is `{ ... }` or `rec { ... }`.
type AttrSet struct {
	Span
	Rec      bool
	LBrace   Span
	RBrace   Span
	Bindings []Binding

	clash bool // see hasClash; the parser sets it once
}

// LegacyLet is the old `let { ...; body = ...; }` form.
type LegacyLet struct {
	Span
	Bindings []Binding

	clash bool
}

// Let is `let bindings in Body`.
type Let struct {
	Span
	Bindings []Binding
	Body     Expr

	clash bool
}

// Binding is *Assign or *Inherit.
type Binding interface {
	Node
	bindingNode()
}

// Assign is `a.b."c".${d} = Value;`. Its span runs through the semicolon.
type Assign struct {
	Span
	Path  []*AttrName
	Value Expr
}

// Inherit is `inherit a b;` or `inherit (From) a b;`. Its span runs through
// the semicolon.
type Inherit struct {
	Span
	From  Expr // nil for a plain inherit
	Names []*AttrName
}

// AttrName is one element of an attribute path. Exactly one of Ident, Str and
// Interp is set. Static names (an identifier, a string without interpolation,
// or `${"literal"}`) have Static true and their name in Name.
type AttrName struct {
	Span
	Ident  *Ident  // `a`, also `or`
	Str    *String // `"a"`, `"a${b}"`
	Interp *Interp // `${ e }`
	Static bool
	Name   string
}

// Select is `X.a.b` or `X.a.b or Default`.
type Select struct {
	Span
	X       Expr
	Path    []*AttrName
	Default Expr // nil when there is no `or`
}

// HasAttr is `X ? a.b`.
type HasAttr struct {
	Span
	X    Expr
	Path []*AttrName
}

// Apply is function application `Fn Arg`.
type Apply struct {
	Span
	Fn, Arg Expr
}

// Unary is `!X` or `-X`.
type Unary struct {
	Span
	Op    TokenKind // NOT or MINUS
	OpPos Span
	X     Expr
}

// Binary is `X op Y`, including the pipe operators `|>` and `<|`.
type Binary struct {
	Span
	Op    TokenKind
	OpPos Span
	X, Y  Expr
}

// Lambda is `Param: Body`, `{ formals }: Body`, or with an `@` binding.
type Lambda struct {
	Span
	Param   *Ident   // `x: ...` or the `x` of `x@{...}` / `{...}@x`; may be nil
	Formals *Formals // nil for a plain `x: ...`
	Body    Expr
}

// Formals is `{ a, b ? default, ... }`.
type Formals struct {
	Span
	List     []*Formal
	Ellipsis bool
}

// Formal is one formal argument, with an optional default.
type Formal struct {
	Span
	Name    *Ident
	Default Expr // nil when none
}

// If is `if Cond then Then else Else`.
type If struct {
	Span
	Cond, Then, Else Expr
}

// Assert is `assert Cond; Body`.
type Assert struct {
	Span
	Cond, Body Expr
}

// With is `with Env; Body`.
type With struct {
	Span
	Env, Body Expr
}

// Bad stands in for an expression that failed to parse, so a tree with
// errors can still be walked.
type Bad struct {
	Span
}

func (*Ident) exprNode()      {}
func (*Int) exprNode()        {}
func (*Float) exprNode()      {}
func (*String) exprNode()     {}
func (*Path) exprNode()       {}
func (*SearchPath) exprNode() {}
func (*URI) exprNode()        {}
func (*Paren) exprNode()      {}
func (*List) exprNode()       {}
func (*AttrSet) exprNode()    {}
func (*LegacyLet) exprNode()  {}
func (*Let) exprNode()        {}
func (*Select) exprNode()     {}
func (*HasAttr) exprNode()    {}
func (*Apply) exprNode()      {}
func (*Unary) exprNode()      {}
func (*Binary) exprNode()     {}
func (*Lambda) exprNode()     {}
func (*If) exprNode()         {}
func (*Assert) exprNode()     {}
func (*With) exprNode()       {}
func (*Bad) exprNode()        {}

func (*StringText) stringPart() {}
func (*Interp) stringPart()     {}

func (*Assign) bindingNode()  {}
func (*Inherit) bindingNode() {}
