// Package plan decides what `pinner update` changes: which sites get which
// digest, and the byte edits that write it.
//
// It works in three phases, like ko's resolve: collect the sites to pin and
// dedupe them by normalised reference; ask the Sources for every digest at
// once (they resolve concurrently); then, only when every reference has a
// digest, turn each site whose digest changes into edits, apply them in
// memory and check the result by parsing and scanning it again. Nothing is
// written here: the caller gets the new file contents and decides.
//
// # Which sites
//
// A site is pinned when it is editable, has a tag, is not derived (its
// origin is pinned instead), is not in the configuration's ignore list and
// the caller's Select accepts it. A site with a digest but no tag is left
// alone: there is nothing to re-resolve. Sites of images the repository
// builds itself go to the Owned source; without one they are skipped. With
// OwnedTag, an owned site is pinned under the tag of the image built for it:
// its tag is rewritten (or, for a site with a digest alone, added) along
// with its digest. With Move, a third-party site moves to the tag its
// update policy chose the same way.
//
// # Edits (DESIGN.md "Rewrite conventions")
//
//   - A string gets "@sha256:..." appended after its tag, or its digest
//     replaced.
//   - A set with a digest (a `digest` key, or "<tag>@sha256:..." in its tag)
//     gets it replaced. Without one, its tag becomes "<tag>@sha256:...",
//     unless the style is digest-key: then a `digest = "sha256:...";` binding
//     is inserted after the tag's, indented like it.
//   - A tag (or digest) that comes from a variable is edited at the
//     variable's binding when every use of the variable is one of the sites
//     being pinned to the same reference; otherwise each site gets its own
//     literal in place of its use of the variable, and the binding stays.
package plan

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/repofile"
	"github.com/pinner-dev/pinner/internal/rewrite"
	"github.com/pinner-dev/pinner/internal/scan"
)

// Edit is one byte edit of a file; see rewrite.Edit.
type Edit = rewrite.Edit

// Options configure Make.
type Options struct {
	// Style is how a digest is added to a set that has none.
	Style config.Style
	// ThirdParty resolves the images the repository does not build.
	ThirdParty Source
	// Owned resolves the images the repository builds (config images), for
	// example with the digests their push produced. nil skips those sites.
	Owned Source
	// IsOwned reports whether a normalised repository
	// ("ghcr.io/x/backup-toolbox") is built by this repository.
	IsOwned func(repo string) bool
	// OwnedTag, when set, names the tag an owned site is pinned under: the
	// tag of the image built for it. A site whose tag differs (or that has
	// a digest alone) gets the tag rewritten along with the digest, so
	// every site reads "repo:<tag>@<digest>". "" leaves the site alone
	// (its image is not built in this run). Without OwnedTag, owned sites
	// keep their own tags, like third-party ones.
	OwnedTag func(*scan.Site) string
	// Ignored reports whether a repository is never touched.
	Ignored func(repo string) bool
	// Select picks the sites to pin; nil picks every one.
	Select func(*scan.Site) bool
	// Move, when set, names the tag a third-party site moves to (its
	// update policy's choice): the site's tag is rewritten along with its
	// digest, at the binding where the tag is written when every use of
	// the binding moves with it. "" keeps the site's tag.
	Move func(*scan.Site) string
	// Recorded is the digest pinner.lock records for each normalised
	// reference; nil when there is no lock. A site that carries another
	// digest makes an Unrecorded change.
	Recorded map[imageref.Key]string
	// ReadFile reads a file; when nil, repofile.Read within
	// repofile.MaxModule.
	ReadFile func(string) ([]byte, error)
	// Values are pins written as bindings of a Helm release's values
	// rather than at a scanned site: chart defaults, and tag-only sites
	// whose repository comes from the chart.
	Values []ValuesPin
	// PullHash computes the new hashes of pull sites whose digest
	// changes; nil fails a plan that needs one.
	PullHash PullHashes
	// Charts are the chart fetches to move to another version.
	Charts []ChartMove
}

