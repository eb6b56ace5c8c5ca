package oci

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// githubRegistry is the one registry GitHub tokens are sent to.
const githubRegistry = "ghcr.io"

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
	if k.token == "" || r.RegistryStr() != githubRegistry {
		return authn.Anonymous, nil
	}
	return githubAuth(k.token), nil
}

func githubAuth(token string) authn.Authenticator {
	return authn.FromConfig(authn.AuthConfig{Username: "token", Password: token})
}

// String keeps the token out of %v and %+v.
func (k githubKeychain) String() string { return "GitHubKeychain(ghcr.io)" }

// GoString keeps the token out of %#v.
func (k githubKeychain) GoString() string { return k.String() }

// GHTimeout bounds `gh auth token`: it reads a file or the system keyring,
// which takes milliseconds, unless something is wrong with it.
const GHTimeout = 10 * time.Second

// maxTokenSize bounds what is read from gh: a GitHub token is 40 to 255
// characters.
const maxTokenSize = 4 << 10

// GHKeychain returns a keychain that answers for ghcr.io with the token the
// GitHub CLI prints (`gh auth token --hostname github.com`), the one
// `gh auth login` stored, and anonymously for everything else. gh runs at
// most once per keychain, at the first ghcr.io request, never through a
// shell, with stdin closed and a deadline of timeout (GHTimeout when 0); its
// stderr is dropped. A gh that is not installed, not logged in, slow, or
// prints something that is not a token gives no credential, silently: the
// request then goes out anonymously and the registry's answer says why it
// failed. gh is the program name looked up in $PATH (or a path).
//
// The default Resolver keychain consults it last, so it matters only when
// neither the Docker config nor $GITHUB_TOKEN has a credential for ghcr.io.
func GHKeychain(gh string, timeout time.Duration) authn.Keychain {
	if timeout <= 0 {
		timeout = GHTimeout
	}
	return &ghKeychain{gh: gh, timeout: timeout}
}

type ghKeychain struct {
	gh      string
	timeout time.Duration

	once  sync.Once
	token string
}

func (k *ghKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

// ResolveContext lets a cancelled run stop waiting for gh.
func (k *ghKeychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() != githubRegistry {
		return authn.Anonymous, nil
	}
	k.once.Do(func() { k.token = ghToken(ctx, k.gh, k.timeout) })
	if k.token == "" {
		return authn.Anonymous, nil
	}
	return githubAuth(k.token), nil
}

// String keeps the token out of %v and %+v.
func (k *ghKeychain) String() string { return "GHKeychain(ghcr.io)" }

// GoString keeps the token out of %#v.
func (k *ghKeychain) GoString() string { return k.String() }

// ghToken runs gh and returns the token it prints, or "" for any failure.
func ghToken(ctx context.Context, gh string, timeout time.Duration) string {
	path, err := exec.LookPath(gh)
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "auth", "token", "--hostname", "github.com")
	// gh must not ask anything or look for updates; a child it leaves
	// holding stdout open gets a second to go once gh is killed.
	cmd.Env = append(os.Environ(), "GH_PROMPT_DISABLED=1", "GH_NO_UPDATE_NOTIFIER=1")
	cmd.WaitDelay = time.Second
	out := &capped{max: maxTokenSize}
	cmd.Stdout = out
	if err := cmd.Run(); err != nil || out.over {
		return ""
	}
	token := strings.TrimSpace(out.b.String())
	if token == "" || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return ""
	}
	return token
}

// capped keeps the first max bytes written to it and notes any more.
type capped struct {
	b    bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.max - c.b.Len(); n > room {
		c.over = true
		p = p[:max(room, 0)]
	}
	c.b.Write(p)
	return n, nil
}
