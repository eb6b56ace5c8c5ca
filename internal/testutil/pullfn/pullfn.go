// Package pullfn holds, for tests, a pullImage with the interface of
// nixpkgs' dockerTools.pullImage: a plain fixed-output derivation that
// copies the image by digest out of a loopback registry with the host's
// skopeo (sandbox off), whose hash is of the copy.
package pullfn

// StandIn is the function's Nix source.
const StandIn = `{ imageName, imageDigest, finalImageTag ? "latest", sha256 ? "", hash ? "" }:
derivation {
  name = "pulled-${finalImageTag}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" ''
    set -eu
    export HOME="$PWD" PATH=/usr/bin:/bin
    skopeo --insecure-policy copy --src-tls-verify=false "docker://$imageName@$imageDigest" "dir:$out"
  '' ];
  inherit imageName imageDigest finalImageTag;
  outputHashMode = "recursive";
  outputHashAlgo = "sha256";
  outputHash = if hash != "" then hash else sha256;
}
`
