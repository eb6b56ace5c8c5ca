# Builder of lib/default.nix's stream: writes $out, an executable that
# streams the docker-archive in $tree to stdout, like the script
# dockerTools.streamLayeredImage produces. Like that script it emits the
# layers first and manifest.json last, so a reader cannot rely on seeing the
# manifest before the layers.
set -eu

cd "$tree"
layers=$(ls -d */layer.tar | sort)
config=$(ls *.json | grep -v '^manifest.json$')

{
  echo '#!/bin/sh'
  echo '# Streams a docker-archive of '"$imageName:$imageTag"' to stdout.'
  echo 'set -eu'
  echo 'PATH=/usr/bin:/bin'
  echo 'if [ -t 1 ]; then echo "refusing to write an image to a terminal; pipe it somewhere" >&2; exit 1; fi'
  printf 'exec tar --format=gnu --mtime=@1 --owner=0 --group=0 --numeric-owner --mode=u+w -C %s -cf - --no-recursion' "$tree"
  for f in $layers; do printf ' %s %s' "$(dirname "$f")" "$f"; done
  printf ' %s manifest.json\n' "$config"
} >"$out"
chmod 0555 "$out"
