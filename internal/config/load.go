package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
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
	topKeys   = []string{"version", "modules", "exclude", "changelog", "lock", "style", "push_to", "mirrors", "insecure", "ignore", "images"}
	imageKeys = []string{"repository", "tag", "extra_tags", "status", "priority", "platforms", "build", "notes"}
	buildKeys = []string{"flake", "file", "attr", "args"}
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
	c := Default(filepath.Dir(path))
	c.Path = path
	c.Version = 0
	d := &decoder{file: path, aliases: map[*ast.AliasNode]ast.Node{}}
	d.decodeFile(file, c)
	if len(d.errs) > 0 {
		d.errs.Sort()
		return nil, d.errs
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

type decoder struct {
	file    string
	errs    ErrorList
	aliases map[*ast.AliasNode]ast.Node // alias -> value of the anchor it names
}

func (d *decoder) errorf(n ast.Node, format string, args ...any) {
	p := posOf(n)
	d.errs.Add(d.file, p.line, p.column, fmt.Sprintf(format, args...))
}

// posOf is where a node is written. A block mapping's own token is its first
// ':', so it is reported at its first key instead.
func posOf(n ast.Node) pos {
	switch v := n.(type) {
	case nil:
		return pos{1, 1}
	case *ast.MappingNode:
		if v == nil {
			return pos{1, 1}
		}
		if !v.IsFlowStyle && len(v.Values) > 0 {
			return posOf(v.Values[0])
		}
	case *ast.MappingValueNode:
		if v == nil {
			return pos{1, 1}
		}
		return posOf(v.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return pos{1, 1}
	}
	return pos{max(tk.Position.Line, 1), max(tk.Position.Column, 1)}
}

func (p pos) String() string { return fmt.Sprintf("%d:%d", p.line, p.column) }

// anchorVisitor records, in file order, the anchor each alias names: YAML
// lets an anchor be redefined, and an alias means the latest one before it.
type anchorVisitor struct {
	anchors map[string]ast.Node
	aliases map[*ast.AliasNode]ast.Node
}

func (v *anchorVisitor) Visit(n ast.Node) ast.Visitor {
	switch n := n.(type) {
	case *ast.AnchorNode:
		if n.Name != nil {
			v.anchors[n.Name.GetToken().Value] = n.Value
		}
	case *ast.AliasNode:
		if n.Value != nil {
			if target, ok := v.anchors[n.Value.GetToken().Value]; ok {
				v.aliases[n] = target
			}
		}
	}
	return v
}

// resolve looks through anchors and aliases to the node holding a value. A
// nil result is a null value. YAML tags are refused: every key has one type.
func (d *decoder) resolve(n ast.Node) (ast.Node, bool) {
	start := n
	for range 64 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			target, ok := d.aliases[v]
			if !ok {
				d.errorf(v, "unknown alias %q", strings.TrimPrefix(v.String(), "*"))
				return nil, false
			}
			n = target
		case *ast.TagNode:
			d.errorf(v, "YAML tags such as %q are not supported; quote the value instead", v.Start.Value)
			return nil, false
		default:
			return n, true
		}
	}
	d.errorf(start, "alias refers to itself")
	return nil, false
}

func isNull(n ast.Node) bool {
	switch n.(type) {
	case nil, *ast.NullNode:
		return true
	}
	return false
}

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

type entry struct {
	key     string
	keyNode ast.Node
	value   ast.Node
}

// entries returns the pairs of a mapping in file order. n must be resolved;
// a null n is an empty mapping. A repeated key is reported through dup.
func (d *decoder) entries(n ast.Node, what string, dup func(key string, first pos) string) ([]entry, bool) {
	var kvs []*ast.MappingValueNode
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.MappingNode:
		kvs = v.Values
	case *ast.MappingValueNode:
		kvs = []*ast.MappingValueNode{v}
	default:
		d.errorf(n, "%s must be a mapping, not %s", what, kindOf(n))
		return nil, false
	}
	seen := map[string]pos{}
	out := make([]entry, 0, len(kvs))
	ok := true
	for _, kv := range kvs {
		var keyNode ast.Node = kv.Key
		if _, merge := keyNode.(*ast.MergeKeyNode); merge {
			d.errorf(keyNode, "merge keys (<<) are not supported; use an alias for the whole value")
			ok = false
			continue
		}
		if mk, explicit := keyNode.(*ast.MappingKeyNode); explicit {
			keyNode = mk.Value
		}
		k, rok := d.resolve(keyNode)
		if !rok {
			ok = false
			continue
		}
		var key string
		switch k := k.(type) {
		case *ast.StringNode:
			key = k.Value
		case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
			key = k.GetToken().Value
		default:
			d.errorf(keyNode, "a key in %s must be a string, not %s", what, kindOf(k))
			ok = false
			continue
		}
		p := posOf(keyNode)
		if first, dupe := seen[key]; dupe {
			d.errorf(keyNode, "%s", dup(key, first))
			ok = false
			continue
		}
		seen[key] = p
		out = append(out, entry{key: key, keyNode: keyNode, value: kv.Value})
	}
	return out, ok
}

