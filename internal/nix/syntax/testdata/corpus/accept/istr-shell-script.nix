''
  set -euo pipefail
  for f in "$@"; do
    echo "''${f}: ${"x"}"
    [ -e "$f" ] && printf '%s\n' "$f"
  done
  echo '''quoted'''
''
