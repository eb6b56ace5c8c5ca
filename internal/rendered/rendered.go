// Package rendered finds the container images in rendered Kubernetes
// manifests (the YAML `make manifests` writes), with the line and column of
// each: the containers, initContainers and ephemeralContainers of every Pod
// spec (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
// PodTemplate, ReplicationController), and in any other object the values
// of image-named keys (`image`, `imageName`, `…Image`) that are unmistakable
// references (a registry host and a tag or digest): rook's
// `spec.cephVersion.image`, CloudNativePG's `imageName`. Each image carries
// the Helm labels of its object, when it has them.
//
// Files are YAML, many documents each; sops-encrypted files (`*.enc.yaml`)
// are YAML too, and their encrypted values are no references.
package rendered

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/repofile"
)

// Bounds on what is read.
const (
	// MaxFile is the largest YAML file read: the CRDs of the biggest
	// charts render to a few MB.
	MaxFile = 32 << 20
	// MaxFiles is how many YAML files below the directory are read.
	MaxFiles = 100_000
	// MaxDocuments is how many documents one file may hold.
	MaxDocuments = 100_000
	// MaxDepth is how deeply a file's YAML may nest (CRD schemas go a few
	// dozen levels deep); checked on the tokens before parsing, whose
	// time grows faster than the nesting.
	MaxDepth = 512
)

// Image is one image written in a rendered manifest.
type Image struct {
	File         string
	Line, Column int
	// Ref is the value as written; Image is it parsed (zero when Invalid).
	Ref   string
	Image imageref.Ref
	// Invalid says why Ref is no valid reference, "" when it is one.
	Invalid string
	// Kind and Name are the object's.
	Kind, Name string
	// Helm is what the object's labels say of the Helm release that
	// rendered it; nil when they say nothing.
	Helm *Helm
}

// Helm is what an object's Helm labels say.
type Helm struct {
	// Release is app.kubernetes.io/instance (or the older release label).
	Release string
	// Chart is helm.sh/chart (or chart), "NAME-VERSION".
	Chart string
}

