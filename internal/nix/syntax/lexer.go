package syntax

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// The lexer follows Nix's flex scanner (src/libexpr/lexer.l): the same token
// regexes, longest match, and a stack of start conditions so that `${`, `{`
// and `}` nest strings and paths to any depth. Unlike flex it never stops: a
// byte it cannot place becomes an ERROR token, so the tokens always cover the
// whole input.

type lexMode uint8

const (
	modeDefault   lexMode = iota
	modeString            // inside "..."
	modeIndString         // inside ''...''
	modePath              // INPATH: after a path piece that does not end in '/'
	modePathSlash         // INPATH_SLASH: after a path piece ending in '/'
)

const msgUnterminatedComment = "unterminated comment"

// maxDepth bounds both the lexer's mode stack and the parser's recursion.
// Nix's bison parser gives up at 10,000 stack entries (YYMAXDEPTH) and every
// level of nesting costs it at least one, so nothing Nix parses nests
// deeper: 9,995 parentheses, 3,331 lets, 4,997 interpolations are its
// limits (Nix 2.8). The recursion stays far from the Go stack's ceiling:
// TestDepthNixAccepts parses each construct at Nix's limit within a 64 MiB
// stack (Go's default allows 1 GiB).
const maxDepth = 10000

// msgTooDeep is the error at the token that passes maxDepth.
var msgTooDeep = fmt.Sprintf("expression nested too deeply (more than %d levels)", maxDepth)

type lexer struct {
	src   []byte
	pos   int
	toks  []Token
	stack []lexMode
	err   func(off int, msg string)

	// dropTrivia leaves whitespace and comments out of toks: the parser
	// skips them anyway.
	dropTrivia bool

	pathRunStart, pathRunEnd     int
	schemeRunStart, schemeRunEnd int
}

func lex(src []byte, errf func(off int, msg string)) []Token {
	return lexInto(make([]Token, 0, len(src)/3+16), src, errf, false)
}

// lexInto is lex appending to toks, without the trivia if dropTrivia.
func lexInto(toks []Token, src []byte, errf func(off int, msg string), dropTrivia bool) []Token {
	var stack [16]lexMode
	l := lexer{
		src:        src,
		toks:       toks,
		stack:      stack[:1],
		err:        errf,
		dropTrivia: dropTrivia,
	}
	l.run()
	return l.toks
}

func (l *lexer) run() {
	for l.pos < len(l.src) {
		switch l.stack[len(l.stack)-1] {
		case modeDefault:
			l.lexDefault()
		case modeString:
			l.lexString()
		case modeIndString:
			l.lexIndString()
		default:
			l.lexPath()
		}
		if len(l.stack) > maxDepth {
			l.err(l.pos, msgTooDeep)
			if l.pos < len(l.src) {
				l.emit(ERROR, len(l.src))
			}
			return
		}
	}
	if l.stack[len(l.stack)-1] == modePathSlash {
		l.err(l.pos, "path has a trailing slash")
	}
}

func (l *lexer) emit(k TokenKind, end int) {
	if !l.dropTrivia || !k.IsTrivia() {
		l.toks = append(l.toks, Token{Kind: k, Span: Span{l.pos, end}})
	}
	l.pos = end
}

func (l *lexer) push(m lexMode) { l.stack = append(l.stack, m) }

func (l *lexer) pop() {
	if len(l.stack) > 1 {
		l.stack = l.stack[:len(l.stack)-1]
	}
}

func (l *lexer) at(i int) byte {
	if i < len(l.src) {
		return l.src[i]
	}
	return 0
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

var (
	pathCharTab [256]bool
	idCharTab   [256]bool
	uriCharTab  [256]bool
	schemeTab   [256]bool
)

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := isLetter(b) || isDigit(b)
		pathCharTab[c] = alnum || b == '.' || b == '_' || b == '-' || b == '+'
		idCharTab[c] = alnum || b == '_' || b == '\'' || b == '-'
		schemeTab[c] = alnum || b == '+' || b == '-' || b == '.'
	}
	for _, b := range []byte("%/?:@&=+$,-_.!~*'") {
		uriCharTab[b] = true
	}
	for c := 0; c < 256; c++ {
		if isLetter(byte(c)) || isDigit(byte(c)) {
			uriCharTab[c] = true
		}
	}
}

