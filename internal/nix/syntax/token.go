package syntax

import "strconv"

// TokenKind is the kind of a lexical token.
type TokenKind uint8

// Token kinds. Trivia (WHITESPACE, COMMENT) and ERROR tokens are kept in
// File.Tokens so that the token texts concatenate back to the source.
const (
	ILLEGAL TokenKind = iota // zero value; never produced
	EOF                      // end of input; never stored in File.Tokens

	ERROR      // bytes the lexer could not make sense of
	WHITESPACE // [ \t\r\n]+
	COMMENT    // `# ...` or `/* ... */`
	NUL        // a NUL byte outside strings and comments: Nix's end of input
	IGNORED    // everything after such a NUL byte

	IDENT     // x, __curPos
	INT       // 123
	FLOAT     // 1.5, .5, 1.e3
	URI_LIT   // https://example.org
	PATH      // ./a, a/b, /abs; the first piece of an interpolated path
	HPATH     // ~/a; the first piece of an interpolated home path
	SPATH     // <nixpkgs>
	PATH_TEXT // a literal piece of an interpolated path after its first piece

	DQUOTE           // `"` opening or closing a string
	IND_STRING_OPEN  // `''`, with the spaces and newline that directly follow it
	IND_STRING_CLOSE // `''` closing an indented string
	STRING_TEXT      // literal text (escapes included) inside a string
	DOLLAR_CURLY     // `${`

	// Keywords.
	IF
	THEN
	ELSE
	ASSERT
	WITH
	LET
	IN
	REC
	INHERIT
	OR_KW    // `or`
	ELLIPSIS // `...`

	// Punctuation.
	LBRACE   // {
	RBRACE   // }
	LBRACK   // [
	RBRACK   // ]
	LPAREN   // (
	RPAREN   // )
	SEMI     // ;
	COLON    // :
	COMMA    // ,
	DOT      // .
	AT       // @
	ASSIGN   // =
	QUESTION // ?

	// Operators.
	PLUS      // +
	MINUS     // -
	MUL       // *
	DIV       // /
	CONCAT    // ++
	UPDATE    // //
	EQ        // ==
	NEQ       // !=
	LT        // <
	GT        // >
	LEQ       // <=
	GEQ       // >=
	AND       // &&
	OR        // ||
	IMPL      // ->
	NOT       // !
	PIPE_FROM // <|
	PIPE_INTO // |>

	numTokenKinds
)

// HASATTR is the `?` operator of `e ? a.b`; the same token introduces a
// formal's default.
const HASATTR = QUESTION

var tokenNames = [numTokenKinds]string{
	ILLEGAL:          "illegal token",
	EOF:              "end of file",
	ERROR:            "invalid token",
	WHITESPACE:       "whitespace",
	COMMENT:          "comment",
	NUL:              "end of file",
	IGNORED:          "text after NUL byte",
	IDENT:            "identifier",
	INT:              "integer",
	FLOAT:            "float",
	URI_LIT:          "URI",
	PATH:             "path",
	HPATH:            "path",
	SPATH:            "search path",
	PATH_TEXT:        "path",
	DQUOTE:           "'\"'",
	IND_STRING_OPEN:  "\"''\"",
	IND_STRING_CLOSE: "\"''\"",
	STRING_TEXT:      "string",
	DOLLAR_CURLY:     "'${'",
	IF:               "'if'",
	THEN:             "'then'",
	ELSE:             "'else'",
	ASSERT:           "'assert'",
	WITH:             "'with'",
	LET:              "'let'",
	IN:               "'in'",
	REC:              "'rec'",
	INHERIT:          "'inherit'",
	OR_KW:            "'or'",
	ELLIPSIS:         "'...'",
	LBRACE:           "'{'",
	RBRACE:           "'}'",
	LBRACK:           "'['",
	RBRACK:           "']'",
	LPAREN:           "'('",
	RPAREN:           "')'",
	SEMI:             "';'",
	COLON:            "':'",
	COMMA:            "','",
	DOT:              "'.'",
	AT:               "'@'",
	ASSIGN:           "'='",
	QUESTION:         "'?'",
	PLUS:             "'+'",
	MINUS:            "'-'",
	MUL:              "'*'",
	DIV:              "'/'",
	CONCAT:           "'++'",
	UPDATE:           "'//'",
	EQ:               "'=='",
	NEQ:              "'!='",
	LT:               "'<'",
	GT:               "'>'",
	LEQ:              "'<='",
	GEQ:              "'>='",
	AND:              "'&&'",
	OR:               "'||'",
	IMPL:             "'->'",
	NOT:              "'!'",
	PIPE_FROM:        "'<|'",
	PIPE_INTO:        "'|>'",
}

// String returns a human-readable name for use in messages, such as "';'"
// or "identifier".
func (k TokenKind) String() string {
	if k < numTokenKinds {
		return tokenNames[k]
	}
	return "TokenKind(" + strconv.Itoa(int(k)) + ")"
}

// IsTrivia reports whether tokens of kind k carry no meaning (whitespace and
// comments).
func (k TokenKind) IsTrivia() bool { return k == WHITESPACE || k == COMMENT }

// Token is one lexical token: its kind and the bytes it covers.
type Token struct {
	Kind TokenKind
	Span
}

var keywords = map[string]TokenKind{
	"if":      IF,
	"then":    THEN,
	"else":    ELSE,
	"assert":  ASSERT,
	"with":    WITH,
	"let":     LET,
	"in":      IN,
	"rec":     REC,
	"inherit": INHERIT,
	"or":      OR_KW,
}
