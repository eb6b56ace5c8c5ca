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
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

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
	var (
		out  []Image
		errs diag.List
	)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		data, err := repofile.Read(p, MaxFile)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			errs = append(errs, &diag.Error{File: p, Msg: fmt.Sprintf("reading rendered manifest: %v", err), Err: err})
			continue
		}
		imgs, ferrs := File(p, data)
		out = append(out, imgs...)
		errs = append(errs, ferrs...)
	}
	slices.SortStableFunc(out, func(a, b Image) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	errs.Sort()
	return out, errs, nil
}

// File finds the images of one YAML file's content.
func File(name string, data []byte) (imgs []Image, errs diag.List) {
	defer func() {
		if r := recover(); r != nil {
			imgs, errs = nil, diag.List{{File: name, Line: 1, Column: 1, Msg: fmt.Sprintf("invalid YAML: the parser failed: %v", r)}}
		}
	}()
	tokens := lexer.Tokenize(string(data))
	if e := checkShape(name, tokens); e != nil {
		return nil, diag.List{e}
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, diag.List{yamlError(name, err)}
	}
	if len(f.Docs) > MaxDocuments {
		return nil, diag.List{{File: name, Line: 1, Column: 1, Msg: fmt.Sprintf("more than %d YAML documents", MaxDocuments)}}
	}
	r := &reader{file: name}
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		r.object(doc.Body, 0)
	}
	return r.out, nil
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
		img.Line, img.Column = p.Line, p.Column
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