// ValuesPin is one image pinned by a binding in a Helm release's values.
type ValuesPin struct {
	// File is the module, Src the content Edit's offsets are into.
	File string
	Src  []byte
	// Key is the reference resolved; Current the digest the values carry
	// now ("" for none).
	Key     imageref.Key
	Current string
	// Edit is the edit that writes digest, Check what confirms it in the
	// rewritten file.
	Edit  func(digest string) (Edit, error)
	Check func(f *syntax.File, digest string) error
	// Source names the release and chart, for the changelog.
	Source string
}

// Plan is what an update changes.
type Plan struct {
	// Files are the files that change, sorted by path.
	Files []File
	// Changes are the references whose digest changes in at least one
	// site, sorted by reference.
	Changes []Change
	// Resolved holds the digest of every reference resolved, by normalised
	// reference, changed or not.
	Resolved map[imageref.Key]string
	// Pins is the digest every tagged site carries once the plan is
	// applied, by normalised reference: what a lock file records.
	Pins map[imageref.Key]string
	// Unrecorded are the digests the files carry already that the lock
	// does not record: most often the work of a run interrupted between
	// replacing the modules and recording them (the modules are replaced
	// first, so that the changelog never lists a digest no file got).
	// They belong in the changelog with this run's Changes. Sorted by
	// reference.
	Unrecorded []Change
	// Notes are sites left alone, with the reason.
	Notes []Note
}

// File is the new content of one file.
type File struct {
	Path     string
	Old, New []byte
	Edits    []Edit
}

// Change is one reference whose digest changes.
type Change struct {
	// Ref is the normalised reference with its tag:
	// "docker.io/library/busybox:1.37".
	Ref        imageref.Key
	Repository string
	Tag        string
	// OldTag is the tag the sites had when it changes with the digest (a
	// policy's move, or an owned image's new tag); "" when it stays.
	OldTag string
	// Old are the distinct digests the sites had, "" for none, in the
	// order of the sites.
	Old []string
	New string
	// Files are the files edited for it, sorted.
	Files []string
	// From says which files had which tag and digest: what each file
	// really held before, in the order of the sites.
	From []From
	// Owned is true for an image the repository builds.
	Owned bool
	// Source says where the image comes from when that is not a site of
	// the modules: "chart default of helm release x (chart c 1.0)"; for a
	// chart, the release that installs it.
	Source string
	// Chart: the change is a chart fetch's. Repository is the chart's ID,
	// Tag and OldTag versions, Old and New its hashes.
	Chart bool
}

// From is one tag and digest the sites of a Change had (Digest "" for
// none; Tag "" for a digest alone, and otherwise the Change's Tag unless
// the site was re-tagged), and the files, sorted, whose sites had it.
type From struct {
	Tag    string
	Digest string
	Files  []string
}

func (c *Change) from(tag, digest, file string) {
	if !slices.Contains(c.Old, digest) {
		c.Old = append(c.Old, digest)
	}
	i := slices.IndexFunc(c.From, func(f From) bool { return f.Tag == tag && f.Digest == digest })
	if i < 0 {
		i = len(c.From)
		c.From = append(c.From, From{Tag: tag, Digest: digest})
	}
	if !slices.Contains(c.From[i].Files, file) {
		c.From[i].Files = append(c.From[i].Files, file)
		slices.Sort(c.From[i].Files)
	}
	if !slices.Contains(c.Files, file) {
		c.Files = append(c.Files, file)
	}
}

// Level says how much a Note matters.
type Level int

const (
	// Info: left alone by design (an owned image on the third-party path).
	Info Level = iota
	// Warn: the site needs pinning and pinner cannot do it.
	Warn
	// Fail: the site is left as it was because an outside step failed for
	// it (Nix computed no hash for a pulled image's new digest); the
	// other sites go on, and the run fails.
	Fail
)

// Note is a site Make left alone.
type Note struct {
	Site    *scan.Site
	Level   Level
	Message string
}

// target is a site to pin.
type target struct {
	site  *scan.Site
	key   imageref.Key
	tag   string // the tag of key
	owned bool
	// retag: the site's tag is rewritten to tag (owned images only).
	retag bool
}

