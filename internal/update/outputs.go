package update

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pinner-dev/pinner/internal/changelog"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/plan"
	"github.com/pinner-dev/pinner/internal/repofile"
	"github.com/pinner-dev/pinner/internal/runlock"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// outputs are the new contents of the .nix files, the changelog and the
// lock file, only those that change.
func outputs(cfg *config.Config, o Options, p *plan.Plan, ann annotations, oldLock *lock.Lock, results []owned.Result) ([]Output, error) {
	var outs []Output
	for _, f := range p.Files {
		outs = append(outs, Output{Path: f.Path, Old: f.Old, Exists: true, New: f.New})
	}
	if path := cfg.ChangelogPath(); path != "" && !o.NoChangelog && len(p.Changes)+len(p.Unrecorded) > 0 {
		old, exists, err := readOptional(path, repofile.MaxChangelog)
		if err != nil {
			return nil, err
		}
		var base []byte
		if exists {
			base = old
			if base == nil {
				base = []byte{}
			}
		}
		if data := changelog.Add(base, now(), entries(cfg, p, ann)); !bytes.Equal(data, old) || !exists {
			outs = append(outs, Output{Path: path, Old: old, Exists: exists, New: data})
		}
	}
	if path := cfg.LockPath(); path != "" {
		old, exists, err := readOptional(path, repofile.MaxLock)
		if err != nil {
			return nil, err
		}
		l := oldLock.With(p.Pins)
		recordOwned(l, p, results, !o.NoPush && !o.DryRun)
		data := l.Marshal()
		if !exists && len(p.Pins) == 0 && len(results) == 0 {
			data = old
		}
		if !bytes.Equal(data, old) {
			outs = append(outs, Output{Path: path, Old: old, Exists: exists, New: data})
		}
	}
	return outs, nil
}

// changedError explains a module that changed between the scan and the
// edit. A dry run takes no lock, so another update may have replaced the
// file meanwhile (it used to say "the image site is gone after the edit").
func changedError(cfg *config.Config, err error, dryRun bool) error {
	if dryRun {
		path := runlock.Path(cmp.Or(cfg.Dir, "."))
		if held, pid := runlock.Holder(path); held {
			who := "pid unknown"
			if pid > 0 {
				who = fmt.Sprintf("pid %d", pid)
			}
			return fmt.Errorf("another pinner update is running in this repository (%s; lock file %s) and changed the files while this dry run read them; run it again when that update is done: %w", who, path, err)
		}
	}
	return fmt.Errorf("%w; something else (an editor, a git checkout, another pinner run) changed it meanwhile: run pinner again", err)
}

// checkOutputs refuses, before anything is read or asked of a registry,
// the files this update would write where it must not: the changelog, the
// lock file and push_to's OCI layout must lie inside the repository, also
// through symlinks (a changelog linked to a file elsewhere was read and
// copied into the repository), and none of them, nor --pr-body or
// --push-to, inside .git (changelog: .git/config broke git). --pr-body and
// --push-to are the user's own choice on the command line and may name
// files outside the repository, as the GitHub Action does with
// $RUNNER_TEMP; inside it they must not lead out through a symlink. The
// changelog and the lock file, read before they are written, must be
// regular files of sane size.
func checkOutputs(cfg *config.Config, c Options) error {
	root := cmp.Or(cfg.Dir, ".")
	type out struct {
		what, path string
		flag       bool
		max        int64
	}
	var outs []out
	if p := cfg.ChangelogPath(); p != "" && !c.NoChangelog {
		outs = append(outs, out{"changelog", p, false, repofile.MaxChangelog})
	}
	if p := cfg.LockPath(); p != "" {
		outs = append(outs, out{"lock", p, false, repofile.MaxLock})
	}
	if dest, err := pushDest(cfg, c.PushTo); err != nil {
		return err
	} else if dir, ok := strings.CutPrefix(dest, "oci:"); ok {
		what := "push_to"
		if c.PushTo != "" {
			what = "--push-to"
		}
		outs = append(outs, out{what, dir, c.PushTo != "", 0})
	}
	if c.PRBody != "" {
		outs = append(outs, out{"--pr-body", c.PRBody, true, 0})
	}
	for _, o := range outs {
		if err := repofile.Output(root, o.path, o.flag); err != nil {
			hint := "pinner writes only inside the repository, and never inside .git"
			if o.flag {
				hint = "pinner never writes inside .git, nor through a link out of the repository"
			}
			return diag.AsBadInput(fmt.Errorf("%s %q: %w; %s", o.what, o.path, err, hint))
		}
		if o.max == 0 {
			continue
		}
		if err := repofile.Check(o.path, o.max); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return diag.AsBadInput(fmt.Errorf("reading %q: %w", o.path, err))
		}
	}
	return nil
}

