package syntax

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// File is a parsed Nix source file.
type File struct {
	Name string
	Src  []byte
	// Tokens covers every byte of Src exactly once, trivia and ERROR tokens
	// included, in order: concatenating their texts gives back Src. It is
	// nil after ParseMode with SkipTokens; Lex(Src) gives the same tokens.
	Tokens []Token
	// Root is the file's expression; a *Bad when nothing could be parsed.
	Root Expr

	linesOnce sync.Once
	lines     []int // offsets of line starts
}

// Parse parses one Nix file. It always returns a non-nil *File; err is an
// ErrorList sorted by position, or nil.
func Parse(filename string, src []byte) (*File, error) {
	return parseMode(filename, src, true, 0)
}

// Mode selects what ParseMode skips, for callers that parse many files and
// need less than Parse gives.
type Mode uint

const (
	// SkipTokens leaves File.Tokens nil; Lex gives the tokens of a file
	// when they are needed after all. The parser's tokens, trivia left
	// out, are then lexed into a buffer reused from file to file.
	SkipTokens Mode = 1 << iota
	// ShareSource makes the names and texts of the tree alias src instead
	// of a copy of it: the caller hands src over and must never modify it
	// afterwards.
	ShareSource
)

// ParseMode is Parse with the savings of mode; the tree and the errors are
// the same.
func ParseMode(filename string, src []byte, mode Mode) (*File, error) {
	return parseMode(filename, src, true, mode)
}

// Lex returns the tokens of src, as Parse stores them in File.Tokens.
func Lex(src []byte) []Token { return lex(src, func(int, string) {}) }

// tokPool holds the token buffers of SkipTokens parses.
var tokPool = sync.Pool{New: func() any { return new([]Token) }}

func parseMode(filename string, src []byte, checkScope bool, mode Mode) (*File, error) {
	return parseIn(new(arena), filename, src, checkScope, mode)
}

func parseIn(a *arena, filename string, src []byte, checkScope bool, mode Mode) (*File, error) {
	f := &File{Name: filename, Src: src}
	p := &parser{f: f, src: src, arena: a}
	p.parserStacks = a.stacks
	a.stacks = parserStacks{} // a parse nested in this one starts afresh
	defer p.returnStacks()
	if mode&ShareSource != 0 {
		// Safe as long as src is never modified, which the caller promised.
		p.str = unsafe.String(unsafe.SliceData(src), len(src))
	} else {
		p.str = string(src)
	}
	p.initSlabs(len(src))
	if off, msg := encodingError(src); msg != "" {
		p.lexError(off, msg)
	}
	var pooled *[]Token
	if mode&SkipTokens != 0 {
		pooled = tokPool.Get().(*[]Token)
		p.toks = lexInto((*pooled)[:0], src, p.lexError, true)
	} else {
		f.Tokens = lex(src, p.lexError)
		p.toks = f.Tokens
	}
	p.i = -1
	p.next()
	f.Root = p.parseFile()
	if checkScope && len(p.lexErrs) == 0 && len(p.parseErrs) == 0 {
		p.checkScopesSafely(f.Root)
	}
	if pooled != nil {
		if cap(p.toks) <= 1<<20 { // keep no huge buffer alive
			*pooled = p.toks[:0]
			tokPool.Put(pooled)
		}
		p.toks = nil
	}
	return f, p.errorList().Err()
}

// returnStacks gives the parser's scratch stacks back to its arena, emptied.
func (p *parser) returnStacks() {
	st := &p.parserStacks
	clear(st.bindStack[:cap(st.bindStack)]) // drop the nodes
	clear(st.exprStack[:cap(st.exprStack)])
	clear(st.nameStack[:cap(st.nameStack)])
	clear(st.partStack[:cap(st.partStack)])
	clear(st.pieces[:cap(st.pieces)])
	p.arena.stacks = parserStacks{
		bindStack: st.bindStack[:0],
		exprStack: st.exprStack[:0],
		nameStack: st.nameStack[:0],
		partStack: st.partStack[:0],
		pieces:    st.pieces[:0],
		scratch:   st.scratch[:0],
	}
}

// encodingError finds the first NUL byte or invalid UTF-8 sequence in src.
// Nix 2.8 lets both through inside strings and comments, but pinner rewrites
// the files it parses and will not edit one that is not text: a NUL or a
// stray byte there is far more likely a damaged file than intent. The corpus
// keeps such files in stricter/, where the tests assert Nix accepts them.
func encodingError(src []byte) (off int, msg string) {
	if utf8.Valid(src) {
		if i := bytes.IndexByte(src, 0); i >= 0 {
			return i, "NUL byte in file; Nix files must be text"
		}
		return 0, ""
	}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return i, fmt.Sprintf("invalid UTF-8 byte 0x%02x; Nix files must be UTF-8 text", src[i])
		case r == 0:
			return i, "NUL byte in file; Nix files must be text"
		}
		i += size
	}
	return 0, ""
}

// Position converts a byte offset into a line and column.
func (f *File) Position(offset int) Position {
	f.linesOnce.Do(f.buildLines)
	if offset < 0 {
		offset = 0
	}
	if offset > len(f.Src) {
		offset = len(f.Src)
	}
	lo, hi := 0, len(f.lines)
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if f.lines[m] <= offset {
			lo = m
		} else {
			hi = m
		}
	}
	return Position{Filename: f.Name, Offset: offset, Line: lo + 1, Column: offset - f.lines[lo] + 1}
}

// buildLines records line starts; like Nix, CR, LF and CRLF each end a line.
func (f *File) buildLines() {
	src := f.Src
	lines := make([]int, 1, len(src)/32+1)
	if bytes.IndexByte(src, '\r') < 0 {
		// LF only: jump from newline to newline.
		for i := 0; ; {
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			lines = append(lines, i)
		}
		f.lines = lines
		return
	}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			lines = append(lines, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			lines = append(lines, i+1)
		}
	}
	f.lines = lines
}

type bailout struct{}

// maxErrors bounds the errors reported, each from the lexer and the parser.
const maxErrors = 10

type rawError struct {
	off int
	msg string
}

type parser struct {
	f    *File
	src  []byte
	str  string // src as a string: names and texts are substrings of it
	toks []Token

	i       int // index in toks of the current token; len(toks) at EOF
	tok     TokenKind
	span    Span
	prevEnd int // end of the last consumed token

	lexErrs   []rawError
	swallowed bool // an unterminated comment ran to the end of input
	parseErrs []rawError
	lastErr   int // offset of the last parse error, to report one per offset
	depth     int

	*arena // the nodes' memory

	// Scratch stacks that nested constructs share while collecting items:
	// bindStack, exprStack, nameStack, partStack; pieces, of the indented
	// string being parsed; scratch, stripIndentation's buffer. They come
	// from the arena and go back to it.
	parserStacks
}

func (p *parser) lexError(off int, msg string) {
	if msg == msgUnterminatedComment {
		p.swallowed = true
	}
	if len(p.lexErrs) < maxErrors {
		p.lexErrs = append(p.lexErrs, rawError{off, msg})
	}
}