// pathCharRun returns the end of the run of path characters at i. Runs are
// cached so that input like `1+1+1+…`, where every token start rescans the
// same run for a '/', stays linear.
func (l *lexer) pathCharRun(i int) int {
	if l.pathRunStart <= i && i < l.pathRunEnd {
		return l.pathRunEnd
	}
	j := i
	for j < len(l.src) && pathCharTab[l.src[j]] {
		j++
	}
	if j > i {
		l.pathRunStart, l.pathRunEnd = i, j
	}
	return j
}

// schemeRun is pathCharRun for URI scheme characters.
func (l *lexer) schemeRun(i int) int {
	if l.schemeRunStart <= i && i < l.schemeRunEnd {
		return l.schemeRunEnd
	}
	j := i
	for j < len(l.src) && schemeTab[l.src[j]] {
		j++
	}
	if j > i {
		l.schemeRunStart, l.schemeRunEnd = i, j
	}
	return j
}

// matchPath returns the length of {PATH} = PATH_CHAR*(/PATH_CHAR+)+/? at i.
func (l *lexer) matchPath(i int) int {
	j := l.pathCharRun(i)
	segs := 0
	for j+1 < len(l.src) && l.src[j] == '/' && pathCharTab[l.src[j+1]] {
		j = l.pathCharRun(j + 1)
		segs++
	}
	if segs == 0 {
		return 0
	}
	if j < len(l.src) && l.src[j] == '/' {
		j++
	}
	return j - i
}

// matchPathSeg returns the length of {PATH_SEG} = PATH_CHAR*/ at i.
func (l *lexer) matchPathSeg(i int) int {
	j := l.pathCharRun(i)
	if j < len(l.src) && l.src[j] == '/' {
		return j + 1 - i
	}
	return 0
}

// matchPathSegInterp returns the length of the PATH_SEG in {PATH_SEG}\$\{ at
// i, or 0.
func (l *lexer) matchPathSegInterp(i int) int {
	n := l.matchPathSeg(i)
	if n > 0 && l.at(i+n) == '$' && l.at(i+n+1) == '{' {
		return n
	}
	return 0
}

func (l *lexer) matchURI(i int) int {
	if !isLetter(l.at(i)) {
		return 0
	}
	j := l.schemeRun(i + 1)
	if l.at(j) != ':' {
		return 0
	}
	j++
	k := j
	for k < len(l.src) && uriCharTab[l.src[k]] {
		k++
	}
	if k == j {
		return 0
	}
	return k - i
}

func (l *lexer) digits(i int) int {
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	return i
}

// matchFloat returns the length of {FLOAT} at i.
func (l *lexer) matchFloat(i int) int {
	c := l.at(i)
	var j int
	switch {
	case '1' <= c && c <= '9':
		j = l.digits(i)
		if l.at(j) != '.' {
			return 0
		}
		j = l.digits(j + 1)
	case c == '0' && l.at(i+1) == '.' && isDigit(l.at(i+2)):
		j = l.digits(i + 2)
	case c == '.' && isDigit(l.at(i+1)):
		j = l.digits(i + 1)
	default:
		return 0
	}
	if e := l.at(j); e == 'e' || e == 'E' {
		k := j + 1
		if s := l.at(k); s == '+' || s == '-' {
			k++
		}
		if isDigit(l.at(k)) {
			j = l.digits(k)
		}
	}
	return j - i
}

// pathLike compares the path rules against the best other match of length
// best and emits the winner. It reports whether it emitted a path.
// lexOperator lexes an operator that is one character, or two when second
// follows (`/` or `//`), unless a longer path starts here.
func (l *lexer) lexOperator(second byte, one, two TokenKind) {
	if l.at(l.pos+1) == second {
		l.emitUnlessPath(two, 2)
	} else {
		l.emitUnlessPath(one, 1)
	}
}

