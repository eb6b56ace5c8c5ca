package oci

import (
	"github.com/google/go-containerregistry/pkg/authn"
)

// GitHubKeychain returns a keychain that answers for ghcr.io with Basic auth
// user "token" and the given password (a GITHUB_TOKEN), and anonymously for
// everything else, including when token is empty. The default Resolver
// keychain puts it after authn.DefaultKeychain, so `docker login ghcr.io`
// wins over the environment.
func GitHubKeychain(token string) authn.Keychain {
	return githubKeychain{token: token}
}

type githubKeychain struct{ token string }

func (k githubKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if k.token == "" || r.RegistryStr() != "ghcr.io" {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{Username: "token", Password: k.token}), nil
}

// String keeps the token out of %v and %+v.
func (k githubKeychain) String() string { return "GitHubKeychain(ghcr.io)" }

// GoString keeps the token out of %#v.
func (k githubKeychain) GoString() string { return k.String() }
