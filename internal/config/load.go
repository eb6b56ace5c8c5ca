package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/pinner-dev/pinner/internal/repofile"
)

// Keys of schema version 1, per mapping.
var (
	topKeys   = keysOf(rawConfig{})
	imageKeys = keysOf(rawImage{})
	buildKeys = keysOf(rawBuild{})
)

var (
	styles     = []string{string(StyleAuto), string(StyleTagSuffix), string(StyleDigestKey)}
	statuses   = []string{string(StatusActive), string(StatusDisabled), string(StatusDeprecated)}
	priorities = []string{string(PriorityHigh), string(PriorityMedium), string(PriorityLow)}
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
	tokens, err := lex(path, data)
	if err != nil {
		return nil, err
	}
	file, err := parseYAML(path, tokens)
	if err != nil {
		return nil, err
	}
	var body ast.Node
	chk := &checker{file: path}
	for _, doc := range file.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			chk.errorf(doc.Body, "a second YAML document; the config is one document")
			break
		}
		body = doc.Body
	}
	var root at[rawConfig]
	if body != nil {
		if root, err = decode(path, body); err != nil {
			return nil, err
		}
	}
	c := Default(filepath.Dir(path))
	c.Path = path
	c.Version = 0
	chk.config(root, body, c)
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
// columns of keys and list entries, flow nesting by brackets. It also
// reports, all at once, the YAML features registry.yaml does without:
// tags (every key has one type), merge keys, and aliases of no anchor.
// A key written as a number, boolean or null becomes a string: keys are
// names, the text written ("1.10:" names "1.10", not 1.1), and the decoder
// drops every field of a struct when one of its keys is not a string.
func lex(file string, data []byte) (tokens token.Tokens, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{File: file, Line: 1, Column: 1, Msg: fmt.Sprintf("invalid YAML: lexer failed: %v", r)}
		}
	}()
	var (
		indents []int // columns of the open block keys and entries
		flow    int
		aliases int
		anchors = map[string]bool{}
		errs    ErrorList
	)
	at := func(tk *token.Token, msg string) *Error {
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
			errs = append(errs, at(tk, fmt.Sprintf("YAML tags such as %q are not supported; quote the value instead", tk.Value)))
			continue
		case token.MergeKeyType:
			errs = append(errs, at(tk, "merge keys (<<) are not supported; use an alias for the whole value"))
			continue
		case token.AliasType:
			if aliases++; aliases > maxAliases {
				return nil, at(tk, fmt.Sprintf("more than %d aliases; the configuration needs none", maxAliases))
			}
			continue
		case token.MappingValueType, token.SequenceEntryType:
			// A key's level is its own column, not that of its ':'.
			col := tk
			if tk.Type == token.MappingValueType && key != nil {
				col = key
				switch key.Type {
				case token.NullType, token.InfinityType, token.NanType, token.BoolType, token.FloatType,
					token.IntegerType, token.BinaryIntegerType, token.OctetIntegerType, token.HexIntegerType:
					key.Type = token.StringType
				}
				if key.Prev != nil && key.Prev.Type == token.AliasType {
					errs = append(errs, at(key.Prev, "aliases as keys are not supported; write the key"))
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
			// An anchor or alias token is followed by its name.
			switch {
			case key == nil:
			case key.Type == token.AnchorType:
				anchors[tk.Value] = true
			case key.Type == token.AliasType && !anchors[tk.Value]:
				errs = append(errs, at(key, fmt.Sprintf("unknown alias %q", tk.Value)))
			}
			continue
		}
		if len(indents)+flow > maxDepth {
			return nil, at(where, fmt.Sprintf("nested more than %d levels deep; the configuration is at most 5", maxDepth))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return tokens, nil
}

func parseYAML(file string, tokens token.Tokens) (f *ast.File, err error) {
	// The parser is a dependency fed with user input; a panic in it must
	// still come out as a bad-config error.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &Error{File: file, Line: 1, Column: 1, Msg: fmt.Sprintf("invalid YAML: parser failed: %v", r)}
		}
	}()
	// Duplicate keys are found by the checks, which can say which image
	// they are in.
	f, err = parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, yamlError(file, err)
	}
	return f, nil
}

