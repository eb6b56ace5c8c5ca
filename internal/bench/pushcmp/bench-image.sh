# Builder of the push benchmark's image: a docker-archive .tar of $layers
# layers, each one file of $layerBytes pseudo-random bytes. The bytes come
# from AES-128-CTR over zeros with a fixed key per layer, so they are
# deterministic (the image digest is reproducible) yet incompressible, as
# real binaries mostly are; gzip cannot shrink the work away.
set -eu
dtar() {
  tar --format=gnu --sort=name --mtime=@1 --owner=0 --group=0 --numeric-owner "$@"
}
work=$PWD/work
mkdir -p "$work/archive"
diff_ids=""
layer_paths=""
i=0
while [ "$i" -lt "$layers" ]; do
  mkdir -p "$work/root$i"
  key=$(printf '%032x' "$((i + 1))")
  openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000 -nosalt </dev/zero 2>/dev/null |
    head -c "$layerBytes" >"$work/root$i/blob-$i.bin"
  dtar -C "$work/root$i" -cf "$work/layer$i.tar" .
  rm -r "$work/root$i"
  diff_id=$(sha256sum "$work/layer$i.tar" | cut -d' ' -f1)
  mkdir -p "$work/archive/$diff_id"
  mv "$work/layer$i.tar" "$work/archive/$diff_id/layer.tar"
  sep=","
  [ "$i" -eq 0 ] && sep=""
  diff_ids="$diff_ids$sep\"sha256:$diff_id\""
  layer_paths="$layer_paths$sep\"$diff_id/layer.tar\""
  i=$((i + 1))
done
printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:01Z","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$diff_ids" >"$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/archive/$config.json"
printf '[{"Config":"%s.json","RepoTags":["%s:%s"],"Layers":[%s]}]' \
  "$config" "$imageName" "$imageTag" "$layer_paths" >"$work/archive/manifest.json"
dtar -C "$work/archive" -cf "$out" $(ls "$work/archive")
