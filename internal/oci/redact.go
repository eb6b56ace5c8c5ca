package oci

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// maxErrorBody bounds how much of an error answer is read: its messages
// end up in one line of an error, and a registry could send gigabytes.
const maxErrorBody = 64 << 10

// Credentials a registry echoes back in an error body (some proxies print
// the request headers they refused) must not reach the terminal, the PR
// body or a CI log. Two nets: the very values this request sent, and
// anything shaped like an Authorization header or a basic or bearer
// credential.
var (
	authHeaderRE = regexp.MustCompile(`(?i)((?:proxy-)?authorization|x-registry-auth|cookie)(["']?\s*[:=]\s*\[?\s*["']?)([^"'\r\n,}]*)`)
	credentialRE = regexp.MustCompile(`(?i)\b(basic|bearer)(\s+)[A-Za-z0-9._~+/=-]{6,}`)
)

// redactErrorBody replaces resp's body by at most maxErrorBody bytes of
// it with every credential of req removed.
func redactErrorBody(req *http.Request, resp *http.Response) {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	b = redactSecrets(b, secretsOf(req))
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
}

// secretsOf are the credentials req carries: each Authorization-like
// header whole, its credential, and for basic auth the decoded
// user:password and the password.
func secretsOf(req *http.Request) []string {
	var out []string
	for k, vs := range req.Header {
		if !secretHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			out = append(out, v)
			scheme, cred, ok := strings.Cut(v, " ")
			if !ok {
				continue
			}
			out = append(out, cred)
			if strings.EqualFold(scheme, "basic") {
				if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
					out = append(out, string(dec))
					if _, pw, ok := strings.Cut(string(dec), ":"); ok {
						out = append(out, pw)
					}
				}
			}
		}
	}
	if u := req.URL.User; u != nil {
		if pw, ok := u.Password(); ok {
			out = append(out, pw)
		}
	}
	return out
}

// redactSecrets removes secrets (those at least 4 bytes long: shorter
// ones would blank out ordinary words) and credential-shaped text from b.
func redactSecrets(b []byte, secrets []string) []byte {
	for _, s := range secrets {
		if len(s) >= 4 {
			b = bytes.ReplaceAll(b, []byte(s), []byte("REDACTED"))
		}
	}
	b = authHeaderRE.ReplaceAll(b, []byte("${1}${2}REDACTED"))
	return credentialRE.ReplaceAll(b, []byte("${1}${2}REDACTED"))
}
