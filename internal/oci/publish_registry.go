package oci

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// RegistryPublisher pushes to registries with go-containerregistry, through
// the same transport as the Resolver: plain http only where allowed,
// GET/HEAD retried with backoff, mirrors applied.
//
// A push uploads only the blobs the registry lacks (a HEAD per blob first),
// streaming each from its source so memory stays bounded by the number of
// concurrent uploads (WithJobs) times a copy buffer. When the tag already
// names the same digest nothing is uploaded at all. After the tags are set,
// each tag is read back with HEAD and must name the digest pinner computed;
// otherwise the error wraps ErrDigestMismatch.
//
// The transport retries only idempotent requests (GET, HEAD); uploads are
// retried one level up, a whole blob (or manifest) at a time: when a POST,
// PATCH or PUT fails with a connection reset, a timeout, 429 or a 5xx, the
// blob's upload starts over (a HEAD first, so a blob that did arrive is not
// sent again), at most the configured attempts per blob, with the same
// backoff as other requests. A push that still fails is safe to repeat, and
// repeating it uploads only what is still missing.
type RegistryPublisher struct {
	o       *options
	rt      *retryTransport
	holders holders
}

// NewRegistryPublisher builds a RegistryPublisher; it takes the Resolver's
// options (keychain, mirrors, insecure hosts, retries, jobs, logger).
func NewRegistryPublisher(opts ...Option) (*RegistryPublisher, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	return &RegistryPublisher{o: o, rt: newRetryTransport(o)}, nil
}

// Stats counts the HTTP requests sent so far.
func (p *RegistryPublisher) Stats() Stats {
	return Stats{ManifestRequests: p.rt.manifests.Load(), Requests: p.rt.requests.Load()}
}

func (p *RegistryPublisher) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(p.rt),
		remote.WithAuthFromKeychain(p.o.keychain),
		remote.WithUserAgent("pinner"),
		remote.WithJobs(p.o.jobs),
		// retryTransport retries GET and HEAD (see Resolver.puller);
		// pkg/v1/remote retries each blob and manifest upload as a whole,
		// as uploadRetry decides. Its backoff does not sleep: uploadRetry
		// does, so that an interrupt is not kept waiting.
		remote.WithRetryStatusCodes(),
		remote.WithRetryBackoff(remote.Backoff{Steps: p.o.attempts}),
		remote.WithRetryPredicate(p.uploadRetry(ctx)),
	}
}

// uploadRetry is pkg/v1/remote's retry predicate for one Publish: it says
// whether a failed upload is worth starting over, and waits the backoff
// first. pkg/v1/remote also asks it about the failures of its other
// requests; those are never retried here, since the transport has already
// retried what may be (an *AttemptsError) and the rest would fail again.
func (p *RegistryPublisher) uploadRetry(ctx context.Context) func(error) bool {
	var failures atomic.Int64
	return func(err error) bool {
		if err == nil || ctx.Err() != nil || !retryableUpload(err) {
			return false
		}
		n := failures.Add(1)
		delay := p.rt.backoff(int(min(n, 30)))
		p.o.logger.LogAttrs(ctx, slog.LevelWarn, "retrying upload",
			slog.Int64("failures", n), slog.String("error", unwrapURL(err).Error()),
			slog.Duration("delay", delay))
		return p.rt.sleep(ctx, delay) == nil
	}
}

// retryableUpload: connection resets (and connections closed by one
// mid-write), timeouts, 429 and 5xx answers to a POST, PATCH or PUT.
func retryableUpload(err error) bool {
	var ae *AttemptsError
	if errors.As(err, &ae) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return retryableStatus(te.StatusCode)
	}
	// A reset that arrives while a large body is still being written
	// closes the connection under the writer: net/http then reports
	// net.ErrClosed ("use of closed network connection") instead of the
	// reset. The caller has checked that the context is live.
	return retryableNetError(err) || errors.Is(err, net.ErrClosed)
}