func (p *parser) errorList() ErrorList {
	var list ErrorList
	for _, errs := range [][]rawError{p.lexErrs, p.parseErrs} {
		for _, e := range errs {
			list = append(list, newError(p.f.Position(e.off), e.msg))
		}
	}
	list.Sort()
	// An unterminated comment swallows the rest of the file; the parser's
	// complaint about the end of file adds nothing.
	if p.swallowed {
		kept := list[:0]
		for _, e := range list {
			if e.Offset != len(p.src) || !strings.HasPrefix(e.Msg, "unexpected end of file") {
				kept = append(kept, e)
			}
		}
		list = kept
	}
	// One error per position: a lexer error explains whatever the parser
	// then tripped over at the same place.
	out := list[:0]
	for _, e := range list {
		if len(out) > 0 && out[len(out)-1].Offset == e.Offset {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (p *parser) errorAt(off int, msg string) {
	if len(p.parseErrs) > 0 && p.lastErr == off {
		return
	}
	p.lastErr = off
	p.parseErrs = append(p.parseErrs, rawError{off, msg})
	if len(p.parseErrs) >= maxErrors {
		panic(bailout{})
	}
}

// unexpected reports the current token as unexpected. An ERROR token was
// already reported by the lexer.
func (p *parser) unexpected(expecting string) {
	if p.tok == ERROR {
		p.lastErr = p.span.Start
		return
	}
	msg := "unexpected " + p.tok.String()
	if expecting != "" {
		msg += ", expecting " + expecting
	}
	p.errorAt(p.span.Start, msg)
}

func (p *parser) next() {
	if p.i >= 0 && p.i < len(p.toks) {
		p.prevEnd = p.toks[p.i].End
	}
	p.i++
	for p.i < len(p.toks) && p.toks[p.i].Kind.IsTrivia() {
		p.i++
	}
	if p.i < len(p.toks) && p.toks[p.i].Kind != NUL {
		t := p.toks[p.i]
		p.tok, p.span = t.Kind, t.Span
	} else {
		end := len(p.src)
		if p.i < len(p.toks) {
			end = p.toks[p.i].Start // a NUL byte ends the input for Nix
		}
		p.i = len(p.toks)
		p.tok, p.span = EOF, Span{end, end}
	}
}

// peek returns the kind of the n-th significant token after the current one.
func (p *parser) peek(n int) TokenKind {
	for i := p.i + 1; i < len(p.toks); i++ {
		if k := p.toks[i].Kind; !k.IsTrivia() {
			n--
			if n == 0 {
				return k
			}
		}
	}
	return EOF
}

func (p *parser) expect(k TokenKind) bool {
	if p.tok == k {
		p.next()
		return true
	}
	p.unexpected(k.String())
	return false
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.errorAt(p.span.Start, msgTooDeep)
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseFile() (root Expr) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			root = &Bad{Span{0, len(p.src)}}
		}
	}()
	if p.tok == EOF {
		p.unexpected("")
		return &Bad{Span{0, len(p.src)}}
	}
	x := p.parseExpr()
	if p.tok != EOF {
		p.unexpected(EOF.String())
	}
	return x
}

func (p *parser) checkScopesSafely(root Expr) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
	}()
	p.checkScopes(root)
}

func (p *parser) bad(start int) *Bad {
	end := p.prevEnd
	if end < start {
		end = start
	}
	return &Bad{Span{start, end}}
}

func (p *parser) ident() *Ident {
	id := p.idents.alloc()
	*id = Ident{Span: p.span, Name: p.str[p.span.Start:p.span.End]}
	p.next()
	return id
}

// parseExpr parses `expr` (expr_function in Nix's grammar).
func (p *parser) parseExpr() Expr {
	// No defer: a bailout abandons the whole parse, depth included.
	p.enter()
	x := p.parseExpr1()
	p.leave()
	return x
}

func (p *parser) parseExpr1() Expr {
	switch p.tok {
	case IDENT:
		switch p.peek(1) {
		case COLON:
			param := p.ident()
			p.next()
			body := p.parseExpr()
			return p.newLambda(Lambda{Span: Span{param.Start, body.NodeSpan().End}, Param: param, Body: body})
		case AT:
			param := p.ident()
			p.next()
			if p.tok != LBRACE {
				p.unexpected(LBRACE.String())
				return p.bad(param.Start)
			}
			return p.parseFormalsLambda(param)
		}
	case LBRACE:
		if p.isFormals() {
			return p.parseFormalsLambda(nil)
		}
	case ASSERT:
		start := p.span.Start
		p.next()
		cond := p.parseExpr()
		p.expect(SEMI)
		body := p.parseExpr()
		return &Assert{Span: Span{start, body.NodeSpan().End}, Cond: cond, Body: body}
	case WITH:
		start := p.span.Start
		p.next()
		env := p.parseExpr()
		p.expect(SEMI)
		body := p.parseExpr()
		return &With{Span: Span{start, body.NodeSpan().End}, Env: env, Body: body}
	case LET:
		if p.peek(1) != LBRACE {
			return p.parseLetIn()
		}
	case IF:
		start := p.span.Start
		p.next()
		cond := p.parseExpr()
		p.expect(THEN)
		then := p.parseExpr()
		p.expect(ELSE)
		els := p.parseExpr()
		return &If{Span: Span{start, els.NodeSpan().End}, Cond: cond, Then: then, Else: els}
	}
	return p.parsePipe()
}

// isFormals decides, at '{', between a lambda's formals and an attribute
// set, as Nix's GLR parser does by looking ahead.
func (p *parser) isFormals() bool {
	switch p.peek(1) {
	case RBRACE:
		k := p.peek(2)
		return k == COLON || k == AT
	case ELLIPSIS:
		return true
	case IDENT:
		switch p.peek(2) {
		case COMMA, QUESTION:
			return true
		case RBRACE:
			k := p.peek(3)
			return k == COLON || k == AT
		}
	}
	return false
}

func (p *parser) parseFormalsLambda(param *Ident) Expr {
	start := p.span.Start
	if param != nil {
		start = param.Start
	}
	formals := p.parseFormals()
	if param == nil && p.tok == AT {
		p.next()
		if p.tok != IDENT {
			p.unexpected(IDENT.String())
			return p.bad(start)
		}
		param = p.ident()
	}
	p.expect(COLON)
	body := p.parseExpr()
	p.checkFormals(start, param, formals)
	return p.newLambda(Lambda{Span: Span{start, body.NodeSpan().End}, Param: param, Formals: formals, Body: body})
}

func (p *parser) parseFormals() *Formals {
	fs := &Formals{Span: Span{Start: p.span.Start}}
	p.next() // '{'
loop:
	for {
		switch p.tok {
		case IDENT:
			name := p.ident()
			f := p.formals.alloc()
			*f = Formal{Span: name.Span, Name: name}
			if p.tok == QUESTION {
				p.next()
				f.Default = p.parseExpr()
				f.End = f.Default.NodeSpan().End
			}
			fs.List = append(fs.List, f)
			if p.tok != COMMA {
				break loop
			}
			p.next()
		case ELLIPSIS:
			fs.Ellipsis = true
			p.next()
			break loop
		default:
			break loop
		}
	}
	if p.tok != RBRACE {
		p.unexpected(RBRACE.String())
		// Skip to the closing brace, so that `: body` still parses.
		depth := 0
	skip:
		for p.tok != EOF {
			switch p.tok {
			case LBRACE, DOLLAR_CURLY:
				depth++
			case RBRACE:
				if depth == 0 {
					break skip
				}
				depth--
			case COLON:
				if depth == 0 {
					break skip
				}
			}
			p.next()
		}
	}
	if p.tok == RBRACE {
		fs.End = p.span.End
		p.next()
	} else {
		fs.End = p.prevEnd
	}
	return fs
}

