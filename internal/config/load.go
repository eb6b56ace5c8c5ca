package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/pinner-dev/pinner/internal/repofile"
)

// Load reads and validates the configuration file at path. Problems with the
// file are reported as an *Error or an ErrorList of them, sorted by position.
func Load(path string) (*Config, error) {
	data, err := repofile.Read(path, repofile.MaxConfig)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("reading config: %v", unwrapPathError(err)), Err: err}
	}
	return Parse(path, data)
}

// Parse validates data as the content of the configuration file at path; Dir
// is the directory of path. Nothing is read from the file system.
func Parse(path string, data []byte) (*Config, error) {
	if len(data) > repofile.MaxConfig {
		return nil, &Error{File: path, Msg: fmt.Sprintf("reading config: %v", fmt.Errorf("%w: %d bytes, the limit is %d", repofile.ErrTooLarge, len(data), repofile.MaxConfig)), Err: repofile.ErrTooLarge}
	}
	if err := checkUTF8(path, data); err != nil {
		return nil, err
	}
	tokens, refused, err := lex(path, data)
	if err != nil {
		return nil, err
	}
	docs, root, err := decode(path, tokens, refused)
	if err != nil {
		return nil, err
	}
	c := Default(filepath.Dir(path))
	c.Path, c.Version = path, 0
	chk := &checker{file: path}
	if len(docs) > 1 {
		chk.errorf(docs[1], "a second YAML document; the config is one document")
	}
	chk.config(root, c)
	if len(chk.errs) > 0 {
		chk.errs.Sort()
		return nil, chk.errs
	}
	return c, nil
}

// checkUTF8 rejects a file that is not UTF-8, as YAML requires: the YAML
// parser would otherwise carry the bytes into values (notes, tags) as they
// are. The error is at the first invalid byte.
func checkUTF8(path string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{File: path, Line: line, Column: col, Msg: fmt.Sprintf("invalid UTF-8 byte 0x%02x; the configuration must be UTF-8 text", data[i])}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

// Bounds of the YAML's shape, checked on its tokens before the parser
// sees it: goccy's parser takes time that grows faster than the nesting
// (17 s for 50,000 nested lists) and the decoder walks an alias's value
// again at each use, so a deeply nested or alias-bombed file would take
// long, or all of memory, before any error. The schema itself is five
// levels deep (images → name → build → args → value) and needs no alias.
const (
	maxDepth   = 32
	maxAliases = 256
)

// lex splits data into the tokens the parser reads, refusing a
// configuration nested deeper than maxDepth or using more than maxAliases
// aliases at the token that goes too far. Block nesting is counted by the
// columns of keys and list entries, flow nesting by brackets. refused
// lists the YAML features registry.yaml does without, all of them: tags
// (every key has one type), merge keys, and aliases of no anchor.
// A key written as a number, boolean or null becomes a string: keys are
// names, the text written ("1.10:" names "1.10", not 1.1), and the decoder
// drops every field of a struct when one of its keys is not a string.
func lex(file string, data []byte) (tokens token.Tokens, refused ErrorList, err error) {
	defer func() {
		if r := recover(); r != nil {
			tokens, refused, err = nil, nil, &Error{File: file, Line: 1, Column: 1, Msg: fmt.Sprintf("invalid YAML: lexer failed: %v", r)}
		}
	}()
	var (
		indents []int // columns of the open block keys and entries
		flow    int
		aliases int
		anchors = map[string]int{} // how often each name is defined so far
	)
	errAt := func(tk *token.Token, msg string) *Error {
		line, col := 1, 1
		if tk != nil && tk.Position != nil {
			line, col = max(tk.Position.Line, 1), max(tk.Position.Column, 1)
		}
		return &Error{File: file, Line: line, Column: col, Msg: msg}
	}
	tokens = lexer.Tokenize(string(data))
	var prev *token.Token
	for _, tk := range tokens {
		key := prev
		prev = tk
		where := tk
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.TagType:
			refused = append(refused, errAt(tk, fmt.Sprintf("YAML tags such as %q are not supported; quote the value instead", tk.Value)))
			continue
		case token.MergeKeyType:
			refused = append(refused, errAt(tk, "merge keys (<<) are not supported; use an alias for the whole value"))
			continue
		case token.AliasType:
			if aliases++; aliases > maxAliases {
				return nil, nil, errAt(tk, fmt.Sprintf("more than %d aliases; the configuration needs none", maxAliases))
			}
			continue
		case token.MappingValueType, token.SequenceEntryType:
			// A key's level is its own column, not that of its ':'.
			col := tk
			if tk.Type == token.MappingValueType && key != nil {
				col = key
				if plain(key.Type) {
					key.Type = token.StringType
				}
				if key.Prev != nil && key.Prev.Type == token.AliasType {
					refused = append(refused, errAt(key.Prev, "aliases as keys are not supported; write the key"))
				}
			}
			where = col
			if flow == 0 && col.Position != nil {
				c := col.Position.Column
				for len(indents) > 0 && indents[len(indents)-1] > c {
					indents = indents[:len(indents)-1]
				}
				if len(indents) == 0 || indents[len(indents)-1] < c {
					indents = append(indents, c)
				}
			}
		default:
			// An anchor or alias token is followed by its name. An alias
			// means the latest anchor of its name before it, but the
			// decoder looks aliases up in the order of the struct fields:
			// a name defined again is made a name of its own.
			if key == nil || key.Type != token.AnchorType && key.Type != token.AliasType {
				continue
			}
			name := tk.Value
			if key.Type == token.AnchorType {
				anchors[name]++
			} else if anchors[name] == 0 {
				refused = append(refused, errAt(key, fmt.Sprintf("unknown alias %q", name)))
			}
			if anchors[name] > 1 && plain(tk.Type) {
				tk.Type, tk.Value = token.StringType, fmt.Sprintf("%s\x00%d", name, anchors[name])
			}
			continue
		}
		if len(indents)+flow > maxDepth {
			return nil, nil, errAt(where, fmt.Sprintf("nested more than %d levels deep; the configuration is at most 5", maxDepth))
		}
	}
	return tokens, refused, nil
}

