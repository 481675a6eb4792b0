#!/usr/bin/env bash
# Fetches the 42 ggml CUDA headers (*.cuh) that smart-whisper 0.8.1's npm tarball leaves out
# (its "files" glob lists .c/.h/.cpp/.cu but not .cuh), so that its bundled whisper.cpp can be
# built with CUDA at exactly the commit it ships.
#
# Source: the llama-cpp-python 0.3.0 sdist on PyPI, whose vendored llama.cpp carries the same ggml
# sync (2024-09-24) as whisper.cpp 2ef717b. Every header is checked against the sha256 list in
# ggml-cuda-headers.sha256 (hashes of whisper.cpp 2ef717b's own headers); any mismatch fails.
#
# Usage: fetch-cuda-headers.sh DEST_DIR   -> DEST_DIR/ggml/src/ggml-cuda/*.cuh
# Cache: $WHISPER_NATIVE_CACHE (default ~/.cache/whisper-native) keeps the 64 MB sdist between runs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:?usage: fetch-cuda-headers.sh DEST_DIR}"
manifest="$here/ggml-cuda-headers.sha256"
cache="${WHISPER_NATIVE_CACHE:-$HOME/.cache/whisper-native}"
pkg="llama-cpp-python==0.3.0"
sdist="$cache/sdist/llama_cpp_python-0.3.0.tar.gz"
sdist_sha256="ae328375acf55f137dfe9c990d1661cc5b7c10aca679f09a2da9645c1a5dfaac"

verify() { # verify DIR: every manifest entry present with the right hash
  (cd "$1" && grep -v '^#' "$manifest" | sha256sum --check --quiet --strict)
}

if [ -d "$dest/ggml/src/ggml-cuda" ] && verify "$dest" >/dev/null 2>&1; then
  echo "cuda headers: already in $dest (verified)"
  exit 0
fi

mkdir -p "$cache/sdist"
if ! echo "$sdist_sha256  $sdist" | sha256sum --check --quiet >/dev/null 2>&1; then
  # --no-binary: we want the source distribution, not a wheel.
  pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: -d "$cache/sdist" "$pkg" 2>&1 |
    grep -v "is ignored: it is neither a file nor a directory" || true
  echo "$sdist_sha256  $sdist" | sha256sum --check --quiet
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$sdist" -C "$tmp" --wildcards 'llama_cpp_python-0.3.0/vendor/llama.cpp/ggml/src/ggml-cuda/*.cuh'
src="$tmp/llama_cpp_python-0.3.0/vendor/llama.cpp"
verify "$src"

mkdir -p "$dest/ggml/src/ggml-cuda"
cp "$src"/ggml/src/ggml-cuda/*.cuh "$dest/ggml/src/ggml-cuda/"
verify "$dest"
echo "cuda headers: $(grep -vc '^#' "$manifest") files verified into $dest"
