package oci

import (
	"errors"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
)

// The options below exist for tests only: the commands always use the
// default keychain and transport.

// WithKeychain sets where credentials come from. The default is the Docker
// config (authn.DefaultKeychain), then $GITHUB_TOKEN for ghcr.io, then for
// ghcr.io the token of `gh auth token` (GHKeychain).
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error {
		if k == nil {
			return errors.New("setting keychain: nil keychain")
		}
		o.keychain = k
		return nil
	}
}

// WithTransport replaces the HTTP transport under the retry layer; for tests.
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) error {
		if t == nil {
			return errors.New("setting transport: nil transport")
		}
		o.transport = t
		return nil
	}
}