func (p *parser) checkFormals(start int, param *Ident, fs *Formals) {
	seen := make(map[string]bool, len(fs.List))
	for _, f := range fs.List {
		if seen[f.Name.Name] {
			p.errorAt(f.Start, fmt.Sprintf("duplicate formal function argument '%s'", f.Name.Name))
		}
		seen[f.Name.Name] = true
	}
	if param != nil && seen[param.Name] {
		p.errorAt(start, fmt.Sprintf("duplicate formal function argument '%s'", param.Name))
	}
}

func (p *parser) parseLetIn() Expr {
	start := p.span.Start
	p.next()
	binds := p.parseBindings(IN)
	p.expect(IN)
	body := p.parseExpr()
	for _, b := range binds {
		if a, ok := b.(*Assign); ok && len(a.Path) > 0 && !a.Path[0].Static {
			p.errorAt(start, "dynamic attributes not allowed in let")
			break
		}
	}
	clash := p.checkBindings(binds)
	return &Let{Span: Span{start, body.NodeSpan().End}, Bindings: binds, Body: body, clash: clash}
}

// Binary operator precedence, loosest first; see NIX-SYNTAX.md.
const (
	precImpl = 1 + iota
	precOr
	precAnd
	precEq
	precCmp
	precUpdate
	precNot
	precAdd
	precMul
	precConcat
	precHasAttr
	precNeg
)

var binPrec = [numTokenKinds]int8{
	IMPL:     precImpl,
	OR:       precOr,
	AND:      precAnd,
	EQ:       precEq,
	NEQ:      precEq,
	LT:       precCmp,
	GT:       precCmp,
	LEQ:      precCmp,
	GEQ:      precCmp,
	UPDATE:   precUpdate,
	PLUS:     precAdd,
	MINUS:    precAdd,
	MUL:      precMul,
	DIV:      precMul,
	CONCAT:   precConcat,
	QUESTION: precHasAttr,
}

func (p *parser) parsePipe() Expr {
	x := p.parseBinary(precImpl)
	switch p.tok {
	case PIPE_INTO:
		for p.tok == PIPE_INTO {
			op := p.span
			p.next()
			y := p.parseBinary(precImpl)
			x = p.newBinary(Binary{Span: Span{x.NodeSpan().Start, y.NodeSpan().End}, Op: PIPE_INTO, OpPos: op, X: x, Y: y})
		}
		if p.tok == PIPE_FROM {
			p.errorAt(p.span.Start, "unexpected '<|': '|>' and '<|' cannot be mixed without parentheses")
		}
	case PIPE_FROM:
		xs := []Expr{x}
		var ops []Span
		for p.tok == PIPE_FROM {
			ops = append(ops, p.span)
			p.next()
			xs = append(xs, p.parseBinary(precImpl))
		}
		if p.tok == PIPE_INTO {
			p.errorAt(p.span.Start, "unexpected '|>': '|>' and '<|' cannot be mixed without parentheses")
		}
		x = p.foldRight(PIPE_FROM, xs, ops)
	}
	return x
}

func (p *parser) foldRight(op TokenKind, xs []Expr, ops []Span) Expr {
	y := xs[len(xs)-1]
	for k := len(ops) - 1; k >= 0; k-- {
		y = p.newBinary(Binary{Span: Span{xs[k].NodeSpan().Start, y.NodeSpan().End}, Op: op, OpPos: ops[k], X: xs[k], Y: y})
	}
	return y
}

// parseBinary is precedence climbing over expr_op.
func (p *parser) parseBinary(minPrec int) Expr {
	x := p.parsePrefix()
	for {
		prec := int(binPrec[p.tok])
		if prec == 0 || prec < minPrec {
			return x
		}
		op, opPos := p.tok, p.span
		switch prec {
		case precHasAttr:
			p.next()
			path := p.parseAttrPath()
			x = &HasAttr{Span: Span{x.NodeSpan().Start, p.prevEnd}, X: x, Path: path}
		case precImpl, precUpdate, precConcat:
			// Right associative: gather the chain, then fold from the right.
			xs := []Expr{x}
			var ops []Span
			for binPrec[p.tok] == int8(prec) {
				ops = append(ops, p.span)
				p.next()
				xs = append(xs, p.parseBinary(prec+1))
			}
			x = p.foldRight(op, xs, ops)
		default:
			p.next()
			y := p.parseBinary(prec + 1)
			x = p.newBinary(Binary{Span: Span{x.NodeSpan().Start, y.NodeSpan().End}, Op: op, OpPos: opPos, X: x, Y: y})
			if (prec == precEq || prec == precCmp) && int(binPrec[p.tok]) == prec {
				p.unexpected("") // non-associative: a == b == c
			}
		}
	}
}

func (p *parser) parsePrefix() Expr {
	switch p.tok {
	case NOT, MINUS:
		p.enter()
		op, opPos := p.tok, p.span
		p.next()
		var x Expr
		if op == NOT {
			x = p.parseBinary(precNot + 1)
		} else {
			x = p.parseBinary(precNeg + 1)
		}
		p.leave()
		return &Unary{Span: Span{opPos.Start, x.NodeSpan().End}, Op: op, OpPos: opPos, X: x}
	}
	return p.parseApp()
}

// startsSimple reports whether the current token can begin expr_simple.
func (p *parser) startsSimple() bool {
	switch p.tok {
	case IDENT, INT, FLOAT, DQUOTE, IND_STRING_OPEN, PATH, HPATH, SPATH, URI_LIT,
		LPAREN, LBRACE, LBRACK, REC:
		return true
	case LET:
		return p.peek(1) == LBRACE
	}
	return false
}

func (p *parser) parseApp() Expr {
	x := p.parseSelect()
	for p.startsSimple() {
		y := p.parseSelect()
		a := p.applies.alloc()
		*a = Apply{Span: Span{x.NodeSpan().Start, y.NodeSpan().End}, Fn: x, Arg: y}
		x = a
	}
	return x
}

func (p *parser) parseSelect() Expr {
	x := p.parseSimple()
	switch p.tok {
	case DOT:
		p.next()
		path := p.parseAttrPath()
		sel := p.selects.alloc()
		*sel = Select{Span: Span{x.NodeSpan().Start, p.prevEnd}, X: x, Path: path}
		if p.tok == OR_KW {
			p.next()
			p.enter()
			sel.Default = p.parseSelect()
			p.leave()
			sel.End = sel.Default.NodeSpan().End
		}
		return sel
	case OR_KW:
		// The "cursed or": `f or` applies f to a variable named or.
		id := &Ident{Span: p.span, Name: "or"}
		p.next()
		return &Apply{Span: Span{x.NodeSpan().Start, id.End}, Fn: x, Arg: id}
	}
	return x
}