// emitUnlessPath emits a token of kind and length n, unless a path longer
// than it starts here (flex's longest match), which it emits instead.
func (l *lexer) emitUnlessPath(kind TokenKind, n int) {
	if !l.pathLike(n) {
		l.emit(kind, l.pos+n)
	}
}

func (l *lexer) pathLike(best int) bool {
	p := l.matchPath(l.pos)
	seg := l.matchPathSegInterp(l.pos)
	if p > best && p >= seg+2 {
		l.emitPath(PATH, p)
		return true
	}
	if seg > 0 && seg+2 > best {
		l.emitPath(PATH, seg)
		return true
	}
	return false
}

func (l *lexer) emitPath(k TokenKind, n int) {
	end := l.pos + n
	if l.src[end-1] == '/' {
		l.push(modePathSlash)
	} else {
		l.push(modePath)
	}
	l.emit(k, end)
}

func (l *lexer) lexDefault() {
	src, i := l.src, l.pos
	c := src[i]
	switch c {
	case ' ', '\t', '\r', '\n':
		j := i + 1
		for j < len(src) {
			if d := src[j]; d != ' ' && d != '\t' && d != '\r' && d != '\n' {
				break
			}
			j++
		}
		l.emit(WHITESPACE, j)
		return
	case '#':
		j := i + 1
		for j < len(src) && src[j] != '\n' && src[j] != '\r' {
			j++
		}
		l.emit(COMMENT, j)
		return
	case '"':
		l.push(modeString)
		l.emit(DQUOTE, i+1)
		return
	case '{':
		l.push(modeDefault)
		l.emit(LBRACE, i+1)
		return
	case '}':
		l.pop()
		l.emit(RBRACE, i+1)
		return
	case '$':
		if l.at(i+1) == '{' {
			l.push(modeDefault)
			l.emit(DOLLAR_CURLY, i+2)
			return
		}
	case '\'':
		if l.at(i+1) == '\'' {
			j := i + 2
			k := j
			for k < len(src) && src[k] == ' ' {
				k++
			}
			if k < len(src) && src[k] == '\n' {
				j = k + 1
			}
			l.push(modeIndString)
			l.emit(IND_STRING_OPEN, j)
			return
		}
	case '[':
		l.emit(LBRACK, i+1)
		return
	case ']':
		l.emit(RBRACK, i+1)
		return
	case '(':
		l.emit(LPAREN, i+1)
		return
	case ')':
		l.emit(RPAREN, i+1)
		return
	case ';':
		l.emit(SEMI, i+1)
		return
	case ':':
		l.emit(COLON, i+1)
		return
	case ',':
		l.emit(COMMA, i+1)
		return
	case '@':
		l.emit(AT, i+1)
		return
	case '?':
		l.emit(QUESTION, i+1)
		return
	case '*':
		l.emit(MUL, i+1)
		return
	case '=':
		if l.at(i+1) == '=' {
			l.emit(EQ, i+2)
		} else {
			l.emit(ASSIGN, i+1)
		}
		return
	case '!':
		if l.at(i+1) == '=' {
			l.emit(NEQ, i+2)
		} else {
			l.emit(NOT, i+1)
		}
		return
	case '>':
		if l.at(i+1) == '=' {
			l.emit(GEQ, i+2)
		} else {
			l.emit(GT, i+1)
		}
		return
	case '&':
		if l.at(i+1) == '&' {
			l.emit(AND, i+2)
			return
		}
	case '|':
		switch l.at(i + 1) {
		case '|':
			l.emit(OR, i+2)
			return
		case '>':
			l.emit(PIPE_INTO, i+2)
			return
		}
	case '<':
		if n := l.matchSearchPath(i); n > 0 {
			l.emit(SPATH, i+n)
			return
		}
		switch l.at(i + 1) {
		case '=':
			l.emit(LEQ, i+2)
		case '|':
			l.emit(PIPE_FROM, i+2)
		default:
			l.emit(LT, i+1)
		}
		return
	case '~':
		if n := l.matchHPath(i); n > 0 {
			l.emitPath(HPATH, n)
			return
		}
		if l.at(i+1) == '/' && l.at(i+2) == '$' && l.at(i+3) == '{' {
			l.emitPath(HPATH, 2)
			return
		}
	case '/':
		if l.at(i+1) == '*' {
			l.lexBlockComment()
			return
		}
		l.lexOperator('/', DIV, UPDATE)
		return
	case '+':
		l.lexOperator('+', PLUS, CONCAT)
		return
	case '-':
		l.lexOperator('>', MINUS, IMPL)
		return
	case '.':
		best, kind := 1, DOT
		if l.at(i+1) == '.' && l.at(i+2) == '.' {
			best, kind = 3, ELLIPSIS
		}
		if f := l.matchFloat(i); f > best {
			best, kind = f, FLOAT
		}
		l.emitUnlessPath(kind, best)
		return
	default:
		switch {
		case isLetter(c) || c == '_':
			l.lexWord()
			return
		case isDigit(c):
			best, kind := l.digits(i)-i, INT
			if f := l.matchFloat(i); f > best {
				best, kind = f, FLOAT
			}
			l.emitUnlessPath(kind, best)
			return
		}
	}
	l.lexBad()
}