// readLock reads the configuration's lock file; a missing one (or none
// configured) is an empty lock.
func readLock(cfg *config.Config) (*lock.Lock, error) {
	path := cfg.LockPath()
	if path == "" {
		return lock.New(), nil
	}
	l, _, err := lock.Read(path)
	return l, err
}

// recordOwned writes what the owned images of this run were built from
// and pushed as into l: per image, the Nix outputs by platform and the
// digest pushed ("" when this digest was not pushed: --no-push). Entries
// of their repositories that neither a site nor this run's images name any
// more (an old tag) go.
func recordOwned(l *lock.Lock, p *plan.Plan, results []owned.Result, pushed bool) {
	keys := map[imageref.Key]bool{}
	repos := map[string]bool{}
	for _, r := range results {
		keys[r.Key] = true
		repos[r.Key.Repository()] = true
	}
	for key, e := range l.Images {
		if repos[key.Repository()] && !keys[key] && p.Pins[key] == "" && e.Digest != "" {
			delete(l.Images, key)
		}
	}
	for _, r := range results {
		e := l.Images[r.Key]
		e.Digest = r.Digest
		if pushed || e.Pushed != r.Digest {
			e.Pushed = ""
		}
		if pushed && r.Published {
			e.Pushed = r.Digest
		}
		e.Outputs = r.Outputs()
		l.Images[r.Key] = e
	}
}

// readOptional reads a file the update may replace, within max bytes: a
// device, a FIFO or an oversized file there is bad input (exit 2), other
// failures outside ones (3).
func readOptional(path string, max int64) ([]byte, bool, error) {
	b, found, err := repofile.ReadOptional(path, max)
	switch {
	case errors.Is(err, repofile.ErrNotRegular), errors.Is(err, repofile.ErrTooLarge):
		return nil, false, diag.AsBadInput(fmt.Errorf("reading %q: %w", path, err))
	case err != nil:
		return nil, false, diag.AsOutside(fmt.Errorf("reading %q: %w", path, err))
	}
	return b, found, nil
}

// now is the time of changelog entries: SOURCE_DATE_EPOCH when set (for
// reproducible output), else now, in UTC.
func now() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// entries are the plan's changes for the changelog, with file names
// relative to the configuration's directory: one entry per digest the
// files really had before, with the changes an interrupted run made to
// the files and could not record (plan.Unrecorded) merged in, so that the
// changelog lists no digest a file never had.
func entries(cfg *config.Config, p *plan.Plan, ann annotations) []changelog.Entry {
	base, _ := filepath.Abs(cfg.Dir)
	rel := func(f string) string { return filepath.ToSlash(workspace.RelativeTo(base, f)) }
	type key struct {
		ref      imageref.Key
		old, new changelog.Version
		source   string
	}
	var out []changelog.Entry
	at := map[key]int{}
	for _, ch := range slices.Concat(p.Changes, p.Unrecorded) {
		for _, from := range ch.From {
			e := changelog.Entry{Repository: ch.Repository,
				Old: changelog.Version{Tag: from.Tag, Digest: from.Digest},
				New: changelog.Version{Tag: ch.Tag, Digest: ch.New}, Source: ch.Source,
				Class: ann.classes[fromKey(ch)].String(), Notes: ann.notes[fromKey(ch)], Chart: ch.Chart}
			if e.Kind() == changelog.Unchanged {
				continue
			}
			k := key{ch.Ref, e.Old, e.New, ch.Source}
			i, ok := at[k]
			if !ok {
				i = len(out)
				at[k] = i
				out = append(out, e)
			}
			for _, f := range from.Files {
				if f = rel(f); !slices.Contains(out[i].Files, f) {
					out[i].Files = append(out[i].Files, f)
				}
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Files)
	}
	// By reference, this run's changes before those caught up.
	slices.SortStableFunc(out, func(a, b changelog.Entry) int {
		return cmp.Compare(imageref.MakeKey(a.Repository, a.New.Tag), imageref.MakeKey(b.Repository, b.New.Tag))
	})
	return out
}