func (p *parser) parseAttrPath() []*AttrName {
	base := len(p.nameStack)
	for {
		a := p.parseAttrName()
		if a == nil {
			break
		}
		p.nameStack = append(p.nameStack, a)
		if p.tok != DOT {
			break
		}
		p.next()
	}
	if len(p.nameStack) == base {
		return nil
	}
	path := p.namesCopy.copy(p.nameStack[base:])
	p.nameStack = p.nameStack[:base]
	return path
}

// parseAttrName parses one attribute name, or reports an error and returns
// nil.
func (p *parser) parseAttrName() *AttrName {
	switch p.tok {
	case IDENT, OR_KW:
		// One allocation for both nodes.
		both := p.attrIdents.alloc()
		name := p.str[p.span.Start:p.span.End]
		both.id = Ident{Span: p.span, Name: name}
		both.a = AttrName{Span: p.span, Ident: &both.id, Static: true, Name: name}
		p.next()
		return &both.a
	case DQUOTE:
		s := p.parseString()
		a := &AttrName{Span: s.Span, Str: s}
		a.Name, a.Static = s.Literal()
		return a
	case DOLLAR_CURLY:
		in := p.parseInterp()
		a := &AttrName{Span: in.Span, Interp: in}
		x := in.X
		for {
			par, ok := x.(*Paren)
			if !ok {
				break
			}
			x = par.X
		}
		if s, ok := x.(*String); ok {
			a.Name, a.Static = s.Literal()
			// Nix keeps an indented string made of several of its
			// tokens as a concatenation, which is not a static name.
			if s.Indented && s.pieces > 1 {
				a.Name, a.Static = "", false
			}
		}
		return a
	}
	p.unexpected("attribute name")
	return nil
}

func (p *parser) parseInterp() *Interp {
	start := p.span.Start
	p.next() // ${
	x := p.parseExpr()
	if p.tok == RBRACE {
		end := p.span.End
		p.next()
		in := p.interps.alloc()
		*in = Interp{Span: Span{start, end}, X: x}
		return in
	}
	p.unexpected(RBRACE.String())
	// Skip to the '}' that the lexer pairs with this '${', so that a
	// surrounding string or path continues in step with the lexer.
	depth := 0
	for p.tok != EOF {
		switch p.tok {
		case LBRACE, DOLLAR_CURLY:
			depth++
		case RBRACE:
			if depth == 0 {
				p.next()
				return &Interp{Span: Span{start, p.prevEnd}, X: x}
			}
			depth--
		}
		p.next()
	}
	return &Interp{Span: Span{start, p.prevEnd}, X: x}
}

func (p *parser) parseSimple() Expr {
	start := p.span.Start
	switch p.tok {
	case IDENT:
		return p.ident()
	case INT:
		return p.parseInt()
	case FLOAT:
		return p.parseFloat()
	case DQUOTE:
		return p.parseString()
	case IND_STRING_OPEN:
		return p.parseIndString()
	case PATH, HPATH:
		return p.parsePath()
	case SPATH:
		x := &SearchPath{Span: p.span, Value: p.str[p.span.Start+1 : p.span.End-1]}
		p.next()
		return x
	case URI_LIT:
		x := &URI{Span: p.span, Value: p.str[p.span.Start:p.span.End]}
		p.next()
		return x
	case LPAREN:
		p.next()
		x := p.parseExpr()
		if p.tok != RPAREN {
			p.unexpected(RPAREN.String())
			return &Paren{Span: Span{start, p.prevEnd}, X: x}
		}
		end := p.span.End
		p.next()
		return &Paren{Span: Span{start, end}, X: x}
	case LBRACE:
		return p.parseAttrSet(start, false)
	case REC:
		p.next()
		if p.tok != LBRACE {
			p.unexpected(LBRACE.String())
			return p.bad(start)
		}
		return p.parseAttrSet(start, true)
	case LET:
		p.next() // '{' follows, see startsSimple
		if p.tok != LBRACE {
			p.unexpected(LBRACE.String())
			return p.bad(start)
		}
		p.next()
		binds := p.parseBindings(RBRACE)
		end := p.span.End
		if !p.expect(RBRACE) {
			end = p.prevEnd
		}
		clash := p.checkBindings(binds)
		return &LegacyLet{Span: Span{start, end}, Bindings: binds, clash: clash}
	case LBRACK:
		p.enter()
		l := p.parseList(start)
		p.leave()
		return l
	}
	p.unexpected("expression")
	if !p.isCloser() {
		p.next()
	}
	return p.bad(start)
}

func (p *parser) parseList(start int) *List {
	{
		p.next()
		l := p.lists.alloc()
		base := len(p.exprStack)
		for p.tok != RBRACK {
			if p.startsSimple() {
				p.exprStack = append(p.exprStack, p.parseSelect())
				continue
			}
			p.unexpected(RBRACK.String())
			if p.isCloser() {
				l.Elems = p.exprsCopy.copy(p.exprStack[base:])
				p.exprStack = p.exprStack[:base]
				l.Span = Span{start, p.prevEnd}
				return l
			}
			p.next()
		}
		if len(p.exprStack) > base {
			l.Elems = p.exprsCopy.copy(p.exprStack[base:])
			p.exprStack = p.exprStack[:base]
		}
		l.Span = Span{start, p.span.End}
		p.next()
		return l
	}
}

// isCloser reports tokens that end an enclosing construct; error recovery
// stops in front of them.
func (p *parser) isCloser() bool {
	switch p.tok {
	case EOF, RBRACE, RBRACK, RPAREN, SEMI, IN, THEN, ELSE, DQUOTE, IND_STRING_CLOSE:
		return true
	}
	return false
}

func (p *parser) parseInt() Expr {
	b := p.src[p.span.Start:p.span.End]
	var v int64
	for _, c := range b {
		d := int64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			p.errorAt(p.span.Start, fmt.Sprintf("invalid integer '%s'", b))
			v = 0
			break
		}
		v = v*10 + d
	}
	x := p.ints.alloc()
	*x = Int{Span: p.span, Value: v}
	p.next()
	return x
}

func (p *parser) parseFloat() Expr {
	b := p.src[p.span.Start:p.span.End]
	v, err := strconv.ParseFloat(string(b), 64)
	// Nix uses strtod and rejects what sets ERANGE: overflow, and underflow
	// to a subnormal or to zero.
	if err != nil || v != 0 && math.Abs(v) < 0x1p-1022 || v == 0 && hasNonZeroMantissa(b) {
		p.errorAt(p.span.Start, fmt.Sprintf("invalid float '%s'", b))
	}
	x := &Float{Span: p.span, Value: v}
	p.next()
	return x
}

func hasNonZeroMantissa(b []byte) bool {
	for _, c := range b {
		if c == 'e' || c == 'E' {
			return false
		}
		if '1' <= c && c <= '9' {
			return true
		}
	}
	return false
}