// lexBad turns one unexpected character into an ERROR token.
func (l *lexer) lexBad() {
	i := l.pos
	c := l.src[i]
	switch {
	case c == 0:
		// Flex hands a NUL to bison as token 0, which is end of input:
		// Nix ignores everything after it.
		l.emit(NUL, i+1)
		if l.pos < len(l.src) {
			l.emit(IGNORED, len(l.src))
		}
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRune(l.src[i:])
		if r == utf8.RuneError && size <= 1 {
			l.err(i, "invalid UTF-8 encoding")
			l.emit(ERROR, i+1)
			return
		}
		l.err(i, fmt.Sprintf("unexpected non-ASCII character %q outside string or comment", r))
		l.emit(ERROR, i+size)
	default:
		l.err(i, fmt.Sprintf("unexpected character %q", rune(c)))
		l.emit(ERROR, i+1)
	}
}

func (l *lexer) lexWord() {
	i := l.pos
	j := i + 1
	for j < len(l.src) && idCharTab[l.src[j]] {
		j++
	}
	best, kind := j-i, IDENT
	// Only a following '/', ':' or path character can make a longer URI or
	// path; checking that first keeps plain identifiers fast.
	if d := l.at(j); d == '/' || d == ':' || d == '.' || d == '+' {
		if u := l.matchURI(i); u > best {
			best, kind = u, URI_LIT
		}
		if l.pathLike(best) {
			return
		}
	}
	if kind == IDENT && best >= 2 && best <= 7 {
		kind = keyword(l.src[i : i+best])
	}
	l.emit(kind, i+best)
}

func (l *lexer) matchHPath(i int) int {
	j := i + 1
	segs := 0
	for j+1 < len(l.src) && l.src[j] == '/' && pathCharTab[l.src[j+1]] {
		j = l.pathCharRun(j + 1)
		segs++
	}
	if segs == 0 {
		return 0
	}
	if l.at(j) == '/' {
		j++
	}
	return j - i
}

// matchSearchPath matches \<{PATH_CHAR}+(\/{PATH_CHAR}+)*\>.
func (l *lexer) matchSearchPath(i int) int {
	j := l.pathCharRun(i + 1)
	if j == i+1 {
		return 0
	}
	for j+1 < len(l.src) && l.src[j] == '/' && pathCharTab[l.src[j+1]] {
		j = l.pathCharRun(j + 1)
	}
	if l.at(j) != '>' {
		return 0
	}
	return j + 1 - i
}

