# Builder of lib/default.nix: turns the layer specs in $layer0..$layerN into a
# docker-archive (.tar, .tar.gz, or a directory tree) or an OCI image layout at
# $out. POSIX sh with the host's tar, gzip and sha256sum; every step is
# deterministic so the image digest is reproducible.
set -eu

# Deterministic tar: GNU format (no pax atime/ctime headers), sorted names,
# fixed mtime and owner.
dtar() {
  tar --format=gnu --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner "$@"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c <"$1" | tr -d ' '; }

work=$PWD/work
mkdir -p "$work/archive" "$work/oci/blobs/sha256"

platform_json="\"architecture\":\"$imageArch\",\"os\":\"linux\""
if [ -n "$imageVariant" ]; then
  platform_json="$platform_json,\"variant\":\"$imageVariant\""
fi
created="1970-01-01T00:00:01Z"

diff_ids=""
history=""
layer_paths=""
oci_layers=""
i=0
while [ "$i" -lt "$layerCount" ]; do
  eval "spec=\${layer$i}"
  root=$work/root$i
  mkdir -p "$root"
  printf '%s\n' "$spec" | while read -r mode path src; do
    [ -n "$path" ] || continue
    mkdir -p "$root/$(dirname "$path")"
    cp "$src" "$root/$path"
    chmod "$mode" "$root/$path"
  done
  find "$root" -type d -exec chmod 0755 {} +
  dtar -C "$root" -cf "$work/layer$i.tar" .
  diff_id=$(sha "$work/layer$i.tar")

  # docker-archive: <diff_id>/layer.tar, uncompressed, as docker save writes.
  mkdir -p "$work/archive/$diff_id"
  cp "$work/layer$i.tar" "$work/archive/$diff_id/layer.tar"

  # OCI layout: gzip-compressed blob.
  gzip -n -c "$work/layer$i.tar" >"$work/layer$i.tar.gz"
  blob=$(sha "$work/layer$i.tar.gz")
  cp "$work/layer$i.tar.gz" "$work/oci/blobs/sha256/$blob"

  sep=","
  [ "$i" -eq 0 ] && sep=""
  diff_ids="$diff_ids$sep\"sha256:$diff_id\""
  history="$history$sep{\"created\":\"$created\",\"created_by\":\"pinner fixture layer $i\"}"
  layer_paths="$layer_paths$sep\"$diff_id/layer.tar\""
  oci_layers="$oci_layers$sep{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$blob\",\"size\":$(size "$work/layer$i.tar.gz")}"
  i=$((i + 1))
done

printf '{%s,"created":"%s","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
  "$platform_json" "$created" "$imageConfig" "$diff_ids" "$history" >"$work/config.json"
config=$(sha "$work/config.json")

case "$imageFormat" in
archive | archive-gz | tree)
  cp "$work/config.json" "$work/archive/$config.json"
  printf '[{"Config":"%s.json","RepoTags":["%s:%s"],"Layers":[%s]}]' \
    "$config" "$imageName" "$imageTag" "$layer_paths" >"$work/archive/manifest.json"
  case "$imageFormat" in
  # Entries named without "./", as docker save writes them.
  archive) dtar -C "$work/archive" -cf "$out" $(ls "$work/archive") ;;
  archive-gz) dtar -C "$work/archive" -cf - $(ls "$work/archive") | gzip -n >"$out" ;;
  tree) cp -r "$work/archive" "$out" ;;
  esac
  ;;
oci)
  cp "$work/config.json" "$work/oci/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$config" "$(size "$work/config.json")" "$oci_layers" >"$work/manifest.json"
  manifest=$(sha "$work/manifest.json")
  cp "$work/manifest.json" "$work/oci/blobs/sha256/$manifest"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"},"platform":{%s}}]}' \
    "$manifest" "$(size "$work/manifest.json")" "$imageTag" "$platform_json" >"$work/oci/index.json"
  cp -r "$work/oci" "$out"
  ;;
*)
  echo "build-image.sh: unknown imageFormat '$imageFormat'" >&2
  exit 1
  ;;
esac