// Read finds the images of every YAML file (*.yaml, *.yml) below dir (or
// of dir itself, when it is a file), sorted by file and position. YAML
// that does not parse is reported in the list, each error at its
// position; err is for a directory that cannot be read.
func Read(ctx context.Context, dir string) ([]Image, diag.List, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if ext := filepath.Ext(p); (ext == ".yaml" || ext == ".yml") && d.Type().IsRegular() || p == dir {
			if len(files) == MaxFiles {
				return fmt.Errorf("more than %d YAML files", MaxFiles)
			}
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading rendered manifests in %q: %w", dir, err)
	}
	// Files are read concurrently, one per core: goccy's parser takes
	// most of the time.
	per := make([][]Image, len(files))
	perErrs := make([]diag.List, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range files {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			data, err := repofile.Read(p, MaxFile)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				perErrs[i] = diag.List{{File: p, Msg: fmt.Sprintf("reading rendered manifest: %v", err), Err: err}}
				return nil
			}
			per[i], perErrs[i] = File(p, data)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var (
		out  []Image
		errs diag.List
	)
	for i := range files {
		out = append(out, per[i]...)
		errs = append(errs, perErrs[i]...)
	}
	slices.SortStableFunc(out, func(a, b Image) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	errs.Sort()
	return out, errs, nil
}

// File finds the images of one YAML file's content. Each document is
// parsed on its own, and only when it could hold an image: a document
// with no image-named key anywhere in its text, or one of a kind that
// holds schemas or data rather than images (CustomResourceDefinition,
// ConfigMap, Secret), is skipped unparsed — most of a rendered tree's
// bytes, so that a pre-commit gate stays fast.
func File(name string, data []byte) (imgs []Image, errs diag.List) {
	r := &reader{file: name}
	docs := 0
	for line, doc := range documents(data) {
		if docs++; docs > MaxDocuments {
			return nil, diag.List{{File: name, Line: line, Column: 1, Msg: fmt.Sprintf("more than %d YAML documents", MaxDocuments)}}
		}
		if !bytes.Contains(doc, []byte("mage")) || skipKinds[topKind(doc)] {
			continue
		}
		if e := r.document(line-1, doc); e != nil {
			errs = append(errs, e)
		}
	}
	return r.out, errs
}

// skipKinds hold no images of their own.
var skipKinds = map[string]bool{"CustomResourceDefinition": true, "ConfigMap": true, "Secret": true}

// documents yields each document of data with the line it starts on,
// split at the `---` (and `...`) lines that YAML forbids inside any
// scalar, so a split never cuts a value.
func documents(data []byte) func(yield func(int, []byte) bool) {
	return func(yield func(int, []byte) bool) {
		start, startLine, line := 0, 1, 1
		for i := 0; i <= len(data); {
			end := bytes.IndexByte(data[i:], '\n')
			next := len(data) + 1
			if end >= 0 {
				end += i
				next = end + 1
			} else {
				end = len(data)
			}
			l := data[i:end]
			if marker(l, "---") || marker(l, "...") {
				if !yield(startLine, data[start:i]) {
					return
				}
				start, startLine = i, line
				if l[0] == '.' {
					start, startLine = min(next, len(data)), line+1
				}
			}
			i = next
			line++
		}
		if start < len(data) {
			yield(startLine, data[start:])
		}
	}
}

func marker(l []byte, m string) bool {
	return bytes.HasPrefix(l, []byte(m)) && (len(l) == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r')
}

// topKind is the value of a `kind:` key at the start of a line, the
// document's own kind in the block style every renderer writes.
func topKind(doc []byte) string {
	for len(doc) > 0 {
		l := doc
		if i := bytes.IndexByte(doc, '\n'); i >= 0 {
			l, doc = doc[:i], doc[i+1:]
		} else {
			doc = nil
		}
		if v, ok := bytes.CutPrefix(l, []byte("kind:")); ok {
			return strings.Trim(strings.TrimSpace(string(v)), `"'`)
		}
	}
	return ""
}

// document parses one document that starts after line lines of the file.
func (r *reader) document(lines int, doc []byte) (e *diag.Error) {
	defer func() {
		if p := recover(); p != nil {
			e = &diag.Error{File: r.file, Line: lines + 1, Column: 1, Msg: fmt.Sprintf("invalid YAML: the parser failed: %v", p)}
		}
	}()
	tokens := lexer.Tokenize(string(doc))
	if e := checkShape(r.file, tokens); e != nil {
		e.Line += lines
		return e
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		e := yamlError(r.file, err)
		e.Line += lines
		return e
	}
	r.lines = lines
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			r.object(d.Body, 0)
		}
	}
	return nil
}

func yamlError(name string, err error) *diag.Error {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil && yerr.GetToken().Position != nil {
		p := yerr.GetToken().Position
		return &diag.Error{File: name, Line: max(p.Line, 1), Column: max(p.Column, 1), Msg: "invalid YAML: " + yerr.GetMessage()}
	}
	return &diag.Error{File: name, Line: 1, Column: 1, Msg: "invalid YAML: " + err.Error()}
}

// checkShape refuses YAML nested deeper than MaxDepth, counting block
// nesting by the columns of open keys and entries and flow nesting by
// brackets, at the token that goes too deep; and a lexer error, at its
// token.
func checkShape(name string, tokens token.Tokens) *diag.Error {
	var (
		cols []int
		flow int
	)
	at := func(tk *token.Token, msg string) *diag.Error {
		line, col := 1, 1
		if tk.Position != nil {
			line, col = max(tk.Position.Line, 1), max(tk.Position.Column, 1)
		}
		return &diag.Error{File: name, Line: line, Column: col, Msg: msg}
	}
	for _, tk := range tokens {
		switch tk.Type {
		case token.InvalidType:
			return at(tk, "invalid YAML: "+tk.Error)
		case token.DocumentHeaderType, token.DocumentEndType:
			cols, flow = cols[:0], 0
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.MappingValueType, token.SequenceEntryType:
			if flow > 0 || tk.Position == nil {
				continue
			}
			c := tk.Position.Column
			for len(cols) > 0 && cols[len(cols)-1] > c {
				cols = cols[:len(cols)-1]
			}
			if len(cols) == 0 || cols[len(cols)-1] < c {
				cols = append(cols, c)
			}
		default:
			continue
		}
		if len(cols)+flow > MaxDepth {
			return at(tk, fmt.Sprintf("the YAML nests more than %d levels deep", MaxDepth))
		}
	}
	return nil
}

type reader struct {
	file string
	out  []Image
	// lines is where the document being read starts in the file.
	lines int
}

// podSpecs are where each workload kind keeps its Pod spec.
var podSpecs = map[string][]string{
	"Pod":                   {"spec"},
	"PodTemplate":           {"template", "spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// object reads one Kubernetes object (a document, or an item of a List).
func (r *reader) object(n ast.Node, depth int) {
	m, ok := unwrap(n).(*ast.MappingNode)
	if !ok || depth > 4 {
		return
	}
	kind := str(get(m, "kind"))
	if kind == "List" || strings.HasSuffix(kind, "List") && get(m, "items") != nil {
		if s, ok := unwrap(get(m, "items")).(*ast.SequenceNode); ok {
			for _, it := range s.Values {
				r.object(it, depth+1)
			}
		}
		return
	}
	meta, _ := unwrap(get(m, "metadata")).(*ast.MappingNode)
	name := str(get(meta, "name"))
	helm := helmOf(labels(meta))
	if path, ok := podSpecs[kind]; ok {
		spec := m
		for _, k := range path {
			spec, _ = unwrap(get(spec, k)).(*ast.MappingNode)
		}
		if helm == nil && len(path) > 1 {
			tmpl, _ := unwrap(get(m, "spec")).(*ast.MappingNode)
			if kind == "CronJob" {
				tmpl, _ = unwrap(get(tmpl, "jobTemplate")).(*ast.MappingNode)
				tmpl, _ = unwrap(get(tmpl, "spec")).(*ast.MappingNode)
			}
			tmpl, _ = unwrap(get(tmpl, "template")).(*ast.MappingNode)
			tm, _ := unwrap(get(tmpl, "metadata")).(*ast.MappingNode)
			helm = helmOf(labels(tm))
		}
		for _, list := range []string{"containers", "initContainers", "ephemeralContainers"} {
			s, ok := unwrap(get(spec, list)).(*ast.SequenceNode)
			if !ok {
				continue
			}
			for _, c := range s.Values {
				cm, _ := unwrap(c).(*ast.MappingNode)
				if v := get(cm, "image"); v != nil {
					r.add(v, kind, name, helm, false)
				}
			}
		}
		return
	}
	if kind == "CustomResourceDefinition" || kind == "ConfigMap" || kind == "Secret" {
		return // schemas and data, not images
	}
	r.walk(m, kind, name, helm, 0)
}

// walk finds image-named keys holding unmistakable references anywhere
// in an object of another kind.
func (r *reader) walk(n ast.Node, kind, name string, helm *Helm, depth int) {
	if depth > MaxDepth {
		return
	}
	switch n := unwrap(n).(type) {
	case *ast.MappingNode:
		for _, mv := range n.Values {
			if imageKey(str(mv.Key)) {
				if _, ok := unwrap(mv.Value).(*ast.StringNode); ok {
					r.add(mv.Value, kind, name, helm, true)
					continue
				}
			}
			r.walk(mv.Value, kind, name, helm, depth+1)
		}
	case *ast.SequenceNode:
		for _, v := range n.Values {
			r.walk(v, kind, name, helm, depth+1)
		}
	}
}

// imageKey reports whether a key names an image: image, imageName, and
// names ending in Image or image.
func imageKey(k string) bool {
	return k == "image" || k == "imageName" || strings.HasSuffix(k, "Image") || strings.HasSuffix(k, "image")
}

// add records the image at v; unmistakable asks for a registry host and a
// tag or digest (keys outside Pod specs).
func (r *reader) add(v ast.Node, kind, name string, helm *Helm, unmistakable bool) {
	s, ok := unwrap(v).(*ast.StringNode)
	if !ok {
		return
	}
	text := s.Value
	if text == "" {
		return
	}
	img := Image{File: r.file, Ref: text, Kind: kind, Name: name, Helm: helm}
	if p := s.GetToken().Position; p != nil {
		img.Line, img.Column = p.Line+r.lines, p.Column
	}
	ref, err := imageref.Parse(text)
	switch {
	case unmistakable && (err != nil || ref.Registry() == "" || ref.Tag == "" && ref.Digest == ""):
		return
	case err != nil:
		img.Invalid = strings.TrimPrefix(err.Error(), fmt.Sprintf("parsing reference %q: ", text))
	default:
		img.Image = ref
	}
	r.out = append(r.out, img)
}

// labels are an object's labels.
func labels(meta *ast.MappingNode) map[string]string {
	l, ok := unwrap(get(meta, "labels")).(*ast.MappingNode)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, mv := range l.Values {
		out[str(mv.Key)] = str(mv.Value)
	}
	return out
}

// helmOf reads the Helm labels: the recommended ones, else the older
// release/chart/heritage of the stable charts.
func helmOf(l map[string]string) *Helm {
	switch {
	case l["app.kubernetes.io/managed-by"] == "Helm" || l["helm.sh/chart"] != "":
		h := &Helm{Release: l["app.kubernetes.io/instance"], Chart: l["helm.sh/chart"]}
		if h.Release != "" || h.Chart != "" {
			return h
		}
	case l["heritage"] == "Helm":
		return &Helm{Release: l["release"], Chart: l["chart"]}
	}
	return nil
}

// get is the value of key in m, nil when absent or m is nil.
func get(m *ast.MappingNode, key string) ast.Node {
	if m == nil {
		return nil
	}
	for _, mv := range m.Values {
		if str(mv.Key) == key {
			return mv.Value
		}
	}
	return nil
}

// str is the text of a scalar, "" for anything else.
func str(n ast.Node) string {
	switch n := unwrap(n).(type) {
	case *ast.StringNode:
		return n.Value
	case nil:
		return ""
	case *ast.MappingNode, *ast.SequenceNode, *ast.NullNode:
		return ""
	case ast.ScalarNode:
		if n.GetToken() != nil {
			return n.GetToken().Value
		}
	}
	return ""
}

// unwrap sees through tags and anchors; an alias is not followed.
func unwrap(n ast.Node) ast.Node {
	for range 8 {
		switch x := n.(type) {
		case *ast.TagNode:
			n = x.Value
		case *ast.AnchorNode:
			n = x.Value
		case *ast.MappingValueNode:
			// A document whose body is one key: value pair.
			return &ast.MappingNode{Values: []*ast.MappingValueNode{x}}
		default:
			return n
		}
	}
	return n
}
