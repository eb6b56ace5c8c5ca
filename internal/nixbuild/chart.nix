# The chart kubenix's lib.helm.fetch fetches, built the way it builds it:
# `helm pull --untar` of the chart from its repository, the chart's
# directory as the output, a fixed output of the module's sha256
# (recursive). Same name, same hash, same store path: a chart that
# `make manifests` fetched already is in the store and nothing runs.
# The builder is the host's /bin/sh and the helm pinner found; every
# value comes in as an environment variable, never as script text.
{ repo, chart, version, sha256, helm }:
derivation {
  name = "${builtins.replaceStrings [ "/" ] [ "-" ] chart}-${version}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" ''
    set -eu
    export HOME="$PWD" PATH=/usr/bin:/bin
    "$helm" pull --repo "$repo" "$chart" --version "$version" --untar --untardir pulled
    cp -r "pulled/$chart" "$out"
  '' ];
  inherit repo chart version helm;
  outputHashMode = "recursive";
  outputHashAlgo = "sha256";
  outputHash = sha256;
}
