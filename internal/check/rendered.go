package check

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/release"
	"github.com/pinner-dev/pinner/internal/rendered"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// Rendered audits the rendered manifests below dir: one finding per image
// occurrence not pinned to a digest (or not a valid reference), at its
// line and column in the YAML, saying where the image comes from: the Nix
// site of the modules that writes that reference, or else the chart of
// the Helm release whose labels the object carries, and the module that
// declares that release. errs are YAML that does not parse and modules
// that do not. File names are relative to the working directory.
func Rendered(ctx context.Context, cfg *config.Config, dir string) (fs []Finding, errs diag.List, err error) {
	imgs, errs, err := rendered.Read(ctx, dir)
	if err != nil {
		return nil, nil, diag.AsBadInput(err)
	}
	cwd, _ := os.Getwd()
	for _, e := range errs {
		e.File = workspace.RelativeTo(cwd, e.File)
	}
	var unpinned []rendered.Image
	for _, im := range imgs {
		switch {
		case im.Invalid == "" && im.Image.Digest != "":
		case im.Invalid == "" && cfg.Ignored(im.Image.Context()):
		default:
			unpinned = append(unpinned, im)
		}
	}
	fs = []Finding{}
	if len(unpinned) == 0 {
		return fs, errs, nil
	}
	src, serrs, err := modules(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	errs = append(errs, serrs...)
	for _, im := range unpinned {
		f := Finding{File: workspace.RelativeTo(cwd, im.File), Line: im.Line, Column: im.Column, Ref: im.Ref}
		if im.Invalid != "" {
			f.Message = fmt.Sprintf("image %q is not a valid image reference: %s", im.Ref, im.Invalid)
		} else {
			f.Message = fmt.Sprintf("image %q is not pinned to a digest; %s", im.Ref, src.origin(cwd, im))
		}
		fs = append(fs, f)
	}
	Sort(fs)
	errs.Sort()
	return fs, errs, nil
}

// sources are what the modules write: their sites by reference, their
// releases by name.
type sources struct {
	sites    map[imageref.Key][]scan.Site
	releases map[string]*release.Release
}

func modules(ctx context.Context, cfg *config.Config) (*sources, diag.List, error) {
	files, err := workspace.Files(cfg, nil)
	if err != nil {
		return nil, nil, err
	}
	sites, perrs, err := scan.Files(ctx, files, 0)
	if err != nil {
		return nil, nil, diag.AsOutside(err)
	}
	s := &sources{sites: map[imageref.Key][]scan.Site{}, releases: map[string]*release.Release{}}
	for _, site := range sites {
		if k := site.Image.Key(); k != "" && site.Managed(cfg.Ignored) {
			s.sites[k] = append(s.sites[k], site)
		}
	}
	for _, p := range files {
		rs, _, err := release.Read(p)
		if err != nil {
			return nil, nil, diag.AsOutside(err)
		}
		for _, r := range rs {
			if s.releases[r.Name] == nil {
				s.releases[r.Name] = r
			}
		}
	}
	return s, perrs, nil
}

// origin says where a rendered image comes from.
func (s *sources) origin(cwd string, im rendered.Image) string {
	if sites := s.sites[im.Image.Key()]; len(sites) > 0 {
		msg := fmt.Sprintf("written at %s:%d:%d", workspace.RelativeTo(cwd, sites[0].File), sites[0].Line, sites[0].Column)
		if len(sites) > 1 {
			msg += fmt.Sprintf(" (and %d more sites)", len(sites)-1)
		}
		return msg + " (run: pinner update, then render again)"
	}
	if im.Helm == nil || im.Helm.Release == "" {
		return "no module writes it, and its object has no Helm labels naming a release"
	}
	r := s.releases[im.Helm.Release]
	name, version := splitChart(im.Helm.Chart)
	if name == "" && r != nil {
		name, version = r.Chart.Name, r.Chart.Version
	}
	msg := "chart default of helm release " + im.Helm.Release
	if name != "" {
		msg += fmt.Sprintf(" (chart %s %s)", name, version)
	}
	if r == nil {
		return msg + ", a release no module declares"
	}
	return msg + fmt.Sprintf(", declared at %s:%d:%d (run: pinner update, then render again)",
		workspace.RelativeTo(cwd, r.File), r.Line, r.Column)
}

// splitChart splits a helm.sh/chart label "cert-manager-v1.16.2" at the
// first dash after which a version follows.
func splitChart(label string) (name, version string) {
	for i := 0; i < len(label); i++ {
		if label[i] != '-' || i == 0 {
			continue
		}
		if _, err := semver.StrictNewVersion(strings.TrimPrefix(label[i+1:], "v")); err == nil {
			return label[:i], label[i+1:]
		}
	}
	return label, ""
}
