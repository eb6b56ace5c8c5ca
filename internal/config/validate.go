package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/goccy/go-yaml/ast"
	"github.com/google/go-containerregistry/pkg/name"
)

// Keys of schema version 1, per mapping, and the values of its enums.
var (
	topKeys    = keysOf(rawConfig{})
	imageKeys  = keysOf(rawImage{})
	buildKeys  = keysOf(rawBuild{})
	styles     = []string{string(StyleAuto), string(StyleTagSuffix), string(StyleDigestKey)}
	statuses   = []string{string(StatusActive), string(StatusDisabled), string(StatusDeprecated)}
	priorities = []string{string(PriorityHigh), string(PriorityMedium), string(PriorityLow)}
)

func keysOf(v any) (keys []string) {
	for f := range reflect.TypeOf(v).Fields() {
		keys = append(keys, f.Tag.Get("yaml"))
	}
	return keys
}

// checker turns the decoded file into a Config, reporting every problem
// at the node it is about. Values are checked at the node written under
// their key, an alias where one is used, and read from the node the
// decoder resolved it to.
type checker struct {
	file string
	errs ErrorList
}

func (c *checker) errorf(n ast.Node, format string, args ...any) {
	p := posOf(n)
	c.errs.Add(c.file, p.line, p.column, fmt.Sprintf(format, args...))
}

// valid reports v, written at n, as an invalid noun when err says so.
func (c *checker) valid(n ast.Node, noun, v, ctx string, err error) bool {
	if err != nil {
		c.errorf(n, "invalid %s %q%s: %v", noun, v, ctx, err)
	}
	return err == nil
}

// posOf is where a node is written. A block mapping's own token is its first
// ':', so it is reported at its first key instead.
func posOf(n ast.Node) pos {
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		n = m.Values[0].Key
	}
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return pos{1, 1}
	}
	p := n.GetToken().Position
	return pos{max(p.Line, 1), max(p.Column, 1)}
}

func (p pos) String() string { return fmt.Sprintf("%d:%d", p.line, p.column) }