func yamlError(file string, err error) *Error {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil && yerr.GetToken().Position != nil {
		p := yerr.GetToken().Position
		return &Error{File: file, Line: max(p.Line, 1), Column: max(p.Column, 1), Msg: "invalid YAML: " + yerr.GetMessage()}
	}
	return &Error{File: file, Line: 1, Column: 1, Msg: "invalid YAML: " + err.Error()}
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

// decode decodes the first document of f. Nothing is left for the
// decoder to fail on: lex refused what it cannot resolve (tags, merge
// keys, unknown aliases), every key is a string, and every value takes
// any node.
func decode(file string, body ast.Node) (root at[rawConfig], err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{File: file, Line: 1, Column: 1, Msg: fmt.Sprintf("invalid YAML: decoder failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(nil), yaml.AllowDuplicateMapKey())
	if err := dec.DecodeFromNode(body, &root); err != nil {
		return root, yamlError(file, err)
	}
	return root, nil
}

// checker turns the decoded file into a Config, reporting every problem
// at the node it is about.
type checker struct {
	file string
	errs ErrorList
}

func (c *checker) errorf(n ast.Node, format string, args ...any) {
	p := posOf(n)
	c.errs.Add(c.file, p.line, p.column, fmt.Sprintf(format, args...))
}

// posOf is where a node is written. A block mapping's own token is its first
// ':', so it is reported at its first key instead.
func posOf(n ast.Node) pos {
	switch v := n.(type) {
	case nil:
		return pos{1, 1}
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 {
			return posOf(v.Values[0])
		}
	case *ast.MappingValueNode:
		return posOf(v.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return pos{1, 1}
	}
	return pos{max(tk.Position.Line, 1), max(tk.Position.Column, 1)}
}

func (p pos) String() string { return fmt.Sprintf("%d:%d", p.line, p.column) }

func kindOf(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "null"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	}
	return n.Type().YAMLName()
}

// entry is a key of a mapping and the value written after it, an alias
// where one is used: errors are reported there, not at the anchor.
type entry struct {
	key          string
	keyNode, val ast.Node
	dup          bool // the key is given again; its values go unchecked
}

// entries returns the keys of the mapping n in file order, reporting keys
// given twice as dup says.
func (c *checker) entries(n ast.Node, what string, dup func(key string, first pos) string) []entry {
	var kvs []*ast.MappingValueNode
	switch n := n.(type) {
	case *ast.MappingNode:
		kvs = n.Values
	case *ast.MappingValueNode:
		kvs = []*ast.MappingValueNode{n}
	}
	var es []entry
	seen := map[string]int{}
	for _, kv := range kvs {
		var k ast.Node = kv.Key
		if mk, ok := k.(*ast.MappingKeyNode); ok {
			k = mk.Value
		}
		if a, ok := k.(*ast.AnchorNode); ok {
			k = a.Value
		}
		key, isText := textOf(k)
		if !isText {
			c.errorf(k, "a key in %s must be a string, not %s", what, kindOf(k))
			continue
		}
		if i, ok := seen[key]; ok {
			c.errorf(k, "%s", dup(key, posOf(es[i].keyNode)))
			es[i].dup = true
			continue
		}
		seen[key] = len(es)
		es = append(es, entry{key: key, keyNode: k, val: kv.Value})
	}
	return es
}

func dupKey(ctx string) func(string, pos) string {
	return func(key string, first pos) string {
		return fmt.Sprintf("duplicate key %q%s (first defined at %s)", key, ctx, first)
	}
}

type fields map[string]entry

// fields returns the keys of the mapping n by name, reporting those not
// known.
func (c *checker) fields(n ast.Node, what, ctx string, known []string) fields {
	f := fields{}
	for _, e := range c.entries(n, what, dupKey(ctx)) {
		if !slices.Contains(known, e.key) {
			c.errorf(e.keyNode, "unknown key %q%s%s", e.key, ctx, didYouMean(e.key, known))
			continue
		}
		f[e.key] = e
	}
	return f
}

// at is the value written for key; nil when it is absent or given twice.
func (f fields) at(key string) ast.Node {
	if e := f[key]; !e.dup {
		return e.val
	}
	return nil
}

func (f fields) has(key string) bool { _, ok := f[key]; return ok }

// keysOf lists the keys of a raw struct.
func keysOf(v any) (keys []string) {
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		keys = append(keys, t.Field(i).Tag.Get("yaml"))
	}
	return keys
}

// textOf is the text of a scalar node. Numbers and booleans give their
// source text, so "tag: 1.10" is "1.10", not 1.1.
func textOf(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// text returns the text of s, written at n. ok is false when there is
// nothing to use: n is nil, or s is not a scalar (reported).
func (c *checker) text(s scalar, n ast.Node, what string) (text string, null, ok bool) {
	if n == nil {
		return "", false, false
	}
	if s.n == nil {
		return "", true, true
	}
	if text, ok := textOf(s.n); ok {
		return text, false, true
	}
	c.errorf(n, "%s must be a string, not %s", what, kindOf(s.n))
	return "", false, false
}

// enum returns one of allowed; absent and null are "" and false.
func (c *checker) enum(s scalar, n ast.Node, noun, ctx string, allowed []string) (string, bool) {
	v, null, ok := c.text(s, n, noun+ctx)
	if !ok || null {
		return "", false
	}
	if !slices.Contains(allowed, v) {
		c.errorf(n, "invalid %s %q%s: want %s%s", noun, v, ctx, orList(allowed), didYouMean(v, allowed))
		return "", false
	}
	return v, true
}

func orList(words []string) string {
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// mapping reports whether m, written at n, is a mapping to check; null is
// an empty one, a nil n nothing to check.
func (c *checker) mapping(m, n ast.Node, what string) bool {
	switch m.(type) {
	case nil, *ast.MappingNode, *ast.MappingValueNode:
		return n != nil
	}
	c.errorf(n, "%s must be a mapping, not %s", what, kindOf(m))
	return false
}

type item struct {
	s string
	n ast.Node
}

// list returns the strings of l, written at n, and whether it is a list
// to use (not absent, null or of another kind). Entries that are null,
// not strings, or repeated are reported and left out.
func (c *checker) list(l at[[]scalar], n ast.Node, what string) ([]item, bool) {
	seq, isSeq := l.n.(*ast.SequenceNode)
	switch {
	case n == nil || l.n == nil:
		return nil, false
	case !isSeq:
		if s, ok := l.n.(*ast.StringNode); ok {
			c.errorf(n, "%s must be a list, not a string (write [%q])", what, s.Value)
		} else {
			c.errorf(n, "%s must be a list, not %s", what, kindOf(l.n))
		}
		return nil, false
	}
	seen := map[string]ast.Node{}
	items := make([]item, 0, len(l.v))
	for i, s := range l.v[:min(len(l.v), len(seq.Values))] {
		el := seq.Values[i]
		text, null, ok := c.text(s, el, "each entry of "+what)
		switch first, dupe := seen[text]; {
		case !ok:
		case null:
			c.errorf(el, "an entry of %s is null", what)
		case dupe:
			c.errorf(el, "%s lists %q twice (first at %s)", what, text, posOf(first))
		default:
			seen[text] = el
			items = append(items, item{text, el})
		}
	}
	return items, true
}

// valid returns the items check accepts, in the form it returns them,
// reporting the others as invalid noun.
func (c *checker) valid(items []item, noun, ctx string, check func(string) (string, error)) []item {
	var out []item
	for _, it := range items {
		s, err := check(it.s)
		if err != nil {
			c.errorf(it.n, "invalid %s %q%s: %v", noun, it.s, ctx, err)
			continue
		}
		out = append(out, item{s, it.n})
	}
	return out
}

func glob(g string) (string, error) { return path.Clean(g), checkGlob(g) }

func same(check func(string) error) func(string) (string, error) {
	return func(s string) (string, error) { return s, check(s) }
}

func (c *checker) config(root at[rawConfig], body ast.Node, cfg *Config) {
	if root.n == nil {
		c.errs.Add(c.file, 1, 1, `missing "version: 1" (the file is empty)`)
		return
	}
	if !c.mapping(root.n, body, "the config") {
		return
	}
	r, f := root.v, c.fields(root.n, "the config", "", topKeys)
	if n := f.at("version"); n != nil {
		i, isInt := r.Version.n.(*ast.IntegerNode)
		switch {
		case !isInt:
			c.errorf(n, "version must be the integer 1, not %s", kindOf(r.Version.n))
		case fmt.Sprint(i.GetValue()) != "1":
			c.errorf(n, "unsupported version %v: this pinner reads version 1", i.GetValue())
		default:
			cfg.Version = 1
		}
	} else if !f.has("version") {
		c.errorf(root.n, `missing "version: 1"`)
	}
	if items, ok := c.list(r.Modules, f.at("modules"), "modules"); ok {
		if len(r.Modules.v) == 0 {
			c.errorf(f.at("modules"), "modules is empty; list at least one glob or remove the key for the default %q", DefaultModules)
		}
		// Glob walks an fs.FS, which refuses "./a" and "a//b".
		cfg.Modules = nil
		for _, it := range c.valid(items, "modules glob", "", glob) {
			cfg.Modules = append(cfg.Modules, it.s)
			cfg.modulePos = append(cfg.modulePos, posOf(it.n))
		}
	}
	items, _ := c.list(r.Exclude, f.at("exclude"), "exclude")
	for _, it := range c.valid(items, "exclude glob", "", glob) {
		cfg.Exclude = append(cfg.Exclude, it.s)
	}
	c.optionalFile(r.Changelog, f.at("changelog"), "changelog", DefaultChangelog, &cfg.Changelog)
	c.optionalFile(r.Lock, f.at("lock"), "lock", DefaultLock, &cfg.Lock)
	if s, ok := c.enum(r.Style, f.at("style"), "style", "", styles); ok {
		cfg.Style = Style(s)
	}
	if s, _, ok := c.text(r.PushTo, f.at("push_to"), "push_to"); ok && s != "" {
		dir, isOCI := strings.CutPrefix(s, ociPrefix)
		err := checkInsidePath(dir)
		switch {
		case !isOCI:
			c.errorf(f.at("push_to"), `invalid push_to %q: want "" (each image's repository) or "oci:DIR" (an OCI layout)`, s)
		case err != nil:
			c.errorf(f.at("push_to"), "invalid push_to %q: %v", s, err)
		default:
			cfg.PushTo = ociPrefix + path.Clean(dir)
		}
	}
	c.mirrors(r.Mirrors, f.at("mirrors"), cfg)
	items, _ = c.list(r.Insecure, f.at("insecure"), "insecure")
	for _, it := range c.valid(items, "insecure host", "", checkHost) {
		cfg.Insecure = append(cfg.Insecure, it.s)
	}
	c.ignore(r.Ignore, f.at("ignore"), cfg)
	if m := r.Images; c.mapping(m.n, f.at("images"), "images") {
		for _, e := range c.entries(m.n, "images", func(key string, first pos) string {
			return fmt.Sprintf("duplicate image %q (first defined at %s)", key, first)
		}) {
			switch {
			case e.dup:
			case !reImageName.MatchString(e.key):
				c.errorf(e.keyNode, "invalid image name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", e.key)
			default:
				if img, ok := c.image(e, m.v[e.key]); ok {
					cfg.Images = append(cfg.Images, img)
				}
			}
		}
	}
}

// optionalFile checks changelog and lock, where "" turns the file off and
// null is refused because it could mean either.
func (c *checker) optionalFile(s scalar, n ast.Node, key, def string, cur *string) {
	v, null, ok := c.text(s, n, key)
	err := checkInsidePath(v)
	switch {
	case !ok:
	case null:
		c.errorf(n, "%s is null: write %s: \"\" to turn it off, or remove the key for the default %q", key, key, def)
	case v == "":
		*cur = ""
	case err != nil:
		c.errorf(n, "invalid %s %q: %v", key, v, err)
	default:
		*cur = path.Clean(v)
	}
}

func (c *checker) mirrors(m at[map[string]scalar], n ast.Node, cfg *Config) {
	if !c.mapping(m.n, n, "mirrors") {
		return
	}
	seen := map[string]ast.Node{}
	for _, e := range c.entries(m.n, "mirrors", func(key string, first pos) string {
		return fmt.Sprintf("duplicate mirror for %q (first defined at %s)", key, first)
	}) {
		host, err := checkHost(e.key)
		first, dupe := seen[host]
		switch {
		case e.dup:
			continue
		case err != nil:
			c.errorf(e.keyNode, "invalid mirror host %q: %v", e.key, err)
			continue
		case dupe:
			c.errorf(e.keyNode, "duplicate mirror for %q: %q is the same registry (first defined at %s)", host, e.key, posOf(first))
			continue
		}
		seen[host] = e.keyNode
		what := fmt.Sprintf("mirror for %q", e.key)
		raw, null, ok := c.text(m.v[e.key], e.val, what)
		if !ok {
			continue
		}
		u, err := checkMirrorURL(raw)
		switch {
		case null || raw == "":
			c.errorf(e.val, "%s has no URL", what)
		case err != nil:
			c.errorf(e.val, "invalid mirror URL %q for %q: %v", raw, e.key, err)
		default:
			if cfg.Mirrors == nil {
				cfg.Mirrors = map[string]string{}
			}
			cfg.Mirrors[host] = u
		}
	}
}

func (c *checker) ignore(l at[[]scalar], n ast.Node, cfg *Config) {
	items, _ := c.list(l, n, "ignore")
	seen := map[string]item{}
	for _, it := range items {
		repo, err := checkRepository(it.s)
		norm := normalizeRepo(repo)
		first, dupe := seen[norm]
		switch {
		case err != nil:
			c.errorf(it.n, "invalid ignore repository %q: %v", it.s, err)
		case dupe:
			c.errorf(it.n, "ignore lists %q twice: %q at %s is the same repository", it.s, first.s, posOf(first.n))
		default:
			seen[norm] = it
			cfg.Ignore = append(cfg.Ignore, norm)
		}
	}
}

func (c *checker) image(e entry, o at[rawImage]) (Image, bool) {
	img := Image{
		Name:      e.key,
		Status:    StatusActive,
		Priority:  PriorityMedium,
		Platforms: []string{DefaultPlatform},
	}
	nerr := len(c.errs)
	ctx := fmt.Sprintf(" in image %q", img.Name)
	if !c.mapping(o.n, e.val, "image "+quote(img.Name)) {
		return img, false
	}
	r, f := o.v, c.fields(o.n, "image "+quote(img.Name), ctx, imageKeys)
	repo, null, ok := c.text(r.Repository, f.at("repository"), "repository"+ctx)
	if _, err := checkRepository(repo); !f.has("repository") || ok && (null || repo == "") {
		c.errorf(e.keyNode, "missing %q%s", "repository", ctx)
	} else if ok && err != nil {
		c.errorf(f.at("repository"), "invalid repository %q%s: %v", repo, ctx, err)
	} else {
		img.Repository = repo
	}
	if tag, _, ok := c.text(r.Tag, f.at("tag"), "tag"+ctx); ok && tag != "" {
		if err := checkTag(tag); err != nil {
			c.errorf(f.at("tag"), "invalid tag %q%s: %v", tag, ctx, err)
		} else {
			img.Tag = tag
		}
	}
	items, _ := c.list(r.ExtraTags, f.at("extra_tags"), "extra_tags"+ctx)
	for _, it := range c.valid(items, "extra tag", ctx, same(checkTag)) {
		if it.s == img.Tag {
			c.errorf(it.n, "extra tag %q%s repeats tag (at %s)", it.s, ctx, posOf(f.at("tag")))
		}
		img.ExtraTags = append(img.ExtraTags, it.s)
	}
	if s, ok := c.enum(r.Status, f.at("status"), "status", ctx, statuses); ok {
		img.Status = Status(s)
	}
	if s, ok := c.enum(r.Priority, f.at("priority"), "priority", ctx, priorities); ok {
		img.Priority = Priority(s)
	}
	if items, ok := c.list(r.Platforms, f.at("platforms"), "platforms"+ctx); ok {
		if len(r.Platforms.v) == 0 {
			c.errorf(f.at("platforms"), "platforms%s is empty; remove the key for the default %s", ctx, DefaultPlatform)
		}
		img.Platforms = nil
		for _, it := range c.valid(items, "platform", ctx, same(checkPlatform)) {
			img.Platforms = append(img.Platforms, it.s)
		}
	}
	if !f.has("build") {
		c.errorf(e.keyNode, "missing %q%s (set build.flake or build.file)", "build", ctx)
	} else if f.at("build") != nil {
		c.build(r.Build, f["build"], img.Name, &img.Build)
	}
	img.Notes, _, _ = c.text(r.Notes, f.at("notes"), "notes"+ctx)
	return img, len(c.errs) == nerr
}

func (c *checker) build(o at[rawBuild], e entry, image string, b *Build) {
	ctx := fmt.Sprintf(" in build of image %q", image)
	what := "build of image " + quote(image)
	if o.n == nil {
		c.errorf(e.val, "%s is empty (set flake or file)", what)
		return
	}
	if !c.mapping(o.n, e.val, what) {
		return
	}
	r, f := o.v, c.fields(o.n, what, ctx, buildKeys)
	if s, _, ok := c.text(r.Flake, f.at("flake"), "flake"+ctx); ok {
		bad := unknownPlaceholder(s, "{system}")
		switch {
		case s == "":
			c.errorf(f.at("flake"), "flake%s is empty", ctx)
		case bad != "":
			c.errorf(f.at("flake"), "unknown placeholder %q in flake%s (only {system} is expanded)", bad, ctx)
		default:
			b.Flake = s
		}
	}
	if s, _, ok := c.text(r.File, f.at("file"), "file"+ctx); ok {
		if err := checkInsidePath(s); err != nil {
			c.errorf(f.at("file"), "invalid file %q%s: %v", s, ctx, err)
		} else {
			b.File = path.Clean(s)
		}
	}
	b.Attr, _, _ = c.text(r.Attr, f.at("attr"), "attr"+ctx)
	if m := r.Args; c.mapping(m.n, f.at("args"), "args"+ctx) {
		for _, e := range c.entries(m.n, "args"+ctx, func(key string, first pos) string {
			return fmt.Sprintf("duplicate argument %q%s (first defined at %s)", key, ctx, first)
		}) {
			what := fmt.Sprintf("argument %q%s", e.key, ctx)
			if e.dup {
				continue
			}
			if !reNixArg.MatchString(e.key) {
				c.errorf(e.keyNode, "invalid argument name %q%s: want a Nix identifier", e.key, ctx)
				continue
			}
			switch s, null, ok := c.text(m.v[e.key], e.val, what); {
			case null:
				c.errorf(e.val, "%s is null; write \"\" for an empty string", what)
			case ok:
				if b.Args == nil {
					b.Args = map[string]string{}
				}
				b.Args[e.key] = s
			}
		}
	}
	switch {
	case f.has("flake") && f.has("file"):
		c.errorf(f["file"].keyNode, "build of image %q sets both flake and file; keep one", image)
	case !f.has("flake") && !f.has("file"):
		c.errorf(e.keyNode, "build of image %q needs flake or file", image)
	case f.has("flake") && f.has("attr"):
		c.errorf(f["attr"].keyNode, "attr%s applies to file only; put the attribute in the flake reference", ctx)
	case f.has("flake") && f.has("args"):
		c.errorf(f["args"].keyNode, "args%s apply to file only", ctx)
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// unwrapPathError drops the path an *fs.PathError repeats: Error.File
// already names the file.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