func (p *parser) parsePath() Expr {
	x := &Path{Span: Span{Start: p.span.Start}}
	text := &StringText{Span: p.span}
	p.next()
	texts, interps := 0, 0 // PATH_TEXT tokens before the first interpolation
	for p.span.Start == p.prevEnd {
		switch p.tok {
		case PATH_TEXT:
			if interps == 0 {
				texts++
			}
			if text == nil {
				text = &StringText{Span: p.span}
			}
			text.End = p.span.End
			p.next()
			continue
		case DOLLAR_CURLY:
			if text != nil {
				text.Raw = p.str[text.Start:text.End]
				text.Value = text.Raw
				x.Parts = append(x.Parts, text)
				text = nil
			}
			x.Parts = append(x.Parts, p.parseInterp())
			interps++
			continue
		}
		break
	}
	if text != nil {
		text.Raw = p.str[text.Start:text.End]
		text.Value = text.Raw
		x.Parts = append(x.Parts, text)
	}
	x.End = p.prevEnd
	// Nix's grammar wants an interpolation in any path the lexer split, and
	// at most one literal piece before the first.
	if texts > 1 || texts == 1 && interps == 0 {
		p.errorAt(x.Start, "unexpected path continuation, expecting '${'")
	}
	return x
}

func (p *parser) parseString() *String {
	// Most strings are one piece of text: allocate them in one go.
	one := p.strings.alloc()
	s := &one.s
	s.Open = p.span
	p.next()
	base := len(p.partStack) // nested strings push above it
	for {
		switch p.tok {
		case STRING_TEXT:
			raw := p.str[p.span.Start:p.span.End]
			t := &one.t
			if len(p.partStack) > base {
				t = p.texts.alloc()
			}
			*t = StringText{Span: p.span, Raw: raw, Value: unescape(raw)}
			p.partStack = append(p.partStack, t)
			p.next()
			continue
		case DOLLAR_CURLY:
			in := p.parseInterp()
			p.partStack = append(p.partStack, in)
			continue
		case DQUOTE:
			p.takeParts(s, one, base)
			s.Close = p.span
			s.Span = Span{s.Open.Start, p.span.End}
			p.next()
			return s
		}
		p.takeParts(s, one, base)
		p.unterminated(s)
		return s
	}
}

// takeParts moves the parts of s above base in p.partStack to s.Parts.
func (p *parser) takeParts(s *String, one *oneString, base int) {
	parts := p.partStack[base:]
	switch len(parts) {
	case 0:
	case 1:
		one.parts[0] = parts[0]
		s.Parts = one.parts[:1]
	default:
		s.Parts = p.partsCopy.copy(parts)
	}
	clear(parts)
	p.partStack = p.partStack[:base]
}

func (p *parser) unterminated(s *String) {
	if p.tok == EOF {
		// An interpolation that ran into the end already said so.
		if len(p.parseErrs) == 0 || p.lastErr != p.span.Start {
			p.errorAt(s.Open.Start, "unterminated string")
		}
	} else {
		p.unexpected("end of string")
	}
	s.Span = Span{s.Open.Start, p.prevEnd}
}