func kindOf(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "null"
	case *ast.MappingNode:
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

// entry is a key of a mapping and the value written after it.
type entry struct {
	key          string
	keyNode, val ast.Node
	dup          bool // the key is given again; its values go unchecked
}

// entries returns the keys of the mapping n in file order, reporting a
// key given again as dup says.
func (c *checker) entries(n ast.Node, dup func(key string, first pos) string) []entry {
	m, _ := n.(*ast.MappingNode)
	if m == nil {
		return nil
	}
	var es []entry
	seen := map[string]int{}
	for _, kv := range m.Values {
		var k ast.Node = kv.Key
		if mk, ok := k.(*ast.MappingKeyNode); ok {
			k = mk.Value
		}
		if a, ok := k.(*ast.AnchorNode); ok {
			k = a.Value
		}
		key, _ := textOf(k) // lex made every key text
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

func dupOf(format string, args ...any) func(string, pos) string {
	return func(key string, first pos) string {
		return fmt.Sprintf(format, slices.Concat([]any{key}, args, []any{first})...)
	}
}

type fields map[string]entry

// fields returns the keys of the mapping n by name, reporting those not
// known.
func (c *checker) fields(n ast.Node, ctx string, known []string) fields {
	f := fields{}
	for _, e := range c.entries(n, dupOf("duplicate key %q%s (first defined at %s)", ctx)) {
		if slices.Contains(known, e.key) {
			f[e.key] = e
		} else {
			c.errorf(e.keyNode, "unknown key %q%s%s", e.key, ctx, didYouMean(e.key, known))
		}
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

// textOf is the text of a scalar as written, numbers and booleans too.
func textOf(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value, true
		}
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// text returns the text of s, written at n; null is "". ok is false when
// there is nothing to use: n is nil, or s is not a scalar (reported).
func (c *checker) text(s scalar, n ast.Node, what string) (string, bool) {
	text, ok := textOf(s.n)
	switch {
	case n == nil:
		return "", false
	case !ok && s.n != nil:
		c.errorf(n, "%s must be a string, not %s", what, kindOf(s.n))
		return "", false
	}
	return text, true
}

func null(s scalar, n ast.Node) bool { return n != nil && s.n == nil }

// enum returns one of allowed; null and absent are "" and false.
func (c *checker) enum(s scalar, n ast.Node, noun, ctx string, allowed []string) (string, bool) {
	v, ok := c.text(s, n, noun+ctx)
	if !ok || null(s, n) {
		return "", false
	}
	last := len(allowed) - 1
	if !slices.Contains(allowed, v) {
		c.errorf(n, "invalid %s %q%s: want %s or %s%s", noun, v, ctx, strings.Join(allowed[:last], ", "), allowed[last], didYouMean(v, allowed))
		return "", false
	}
	return v, true
}

// mapping reports whether m, written at n, is a mapping to check; null is
// an empty one, a nil n nothing to check.
func (c *checker) mapping(m, n ast.Node, what string) bool {
	if _, ok := m.(*ast.MappingNode); !ok && m != nil {
		c.errorf(n, "%s must be a mapping, not %s", what, kindOf(m))
		return false
	}
	return n != nil
}

type item struct {
	s, text string // as check returns it, as written
	n       ast.Node
}

// list returns the entries of l, written at n, that check accepts, in
// the form it returns them, and whether l is a list (not absent, null or
// of another kind). Entries that are null, not strings, repeated or
// invalid are reported and left out.
func (c *checker) list(l at[[]scalar], n ast.Node, key, noun, ctx string, check func(string) (string, error)) ([]item, bool) {
	seq, isSeq := l.n.(*ast.SequenceNode)
	s, isStr := l.n.(*ast.StringNode)
	switch {
	case n == nil || l.n == nil:
		return nil, false
	case isStr:
		c.errorf(n, "%s%s must be a list, not a string (write [%q])", key, ctx, s.Value)
	case !isSeq:
		c.errorf(n, "%s%s must be a list, not %s", key, ctx, kindOf(l.n))
	}
	if !isSeq {
		return nil, false
	}
	seen := map[string]ast.Node{}
	items := []item{}
	for i, el := range seq.Values[:min(len(l.v), len(seq.Values))] {
		text, ok := c.text(l.v[i], el, "each entry of "+key+ctx)
		first, dupe := seen[text]
		norm, err := check(text)
		switch {
		case !ok:
		case null(l.v[i], el):
			c.errorf(el, "an entry of %s%s is null", key, ctx)
		case dupe:
			c.errorf(el, "%s%s lists %q twice (first at %s)", key, ctx, text, posOf(first))
		default:
			seen[text] = el
			if c.valid(el, noun, text, ctx, err) {
				items = append(items, item{norm, text, el})
			}
		}
	}
	return items, true
}

func glob(g string) (string, error) { return path.Clean(g), checkGlob(g) }

func same(check func(string) error) func(string) (string, error) {
	return func(s string) (string, error) { return s, check(s) }
}

func (c *checker) config(root at[rawConfig], cfg *Config) {
	if _, null := root.n.(*ast.NullNode); root.n == nil || null {
		c.errs.Add(c.file, 1, 1, `missing "version: 1" (the file is empty)`)
		return
	}
	if !c.mapping(root.n, root.n, "the config") {
		return
	}
	r, f := root.v, c.fields(root.n, "", topKeys)
	version, isInt := r.Version.n.(*ast.IntegerNode)
	switch n := f.at("version"); {
	case !f.has("version"):
		c.errorf(root.n, `missing "version: 1"`)
	case n == nil:
	case !isInt:
		c.errorf(n, "version must be the integer 1, not %s", kindOf(r.Version.n))
	case fmt.Sprint(version.GetValue()) != "1":
		c.errorf(n, "unsupported version %v: this pinner reads version 1", version.GetValue())
	default:
		cfg.Version = 1
	}
	// Glob walks an fs.FS, which refuses "./a" and "a//b": globs are cleaned.
	if items, ok := c.list(r.Modules, f.at("modules"), "modules", "modules glob", "", glob); ok {
		if len(r.Modules.v) == 0 {
			c.errorf(f.at("modules"), "modules is empty; list at least one glob or remove the key for the default %q", DefaultModules)
		}
		cfg.Modules = nil
		for _, it := range items {
			cfg.Modules = append(cfg.Modules, it.s)
			cfg.modulePos = append(cfg.modulePos, posOf(it.n))
		}
	}
	items, _ := c.list(r.Exclude, f.at("exclude"), "exclude", "exclude glob", "", glob)
	for _, it := range items {
		cfg.Exclude = append(cfg.Exclude, it.s)
	}
	c.optionalFile(r.Changelog, f.at("changelog"), "changelog", DefaultChangelog, &cfg.Changelog)
	c.optionalFile(r.Lock, f.at("lock"), "lock", DefaultLock, &cfg.Lock)
	if s, ok := c.enum(r.Style, f.at("style"), "style", "", styles); ok {
		cfg.Style = Style(s)
	}
	if s, _ := c.text(r.PushTo, f.at("push_to"), "push_to"); s != "" {
		dir, isOCI := strings.CutPrefix(s, ociPrefix)
		if !isOCI {
			c.errorf(f.at("push_to"), `invalid push_to %q: want "" (each image's repository) or "oci:DIR" (an OCI layout)`, s)
		} else if c.valid(f.at("push_to"), "push_to", s, "", checkInsidePath(dir)) {
			cfg.PushTo = ociPrefix + path.Clean(dir)
		}
	}
	for _, fn := range []struct {
		key string
		raw scalar
		to  *string
	}{{"pull_function", r.PullFunc, &cfg.PullFunction}, {"nix2container_pull_function", r.N2CPull, &cfg.Nix2containerPullFunction}} {
		if v, _ := c.text(fn.raw, f.at(fn.key), fn.key); v != "" && c.valid(f.at(fn.key), fn.key, v, "", checkInsidePath(v)) {
			*fn.to = path.Clean(v)
		}
	}
	if v, _ := c.text(r.ChartFunc, f.at("chart_function"), "chart_function"); v != "" && c.valid(f.at("chart_function"), "chart_function", v, "", checkInsidePath(v)) {
		cfg.ChartFunction = path.Clean(v)
	}
	c.mirrors(r.Mirrors, f.at("mirrors"), cfg)
	items, _ = c.list(r.Insecure, f.at("insecure"), "insecure", "insecure host", "", checkHost)
	for _, it := range items {
		cfg.Insecure = append(cfg.Insecure, it.s)
	}
	seen := map[string]item{}
	items, _ = c.list(r.Ignore, f.at("ignore"), "ignore", "ignore repository", "", func(s string) (string, error) {
		repo, err := checkRepository(s)
		return normalizeRepo(repo), err
	})
	for _, it := range items {
		if first, dupe := seen[it.s]; dupe {
			c.errorf(it.n, "ignore lists %q twice: %q at %s is the same repository", it.text, first.text, posOf(first.n))
			continue
		}
		seen[it.s] = it
		cfg.Ignore = append(cfg.Ignore, it.s)
	}
	items, _ = c.list(r.NixArgs, f.at("nix_args"), "nix_args", "nix argument", "", func(s string) (string, error) {
		if s == "" {
			return "", errors.New("empty")
		}
		return s, nil
	})
	for _, it := range items {
		cfg.NixArgs = append(cfg.NixArgs, it.s)
	}
	if m := r.Images; c.mapping(m.n, f.at("images"), "images") {
		for _, e := range c.entries(m.n, dupOf("duplicate image %q (first defined at %s)")) {
			err := errors.New("use letters, digits, '.', '_' and '-', starting with a letter or digit")
			if reImageName().MatchString(e.key) {
				err = nil
			}
			if c.valid(e.keyNode, "image name", e.key, "", err) && !e.dup {
				if img, ok := c.image(e, m.v[e.key]); ok {
					cfg.Images = append(cfg.Images, img)
				}
			}
		}
	}
	c.policies(r.Policies, f.at("policies"), cfg)
}

// optionalFile checks changelog and lock, where "" turns the file off and
// null is refused because it could mean either.
func (c *checker) optionalFile(s scalar, n ast.Node, key, def string, cur *string) {
	switch v, ok := c.text(s, n, key); {
	case !ok:
	case null(s, n):
		c.errorf(n, "%s is null: write %s: \"\" to turn it off, or remove the key for the default %q", key, key, def)
	case v == "":
		*cur = ""
	case c.valid(n, key, v, "", checkInsidePath(v)):
		*cur = path.Clean(v)
	}
}

func (c *checker) mirrors(m at[map[string]scalar], n ast.Node, cfg *Config) {
	if !c.mapping(m.n, n, "mirrors") {
		return
	}
	seen := map[string]ast.Node{}
	for _, e := range c.entries(m.n, dupOf("duplicate mirror for %q (first defined at %s)")) {
		host, err := checkHost(e.key)
		if first, dupe := seen[host]; dupe && err == nil {
			c.errorf(e.keyNode, "duplicate mirror for %q: %q is the same registry (first defined at %s)", host, e.key, posOf(first))
			continue
		}
		if !c.valid(e.keyNode, "mirror host", e.key, "", err) {
			continue
		}
		if seen[host] = e.keyNode; e.dup {
			continue
		}
		what := fmt.Sprintf("mirror for %q", e.key)
		raw, ok := c.text(m.v[e.key], e.val, what)
		u, err := checkMirrorURL(raw)
		switch {
		case !ok:
		case raw == "":
			c.errorf(e.val, "%s has no URL", what)
		case c.valid(e.val, "mirror URL", raw, fmt.Sprintf(" for %q", e.key), err):
			if cfg.Mirrors == nil {
				cfg.Mirrors = map[string]string{}
			}
			cfg.Mirrors[host] = u
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
	r, f := o.v, c.fields(o.n, ctx, imageKeys)
	if repo, ok := c.text(r.Repository, f.at("repository"), "repository"+ctx); !f.has("repository") || ok && repo == "" {
		c.errorf(e.keyNode, "missing %q%s", "repository", ctx)
	} else if _, err := checkRepository(repo); ok && c.valid(f.at("repository"), "repository", repo, ctx, err) {
		img.Repository = repo
	}
	if tag, _ := c.text(r.Tag, f.at("tag"), "tag"+ctx); tag != "" && c.valid(f.at("tag"), "tag", tag, ctx, checkTag(tag)) {
		img.Tag = tag
	}
	items, _ := c.list(r.ExtraTags, f.at("extra_tags"), "extra_tags", "extra tag", ctx, same(checkTag))
	for _, it := range items {
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
	if items, ok := c.list(r.Platforms, f.at("platforms"), "platforms", "platform", ctx, same(checkPlatform)); ok {
		if len(r.Platforms.v) == 0 {
			c.errorf(f.at("platforms"), "platforms%s is empty; remove the key for the default %s", ctx, DefaultPlatform)
		}
		img.Platforms = nil
		for _, it := range items {
			img.Platforms = append(img.Platforms, it.s)
		}
	}
	if !f.has("build") {
		c.errorf(e.keyNode, "missing %q%s (set build.flake or build.file)", "build", ctx)
	} else if f.at("build") != nil {
		c.build(r.Build, f["build"], img.Name, &img.Build)
	}
	img.Notes, _ = c.text(r.Notes, f.at("notes"), "notes"+ctx)
	if s, ok := c.text(r.Source, f.at("source"), "source"+ctx); ok && c.valid(f.at("source"), "source", s, ctx, checkSourceURL(s)) {
		img.Source = s
	}
	return img, len(c.errs) == nerr
}

func (c *checker) build(o at[rawBuild], e entry, image string, b *Build) {
	ctx := fmt.Sprintf(" in build of image %q", image)
	what := "build of image " + quote(image)
	if o.n == nil {
		c.errorf(e.val, "%s is empty (set flake or file)", what)
	}
	if !c.mapping(o.n, e.val, what) || o.n == nil {
		return
	}
	r, f := o.v, c.fields(o.n, ctx, buildKeys)
	if s, ok := c.text(r.Flake, f.at("flake"), "flake"+ctx); ok {
		if bad := unknownPlaceholder(s, "{system}"); s == "" {
			c.errorf(f.at("flake"), "flake%s is empty", ctx)
		} else if bad != "" {
			c.errorf(f.at("flake"), "unknown placeholder %q in flake%s (only {system} is expanded)", bad, ctx)
		}
		b.Flake = s
	}
	if s, ok := c.text(r.File, f.at("file"), "file"+ctx); ok && c.valid(f.at("file"), "file", s, ctx, checkInsidePath(s)) {
		b.File = path.Clean(s)
	}
	b.Attr, _ = c.text(r.Attr, f.at("attr"), "attr"+ctx)
	if m := r.Args; c.mapping(m.n, f.at("args"), "args"+ctx) {
		for _, e := range c.entries(m.n, dupOf("duplicate argument %q%s (first defined at %s)", ctx)) {
			what := fmt.Sprintf("argument %q%s", e.key, ctx)
			err := errors.New("want a Nix identifier")
			if reNixArg().MatchString(e.key) {
				err = nil
			}
			if !c.valid(e.keyNode, "argument name", e.key, ctx, err) || e.dup {
				continue
			}
			if s, ok := c.text(m.v[e.key], e.val, what); null(m.v[e.key], e.val) {
				c.errorf(e.val, "%s is null; write \"\" for an empty string", what)
			} else if ok {
				if b.Args == nil {
					b.Args = map[string]string{}
				}
				b.Args[e.key] = s
			}
		}
	}
	switch {
	case f.has("flake") && f.has("file"):
		c.errorf(f["file"].keyNode, "%s sets both flake and file; keep one", what)
	case !f.has("flake") && !f.has("file"):
		c.errorf(e.keyNode, "%s needs flake or file", what)
	case f.has("flake") && f.has("attr"):
		c.errorf(f["attr"].keyNode, "attr%s applies to file only; put the attribute in the flake reference", ctx)
	case f.has("flake") && f.has("args"):
		c.errorf(f["args"].keyNode, "args%s apply to file only", ctx)
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// knownPlatforms are the os/arch pairs of `go tool dist list`: the pairs an
// image index can meaningfully name.
var knownPlatforms = map[string][]string{
	"aix":       {"ppc64"},
	"android":   {"386", "amd64", "arm", "arm64"},
	"darwin":    {"amd64", "arm64"},
	"dragonfly": {"amd64"},
	"freebsd":   {"386", "amd64", "arm", "arm64"},
	"illumos":   {"amd64"},
	"ios":       {"amd64", "arm64"},
	"js":        {"wasm"},
	"linux":     {"386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64", "ppc64le", "riscv64", "s390x"},
	"netbsd":    {"386", "amd64", "arm", "arm64"},
	"openbsd":   {"386", "amd64", "arm", "arm64", "ppc64", "riscv64"},
	"plan9":     {"386", "amd64", "arm"},
	"solaris":   {"amd64"},
	"wasip1":    {"wasm"},
	"windows":   {"386", "amd64", "arm64"},
}

// knownVariants are the variants the OCI image spec and containerd use;
// variantHelp says them briefly.
var (
	variantHelp = map[string]string{
		"arm":   "v5, v6, v7 or v8",
		"arm64": "v8, v8.0 to v8.9, v9 or v9.0 to v9.5",
		"amd64": "v1, v2, v3 or v4",
	}
	knownVariants = map[string][]string{
		"arm":   {"v5", "v6", "v7", "v8"},
		"arm64": {"v8", "v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9", "v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5"},
		"amd64": {"v1", "v2", "v3", "v4"},
	}
)

// platformAliases are spellings people bring from uname, Debian and Nix.
var platformAliases = map[string]string{
	"x86_64": "amd64", "x86-64": "amd64", "x64": "amd64",
	"aarch64": "arm64", "armv8": "arm64",
	"armhf": "arm", "armel": "arm", "armv7": "arm", "armv7l": "arm", "armv6l": "arm",
	"i386": "386", "i686": "386", "x86": "386",
	"powerpc64le": "ppc64le", "ppc64el": "ppc64le",
	"x86_64-linux": "linux/amd64", "aarch64-linux": "linux/arm64",
	"armv7l-linux": "linux/arm/v7", "armv6l-linux": "linux/arm/v6",
	"i686-linux": "linux/386", "riscv64-linux": "linux/riscv64",
	"powerpc64le-linux": "linux/ppc64le", "s390x-linux": "linux/s390x",
	"x86_64-darwin": "darwin/amd64", "aarch64-darwin": "darwin/arm64",
}

// checkPlatform validates os/arch[/variant] the way v1.ParsePlatform splits
// it, but refuses pairs no image is built for.
func checkPlatform(p string) error {
	if alias, ok := platformAliases[p]; ok && strings.Contains(alias, "/") {
		return fmt.Errorf("want os/arch[/variant] (did you mean %q?)", alias)
	}
	if strings.Contains(p, ":") {
		return errors.New("os versions are not supported; want os/arch[/variant]")
	}
	parts := strings.Split(p, "/")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return errors.New("want os/arch[/variant]")
	}
	osName, arch := parts[0], parts[1]
	archs, ok := knownPlatforms[osName]
	if !ok {
		return fmt.Errorf("unknown operating system %q%s", osName, didYouMean(osName, slices.Sorted(maps.Keys(knownPlatforms))))
	}
	if !slices.Contains(archs, arch) {
		if alias, ok := platformAliases[arch]; ok && slices.Contains(archs, alias) {
			return fmt.Errorf("unknown architecture %q (did you mean %q?)", arch, osName+"/"+alias)
		}
		all := slices.Concat(slices.Collect(maps.Values(knownPlatforms))...)
		if slices.Contains(all, arch) {
			return fmt.Errorf("architecture %q does not exist for %q", arch, osName)
		}
		return fmt.Errorf("unknown architecture %q%s", arch, didYouMean(arch, archs))
	}
	if len(parts) == 3 {
		variant := parts[2]
		variants := knownVariants[arch]
		if variants == nil {
			return fmt.Errorf("architecture %q has no variants", arch)
		}
		if !slices.Contains(variants, variant) {
			return fmt.Errorf("unknown variant %q for %q (want %s)", variant, arch, variantHelp[arch])
		}
	}
	return nil
}

// checkRepository validates a repository with go-containerregistry and says
// so plainly when a tag or digest was written into it.
func checkRepository(s string) (name.Repository, error) {
	repo, err := name.NewRepository(s)
	if err == nil {
		return repo, nil
	}
	if d, derr := name.NewDigest(s); derr == nil {
		return name.Repository{}, fmt.Errorf("a repository has no digest (write %q)", d.Context().String())
	}
	if t, terr := name.NewTag(s); terr == nil {
		return name.Repository{}, fmt.Errorf("a repository has no tag (write %q and put %q under tag)", t.Context().String(), t.TagStr())
	}
	return name.Repository{}, err
}

var reTag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`) })

// gitPlaceholder stands for HEAD's short commit (at most 40 hex digits).
const gitPlaceholder = "{git}"

var rePlaceholder = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{[^{}]*\}`) })

// checkTag validates a tag that may contain {git}.
func checkTag(tag string) error {
	if bad := unknownPlaceholder(tag, gitPlaceholder); bad != "" {
		return fmt.Errorf("unknown placeholder %q (only %q is expanded in tags)", bad, gitPlaceholder)
	}
	// A short commit is 7 to 12 hex digits; check with the longest.
	expanded := strings.ReplaceAll(tag, gitPlaceholder, "0123456789ab")
	if !reTag().MatchString(expanded) {
		return errors.New("a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'")
	}
	return nil
}

// unknownPlaceholder returns the first {...} in s that is not allowed.
func unknownPlaceholder(s string, allowed ...string) string {
	for _, m := range rePlaceholder().FindAllString(s, -1) {
		if !slices.Contains(allowed, m) {
			return m
		}
	}
	return ""
}

// checkInsidePath validates a slash path relative to the config directory.
func checkInsidePath(p string) error {
	if p == "" {
		return errors.New("path is empty")
	}
	if path.IsAbs(p) || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':') {
		return errors.New("path must be relative to the directory of the config file")
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return errors.New("path leaves the directory of the config file")
	}
	if c == "." {
		return errors.New("path names the directory of the config file, not a file in it")
	}
	if c == ".git" || strings.HasPrefix(c, ".git/") {
		// changelog: .git/config was accepted, and broke git.
		return errors.New("path is inside .git, which holds git's own files")
	}
	return nil
}

// checkGlob validates a doublestar glob relative to the config directory.
// Unlike plain paths, a glob may not contain ".." at all: inside {a,b}
// alternatives path.Clean cannot tell whether it escapes.
func checkGlob(g string) error {
	if g == "" {
		return errors.New("glob is empty")
	}
	if strings.HasPrefix(g, "/") {
		return errors.New("glob must be relative to the directory of the config file")
	}
	if !doublestar.ValidatePattern(g) {
		return errors.New("malformed glob (unbalanced [] or {}, or a trailing \\)")
	}
	for _, elem := range strings.FieldsFunc(g, func(r rune) bool { return strings.ContainsRune("/{},", r) }) {
		if elem == ".." {
			return errors.New(`glob must not contain ".." (it could leave the directory of the config file)`)
		}
	}
	return nil
}

// checkMirrorURL validates a mirror base URL and returns its normal form.
func checkMirrorURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parsing URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("want an http:// or https:// URL")
	case u.Host == "" || u.Hostname() == "":
		return "", errors.New("URL has no host")
	case u.User != nil:
		return "", errors.New("URL must not carry credentials")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("URL must not have a query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// checkHost validates a registry host[:port] and returns its normal form.
func checkHost(h string) (string, error) {
	if h == "" {
		return "", errors.New("host is empty")
	}
	reg, err := name.NewRegistry(h)
	if err != nil {
		return "", errors.New("want a registry host[:port], without scheme or path")
	}
	return normalizeHost(reg.RegistryStr()), nil
}

var reImageName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`) })

// reNixArg is a Nix identifier, the names --argstr accepts.
var reNixArg = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*$`) })

// didYouMean returns ` (did you mean "x"?)` for the candidate closest to s,
// or "" when none is close.
func didYouMean(s string, candidates []string) string {
	if best := closest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func closest(s string, candidates []string) string {
	fold := func(x string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(x))
	}
	best, bestDist := "", 0
	for _, c := range candidates {
		if fold(c) == fold(s) {
			return c
		}
		limit := 2
		if len(c) <= 4 {
			limit = 1
		}
		if diff := len(s) - len(c); diff > limit || -diff > limit {
			continue
		}
		d := editDistance(s, c)
		if d <= limit && (best == "" || d < bestDist || (d == bestDist && c < best)) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost one, so
// "platfrom" is two edits from "platforms".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// checkSourceURL: the label names a repository by an absolute http(s) URL.
func checkSourceURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("want an http(s) URL such as https://github.com/OWNER/REPO")
	}
	return nil
}
