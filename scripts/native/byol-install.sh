#!/usr/bin/env bash
# Rebuilds the smart-whisper addon against libraries made by build-libwhisper.sh (the CUDA image,
# CI's CUDA check). The patched binding.gyp compiles only the binding's own files; its flags.js takes
# headers from WHISPER_NATIVE_DIR/include and the link line from BYOL (smart-whisper's own name).
#
# Usage:
#   byol-install.sh --lib-dir DIR --pkg PKG_DIR            rebuild PKG_DIR in place (image build)
#   byol-install.sh --lib-dir DIR --copy-to PKG_DIR        copy node_modules/smart-whisper (patched)
#                                                          to PKG_DIR first (CI: node_modules stays
#                                                          untouched)
#   [--extra-ldflags "-L/some/dir"]                        appended to BYOL (e.g. a link stub dir)
# Prints the path of the built .node; load it with WHISPER_ADDON_PATH=<that path>.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
lib_dir="" pkg="" copy_to="" extra=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lib-dir) lib_dir="$2"; shift 2 ;;
    --pkg) pkg="$2"; shift 2 ;;
    --copy-to) copy_to="$2"; shift 2 ;;
    --extra-ldflags) extra="$2"; shift 2 ;;
    *) echo "byol-install: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -f "$lib_dir/byol.txt" ] || { echo "byol-install: no byol.txt in '$lib_dir' (run build-libwhisper.sh)" >&2; exit 2; }

if [ -n "$copy_to" ]; then
  from="$repo/node_modules/smart-whisper"
  [ -f "$from/binding.gyp" ] || { echo "byol-install: $from missing (npm ci first)" >&2; exit 1; }
  rm -rf "$copy_to"
  mkdir -p "$copy_to"
  # Sources and headers only: the build/ of the installed addon is not ours to reuse.
  tar -C "$from" --exclude=./build -cf - . | tar -C "$copy_to" -xf -
  pkg="$copy_to"
fi
[ -f "$pkg/binding.gyp" ] || { echo "byol-install: '$pkg' is not the smart-whisper package" >&2; exit 2; }
pkg="$(cd "$pkg" && pwd)"

byol="$(cat "$lib_dir/byol.txt")${extra:+ $extra}"
echo "byol-install: BYOL='$byol'"
cd "$pkg"
rm -rf build
start=$(date +%s)
# `npm run install` is the package's own install script (node-gyp rebuild) with npm's bundled
# node-gyp on PATH: the same command npm ci runs. The patched binding.gyp also reads the project's
# WHISPER_MARCH / WHISPER_OPENMP for the binding's files.
# NODE_PATH: binding.gyp require()s node-addon-api, which a copy outside the repo cannot find.
WHISPER_NATIVE_DIR="$lib_dir" BYOL="$byol" NODE_PATH="$repo/node_modules${NODE_PATH:+:$NODE_PATH}" \
  nice -n "${NICE:-10}" npm run --silent install > "$pkg/byol-build.log" 2>&1 || {
  tail -n 40 "$pkg/byol-build.log" >&2
  echo "byol-install: node-gyp failed (log: $pkg/byol-build.log)" >&2
  exit 1
}
node_file="$pkg/build/Release/smart-whisper.node"
[ -f "$node_file" ] || { echo "byol-install: $node_file was not produced" >&2; exit 1; }
echo "byol-install: built in $(( $(date +%s) - start ))s"
echo "$node_file"
