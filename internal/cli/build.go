package cli

import (
	"bytes"
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/pinner-dev/pinner/internal/update"
)

// BuildCmd builds images of the repository and prints their digests.
type BuildCmd struct {
	Names    []string `arg:"" name:"name" predictor:"images" help:"Image names from registry.yaml (images:)."`
	Platform []string `help:"Build only these platforms (linux/amd64, linux/arm64, ...); repeatable." placeholder:"OS/ARCH"`
	JSON     bool     `help:"Print a JSON list: [{\"name\",\"repository\",\"tag\",\"digest\",\"platforms\":[{\"platform\",\"output\",\"digest\"}]}]; with --push, [{\"name\",\"repository\",\"platform\",\"digest\"}], what update --from-builds reads."`
	Push     bool     `help:"Push each platform's image by its digest (no tag, no index, no file changes) to push_to or --push-to."`
	PushTo   string   `help:"With --push: push there instead of push_to: oci:DIR, or \"registry\" (each image's repository)." placeholder:"DEST"`
	registryFlags
}

// Help is shown by "pinner build --help".
func (BuildCmd) Help() string {
	return `Builds each named image through Nix (every platform in one nix build invocation), loads each platform's output and prints the digest each platform image has, and for an image with several platforms the digest of the OCI index that update pushes and pins. No file is written, and without --push nothing is pushed; the digests are the ones "pinner update" would pin.

With --push, each platform's image is pushed by its digest alone, so that machines of different architectures can each build and push their own platform (a CI matrix of native runners); "pinner update --from-builds FILE... --no-build" then assembles the index from their --json outputs, tags and pins it.

Exits 0 on success, 2 on bad input (an unknown name, a missing Nix file or attribute, a platform the image does not build), 3 when Nix fails (the tail of the build log is shown), is missing, or an output is not an image.`
}

// Run builds and prints.
func (c *BuildCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	res, err := update.Build(ctx, cfg, c.Names, c.Platform, update.Options{
		Log: env.Log, Progress: env.Progress,
		Push: c.Push, PushTo: c.PushTo, Registry: c.registryFlags.registry(),
	})
	env.Progress.Close()
	if err != nil {
		return err
	}
	switch {
	case c.JSON && c.Push:
		return writeJSON(env.Stdout, update.ByDigest(res))
	case c.JSON:
		return writeJSON(env.Stdout, res)
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IMAGE\tREFERENCE\tPLATFORM\tDIGEST")
	for _, r := range res {
		ref := r.Repository + ":" + r.Tag
		for _, p := range r.Platforms {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, ref, p.Platform, p.Digest)
		}
		single := false
		for _, p := range r.Platforms {
			single = single || p.Digest == r.Digest
		}
		if len(r.Platforms) > 1 || !single {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, ref, "index", r.Digest)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeTable(env.Stdout, buf.Bytes(), env.Color)
}