// unescape decodes a double-quoted string's text like Nix's unescapeStr.
func unescape(raw string) string {
	if strings.IndexByte(raw, '\\') < 0 && strings.IndexByte(raw, '\r') < 0 {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\\':
			if i+1 >= len(raw) {
				continue
			}
			i++
			switch c = raw[i]; c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			}
			b.WriteByte(c)
		case '\r':
			b.WriteByte('\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeInd decodes an indented string's literal text: ”' is ” and
// ”$ is $. Nix does not normalise line endings here.
func unescapeInd(raw string) string {
	if strings.Index(raw, "''") < 0 {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\'' && i+2 < len(raw) && raw[i+1] == '\'' {
			if raw[i+2] == '\'' {
				b.WriteString("''")
			} else {
				b.WriteByte(raw[i+2]) // ''$
			}
			i += 2
			continue
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// countIndPieces counts the tokens Nix's lexer makes of an indented
// string's literal text: maximal runs, and each ”' ”$ and lone $ or '.
func countIndPieces(raw string) int {
	n := 0
	inRun := false
	for i := 0; i < len(raw); {
		c := raw[i]
		var next byte
		if i+1 < len(raw) {
			next = raw[i+1]
		}
		switch {
		case c == '\'' && next == '\'' && i+2 < len(raw):
			n++ // ''' or ''$
			inRun = false
			i += 3
			continue
		case c == '$' && (i+1 == len(raw) || next == '\''),
			c == '\'' && (i+1 == len(raw) || next == '$'):
			n++ // lone $ or '
			inRun = false
			i++
			continue
		}
		if !inRun {
			n++
			inRun = true
		}
		if c == '$' || c == '\'' {
			i += 2
		} else {
			i++
		}
	}
	return n
}

// indPiece is one element of an indented string as Nix's stripIndentation
// sees it: literal text, an escape (`”\n`: its text is stripped like the
// rest, but it ends a line's leading whitespace) or an interpolation.
type indPiece struct {
	kind indKind
	part int // index in String.Parts
	val  string
}

type indKind uint8

const (
	indText indKind = iota
	indEscape
	indInterp
)

func (p *parser) parseIndString() *String {
	s := p.indStrings.alloc()
	s.Indented, s.Open = true, p.span
	p.next()
	// Take the shared buffer: a string nested in an interpolation gets a
	// fresh one.
	pieces := p.pieces[:0]
	p.pieces = nil
	for {
		switch p.tok {
		case STRING_TEXT:
			st := p.texts.alloc()
			st.Span = p.span
			var val strings.Builder
			first := len(pieces)
			for p.tok == STRING_TEXT {
				raw := p.str[p.span.Start:p.span.End]
				var v string
				esc := strings.HasPrefix(raw, "''\\")
				if esc {
					v = unescape(raw[2:])
				} else {
					v = unescapeInd(raw)
				}
				kind := indText
				if esc {
					kind = indEscape
					s.pieces++
				} else {
					s.pieces += countIndPieces(raw)
				}
				pieces = append(pieces, indPiece{kind: kind, part: len(s.Parts), val: v})
				st.End = p.span.End
				p.next()
			}
			st.Raw = p.str[st.Start:st.End]
			if len(pieces)-first == 1 {
				st.Value = pieces[first].val
			} else {
				for _, pc := range pieces[first:] {
					val.WriteString(pc.val)
				}
				st.Value = val.String()
			}
			s.Parts = append(s.Parts, st)
			continue
		case DOLLAR_CURLY:
			s.pieces++
			pieces = append(pieces, indPiece{kind: indInterp, part: len(s.Parts)})
			s.Parts = append(s.Parts, p.parseInterp())
			continue
		case IND_STRING_CLOSE:
			s.Close = p.span
			s.Span = Span{s.Open.Start, p.span.End}
			p.next()
		default:
			p.unterminated(s)
		}
		break
	}
	p.scratch = stripIndentation(s, pieces, p.scratch)
	clear(pieces) // drop the strings
	p.pieces = pieces[:0]
	return s
}

// stripIndentation computes what Nix's stripIndentation does after parsing
// an indented string: the common indentation in spaces, ignoring blank lines
// and a final whitespace-only line, removed from every line.
func stripIndentation(s *String, pieces []indPiece, scratch []byte) []byte {
	atStart := true
	minIndent, cur := math.MaxInt, 0
	for _, pc := range pieces {
		if pc.kind != indText {
			if atStart {
				atStart = false
				minIndent = min(minIndent, cur)
			}
			continue
		}
		for j := 0; j < len(pc.val); j++ {
			c := pc.val[j]
			if atStart {
				switch c {
				case ' ':
					cur++
				case '\n':
					cur = 0
				default:
					atStart = false
					minIndent = min(minIndent, cur)
				}
			} else if c == '\n' {
				atStart = true
				cur = 0
			}
		}
	}
	if minIndent != math.MaxInt {
		s.Indentation = minIndent
	}

	// Second pass: drop the indentation. Runs of bytes are copied whole;
	// the effect is that of Nix's byte-by-byte loop.
	s.stripped = make([]string, len(s.Parts))
	buf := scratch[:0]
	part := -1 // the part buf holds the text of
	flush := func() {
		if part >= 0 {
			s.stripped[part] = string(buf)
		}
		buf = buf[:0]
	}
	atStart = true
	dropped := 0
	for k, pc := range pieces {
		if pc.kind == indInterp {
			atStart = false
			dropped = 0
			continue
		}
		if pc.part != part {
			flush()
			part = pc.part
		}
		base := len(buf)
		v := pc.val
		for j := 0; j < len(v); {
			if !atStart {
				nl := strings.IndexByte(v[j:], '\n')
				if nl < 0 {
					buf = append(buf, v[j:]...)
					break
				}
				buf = append(buf, v[j:j+nl+1]...)
				j += nl + 1
				atStart = true
				continue
			}
			sp := j
			for j < len(v) && v[j] == ' ' {
				j++
			}
			if n := j - sp; n > 0 {
				// Each space is kept once dropped >= minIndent.
				if keep := dropped + n - max(dropped, minIndent); keep > 0 {
					buf = append(buf, v[j-keep:j]...)
				}
				dropped += n
			}
			if j == len(v) {
				break
			}
			if v[j] != '\n' {
				atStart = false
			}
			dropped = 0
			buf = append(buf, v[j])
			j++
		}
		if k == len(pieces)-1 {
			// Drop a final line made of spaces only.
			out := buf[base:]
			if nl := bytes.LastIndexByte(out, '\n'); nl >= 0 && len(bytes.Trim(out[nl+1:], " ")) == 0 {
				buf = buf[:base+nl+1]
			}
		}
	}
	flush()
	return buf
}

// Literal returns the string's value when it has no interpolation. For an
// indented string the indentation is stripped as Nix does.
func (s *String) Literal() (string, bool) {
	var b strings.Builder
	for i, part := range s.Parts {
		t, ok := part.(*StringText)
		if !ok {
			return "", false
		}
		if s.Indented && i < len(s.stripped) {
			b.WriteString(s.stripped[i])
		} else {
			b.WriteString(t.Value)
		}
	}
	if len(s.Parts) == 1 && !s.Indented {
		return s.Parts[0].(*StringText).Value, true
	}
	return b.String(), true
}

// TextValue returns the final value of the literal part Parts[i]: its decoded
// text, with the indentation stripped for an indented string. It returns ""
// for an interpolation.
func (s *String) TextValue(i int) string {
	t, ok := s.Parts[i].(*StringText)
	if !ok {
		return ""
	}
	if s.Indented && i < len(s.stripped) {
		return s.stripped[i]
	}
	return t.Value
}

func (p *parser) parseAttrSet(start int, rec bool) Expr {
	set := p.attrSets.alloc()
	*set = AttrSet{Rec: rec, LBrace: p.span}
	p.enter()
	p.next()
	set.Bindings = p.parseBindings(RBRACE)
	p.leave()
	if p.tok == RBRACE {
		set.RBrace = p.span
		p.next()
	} else {
		p.unexpected(RBRACE.String())
	}
	set.Span = Span{start, p.prevEnd}
	set.clash = p.checkBindings(set.Bindings)
	return set
}

// parseBindings collects bindings on a shared stack and copies them out
// once, to allocate one slice of the right size per set.
func (p *parser) parseBindings(end TokenKind) []Binding {
	base := len(p.bindStack)
	for {
		switch p.tok {
		case end, EOF:
			return p.bindingsFrom(base)
		case INHERIT:
			if b := p.parseInherit(); b != nil {
				p.bindStack = append(p.bindStack, b)
			}
		case IDENT, OR_KW, DQUOTE, DOLLAR_CURLY:
			if b := p.parseAssign(); b != nil {
				p.bindStack = append(p.bindStack, b)
			}
		case RBRACE, RBRACK, RPAREN, IN:
			p.unexpected(end.String())
			return p.bindingsFrom(base)
		default:
			p.unexpected(end.String())
			p.syncBinding()
		}
	}
}

func (p *parser) bindingsFrom(base int) []Binding {
	if len(p.bindStack) == base {
		return nil
	}
	bs := p.bindsCopy.copy(p.bindStack[base:])
	p.bindStack = p.bindStack[:base]
	return bs
}

// syncBinding skips to just after the next ';', or to a closing token, at
// the current nesting level.
func (p *parser) syncBinding() {
	depth := 0
	for p.tok != EOF {
		switch p.tok {
		case LBRACE, LBRACK, LPAREN, DOLLAR_CURLY:
			depth++
		case RBRACE, RBRACK, RPAREN:
			if depth == 0 {
				return
			}
			depth--
		case SEMI:
			if depth == 0 {
				p.next()
				return
			}
		case IN:
			if depth == 0 {
				return
			}
		}
		p.next()
	}
}

func (p *parser) parseAssign() Binding {
	start := p.span.Start
	var a *Assign
	var path []*AttrName
	if p.tok == IDENT && p.peek(1) == ASSIGN {
		// The common `name = value;`: one allocation for four objects.
		all := p.assigns.alloc()
		name := p.str[p.span.Start:p.span.End]
		all.id = Ident{Span: p.span, Name: name}
		all.an = AttrName{Span: p.span, Ident: &all.id, Static: true, Name: name}
		all.path[0] = &all.an
		a, path = &all.as, all.path[:]
		p.next()
	} else {
		a = p.plainAssigns.alloc()
		path = p.parseAttrPath()
	}
	if len(path) == 0 || p.tok != ASSIGN {
		if len(path) > 0 {
			p.unexpected(ASSIGN.String())
		}
		p.syncBinding()
		return nil
	}
	p.next()
	a.Path = path
	a.Value = p.parseExpr()
	if p.tok == SEMI {
		p.next()
	} else {
		p.unexpected(SEMI.String())
		p.syncBinding()
	}
	a.Span = Span{start, p.prevEnd}
	return a
}

func (p *parser) parseInherit() Binding {
	in := p.inherits.alloc()
	in.Span = Span{Start: p.span.Start}
	p.next()
	if p.tok == LPAREN {
		p.next()
		in.From = p.parseExpr()
		p.expect(RPAREN)
	}
	for p.tok != SEMI {
		switch p.tok {
		case IDENT, OR_KW, DQUOTE, DOLLAR_CURLY:
			a := p.parseAttrName()
			if !a.Static {
				p.errorAt(a.Start, "dynamic attributes not allowed in inherit")
			}
			in.Names = append(in.Names, a)
			continue
		}
		p.unexpected(SEMI.String())
		p.syncBinding()
		in.End = p.prevEnd
		return in
	}
	p.next()
	in.End = p.prevEnd
	return in
}

// attrScope mirrors the attribute table Nix builds while parsing a set, to
// report duplicate attributes exactly where Nix 2.8 does.
type attrScope struct {
	keys    []string
	entries []*attrEntry
	index   map[string]*attrEntry // once the scope is large
}

type attrEntry struct {
	pos       int
	inherited bool
	value     Expr       // the value, when the entry came from `name = value;`
	nested    *attrScope // the table of an attribute set Nix can merge into
}

// nestedScope returns the table the entry's value contributes to merges,
// building it from an attribute set literal on first use.
func (e *attrEntry) nestedScope(p *parser) *attrScope {
	if e.nested == nil && e.value != nil && !e.inherited {
		e.nested = p.scopeOf(e.value)
		e.value = nil
	}
	return e.nested
}

func (p *parser) newScope() *attrScope { return p.attrScopes.alloc() }

func (p *parser) newEntry(e attrEntry) *attrEntry {
	x := p.attrEntries.alloc()
	*x = e
	return x
}

func (s *attrScope) get(name string) *attrEntry {
	if s.index != nil {
		return s.index[name]
	}
	for i, k := range s.keys {
		if k == name {
			return s.entries[i]
		}
	}
	return nil
}

func (s *attrScope) add(name string, e *attrEntry) {
	if s.keys == nil {
		s.keys, s.entries = make([]string, 0, 4), make([]*attrEntry, 0, 4)
	}
	s.keys = append(s.keys, name)
	s.entries = append(s.entries, e)
	if s.index != nil {
		s.index[name] = e
	} else if len(s.keys) > 16 {
		s.index = make(map[string]*attrEntry, 2*len(s.keys))
		for i, k := range s.keys {
			s.index[k] = s.entries[i]
		}
	}
}

// checkBindings reports duplicate definitions. Two bindings can only clash
// when they start with the same static name, so sets without such a pair
// (nearly all) skip the full analysis. It returns whether they clash, for
// the scope check to reuse.
func (p *parser) checkBindings(binds []Binding) bool {
	if hasClash(binds) {
		p.scopeOfBindings(binds)
		return true
	}
	return false
}

// hasClash reports whether two bindings start with the same static name, the
// only case in which Nix merges attribute sets or finds duplicates.
func hasClash(binds []Binding) bool {
	if len(binds) == 0 {
		return false
	}
	var buf [32]string
	first := buf[:0]
	var seen map[string]bool
	clash := false
	note := func(name string) {
		if clash {
			return
		}
		if seen != nil {
			clash = seen[name]
			seen[name] = true
			return
		}
		for _, n := range first {
			if n == name {
				clash = true
				return
			}
		}
		first = append(first, name)
		if len(first) == cap(buf) {
			seen = make(map[string]bool, 2*len(first))
			for _, n := range first {
				seen[n] = true
			}
		}
	}
	for _, b := range binds {
		switch b := b.(type) {
		case *Assign:
			if len(b.Path) > 0 && b.Path[0].Static {
				note(b.Path[0].Name)
			}
		case *Inherit:
			for _, a := range b.Names {
				if a.Static {
					note(a.Name)
				}
			}
		}
	}
	return clash
}

// scopeOfBindings builds the attribute table Nix builds for a set or let,
// reporting duplicates as Nix 2.8 does.
func (p *parser) scopeOfBindings(binds []Binding) *attrScope {
	sc := p.newScope()
	sc.keys, sc.entries = make([]string, 0, len(binds)), make([]*attrEntry, 0, len(binds))
	for _, b := range binds {
		switch b := b.(type) {
		case *Assign:
			p.addAttr(sc, b.Path, b.Value, b.Start)
		case *Inherit:
			for _, a := range b.Names {
				if !a.Static {
					continue
				}
				if e := sc.get(a.Name); e != nil {
					p.dupAttr(showAttrName(a), a.Start, e.pos)
					continue
				}
				sc.add(a.Name, p.newEntry(attrEntry{pos: a.Start, inherited: true}))
			}
		}
	}
	return sc
}

func (p *parser) addAttr(sc *attrScope, path []*AttrName, value Expr, pos int) {
	if len(path) == 0 {
		return
	}
	for _, a := range path[:len(path)-1] {
		if !a.Static {
			sc = p.newScope() // dynamic: Nix checks nothing below it
			continue
		}
		if e := sc.get(a.Name); e != nil {
			if e.inherited || e.nestedScope(p) == nil {
				p.dupAttr(showAttrPath(path), pos, e.pos)
				return
			}
			sc = e.nested
			continue
		}
		ns := p.newScope()
		sc.add(a.Name, p.newEntry(attrEntry{pos: pos, nested: ns}))
		sc = ns
	}
	last := path[len(path)-1]
	if !last.Static {
		return
	}
	e := sc.get(last.Name)
	if e == nil {
		sc.add(last.Name, p.newEntry(attrEntry{pos: pos, value: value}))
		return
	}
	vs := p.scopeOf(value)
	if e.inherited || vs == nil || e.nestedScope(p) == nil {
		p.dupAttr(showAttrPath(path), pos, e.pos)
		return
	}
	// Nix 2.8 merges `a = { b = 1; }; a = { c = 2; };`.
	for i, name := range vs.keys {
		ve := vs.entries[i]
		if ex := e.nested.get(name); ex != nil {
			later, earlier := ve.pos, ex.pos
			if later < earlier {
				later, earlier = earlier, later
			}
			p.dupAttr(showName(name), later, earlier)
			continue
		}
		e.nested.add(name, ve)
	}
}

// scopeOf returns the attribute table of x if it is an attribute set
// literal (parentheses do not count: Nix has no node for them), or nil.
func (p *parser) scopeOf(x Expr) *attrScope {
	for {
		par, ok := x.(*Paren)
		if !ok {
			break
		}
		x = par.X
	}
	set, ok := x.(*AttrSet)
	if !ok {
		return nil
	}
	return p.scopeOfBindings(set.Bindings)
}

func (p *parser) dupAttr(name string, pos, prev int) {
	p.errorAt(pos, fmt.Sprintf("attribute '%s' already defined at %s", name, p.f.Position(prev)))
}

func showAttrPath(path []*AttrName) string {
	var b strings.Builder
	for i, a := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(showAttrName(a))
	}
	return b.String()
}

func showAttrName(a *AttrName) string {
	if !a.Static {
		return `"${...}"`
	}
	return showName(a.Name)
}

// showName prints an attribute name as Nix does: bare when it is an
// identifier, quoted otherwise.
func showName(name string) string {
	if isIdentifier(name) {
		return name
	}
	return strconv.Quote(name)
}

func isIdentifier(s string) bool {
	if s == "" || !(isLetter(s[0]) || s[0] == '_') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !idCharTab[s[i]] {
			return false
		}
	}
	_, kw := keywords[s]
	return !kw || s == "or"
}

// slab hands out zeroed T's from chunks, to allocate many small nodes at
// once. Nodes of one tree live and die together, so nothing is wasted for
// long.
type slab[T any] struct {
	buf    []T
	n      int   // size of the first chunk; initSlabs sets it
	chunks [][]T // every chunk, for an Arena to hand out again
	used   int   // the chunks handed out since the last reset
}

func (s *slab[T]) alloc() *T {
	if len(s.buf) == 0 {
		s.grow()
	}
	x := &s.buf[0]
	s.buf = s.buf[1:]
	return x
}

func (s *slab[T]) grow() {
	if s.used < len(s.chunks) {
		s.buf = s.chunks[s.used] // zeroed by reset
	} else {
		n := s.n // the first chunk, sized by initSlabs
		if s.used > 0 || n <= 0 {
			n = 32 // the hint fell short: small chunks waste little
		}
		s.buf = make([]T, min(n, 4096))
		s.chunks = append(s.chunks, s.buf)
	}
	s.used++
}

// reset zeroes what was handed out, to hand it out again: the chunks
// used whole, and of the last one the part before what is left of it.
// A large chunk a big file needed is not cleared whole for every small
// file after it.
func (s *slab[T]) reset() {
	if s.used > 0 {
		for _, c := range s.chunks[:s.used-1] {
			clear(c)
		}
		last := s.chunks[s.used-1]
		clear(last[:len(last)-len(s.buf)])
	}
	s.used, s.buf = 0, nil
}

// initSlabs sizes the first chunk of each slab for a source of n bytes, from
// the node densities of typical modules (on the low side: a short chunk
// is cheaper than a long one half used).
func (p *parser) initSlabs(n int) {
	p.assigns.n = n/56 + 4
	p.strings.n = n/64 + 4
	p.attrIdents.n = n/76 + 4
	p.idents.n = n/128 + 4
	p.attrSets.n = n/124 + 4
	p.plainAssigns.n = n/256 + 4
	p.lists.n = n/320 + 4
	p.interps.n = n/300 + 4
	p.applies.n = n/560 + 4
	p.texts.n = n/560 + 4
	p.ints.n = n/750 + 4
	p.selects.n = n/750 + 4
	p.attrScopes.n = n/400 + 4
	p.attrEntries.n = n/440 + 4
	p.bindsCopy.n = n/42 + 16
	p.namesCopy.n = n/74 + 16
	p.exprsCopy.n = n/170 + 16
	p.partsCopy.n = n/260 + 16
	// Rarer nodes: a first chunk of a few.
	p.indStrings.n = n/1024 + 4
	p.formals.n = n/512 + 4
	p.inherits.n = n/1024 + 4
	p.binaries.n = n/1024 + 4
	p.lambdas.n = n/1536 + 4
}

func (p *parser) newBinary(x Binary) *Binary {
	b := p.binaries.alloc()
	*b = x
	return b
}

func (p *parser) newLambda(x Lambda) *Lambda {
	l := p.lambdas.alloc()
	*l = x
	return l
}

// sliceSlab hands out copies of short slices from shared backing arrays.
// Each copy is capped at its length, so that appending to it reallocates
// rather than overwrite its neighbour.
type sliceSlab[T any] struct {
	buf    []T
	n      int   // capacity of the first backing array; initSlabs sets it
	chunks [][]T // every backing array, for an Arena to hand out again
	used   int   // the arrays handed out since the last reset
}

func (s *sliceSlab[T]) copy(xs []T) []T {
	if len(xs) == 0 {
		return nil // as append([]T(nil), xs...) gives
	}
	if len(xs) > cap(s.buf)-len(s.buf) {
		s.grow(len(xs))
	}
	i := len(s.buf)
	s.buf = append(s.buf, xs...)
	return s.buf[i:len(s.buf):len(s.buf)]
}

func (s *sliceSlab[T]) grow(need int) {
	for s.used < len(s.chunks) {
		c := s.chunks[s.used] // zeroed by reset
		s.used++
		if cap(c) >= need {
			s.buf = c[:0]
			return
		}
	}
	n := s.n // the first array, sized by initSlabs
	if s.used > 0 || n <= 0 {
		n = 128
	}
	s.buf = make([]T, 0, max(min(n, 1<<16), need))
	s.chunks = append(s.chunks, s.buf)
	s.used++
}

// reset zeroes the arrays handed out, to hand them out again.
func (s *sliceSlab[T]) reset() {
	for _, c := range s.chunks[:s.used] {
		clear(c[:cap(c)])
	}
	s.used, s.buf = 0, nil
}

// attrIdent is an identifier attribute name and its Ident.
type attrIdent struct {
	a  AttrName
	id Ident
}

// assignIdent is the common `name = value;` with its one-element path.
type assignIdent struct {
	as   Assign
	an   AttrName
	id   Ident
	path [1]*AttrName
}

// oneString is a string with a single text part.
type oneString struct {
	s     String
	t     StringText
	parts [1]StringPart
}

// arena holds the slabs a parse allocates its nodes from.
type arena struct {
	// Slabs for the most common nodes: fewer, larger allocations.
	idents     slab[Ident]
	attrIdents slab[attrIdent]
	assigns    slab[assignIdent]
	strings    slab[oneString]
	applies    slab[Apply]
	selects    slab[Select]
	ints       slab[Int]
	interps    slab[Interp]
	attrSets   slab[AttrSet]

	plainAssigns slab[Assign]
	lists        slab[List]
	texts        slab[StringText]
	partsCopy    sliceSlab[StringPart]

	indStrings slab[String]
	formals    slab[Formal]
	inherits   slab[Inherit]
	binaries   slab[Binary]
	lambdas    slab[Lambda]

	// The duplicate-attribute check's tables.
	attrScopes  slab[attrScope]
	attrEntries slab[attrEntry]

	// Backing arrays for the slices of the tree.
	bindsCopy sliceSlab[Binding]
	exprsCopy sliceSlab[Expr]
	namesCopy sliceSlab[*AttrName]

	// What a parse leaves for the next one to reuse: the parser's scratch
	// stacks and the scope checker's memory. Nothing of a tree points
	// into either.
	stacks  parserStacks
	checker scopeChecker
}

// parserStacks are the parser's scratch stacks, empty between parses.
type parserStacks struct {
	bindStack []Binding
	exprStack []Expr
	nameStack []*AttrName
	partStack []StringPart
	pieces    []indPiece
	scratch   []byte
}

// reset readies a for a new tree, whose nodes take the memory of the trees
// parsed before.
func (a *arena) reset() {
	a.idents.reset()
	a.attrIdents.reset()
	a.assigns.reset()
	a.strings.reset()
	a.applies.reset()
	a.selects.reset()
	a.ints.reset()
	a.interps.reset()
	a.attrSets.reset()
	a.plainAssigns.reset()
	a.lists.reset()
	a.texts.reset()
	a.partsCopy.reset()
	a.indStrings.reset()
	a.formals.reset()
	a.inherits.reset()
	a.binaries.reset()
	a.lambdas.reset()
	a.attrScopes.reset()
	a.attrEntries.reset()
	a.bindsCopy.reset()
	a.exprsCopy.reset()
	a.namesCopy.reset()
	a.checker.reset()
}

// An Arena lends its memory to the trees parsed with it, file after file:
// Reset hands the memory of every tree parsed with a so far to the next
// ones, so that those trees must no longer be used, nor anything of them
// (strings aside: they never live in an Arena). It saves the allocation and
// the collection of the trees of a long run of files that are each dropped
// before the next is parsed. The zero Arena is ready for use; it is not safe
// for concurrent use.
type Arena struct{ a arena }

// Reset makes the memory of the trees parsed with a so far available for
// the next ones; those trees must no longer be used.
func (a *Arena) Reset() { a.a.reset() }

// Parse is ParseMode with the nodes allocated in a.
func (a *Arena) Parse(filename string, src []byte, mode Mode) (*File, error) {
	return parseIn(&a.a, filename, src, true, mode)
}