func dupKey(ctx string) func(string, pos) string {
	return func(key string, first pos) string {
		return fmt.Sprintf("duplicate key %q%s (first defined at %s)", key, ctx, first)
	}
}

func (d *decoder) unknownKey(e entry, known []string, ctx string) {
	d.errorf(e.keyNode, "unknown key %q%s%s", e.key, ctx, didYouMean(e.key, known))
}

// text returns a scalar's text. Numbers and booleans give their source text,
// so "tag: 1.10" is "1.10", not 1.1.
func (d *decoder) text(n ast.Node, what string) (s string, null, ok bool) {
	v, ok := d.resolve(n)
	if !ok {
		return "", false, false
	}
	switch v := v.(type) {
	case nil, *ast.NullNode:
		return "", true, true
	case *ast.StringNode:
		return v.Value, false, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", false, true
		}
		return v.Value.Value, false, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, false, true
	}
	d.errorf(n, "%s must be a string, not %s", what, kindOf(v))
	return "", false, false
}

// str is text where null means absent, that is "".
func (d *decoder) str(n ast.Node, what string) (string, bool) {
	s, _, ok := d.text(n, what)
	return s, ok
}

type item struct {
	s string
	n ast.Node
}

// list returns the strings of a list; null is an empty list. Repeated
// entries are errors.
func (d *decoder) list(n ast.Node, what string) ([]item, bool) {
	v, ok := d.resolve(n)
	if !ok {
		return nil, false
	}
	var elems []ast.Node
	switch v := v.(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.SequenceNode:
		elems = v.Values
	case *ast.StringNode:
		d.errorf(n, "%s must be a list, not a string (write [%q])", what, v.Value)
		return nil, false
	default:
		d.errorf(n, "%s must be a list, not %s", what, kindOf(v))
		return nil, false
	}
	seen := map[string]pos{}
	items := make([]item, 0, len(elems))
	for _, el := range elems {
		s, null, eok := d.text(el, "each entry of "+what)
		if !eok {
			ok = false
			continue
		}
		if null {
			d.errorf(el, "an entry of %s is null", what)
			ok = false
			continue
		}
		if first, dupe := seen[s]; dupe {
			d.errorf(el, "%s lists %q twice (first at %s)", what, s, first)
			ok = false
			continue
		}
		seen[s] = posOf(el)
		items = append(items, item{s, el})
	}
	return items, ok
}

// enum returns one of allowed; null means absent, "" and ok false.
func (d *decoder) enum(n ast.Node, noun, ctx string, allowed []string) (string, bool) {
	s, null, ok := d.text(n, noun+ctx)
	if !ok || null {
		return "", false
	}
	if !slices.Contains(allowed, s) {
		d.errorf(n, "invalid %s %q%s: want %s%s", noun, s, ctx, orList(allowed), didYouMean(s, allowed))
		return "", false
	}
	return s, true
}