// Publish pushes req.Artifact to req.Repository (or its mirror) under every
// tag and confirms the registry serves the digest pushed.
func (p *RegistryPublisher) Publish(ctx context.Context, req Request) (Published, error) {
	pub, err := describe(req)
	if err != nil {
		return Published{}, err
	}
	reg := displayRegistry(mustRepo(req.Repository).RegistryStr())
	var refs []name.Reference
	for _, t := range req.Tags {
		tag, err := name.NewTag(req.Repository + ":" + t)
		if err != nil {
			return Published{}, fmt.Errorf("publishing %s: invalid tag %q: %w", req.Repository, t, err)
		}
		refs = append(refs, tag)
	}
	if len(refs) == 0 {
		d, err := name.NewDigest(req.Repository + "@" + pub.Digest.String())
		if err != nil {
			return Published{}, fmt.Errorf("publishing %s: %w", req.Repository, err)
		}
		refs = append(refs, d)
	}
	targets := make([]name.Reference, len(refs))
	for i, ref := range refs {
		var err error
		targets[i], err = MirrorRef(ref, p.o.mirrors, p.o.insecure)
		if err != nil {
			return Published{}, fmt.Errorf("publishing %s: registry %s: %w", req.Repository, reg, err)
		}
	}
	if host := targets[0].Context().RegistryStr(); host != mustRepo(req.Repository).RegistryStr() {
		reg = fmt.Sprintf("%s (mirror %s)", reg, host)
	}

	ropts := p.remoteOptions(ctx)
	var forwarded chan struct{}
	if req.Progress != nil {
		updates := make(chan v1.Update, 64)
		forwarded = make(chan struct{})
		go func() {
			defer close(forwarded)
			for u := range updates {
				if u.Error == nil {
					req.Progress(Progress{Complete: u.Complete, Total: u.Total})
				}
			}
		}()
		ropts = append(ropts, remote.WithProgress(updates))
		defer func() {
			close(updates)
			<-forwarded
		}()
	}
	art := req.Artifact
	var layers *layerTracker
	if req.LayerProgress != nil {
		layers = newLayerTracker(req.Repository, req.LayerProgress)
		if art, err = layers.artifact(art); err != nil {
			return Published{}, fmt.Errorf("publishing %s: reading layers: %w", req.Repository, err)
		}
	}
	pushed := art
	art = p.holders.mountable(art, targets[0].Context(), p.mountSources(), func(repo name.Repository, d v1.Hash) bool {
		l, err := remote.Layer(repo.Digest(d.String()), p.remoteOptions(ctx)...)
		if err != nil {
			return false
		}
		ok, err := partial.Exists(l)
		return err == nil && ok
	})
	pusher, err := remote.NewPusher(ropts...)
	if err != nil {
		return Published{}, fmt.Errorf("publishing %s: setting up client: %w", req.Repository, err)
	}
	log := p.o.logger.With(slog.String("repository", req.Repository), slog.String("digest", pub.Digest.String()))
	for _, target := range targets {
		// The first Push uploads what is missing; later tags reuse the
		// Pusher's record of it and only PUT the manifest.
		if err := pusher.Push(ctx, target, art.taggable()); err != nil {
			return Published{}, fmt.Errorf("registry %s: pushing %s:%s: %w", reg, req.Repository, target.Identifier(), unwrapURL(err))
		}
		log.LogAttrs(ctx, slog.LevelDebug, "pushed", slog.String("ref", target.Name()))
	}
	if layers != nil {
		layers.finish()
	}
	p.holders.record(targets[0].Context(), pushed)

	puller, err := remote.NewPuller(p.remoteOptions(ctx)...)
	if err != nil {
		return Published{}, fmt.Errorf("publishing %s: setting up client: %w", req.Repository, err)
	}
	for _, target := range targets {
		desc, err := puller.Head(ctx, target)
		if err != nil {
			return Published{}, registryError(reg, target, fmt.Errorf("confirming %s: %w", target.Identifier(), err))
		}
		if desc.Digest != pub.Digest {
			return Published{}, fmt.Errorf("registry %s: %w: tag %q of %s names %s after pushing %s",
				reg, ErrDigestMismatch, target.Identifier(), req.Repository, desc.Digest, pub.Digest)
		}
	}
	return pub, nil
}

// Serves reports whether the registry (through its mirror) serves digest
// under every one of tags in repository.
func (p *RegistryPublisher) Serves(ctx context.Context, repository string, tags []string, digest string) (bool, error) {
	puller, err := remote.NewPuller(p.remoteOptions(ctx)...)
	if err != nil {
		return false, fmt.Errorf("setting up client: %w", err)
	}
	for _, t := range tags {
		tag, err := name.NewTag(repository + ":" + t)
		if err != nil {
			return false, fmt.Errorf("invalid tag %q of %s: %w", t, repository, err)
		}
		target, err := MirrorRef(tag, p.o.mirrors, p.o.insecure)
		if err != nil {
			return false, err
		}
		desc, err := puller.Head(ctx, target)
		if err != nil {
			err = registryError(displayRegistry(tag.RegistryStr()), target, err)
			if errors.Is(err, ErrNotFound) {
				return false, nil
			}
			return false, err
		}
		if desc.Digest.String() != digest {
			return false, nil
		}
	}
	return true, nil
}

// mountSources are WithMountFrom's repositories, through their mirrors.
func (p *RegistryPublisher) mountSources() []name.Repository {
	var out []name.Repository
	for _, r := range p.o.mountFrom {
		ref, err := MirrorRef(r.Tag("latest"), p.o.mirrors, p.o.insecure)
		if err == nil {
			out = append(out, ref.Context())
		}
	}
	return out
}

// Image reads the image the registry (through its mirror) holds in
// repository under digest.
func (p *RegistryPublisher) Image(ctx context.Context, repository, digest string) (v1.Image, error) {
	ref, err := name.NewDigest(repository + "@" + digest)
	if err != nil {
		return nil, fmt.Errorf("reading %s@%s: %w", repository, digest, err)
	}
	target, err := MirrorRef(ref, p.o.mirrors, p.o.insecure)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(target, p.remoteOptions(ctx)...)
	if err != nil {
		return nil, registryError(displayRegistry(ref.RegistryStr()), target, err)
	}
	return img, nil
}

// mustRepo parses a repository describe has already checked.
func mustRepo(s string) name.Repository {
	r, err := name.NewRepository(s)
	if err != nil {
		panic(err)
	}
	return r
}

// unwrapURL drops the request URL that *url.Error adds; the message names
// the reference already.
func unwrapURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
