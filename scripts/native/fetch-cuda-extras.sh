#!/usr/bin/env bash
# Completes a bare CUDA toolkit (CI here: nvcc and cudart installed from PyPI wheels) with what the
# BYOL build and its checks need, from NVIDIA's own PyPI wheels:
#   include/, lib/      cuBLAS for the same CUDA major.minor as `nvcc` (+ the unversioned .so
#                       links the linker looks for)
#   bin/cuobjdump       lists the GPU code embedded in a binary (any 13.x/12.x reads older fatbins)
# The nvidia/cuda devel images need none of this.
#
# Usage: fetch-cuda-extras.sh  -> prints the directory
# Cache: $WHISPER_NATIVE_CACHE (default ~/.cache/whisper-native); the cuBLAS wheel is ~420 MB.
set -euo pipefail

cache="${WHISPER_NATIVE_CACHE:-$HOME/.cache/whisper-native}"
cuda="$(nvcc --version | grep -oE 'release [0-9]+\.[0-9]+' | grep -oE '[0-9]+\.[0-9]+')"
major="${cuda%.*}"
minor="${cuda#*.}"
suffix=""
[ "$major" -ge 13 ] || suffix="-cu$major" # CUDA 12 wheels carry the major in their names
dest="$cache/cuda-extras-$cuda"

fetch() { # fetch SPEC: download one wheel into $tmp
  pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: -d "$tmp" "$1" 2>&1 |
    grep -v "is ignored: it is neither" >&2 || true
}

if [ ! -f "$dest/.complete" ]; then
  rm -rf "$dest"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  fetch "nvidia-cublas$suffix>=$major.$minor,<$major.$((minor + 1))"
  fetch "nvidia-cuda-cuobjdump$suffix>=$major.0,<$((major + 1))"
  mkdir -p "$dest/unpacked" "$dest/bin"
  for whl in "$tmp"/*.whl; do unzip -q -o "$whl" -d "$dest/unpacked"; done
  header="$(find "$dest/unpacked" -name cublas_v2.h | head -n1)"
  tool="$(find "$dest/unpacked" -name cuobjdump -type f | head -n1)"
  if [ -z "$header" ] || [ -z "$tool" ]; then echo "fetch-cuda-extras: wheels lack cuBLAS or cuobjdump" >&2; exit 1; fi
  root="$(dirname "$(dirname "$header")")"
  ln -s "$root/include" "$dest/include"
  ln -s "$root/lib" "$dest/lib"
  for so in "$dest"/lib/libcublas*.so.*; do ln -sf "$(basename "$so")" "${so%%.so.*}.so"; done
  chmod +x "$tool" && ln -s "$tool" "$dest/bin/cuobjdump"
  touch "$dest/.complete"
fi
echo "$dest"