func orList(words []string) string {
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func (d *decoder) decodeFile(f *ast.File, c *Config) {
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			d.errorf(doc.Body, "a second YAML document; the config is one document")
			break
		}
		body = doc.Body
	}
	if body == nil {
		d.errs.Add(d.file, 1, 1, `missing "version: 1" (the file is empty)`)
		return
	}
	ast.Walk(&anchorVisitor{anchors: map[string]ast.Node{}, aliases: d.aliases}, body)
	root, ok := d.resolve(body)
	if !ok {
		return
	}
	if isNull(root) {
		d.errs.Add(d.file, 1, 1, `missing "version: 1" (the file is empty)`)
		return
	}
	entries, ok := d.entries(root, "the config", dupKey(""))
	if !ok && entries == nil {
		return
	}
	hasVersion := false
	for _, e := range entries {
		switch e.key {
		case "version":
			hasVersion = true
			d.version(e.value, c)
		case "modules":
			d.modules(e.value, c)
		case "exclude":
			items, _ := d.list(e.value, "exclude")
			for _, it := range items {
				if err := checkGlob(it.s); err != nil {
					d.errorf(it.n, "invalid exclude glob %q: %v", it.s, err)
					continue
				}
				c.Exclude = append(c.Exclude, path.Clean(it.s))
			}
		case "changelog":
			c.Changelog = d.optionalFile(e.value, "changelog", DefaultChangelog, c.Changelog)
		case "lock":
			c.Lock = d.optionalFile(e.value, "lock", DefaultLock, c.Lock)
		case "style":
			if s, ok := d.enum(e.value, "style", "", styles); ok {
				c.Style = Style(s)
			}
		case "push_to":
			d.pushTo(e.value, c)
		case "mirrors":
			d.mirrors(e.value, c)
		case "insecure":
			items, _ := d.list(e.value, "insecure")
			for _, it := range items {
				host, err := checkHost(it.s)
				if err != nil {
					d.errorf(it.n, "invalid insecure host %q: %v", it.s, err)
					continue
				}
				c.Insecure = append(c.Insecure, host)
			}
		case "ignore":
			d.ignore(e.value, c)
		case "images":
			d.images(e.value, c)
		default:
			d.unknownKey(e, topKeys, "")
		}
	}
	if !hasVersion {
		d.errorf(root, `missing "version: 1"`)
	}
}

func (d *decoder) version(n ast.Node, c *Config) {
	v, ok := d.resolve(n)
	if !ok {
		return
	}
	i, isInt := v.(*ast.IntegerNode)
	if !isInt {
		d.errorf(n, "version must be the integer 1, not %s", kindOf(v))
		return
	}
	if got := fmt.Sprint(i.GetValue()); got != "1" {
		d.errorf(n, "unsupported version %s: this pinner reads version 1", got)
		return
	}
	c.Version = 1
}

func (d *decoder) modules(n ast.Node, c *Config) {
	v, ok := d.resolve(n)
	if !ok || isNull(v) {
		return // null keeps the default
	}
	items, ok := d.list(n, "modules")
	if !ok {
		c.Modules = nil
		return
	}
	if len(items) == 0 {
		d.errorf(n, "modules is empty; list at least one glob or remove the key for the default %q", DefaultModules)
		return
	}
	c.Modules = nil
	for _, it := range items {
		if err := checkGlob(it.s); err != nil {
			d.errorf(it.n, "invalid modules glob %q: %v", it.s, err)
			continue
		}
		// Glob walks an fs.FS, which refuses "./a" and "a//b".
		c.Modules = append(c.Modules, path.Clean(it.s))
		c.modulePos = append(c.modulePos, posOf(it.n))
	}
}

// optionalFile decodes changelog and lock, where "" turns the file off and
// null is refused because it could mean either.
func (d *decoder) optionalFile(n ast.Node, key, def, cur string) string {
	s, null, ok := d.text(n, key)
	if !ok {
		return cur
	}
	if null {
		d.errorf(n, "%s is null: write %s: \"\" to turn it off, or remove the key for the default %q", key, key, def)
		return cur
	}
	if s == "" {
		return ""
	}
	if err := checkInsidePath(s); err != nil {
		d.errorf(n, "invalid %s %q: %v", key, s, err)
		return cur
	}
	return path.Clean(s)
}

func (d *decoder) pushTo(n ast.Node, c *Config) {
	s, ok := d.str(n, "push_to")
	if !ok || s == "" {
		return
	}
	dir, isOCI := strings.CutPrefix(s, ociPrefix)
	if !isOCI {
		d.errorf(n, `invalid push_to %q: want "" (each image's repository) or "oci:DIR" (an OCI layout)`, s)
		return
	}
	if err := checkInsidePath(dir); err != nil {
		d.errorf(n, "invalid push_to %q: %v", s, err)
		return
	}
	c.PushTo = ociPrefix + path.Clean(dir)
}

