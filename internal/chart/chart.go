// Package chart reads what pinner needs of a Helm chart: its name,
// version and appVersion (Chart.yaml), and the images its values.yaml sets
// by default, each with the values path that sets it — `image`,
// `webhook.image`, `sidecar.image` — whether as a set of
// registry/repository/tag/digest keys or as one `image: repo:tag` string,
// with `global.imageRegistry` in front when the chart has one.
//
// It reads values.yaml with its own small walker rather than Helm's Go
// packages: pinner needs the default values only, never a render, and
// helm.sh/helm/v3 would bring in the Kubernetes client libraries (tens of
// MB of binary and modules) for that. Helm itself renders in the tests.
package chart

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/repofile"
)

// Bounds on a chart.
const (
	maxFile    = 8 << 20 // Chart.yaml, values.yaml
	maxEntries = 20_000  // entries of a .tgz
	maxArchive = 64 << 20
	maxDepth   = 64 // nesting of values
)

// Chart is what pinner reads of a chart.
type Chart struct {
	Name, Version, AppVersion string
	// GlobalRegistry is the chart's global.imageRegistry default.
	GlobalRegistry string
	Images         []Image
}

// Image is one image the chart's values set by default.
type Image struct {
	// Path is the values path of the image: ["webhook", "image"].
	Path []string
	// String: the value at Path is one "repo:tag" string; otherwise it is
	// a set of registry, repository, tag and digest keys.
	String bool
	// Registry, Repository and Tag are the defaults ("" when the values
	// leave them empty); Digest says whether the set has a digest key.
	Registry, Repository, Tag string
	Digest                    bool
}

// Load reads the chart at p: a directory or a .tgz archive.
func Load(p string) (*Chart, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("reading chart %q: %w", p, err)
	}
	var chartYAML, values []byte
	if fi.IsDir() {
		if chartYAML, err = repofile.Read(filepath.Join(p, "Chart.yaml"), maxFile); err != nil {
			return nil, fmt.Errorf("reading chart %q: %w", p, err)
		}
		values, _, err = repofile.ReadOptional(filepath.Join(p, "values.yaml"), maxFile)
	} else {
		chartYAML, values, err = readArchive(p)
	}
	if err != nil {
		return nil, fmt.Errorf("reading chart %q: %w", p, err)
	}
	return parse(chartYAML, values)
}

// readArchive reads Chart.yaml and values.yaml of the chart's top
// directory in a .tgz.
func readArchive(p string) (chartYAML, values []byte, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(io.LimitReader(f, maxArchive))
	if err != nil {
		return nil, nil, err
	}
	tr := tar.NewReader(io.LimitReader(zr, maxArchive))
	for range maxEntries {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		dir, base := path.Split(path.Clean(h.Name))
		if strings.Count(dir, "/") != 1 || h.Typeflag != tar.TypeReg || h.Size > maxFile {
			continue
		}
		switch base {
		case "Chart.yaml":
			chartYAML, err = io.ReadAll(io.LimitReader(tr, maxFile))
		case "values.yaml":
			values, err = io.ReadAll(io.LimitReader(tr, maxFile))
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if chartYAML == nil {
		return nil, nil, errors.New("the archive has no Chart.yaml in its top directory")
	}
	return chartYAML, values, nil
}

func parse(chartYAML, values []byte) (*Chart, error) {
	meta, err := mapping(chartYAML)
	if err != nil {
		return nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	c := &Chart{Name: scalar(get(meta, "name")), Version: scalar(get(meta, "version")), AppVersion: scalar(get(meta, "appVersion"))}
	if c.Name == "" {
		return nil, errors.New("Chart.yaml has no name")
	}
	if len(values) == 0 {
		return c, nil
	}
	v, err := mapping(values)
	if err != nil {
		return nil, fmt.Errorf("values.yaml: %w", err)
	}
	g, _ := get(v, "global").(*ast.MappingNode)
	c.GlobalRegistry = scalar(get(g, "imageRegistry"))
	c.walk(v, nil, 0)
	return c, nil
}

func mapping(data []byte) (*ast.MappingNode, error) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, err
	}
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		switch b := d.Body.(type) {
		case *ast.MappingNode:
			return b, nil
		case *ast.MappingValueNode:
			return &ast.MappingNode{Values: []*ast.MappingValueNode{b}}, nil
		}
	}
	return &ast.MappingNode{}, nil
}

// walk finds the image sets and strings below m, at path.
func (c *Chart) walk(m *ast.MappingNode, at []string, depth int) {
	if depth > maxDepth {
		return
	}
	if repo := scalar(get(m, "repository")); repo != "" && len(at) > 0 {
		c.Images = append(c.Images, Image{Path: at, Registry: scalar(get(m, "registry")), Repository: repo,
			Tag: scalar(get(m, "tag")), Digest: get(m, "digest") != nil})
		return
	}
	for _, mv := range m.Values {
		k := scalar(mv.Key)
		p := append(append([]string(nil), at...), k)
		switch v := value(mv.Value).(type) {
		case *ast.MappingNode:
			c.walk(v, p, depth+1)
		case *ast.StringNode:
			if k != "image" && !strings.HasSuffix(k, "Image") {
				continue
			}
			if r, err := imageref.Parse(v.Value); err == nil && r.Tag != "" && r.Digest == "" {
				c.Images = append(c.Images, Image{Path: p, String: true, Repository: r.Repository, Tag: r.Tag})
			}
		}
	}
}

// Ref is the reference the image names once the release's overrides
// apply: registry (a non-empty global registry first), repository and tag
// — the chart's appVersion when the values leave the tag empty, as charts'
// templates default it.
func (c *Chart) Ref(im Image, globalRegistry, registry, repository, tag string) (imageref.Ref, error) {
	repo := cmpOr(repository, im.Repository)
	reg := cmpOr(globalRegistry, c.GlobalRegistry, registry, im.Registry)
	if reg != "" && !im.String {
		repo = reg + "/" + repo
	}
	t := cmpOr(tag, im.Tag, c.AppVersion)
	if t == "" {
		return imageref.Ref{}, fmt.Errorf("values.%s has no tag and the chart no appVersion", strings.Join(im.Path, "."))
	}
	return imageref.Parse(repo + ":" + t)
}

func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func get(m *ast.MappingNode, key string) ast.Node {
	if m == nil {
		return nil
	}
	for _, mv := range m.Values {
		if scalar(mv.Key) == key {
			return value(mv.Value)
		}
	}
	return nil
}

func value(n ast.Node) ast.Node {
	for range 8 {
		switch x := n.(type) {
		case *ast.TagNode:
			n = x.Value
		case *ast.AnchorNode:
			n = x.Value
		default:
			return n
		}
	}
	return n
}

// scalar is a scalar's text ("" for null, sets and lists).
func scalar(n ast.Node) string {
	switch n := value(n).(type) {
	case nil, *ast.NullNode, *ast.MappingNode, *ast.SequenceNode:
		return ""
	case *ast.StringNode:
		return n.Value
	case ast.ScalarNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value
		}
	}
	return ""
}
