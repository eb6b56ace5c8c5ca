// Package oci talks to container registries: it resolves tags to the
// digests pinner writes into .nix files.
//
// # Requests per reference
//
// Resolve dedupes references by their normalised name, so each distinct
// reference costs, against a registry that answers HEAD with
// Docker-Content-Digest (CNCF distribution, ghcr.io, Docker Hub, Harbor,
// go-containerregistry's pkg/registry):
//
//   - exactly 1 manifest request (HEAD), plus retries;
//   - 2 (HEAD, then GET) only when HEAD fails in a way GET may not, e.g. 405
//     or a missing Docker-Content-Digest header; a 404, 401 or 403 is final;
//   - 0 when the reference already carries a digest.
//
// On top of that, each registry costs one ping (GET /v2/; two for
// plain-http registries, since pkg/v1/remote tries https first): the
// Resolver remembers a registry's answer and serves the per-repository pings
// of pkg/v1/remote from memory (see pingCache). On registries with bearer
// auth, each repository costs one token request: the Resolver keeps one
// remote.Puller per registry host, and a Puller keeps the authenticated
// transport of each repository for its lifetime. Resolver.Stats reports the
// counts; the tests hold ManifestRequests to one per distinct reference.
//
// # Retries and time limits
//
// GET and HEAD are retried on 429, 500, 502, 503, 504, timeouts and
// connection resets, up to WithRetry's attempts (default 5), waiting
// base·2^n (default 200ms, doubling, jittered, capped at 10s) or the
// registry's Retry-After if longer (capped the same way). Each request has
// its own deadline (WithRequestTimeout, default 30s), so one request takes
// at most attempts × timeout + (attempts-1) × cap. go-containerregistry's
// own retries are off for reads, so attempts never multiply. Uploads (POST,
// PATCH, PUT) are not repeated by the transport: go-containerregistry's
// retries are turned on for them instead, a whole blob or manifest at a
// time, with the same attempts and backoff (see RegistryPublisher).
//
// # Plain http
//
// http is used only for loopback hosts and hosts listed in WithInsecure;
// the check sits in the transport, so no layer above can send a request
// elsewhere over http.
package oci