// Make plans the update of sites.
func Make(ctx context.Context, sites []scan.Site, o Options) (*Plan, error) {
	if o.ReadFile == nil {
		o.ReadFile = func(path string) ([]byte, error) { return repofile.Read(path, repofile.MaxModule) }
	}
	p := &Plan{Resolved: map[imageref.Key]string{}, Pins: map[imageref.Key]string{}}
	targets := p.collect(sites, o)

	if err := p.resolve(ctx, targets, o); err != nil {
		return nil, err
	}
	if err := p.confirm(ctx, targets, o); err != nil {
		return nil, err
	}

	hashes, missing := p.pullHashes(ctx, targets, o)
	failed, err := p.edit(targets, o, hashes, heldBack(targets, missing))
	if err != nil {
		return nil, err
	}
	// Pins: every tagged site as it will be.
	isTarget := map[*scan.Site]bool{}
	for _, t := range targets {
		isTarget[t.site] = true
	}
	for i := range sites {
		s := &sites[i]
		key := s.Image.Key()
		if !s.Managed(o.Ignored) || key == "" {
			continue
		}
		if isTarget[s] && !failed[s] {
			continue
		}
		if _, ok := p.Pins[key]; !ok && s.Image.Digest != "" {
			p.Pins[key] = s.Image.Digest
		}
	}
	// What was resolved wins over what other sites of the same reference
	// carry.
	for _, t := range targets {
		if !failed[t.site] {
			p.Pins[t.key] = p.Resolved[t.key]
		}
	}
	p.unrecorded(sites, o)
	return p, nil
}

// unrecorded finds the sites whose digest (before this run) is not the one
// the lock records for their reference.
func (p *Plan) unrecorded(sites []scan.Site, o Options) {
	if len(o.Recorded) == 0 {
		return
	}
	changes := map[string]*Change{}
	for i := range sites {
		s := &sites[i]
		key := s.Image.Key()
		if !s.Managed(o.Ignored) || key == "" || s.Image.Digest == "" {
			continue
		}
		was, ok := o.Recorded[key]
		if !ok || was == "" || was == s.Image.Digest {
			continue
		}
		// One change per digest the files carry: "was → what the file has".
		k := string(key) + "@" + s.Image.Digest
		c := changes[k]
		if c == nil {
			c = &Change{Ref: key, Repository: s.Image.Context(), Tag: s.Image.Tag, New: s.Image.Digest,
				Owned: o.IsOwned != nil && o.IsOwned(s.Image.Context())}
			changes[k] = c
		}
		c.from(s.Image.Tag, was, s.File)
	}
	for _, c := range changes {
		slices.Sort(c.Files)
		p.Unrecorded = append(p.Unrecorded, *c)
	}
	slices.SortFunc(p.Unrecorded, func(a, b Change) int { return cmp.Or(cmp.Compare(a.Ref, b.Ref), cmp.Compare(a.New, b.New)) })
}

// collect picks the sites to pin.
func (p *Plan) collect(sites []scan.Site, o Options) []target {
	var out []target
	for i := range sites {
		s := &sites[i]
		if !s.Managed(o.Ignored) {
			continue
		}
		if o.Select != nil && !o.Select(s) {
			continue
		}
		owned := o.IsOwned != nil && s.Image.Repository != "" && o.IsOwned(s.Image.Context())
		if !s.Editable {
			msg := "pinner cannot pin it"
			if s.Reason != "" {
				msg += ": " + s.Reason
			}
			// A pulled image is always pinned, but pinner cannot follow
			// its tag: its owner should know.
			if !s.Pinned || s.Form == scan.FormPull {
				p.note(s, Warn, msg)
			}
			continue
		}
		if owned && o.Owned != nil && o.OwnedTag != nil {
			tag := o.OwnedTag(s)
			if tag == "" {
				p.note(s, Info, "built by this repository; its image is not built in this run")
				continue
			}
			out = append(out, target{site: s, key: imageref.MakeKey(s.Image.Context(), tag), tag: tag, owned: true, retag: tag != s.Image.Tag})
			continue
		}
		switch {
		case s.Image.Tag == "" && s.Image.Digest != "":
			continue // a digest alone: nothing to re-resolve
		case s.Image.Tag == "":
			p.note(s, Warn, "it has no tag to resolve; write one (for example :latest) and run pinner update again")
			continue
		}
		if owned && o.Owned == nil {
			p.note(s, Info, "built by this repository; skipped (owned images are pinned by the build path)")
			continue
		}
		t := target{site: s, key: s.Image.Key(), tag: s.Image.Tag, owned: owned}
		if to := moveOf(o, s); !owned && to != "" && to != t.tag {
			t.key, t.tag, t.retag = imageref.MakeKey(s.Image.Context(), to), to, true
		}
		out = append(out, t)
	}
	return out
}