// plain reports whether a token is a plain scalar, which lex may make a
// string.
func plain(t token.Type) bool {
	switch t {
	case token.StringType, token.NullType, token.InfinityType, token.NanType, token.BoolType, token.FloatType,
		token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType:
		return true
	}
	return false
}

// decode parses tokens and decodes the first document into a rawConfig;
// docs are the documents that are not empty. YAML that does not parse is
// reported before what lex refused. Nothing is then left for the decoder
// to fail on: the refused are what it cannot resolve (tags, merge keys,
// unknown aliases), every key is a string, and every value takes any
// node.
func decode(file string, tokens token.Tokens, refused ErrorList) (docs []ast.Node, root at[rawConfig], err error) {
	// The parser and decoder are a dependency fed with user input; a
	// panic in them must still come out as a bad-config error.
	defer func() {
		if r := recover(); r != nil {
			err = &Error{File: file, Line: 1, Column: 1, Msg: fmt.Sprintf("invalid YAML: parser failed: %v", r)}
		}
	}()
	// Duplicate keys are left to the checks, which can say which image
	// they are in.
	f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err == nil {
		for _, doc := range f.Docs {
			if doc == nil || doc.Body == nil {
				continue
			}
			// A %YAML or %TAG directive is a document of goccy's own.
			if _, directive := doc.Body.(*ast.DirectiveNode); !directive {
				docs = append(docs, doc.Body)
			}
		}
		if len(refused) > 0 {
			return nil, root, refused
		}
		if len(docs) > 0 {
			err = yaml.NewDecoder(bytes.NewReader(nil), yaml.AllowDuplicateMapKey()).DecodeFromNode(docs[0], &root)
		}
	}
	var yerr yaml.Error
	switch {
	case err == nil:
		return docs, root, nil
	case errors.As(err, &yerr) && yerr.GetToken() != nil && yerr.GetToken().Position != nil:
		p := yerr.GetToken().Position
		if e := openedEarlier(file, tokens, p.Line); e != nil {
			return nil, root, e
		}
		return nil, root, &Error{File: file, Line: max(p.Line, 1), Column: max(p.Column, 1), Msg: "invalid YAML: " + yerr.GetMessage()}
	}
	return nil, root, &Error{File: file, Line: 1, Column: 1, Msg: "invalid YAML: " + err.Error()}
}