func (d *decoder) mirrors(n ast.Node, c *Config) {
	v, ok := d.resolve(n)
	if !ok {
		return
	}
	entries, _ := d.entries(v, "mirrors", func(key string, first pos) string {
		return fmt.Sprintf("duplicate mirror for %q (first defined at %s)", key, first)
	})
	seen := map[string]pos{}
	for _, e := range entries {
		host, err := checkHost(e.key)
		if err != nil {
			d.errorf(e.keyNode, "invalid mirror host %q: %v", e.key, err)
			continue
		}
		if first, dupe := seen[host]; dupe {
			d.errorf(e.keyNode, "duplicate mirror for %q: %q is the same registry (first defined at %s)", host, e.key, first)
			continue
		}
		seen[host] = posOf(e.keyNode)
		what := fmt.Sprintf("mirror for %q", e.key)
		raw, null, ok := d.text(e.value, what)
		if !ok {
			continue
		}
		if null || raw == "" {
			d.errorf(e.value, "%s has no URL", what)
			continue
		}
		u, err := checkMirrorURL(raw)
		if err != nil {
			d.errorf(e.value, "invalid mirror URL %q for %q: %v", raw, e.key, err)
			continue
		}
		if c.Mirrors == nil {
			c.Mirrors = map[string]string{}
		}
		c.Mirrors[host] = u
	}
}

func (d *decoder) ignore(n ast.Node, c *Config) {
	items, _ := d.list(n, "ignore")
	type first struct {
		s string
		p pos
	}
	seen := map[string]first{}
	for _, it := range items {
		repo, err := checkRepository(it.s)
		if err != nil {
			d.errorf(it.n, "invalid ignore repository %q: %v", it.s, err)
			continue
		}
		norm := normalizeRepo(repo)
		if f, dupe := seen[norm]; dupe {
			d.errorf(it.n, "ignore lists %q twice: %q at %s is the same repository", it.s, f.s, f.p)
			continue
		}
		seen[norm] = first{it.s, posOf(it.n)}
		c.Ignore = append(c.Ignore, norm)
	}
}

func (d *decoder) images(n ast.Node, c *Config) {
	v, ok := d.resolve(n)
	if !ok {
		return
	}
	entries, _ := d.entries(v, "images", func(key string, first pos) string {
		return fmt.Sprintf("duplicate image %q (first defined at %s)", key, first)
	})
	for _, e := range entries {
		if !reImageName.MatchString(e.key) {
			d.errorf(e.keyNode, "invalid image name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", e.key)
			continue
		}
		if img, ok := d.image(e); ok {
			c.Images = append(c.Images, img)
		}
	}
}

func (d *decoder) image(e entry) (Image, bool) {
	img := Image{
		Name:      e.key,
		Status:    StatusActive,
		Priority:  PriorityMedium,
		Platforms: []string{DefaultPlatform},
	}
	nerr := len(d.errs)
	ctx := fmt.Sprintf(" in image %q", img.Name)
	v, ok := d.resolve(e.value)
	if !ok {
		return img, false
	}
	entries, ok := d.entries(v, "image "+quote(img.Name), dupKey(ctx))
	if !ok && entries == nil && !isNull(v) {
		return img, false
	}
	var hasRepo, hasBuild bool
	var extra []item
	var tagNode ast.Node
	for _, f := range entries {
		switch f.key {
		case "repository":
			s, null, ok := d.text(f.value, "repository"+ctx)
			if !ok {
				hasRepo = true // reported
				continue
			}
			if null || s == "" {
				continue // reported as missing below
			}
			hasRepo = true
			if _, err := checkRepository(s); err != nil {
				d.errorf(f.value, "invalid repository %q%s: %v", s, ctx, err)
				continue
			}
			img.Repository = s
		case "tag":
			s, ok := d.str(f.value, "tag"+ctx)
			if !ok || s == "" {
				continue
			}
			if err := checkTag(s); err != nil {
				d.errorf(f.value, "invalid tag %q%s: %v", s, ctx, err)
				continue
			}
			img.Tag, tagNode = s, f.value
		case "extra_tags":
			items, _ := d.list(f.value, "extra_tags"+ctx)
			for _, it := range items {
				if err := checkTag(it.s); err != nil {
					d.errorf(it.n, "invalid extra tag %q%s: %v", it.s, ctx, err)
					continue
				}
				extra = append(extra, it)
				img.ExtraTags = append(img.ExtraTags, it.s)
			}
		case "status":
			if s, ok := d.enum(f.value, "status", ctx, statuses); ok {
				img.Status = Status(s)
			}
		case "priority":
			if s, ok := d.enum(f.value, "priority", ctx, priorities); ok {
				img.Priority = Priority(s)
			}
		case "platforms":
			d.platforms(f.value, ctx, &img)
		case "build":
			hasBuild = true
			d.build(f, img.Name, &img.Build)
		case "notes":
			img.Notes, _ = d.str(f.value, "notes"+ctx)
		default:
			d.unknownKey(f, imageKeys, ctx)
		}
	}
	if img.Tag != "" {
		for _, it := range extra {
			if it.s == img.Tag {
				d.errorf(it.n, "extra tag %q%s repeats tag (at %s)", it.s, ctx, posOf(tagNode))
			}
		}
	}
	if !hasRepo {
		d.errorf(e.keyNode, "missing %q%s", "repository", ctx)
	}
	if !hasBuild {
		d.errorf(e.keyNode, "missing %q%s (set build.flake or build.file)", "build", ctx)
	}
	return img, len(d.errs) == nerr
}