func moveOf(o Options, s *scan.Site) string {
	if o.Move == nil {
		return ""
	}
	return o.Move(s)
}

func (p *Plan) note(s *scan.Site, l Level, msg string) {
	p.Notes = append(p.Notes, Note{Site: s, Level: l, Message: msg})
}

// resolve asks the sources for every distinct reference, concurrently.
func (p *Plan) resolve(ctx context.Context, targets []target, o Options) error {
	var third, owned []string
	seen := map[imageref.Key]bool{}
	for _, v := range o.Values {
		if !seen[v.Key] {
			seen[v.Key] = true
			third = append(third, string(v.Key))
		}
	}
	for _, t := range targets {
		if seen[t.key] {
			continue
		}
		seen[t.key] = true
		if t.owned {
			owned = append(owned, string(t.key))
		} else {
			third = append(third, string(t.key))
		}
	}
	var (
		got  [2]map[string]string
		errs [2]error
	)
	g, gctx := errgroup.WithContext(ctx)
	for i, job := range []struct {
		src  Source
		refs []string
	}{{o.ThirdParty, third}, {o.Owned, owned}} {
		if len(job.refs) == 0 {
			continue
		}
		if job.src == nil {
			return errors.New("planning update: no source for third-party images")
		}
		g.Go(func() error {
			// A failure stays here rather than cancelling the other
			// source: every reference deserves an answer.
			got[i], errs[i] = job.src.Digests(gctx, job.refs)
			return nil
		})
	}
	_ = g.Wait()
	if err := errors.Join(errs[0], errs[1]); err != nil {
		return &ResolveError{Err: err}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, m := range got {
		for k, d := range m {
			if !imageref.ValidDigest(d) {
				return &ResolveError{Err: fmt.Errorf("resolving %q: the registry answered with digest %q", k, d)}
			}
			p.Resolved[imageref.Key(k)] = d
		}
	}
	for k := range seen {
		if _, ok := p.Resolved[k]; !ok {
			return &ResolveError{Err: fmt.Errorf("resolving %q: no digest", k)}
		}
	}
	return nil
}

// confirm asks the third-party source, when it can, to confirm each digest
// that some site will change to; digests the sites already carry need no
// second look.
func (p *Plan) confirm(ctx context.Context, targets []target, o Options) error {
	c, ok := o.ThirdParty.(Confirmer)
	if !ok {
		return nil
	}
	changed := map[string]string{}
	for _, t := range targets {
		if d := p.Resolved[t.key]; !t.owned && t.site.Image.Digest != d {
			changed[string(t.key)] = d
		}
	}
	for _, v := range o.Values {
		if d := p.Resolved[v.Key]; v.Current != d {
			changed[string(v.Key)] = d
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := c.Confirm(ctx, changed); err != nil {
		return &ResolveError{Err: err}
	}
	return ctx.Err()
}

// fileState is what edit needs per file.
type fileState struct {
	path  string
	src   []byte
	f     *syntax.File
	edits []Edit
	// pinned are the targets whose digest changes, to check afterwards.
	pinned []target
	values []ValuesPin
	charts []chartPin
}

// edit turns the targets whose digest changes into edits, applies them and
// checks the result.
func (p *Plan) edit(targets []target, o Options, hashes map[*scan.Site]string, held map[*scan.Site]string) (failed map[*scan.Site]bool, err error) {
	failed = map[*scan.Site]bool{}
	files := map[string]*fileState{}
	var order []string
	state := func(path string) (*fileState, error) {
		if fs, ok := files[path]; ok {
			return fs, nil
		}
		src, err := o.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w", path, err)
		}
		f, err := syntax.Parse(path, src)
		if err != nil {
			return nil, fmt.Errorf("parsing %q: %w: %w", path, ErrChanged, err)
		}
		if err := unchanged(path, f, targets); err != nil {
			return nil, err
		}
		fs := &fileState{path: path, src: src, f: f}
		files[path] = fs
		order = append(order, path)
		return fs, nil
	}

	// Who uses each variable, to decide between the binding and a literal
	// per site: binding → the keys of the targets using it.
	type varKey struct {
		file    string
		binding int
	}
	users := map[varKey]map[imageref.Key]bool{}
	for _, t := range targets {
		for _, tx := range []*scan.Text{t.site.Edit.Tag, t.site.Edit.Digest} {
			if tx == nil || tx.Var == "" || tx.Use == (syntax.Span{}) {
				continue
			}
			k := varKey{t.site.File, tx.Binding.Start}
			if users[k] == nil {
				users[k] = map[imageref.Key]bool{}
			}
			users[k][t.key] = true
		}
	}
	// A use counts when it is the Use of a target site's text.
	coveredUses := map[varKey]map[int]bool{}
	for _, t := range targets {
		for _, tx := range []*scan.Text{t.site.Edit.Tag, t.site.Edit.Digest} {
			if tx == nil || tx.Var == "" || tx.Use == (syntax.Span{}) {
				continue
			}
			k := varKey{t.site.File, tx.Binding.Start}
			if coveredUses[k] == nil {
				coveredUses[k] = map[int]bool{}
			}
			for _, u := range tx.Uses {
				if u.Start >= tx.Use.Start && u.End <= tx.Use.End {
					coveredUses[k][u.Start] = true
				}
			}
		}
	}
	atBinding := func(site *scan.Site, tx *scan.Text) bool {
		k := varKey{site.File, tx.Binding.Start}
		if len(users[k]) != 1 {
			return false
		}
		for _, u := range tx.Uses {
			if !coveredUses[k][u.Start] {
				return false
			}
		}
		return true
	}

	changes := map[changeKey]*Change{}
	for _, t := range targets {
		s := t.site
		want := p.Resolved[t.key]
		if s.Image.Digest == want && !t.retag {
			continue
		}
		if why, ok := held[s]; ok {
			p.note(s, Fail, why)
			failed[s] = true
			continue
		}
		fs, err := state(s.File)
		if err != nil {
			return nil, err
		}
		var (
			edits []Edit
			note  string
		)
		if t.retag {
			edits, note = retagEdits(fs, s, t.tag, want, o.Style, atBinding)
		} else {
			edits, note = siteEdits(fs, s, want, o.Style, atBinding)
		}
		if s.Form == scan.FormPull && note == "" {
			he, hn := pullHashEdit(s, hashes[s])
			edits, note = append(edits, he...), hn
		}
		if note != "" {
			p.note(s, Warn, "pinner cannot pin it: "+note)
			failed[s] = true
			continue
		}
		fs.edits = append(fs.edits, edits...)
		fs.pinned = append(fs.pinned, t)

		ck := changeKey{key: t.key}
		if t.retag && s.Image.Tag != t.tag {
			ck.oldTag = s.Image.Tag
		}
		c := changes[ck]
		if c == nil {
			c = &Change{Ref: t.key, Repository: s.Image.Context(), Tag: t.tag, OldTag: ck.oldTag, New: want, Owned: t.owned}
			changes[ck] = c
		}
		c.from(s.Image.Tag, s.Image.Digest, s.File)
	}

	if err := p.valuesEdits(o.Values, state, changes); err != nil {
		return nil, err
	}
	if err := p.chartEdits(o.Charts, state, changes); err != nil {
		return nil, err
	}

	slices.Sort(order)
	for _, path := range order {
		fs := files[path]
		// Sites sharing a binding ask for the same edit; once is enough.
		rewrite.Sort(fs.edits)
		fs.edits = slices.Compact(fs.edits)
		out, nf, err := rewrite.File(path, fs.src, fs.edits)
		if err != nil {
			return nil, err
		}
		if err := check(fs, nf, p.Resolved); err != nil {
			return nil, err
		}
		if err := checkCharts(fs, nf); err != nil {
			return nil, err
		}
		for _, v := range fs.values {
			if err := v.Check(nf, p.Resolved[v.Key]); err != nil {
				return nil, fmt.Errorf("rewriting %s: %w", path, err)
			}
		}
		if bytes.Equal(out, fs.src) {
			continue
		}
		p.Files = append(p.Files, File{Path: path, Old: fs.src, New: out, Edits: fs.edits})
	}
	for _, c := range changes {
		slices.Sort(c.Files)
		p.Changes = append(p.Changes, *c)
	}
	slices.SortFunc(p.Changes, func(a, b Change) int { return cmp.Or(cmp.Compare(a.Ref, b.Ref), cmp.Compare(a.OldTag, b.OldTag)) })
	return failed, nil
}

// valuesEdits adds the edits of the values pins whose digest changes.
// changeKey tells the changes of a plan apart: by reference, by the tag a
// policy moved the sites from, and by the Helm release and chart of a
// chart default (listed apart from sites of the same image).
type changeKey struct {
	key    imageref.Key
	oldTag string
	source string
}

func (p *Plan) valuesEdits(pins []ValuesPin, state func(string) (*fileState, error), changes map[changeKey]*Change) error {
	for _, v := range pins {
		want := p.Resolved[v.Key]
		p.Pins[v.Key] = want
		if v.Current == want {
			continue
		}
		fs, err := state(v.File)
		if err != nil {
			return err
		}
		if !bytes.Equal(fs.src, v.Src) {
			return fmt.Errorf("rewriting %s: %w", v.File, ErrChanged)
		}
		e, err := v.Edit(want)
		if err != nil {
			p.Notes = append(p.Notes, Note{Site: &scan.Site{File: v.File, Ref: string(v.Key)}, Level: Warn, Message: "pinner cannot pin it: " + err.Error()})
			continue
		}
		// Bindings inserted at one place go in one after the other.
		merged := false
		for i, o := range fs.edits {
			if e.Start == e.End && o.Start == e.Start && o.End == e.End {
				fs.edits[i].New += e.New
				merged = true
				break
			}
		}
		if !merged {
			fs.edits = append(fs.edits, e)
		}
		fs.values = append(fs.values, v)
		ck := changeKey{key: v.Key, source: v.Source}
		c := changes[ck]
		if c == nil {
			r, _ := imageref.Parse(string(v.Key))
			c = &Change{Ref: v.Key, Repository: r.Context(), Tag: r.Tag, New: want, Source: v.Source}
			changes[ck] = c
		}
		c.from(c.Tag, v.Current, v.File)
	}
	return nil
}

// ErrChanged is wrapped when a file is not what the scan saw any more:
// something (another pinner update, an editor, a checkout) replaced it
// between the scan and the edit.
var ErrChanged = errors.New("file changed since it was scanned")

// unchanged makes sure that the file f, read again to be edited, still
// has every target site of it where the scan found it, with the same
// reference: the edits are byte offsets into what the scan read.
func unchanged(path string, f *syntax.File, targets []target) error {
	var now map[int]string
	for _, t := range targets {
		if t.site.File != path {
			continue
		}
		if now == nil {
			now = map[int]string{}
			for _, s := range scan.File(f) {
				now[s.Offset] = s.Ref
			}
		}
		if now[t.site.Offset] != t.site.Ref {
			return fmt.Errorf("rewriting %s: %w", t.site.Position(), ErrChanged)
		}
	}
	return nil
}

// check scans the rewritten file and makes sure every site pinned in it
// now carries its new digest, with repository and tag unchanged.
func check(fs *fileState, nf *syntax.File, resolved map[imageref.Key]string) error {
	after := scan.File(nf)
	at := map[int]*scan.Site{}
	for i := range after {
		at[after[i].Offset] = &after[i]
	}
	offsets := rewrite.NewOffsets(fs.edits)
	for _, t := range fs.pinned {
		want := resolved[t.key]
		off := offsets.Map(t.site.Offset)
		s, ok := at[off]
		switch {
		case !ok:
			return fmt.Errorf("rewriting %s: the image site is gone after the edit", t.site.Position())
		case s.Image.Digest != want || s.Image.Key() != t.key:
			return fmt.Errorf("rewriting %s: after the edit the site reads %q, want %s pinned to %s", t.site.Position(), s.Ref, t.key, want)
		}
	}
	return nil
}

// siteEdits returns the edits that pin one site to digest, or why it
// cannot be done.
func siteEdits(fs *fileState, s *scan.Site, digest string, style config.Style, atBinding func(*scan.Site, *scan.Text) bool) ([]Edit, string) {
	e := s.Edit
	switch {
	case e.Digest != nil:
		return textEdit(fs, s, e.Digest, digest, true, atBinding)
	case s.Form == scan.FormAttrSet && style == config.StyleDigestKey && e.AttrSet != nil:
		a := e.AttrSet
		bind := a.Prefix + "digest = " + rewrite.Quoted(digest) + ";"
		if a.Indent != "" {
			return []Edit{{Start: a.InsertAt, End: a.InsertAt, New: "\n" + a.Indent + bind}}, ""
		}
		return []Edit{{Start: a.InsertAt, End: a.InsertAt, New: " " + bind}}, ""
	case e.Tag != nil:
		if s.Form == scan.FormString && e.End >= 0 {
			return []Edit{{Start: e.End, End: e.End, New: "@" + digest}}, ""
		}
		return textEdit(fs, s, e.Tag, "@"+digest, false, atBinding)
	}
	return nil, "it has no tag"
}

// retagEdits returns the edits that make an owned site read
// "<tag>@<digest>": its tag replaced (or, for a site with a digest alone,
// added) and its digest written, or why it cannot be done.
func retagEdits(fs *fileState, s *scan.Site, tag, digest string, style config.Style, atBinding func(*scan.Site, *scan.Text) bool) ([]Edit, string) {
	e := s.Edit
	a := e.AttrSet
	binding := func(key, value string) Edit {
		bind := a.Prefix + key + " = " + rewrite.Quoted(value) + ";"
		if a.Indent != "" {
			return Edit{Start: a.InsertAt, End: a.InsertAt, New: "\n" + a.Indent + bind}
		}
		return Edit{Start: a.InsertAt, End: a.InsertAt, New: " " + bind}
	}
	switch {
	case e.Tag == nil && e.Digest == nil:
		return nil, "it has neither tag nor digest"

	case e.Tag == nil && s.Form == scan.FormPull:
		return pullRetagEdits(fs, s, tag, digest, atBinding)

	case e.Tag == nil:
		// A digest alone: the tag goes in front of it.
		if s.Form == scan.FormAttrSet && a != nil {
			edits, note := textEdit(fs, s, e.Digest, digest, true, atBinding)
			if note != "" {
				return nil, note
			}
			return append(edits, binding("tag", tag)), ""
		}
		d := e.Digest
		if d.Use != (syntax.Span{}) || d.Span.Start < 1 || fs.src[d.Span.Start-1] != '@' {
			return nil, "its digest comes from a variable, so pinner cannot add the image's tag in front of it"
		}
		return []Edit{{Start: d.Span.Start - 1, End: d.Span.End, New: ":" + tag + "@" + digest}}, ""

	case e.Digest == nil:
		if s.Form == scan.FormAttrSet && style == config.StyleDigestKey && a != nil {
			edits, note := textEdit(fs, s, e.Tag, tag, true, atBinding)
			if note != "" {
				return nil, note
			}
			return append(edits, binding("digest", digest)), ""
		}
		return textEdit(fs, s, e.Tag, tag+"@"+digest, true, atBinding)

	case e.Tag.Literal == e.Digest.Literal && e.Tag.Use == e.Digest.Use && e.Tag.Var == e.Digest.Var &&
		e.Tag.Span.End < e.Digest.Span.Start:
		// "<tag>@<digest>" in one string: replaced as one text.
		tx := *e.Tag
		tx.Span.End = e.Digest.Span.End
		tx.Value = e.Tag.Value + "@" + e.Digest.Value
		return textEdit(fs, s, &tx, tag+"@"+digest, true, atBinding)

	case e.Tag.Use != (syntax.Span{}) && e.Tag.Use == e.Digest.Use:
		return nil, "its tag and digest come through one expression pinner cannot split"
	}
	te, note := textEdit(fs, s, e.Tag, tag, true, atBinding)
	if note != "" {
		return nil, note
	}
	de, note := textEdit(fs, s, e.Digest, digest, true, atBinding)
	if note != "" {
		return nil, note
	}
	return append(te, de...), ""
}

// textEdit writes text after (or, with replace, over) the source text tx:
// in place, at the variable's binding, or as a literal of the site's own.
func textEdit(fs *fileState, s *scan.Site, tx *scan.Text, text string, replace bool, atBinding func(*scan.Site, *scan.Text) bool) ([]Edit, string) {
	// Without a Use, the text is written at the site itself, even when the
	// site is reached through a variable (a let-bound whole reference).
	inPlace := tx.Use == (syntax.Span{})
	if inPlace || (tx.Var != "" && atBinding(s, tx)) {
		if replace {
			return []Edit{{Start: tx.Span.Start, End: tx.Span.End, New: text}}, ""
		}
		return []Edit{{Start: tx.Span.End, End: tx.Span.End, New: text}}, ""
	}

	// A literal of the site's own, in place of its use of the variable.
	lit := findString(fs.f, tx.Literal)
	if lit == nil {
		return nil, "its tag comes from an expression pinner cannot copy"
	}
	val, ok := lit.Literal()
	if !ok || !strings.HasSuffix(val, tx.Value) {
		return nil, "its tag comes from a string with interpolations"
	}
	if replace {
		val = strings.TrimSuffix(val, tx.Value) + text
	} else {
		val += text
	}
	use := string(fs.src[tx.Use.Start:tx.Use.End])
	switch {
	case strings.HasPrefix(use, "${"):
		in := enclosingString(fs.f, tx.Use)
		if in == nil {
			return nil, "its tag is interpolated where pinner cannot write a literal"
		}
		esc := rewrite.EscapeDouble(val)
		if in.Indented {
			esc = rewrite.EscapeIndented(val)
		}
		return []Edit{{Start: tx.Use.Start, End: tx.Use.End, New: esc}}, ""
	case s.Form == scan.FormAttrSet && s.Edit.AttrSet != nil && isInherit(fs.src, s.Edit.AttrSet.Tag):
		// `inherit tag;` or `inherit (x) tag;`: replace the binding, when
		// it inherits nothing else.
		b := s.Edit.AttrSet.Tag
		f := strings.Fields(strings.TrimSuffix(strings.TrimSpace(string(fs.src[b.Start:b.End])), ";"))
		if len(f) < 2 || f[len(f)-1] != "tag" || (len(f) > 2 && !(strings.HasPrefix(f[1], "(") && strings.HasSuffix(f[len(f)-2], ")"))) {
			return nil, "its tag is inherited together with other names"
		}
		return []Edit{{Start: b.Start, End: b.End, New: "tag = " + rewrite.Quoted(val) + ";"}}, ""
	default:
		return []Edit{{Start: tx.Use.Start, End: tx.Use.End, New: rewrite.Quoted(val)}}, ""
	}
}

func isInherit(src []byte, b syntax.Span) bool {
	return b.End > b.Start && bytes.HasPrefix(src[b.Start:b.End], []byte("inherit"))
}

// findString is the string node with exactly span sp.
func findString(f *syntax.File, sp syntax.Span) *syntax.String {
	var out *syntax.String
	syntax.Inspect(f.Root, func(n syntax.Node) bool {
		if out != nil {
			return false
		}
		ns := n.NodeSpan()
		if ns.End <= sp.Start || ns.Start >= sp.End {
			return false
		}
		if s, ok := n.(*syntax.String); ok && s.Span == sp {
			out = s
			return false
		}
		return true
	})
	return out
}

// enclosingString is the string with an interpolation spanning sp.
func enclosingString(f *syntax.File, sp syntax.Span) *syntax.String {
	var out *syntax.String
	syntax.Inspect(f.Root, func(n syntax.Node) bool {
		if out != nil {
			return false
		}
		ns := n.NodeSpan()
		if ns.End < sp.End || ns.Start > sp.Start {
			return false
		}
		if s, ok := n.(*syntax.String); ok {
			for _, part := range s.Parts {
				if ip, ok := part.(*syntax.Interp); ok && ip.Span == sp {
					out = s
					return false
				}
			}
		}
		return true
	})
	return out
}
