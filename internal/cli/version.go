package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Version is set at link time (-ldflags "-X .../internal/cli.Version=v1.2.3");
// otherwise the module version from the build info is used.
var Version = ""

// VersionCmd prints pinner's version.
type VersionCmd struct{}

// Help is shown by "pinner version --help".
func (VersionCmd) Help() string {
	return `Prints "pinner VERSION", then one "key: value" line each for the commit pinner was built from (with "(modified)" when the work tree had uncommitted changes), that commit's time, the Go version and the platform. A bug report wants all of it.

The version and commit come from the build information Go writes into the binary: "go build" in a git clone records the commit, and "go install ...@v1.2.3" records the module version. A binary built without either says "unknown".`
}

// Run prints the version lines.
func (VersionCmd) Run(env *Env) error {
	bi, _ := debug.ReadBuildInfo() // nil without build information
	return writeVersion(env.Stdout, describeBuild(bi, Version))
}

// buildDescription is what `pinner version` reports.
type buildDescription struct {
	Version   string
	Revision  string
	Time      string
	Modified  bool
	GoVersion string
	Platform  string
}

// describeBuild reads bi, which is nil when the binary carries no build
// information. A version set at link time wins over the build info's,
// which for a plain `go build` outside a git tree is "(devel)".
func describeBuild(bi *debug.BuildInfo, linked string) buildDescription {
	d := buildDescription{Version: linked, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		if d.Version == "" {
			d.Version = "unknown"
		}
		return d
	}
	if d.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		d.Version = bi.Main.Version
	}
	if d.Version == "" {
		d.Version = "unknown"
	}
	if bi.GoVersion != "" {
		d.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			d.Revision = s.Value
		case "vcs.time":
			d.Time = s.Value
		case "vcs.modified":
			d.Modified = s.Value == "true"
		}
	}
	return d
}

func writeVersion(w io.Writer, d buildDescription) error {
	rev := "unknown (built without version control information)"
	if d.Revision != "" {
		rev = d.Revision
		if d.Modified {
			rev += " (modified)"
		}
	}
	committed := d.Time
	if committed == "" {
		committed = "unknown"
	}
	_, err := fmt.Fprintf(w, "pinner %s\nrevision: %s\ncommitted: %s\ngo: %s\nplatform: %s\n",
		d.Version, rev, committed, d.GoVersion, d.Platform)
	return err
}