func (d *decoder) platforms(n ast.Node, ctx string, img *Image) {
	v, ok := d.resolve(n)
	if !ok || isNull(v) {
		return // null keeps the default
	}
	items, ok := d.list(n, "platforms"+ctx)
	if !ok {
		return
	}
	if len(items) == 0 {
		d.errorf(n, "platforms%s is empty; remove the key for the default %s", ctx, DefaultPlatform)
		return
	}
	img.Platforms = nil
	for _, it := range items {
		if err := checkPlatform(it.s); err != nil {
			d.errorf(it.n, "invalid platform %q%s: %v", it.s, ctx, err)
			continue
		}
		img.Platforms = append(img.Platforms, it.s)
	}
}

func (d *decoder) build(e entry, image string, b *Build) {
	ctx := fmt.Sprintf(" in build of image %q", image)
	v, ok := d.resolve(e.value)
	if !ok {
		return
	}
	if isNull(v) {
		d.errorf(e.value, "build of image %q is empty (set flake or file)", image)
		return
	}
	entries, ok := d.entries(v, "build of image "+quote(image), dupKey(ctx))
	if !ok && entries == nil {
		return
	}
	var flake, file, attr, args ast.Node
	for _, f := range entries {
		switch f.key {
		case "flake":
			flake = f.keyNode
			s, ok := d.str(f.value, "flake"+ctx)
			if !ok {
				continue
			}
			if s == "" {
				d.errorf(f.value, "flake%s is empty", ctx)
				continue
			}
			if bad := unknownPlaceholder(s, "{system}"); bad != "" {
				d.errorf(f.value, "unknown placeholder %q in flake%s (only {system} is expanded)", bad, ctx)
				continue
			}
			b.Flake = s
		case "file":
			file = f.keyNode
			s, ok := d.str(f.value, "file"+ctx)
			if !ok {
				continue
			}
			if err := checkInsidePath(s); err != nil {
				d.errorf(f.value, "invalid file %q%s: %v", s, ctx, err)
				continue
			}
			b.File = path.Clean(s)
		case "attr":
			attr = f.keyNode
			b.Attr, _ = d.str(f.value, "attr"+ctx)
		case "args":
			args = f.keyNode
			d.args(f.value, ctx, b)
		default:
			d.unknownKey(f, buildKeys, ctx)
		}
	}
	switch {
	case flake != nil && file != nil:
		d.errorf(file, "build of image %q sets both flake and file; keep one", image)
	case flake == nil && file == nil:
		d.errorf(e.keyNode, "build of image %q needs flake or file", image)
	case flake != nil && attr != nil:
		d.errorf(attr, "attr%s applies to file only; put the attribute in the flake reference", ctx)
	case flake != nil && args != nil:
		d.errorf(args, "args%s apply to file only", ctx)
	}
}

func (d *decoder) args(n ast.Node, ctx string, b *Build) {
	v, ok := d.resolve(n)
	if !ok {
		return
	}
	entries, _ := d.entries(v, "args"+ctx, func(key string, first pos) string {
		return fmt.Sprintf("duplicate argument %q%s (first defined at %s)", key, ctx, first)
	})
	for _, e := range entries {
		if !reNixArg.MatchString(e.key) {
			d.errorf(e.keyNode, "invalid argument name %q%s: want a Nix identifier", e.key, ctx)
			continue
		}
		what := fmt.Sprintf("argument %q%s", e.key, ctx)
		s, null, ok := d.text(e.value, what)
		if !ok {
			continue
		}
		if null {
			d.errorf(e.value, "%s is null; write \"\" for an empty string", what)
			continue
		}
		if b.Args == nil {
			b.Args = map[string]string{}
		}
		b.Args[e.key] = s
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