func (l *lexer) lexBlockComment() {
	i := l.pos
	if j := bytes.Index(l.src[i+2:], []byte("*/")); j >= 0 {
		l.emit(COMMENT, i+2+j+2)
		return
	}
	l.err(i, msgUnterminatedComment)
	l.emit(COMMENT, len(l.src))
}

func (l *lexer) lexString() {
	src, i := l.src, l.pos
	switch src[i] {
	case '"':
		l.pop()
		l.emit(DQUOTE, i+1)
		return
	case '$':
		if l.at(i+1) == '{' {
			l.push(modeDefault)
			l.emit(DOLLAR_CURLY, i+2)
			return
		}
	}
	n := len(src)
loop:
	for i < n {
		c := src[i]
		switch {
		case c == '"':
			break loop
		case c == '\\':
			i += 2
		case c == '$':
			if i+1 >= n {
				i++
				break
			}
			switch d := src[i+1]; {
			case d == '{':
				break loop
			case d == '"':
				i++
			case d == '\\':
				i += 3
			default:
				i += 2
			}
		default:
			i++
		}
	}
	l.emit(STRING_TEXT, min(i, n))
}

func (l *lexer) lexIndString() {
	src, i := l.src, l.pos
	n := len(src)
	switch src[i] {
	case '\'':
		if l.at(i+1) == '\'' {
			switch d := l.at(i + 2); {
			case d == '\'' || d == '$':
				// '''  or ''$: text, handled below
			case d == '\\' && i+3 < n:
				// ''\X is an escape. It is its own token: when Nix
				// computes the indentation to strip, an escape ends a
				// line's leading whitespace, as an interpolation does.
				l.emit(STRING_TEXT, i+4)
				return
			default:
				l.pop()
				l.emit(IND_STRING_CLOSE, i+2)
				return
			}
		}
	case '$':
		if l.at(i+1) == '{' {
			l.push(modeDefault)
			l.emit(DOLLAR_CURLY, i+2)
			return
		}
	}
loop:
	for i < n {
		c := src[i]
		switch {
		case c == '\'':
			if i+1 < n && src[i+1] == '\'' {
				if i+2 < n && (src[i+2] == '\'' || src[i+2] == '$') {
					i += 3
					continue
				}
				break loop
			}
			i++
		case c == '$':
			if i+1 < n {
				switch d := src[i+1]; {
				case d == '{':
					break loop
				case d == '\'':
					i++
				default:
					i += 2
				}
			} else {
				i++
			}
		default:
			i++
		}
	}
	l.emit(STRING_TEXT, i)
}

func (l *lexer) lexPath() {
	i := l.pos
	top := len(l.stack) - 1
	c := l.src[i]
	if c == '$' && l.at(i+1) == '{' {
		l.stack[top] = modePath
		l.push(modeDefault)
		l.emit(DOLLAR_CURLY, i+2)
		return
	}
	if pathCharTab[c] || c == '/' {
		n := l.matchPath(i)
		if s := l.matchPathSeg(i); s > n {
			n = s
		}
		if r := l.pathCharRun(i) - i; r > n {
			n = r
		}
		if l.src[i+n-1] == '/' {
			l.stack[top] = modePathSlash
		} else {
			l.stack[top] = modePath
		}
		l.emit(PATH_TEXT, i+n)
		return
	}
	if l.stack[top] == modePathSlash {
		l.err(i, "path has a trailing slash")
	}
	l.pop()
}

// keyword is the kind of the word w: a keyword's, else IDENT. It is the
// keywords map without hashing.
func keyword(w []byte) TokenKind {
	switch len(w) {
	case 2:
		switch string(w) {
		case "if":
			return IF
		case "in":
			return IN
		case "or":
			return OR_KW
		}
	case 3:
		switch string(w) {
		case "let":
			return LET
		case "rec":
			return REC
		}
	case 4:
		switch string(w) {
		case "then":
			return THEN
		case "else":
			return ELSE
		case "with":
			return WITH
		}
	case 6:
		if string(w) == "assert" {
			return ASSERT
		}
	case 7:
		if string(w) == "inherit" {
			return INHERIT
		}
	}
	return IDENT
}