// The file as the decoder reads it, one struct per mapping. The decoder
// matches keys to fields, resolves anchors and aliases and fills lists
// and maps; each value keeps the node it came from, so that the checks
// can say where it is written and what was written instead. Unknown and
// repeated keys are left to the checks too: they report them all, with
// suggestions, where the decoder stops at the first.
type (
	rawConfig struct {
		Version   scalar                      `yaml:"version"`
		Modules   at[[]scalar]                `yaml:"modules"`
		Exclude   at[[]scalar]                `yaml:"exclude"`
		Changelog scalar                      `yaml:"changelog"`
		Lock      scalar                      `yaml:"lock"`
		Style     scalar                      `yaml:"style"`
		PushTo    scalar                      `yaml:"push_to"`
		Mirrors   at[map[string]scalar]       `yaml:"mirrors"`
		Insecure  at[[]scalar]                `yaml:"insecure"`
		Ignore    at[[]scalar]                `yaml:"ignore"`
		Images    at[map[string]at[rawImage]] `yaml:"images"`
		NixArgs   at[[]scalar]                `yaml:"nix_args"`
		PullFunc  scalar                      `yaml:"pull_function"`
		ChartFunc scalar                      `yaml:"chart_function"`
		N2CPull   scalar                      `yaml:"nix2container_pull_function"`
		Policies  at[[]at[rawPolicy]]         `yaml:"policies"`
	}
	rawPolicy struct {
		Match      scalar `yaml:"match"`
		Update     scalar `yaml:"update"`
		Versioning scalar `yaml:"versioning"`
		Allow      scalar `yaml:"allow"`
		Prerelease scalar `yaml:"prerelease"`
		MinAge     scalar `yaml:"min_age"`
	}
	rawImage struct {
		Repository scalar       `yaml:"repository"`
		Tag        scalar       `yaml:"tag"`
		ExtraTags  at[[]scalar] `yaml:"extra_tags"`
		Status     scalar       `yaml:"status"`
		Priority   scalar       `yaml:"priority"`
		Platforms  at[[]scalar] `yaml:"platforms"`
		Build      at[rawBuild] `yaml:"build"`
		Notes      scalar       `yaml:"notes"`
		Source     scalar       `yaml:"source"`
	}
	rawBuild struct {
		Flake scalar                `yaml:"flake"`
		File  scalar                `yaml:"file"`
		Attr  scalar                `yaml:"attr"`
		Args  at[map[string]scalar] `yaml:"args"`
	}
)

// scalar is a value as written: its text is the node's, so that
// "tag: 1.10" is "1.10", not 1.1. The decoder passes null as nothing.
type scalar struct{ n ast.Node }

func (s *scalar) UnmarshalYAML(n ast.Node) error { s.n = n; return nil }

// at is a list or mapping the decoder fills, with the node it filled it
// from (nil for null). Its error is dropped: it can only be a value of
// the wrong kind, which the checks report with the key it belongs to,
// and dropping it lets the decoder go on with the other values.
type at[T any] struct {
	v T
	n ast.Node
}

func (a *at[T]) UnmarshalYAML(unmarshal func(any) error) error {
	_ = unmarshal(&a.n)
	_ = unmarshal(&a.v)
	return nil
}

// unwrapPathError drops the path an *fs.PathError repeats: Error.File
// already names the file.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// keyLine is a line that reads as a mapping key: what a quoted string
// swallowed when its closing quote is missing.
var keyLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(- )?[A-Za-z_][A-Za-z0-9_.-]*:(\s|$)`) })

// openedEarlier finds the likely mistake behind a parse error at line: a
// quote or a flow bracket opened on an earlier line and never closed
// there. YAML lets a quoted string run over lines, so a missing closing
// quote makes the parser read on until the next quote of the file and
// fail there, lines later and with a message about something else; the
// same holds for a "[" or "{" left open. The mistake is where it opened.
func openedEarlier(file string, tokens token.Tokens, line int) *Error {
	var open []*token.Token
	for _, tk := range tokens {
		if tk.Position == nil || tk.Position.Line >= line {
			break
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			open = append(open, tk)
		case token.SequenceEndType, token.MappingEndType:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case token.DoubleQuoteType, token.SingleQuoteType:
			lines := strings.Split(tk.Origin, "\n")
			if len(lines) < 2 || !slices.ContainsFunc(lines[1:], keyLine().MatchString) {
				continue
			}
			q := `"`
			if tk.Type == token.SingleQuoteType {
				q = "'"
			}
			return &Error{File: file, Line: tk.Position.Line, Column: tk.Position.Column,
				Msg: fmt.Sprintf("invalid YAML: the string quoted here is not closed on its line (it runs on to line %d); add the closing %s", line, q)}
		}
	}
	for _, tk := range open {
		if tk.Position.Line < line {
			closing := "]"
			if tk.Type == token.MappingStartType {
				closing = "}"
			}
			return &Error{File: file, Line: tk.Position.Line, Column: tk.Position.Column,
				Msg: fmt.Sprintf("invalid YAML: the %s opened here is never closed; add the %s", tk.Value, closing)}
		}
	}
	return nil
}
