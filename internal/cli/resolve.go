package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/update"
)

// registryFlags are the settings of every command that talks to registries.
// The hidden ones exist for tests and slow networks.
type registryFlags struct {
	Jobs           int           `help:"References resolved at once." default:"16" placeholder:"N"`
	RequestTimeout time.Duration `hidden:"" help:"Deadline of each registry request." env:"PINNER_REQUEST_TIMEOUT" default:"30s"`
	RetryAttempts  int           `hidden:"" help:"Tries of each registry request." env:"PINNER_RETRY_ATTEMPTS" default:"5"`
	RetryBackoff   time.Duration `hidden:"" help:"First wait between tries; it doubles, up to 10s." env:"PINNER_RETRY_BACKOFF" default:"200ms"`
}

// registry is the flags as the update pipeline takes them.
func (f *registryFlags) registry() update.Registry {
	return update.Registry{Jobs: f.Jobs, RequestTimeout: f.RequestTimeout, RetryAttempts: f.RetryAttempts, RetryBackoff: f.RetryBackoff}
}

// newResolver builds the Resolver of a run from the configuration (mirrors,
// insecure hosts) and the flags. Bad settings are bad input.
// Extra options (a progress hook) come last.
func (f *registryFlags) newResolver(cfg *config.Config, log *slog.Logger, extra ...oci.Option) (*oci.Resolver, error) {
	maxBackoff := max(oci.DefaultMaxBackoff, f.RetryBackoff)
	r, err := oci.NewResolver(append([]oci.Option{
		oci.WithJobs(f.Jobs),
		oci.WithMirrors(cfg.Mirrors),
		oci.WithInsecure(cfg.Insecure),
		oci.WithRequestTimeout(f.RequestTimeout),
		oci.WithRetry(f.RetryAttempts, f.RetryBackoff, maxBackoff),
		oci.WithLogger(log),
	}, extra...)...)
	if err != nil {
		return nil, withCode(ExitBadInput, err)
	}
	return r, nil
}

// logStats reports the resolver's work at debug level, one line a script
// can read: manifest requests per distinct reference is what the docs
// promise to keep at one.
func logStats(ctx context.Context, log *slog.Logger, r *oci.Resolver, refs int) {
	s := r.Stats()
	perRef := 0.0
	if s.Lookups > 0 {
		perRef = float64(s.ManifestRequests) / float64(s.Lookups)
	}
	log.LogAttrs(ctx, slog.LevelDebug, "resolver stats",
		slog.Int("refs", refs),
		slog.Int64("lookups", s.Lookups),
		slog.Int64("manifest_requests", s.ManifestRequests),
		slog.Int64("requests", s.Requests),
		slog.String("manifest_requests_per_ref", fmt.Sprintf("%.2f", perRef)))
}

// ResolveCmd prints the digest each reference names now.
type ResolveCmd struct {
	JSON bool     `help:"Print a JSON list: [{\"ref\":...,\"digest\":...}]."`
	Refs []string `arg:"" name:"ref" help:"Image references (busybox:1.37, ghcr.io/x/y:v1)."`
	registryFlags
}

// Help is shown by "pinner resolve --help".
func (ResolveCmd) Help() string {
	return `Resolves each reference's tag to the digest of the manifest it names now (for a multi-platform image, the index), concurrently, with one manifest request per distinct reference. The configuration's mirrors and insecure hosts apply.

Prints "REF DIGEST" lines in the order given. Exits 3 when a reference cannot be resolved (after printing those that could), 2 when one is not a valid reference.`
}

type resolved struct {
	Ref    string `json:"ref"`
	Digest string `json:"digest"`
}

// Run resolves and prints.
func (c *ResolveCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	if err := oci.CheckRefs(c.Refs); err != nil {
		return err
	}
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	r, err := c.newResolver(cfg, env.Log, oci.WithOnResolve(env.resolveHook()))
	if err != nil {
		return err
	}
	res, rerr := r.Resolve(ctx, c.Refs)
	env.Progress.Close()
	logStats(ctx, env.Log, r, len(c.Refs))
	out := []resolved{}
	for _, x := range res {
		if x.Err == nil {
			out = append(out, resolved{Ref: x.Ref, Digest: x.Digest})
		}
	}
	if c.JSON {
		if err := writeJSON(env.Stdout, out); err != nil {
			return err
		}
	} else {
		for _, x := range out {
			fmt.Fprintf(env.Stdout, "%s %s\n", x.Ref, x.Digest)
		}
	}
	if rerr != nil {
		return withCode(ExitOutside, rerr)
	}
	return nil
}
