#!/usr/bin/env bash
# Runtime CPU dispatch for the one portable install: after npm ci has built the x86-64-v3 addon
# (node_modules/smart-whisper/build/Release/smart-whisper.node, linking node_modules/.whisper-native),
# this builds whisper.cpp again for each extra variant and compiles the binding against it into
# smart-whisper-<variant>.node beside it. src/engine/cpu-variant.ts picks the best one the CPU runs.
# Runs as the project's postinstall (npm runs it after every dependency's install scripts).
#   WHISPER_CPU_VARIANTS  extra variants (default "avx512 avx512bf16 avx512amx" on x86-64; "" skips)
#   Skipped when WHISPER_MARCH is native or none (the build already fits its machine), when
#   WHISPER_NATIVE_DIR links a library built elsewhere (CUDA), or with WHISPER_NATIVE_SKIP_BUILD=1.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
addon_dir="$repo/node_modules/smart-whisper"

default_variants=""
[ "$(uname -m)" = x86_64 ] && default_variants="avx512 avx512bf16 avx512amx"
variants="${WHISPER_CPU_VARIANTS-$default_variants}"
case "${WHISPER_MARCH:-x86-64-v3}" in native|none) variants="" ;; esac
[ -n "${WHISPER_NATIVE_DIR:-}" ] && variants=""
[ "${WHISPER_NATIVE_SKIP_BUILD:-0}" = 1 ] && variants=""
[ -f "$addon_dir/build/Release/smart-whisper.node" ] || { echo "build-variants: no base addon; nothing to do" >&2; exit 0; }

# npm hands its bundled node-gyp to scripts it runs; outside npm, find the one beside npm.
gyp="${npm_config_node_gyp:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}"

for variant in $variants; do
  lib="$repo/node_modules/.whisper-native-$variant"
  echo "build-variants: whisper.cpp for $variant into $lib" >&2
  WHISPER_MARCH="$variant" bash "$repo/scripts/native/build-libwhisper.sh" --out "$lib"
  # The binding compiles in a copy of the package, so the base addon's build/ is left as it is; the
  # copy sits in node_modules so that its build resolves node-addon-api as the original does.
  work="$repo/node_modules/.smart-whisper-$variant"
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$addon_dir/." "$work/"
  rm -rf "$work/build"
  # The binding's own files stay x86-64-v3 (they are glue, not kernels); the link line is the variant's.
  (cd "$work" && WHISPER_NATIVE_DIR="$lib" WHISPER_MARCH=x86-64-v3 nice -n "${NICE:-10}" \
     node "$gyp" rebuild --jobs "${JOBS:-max}" > "$lib/binding.log" 2>&1) || {
    tail -n 40 "$lib/binding.log" >&2; rm -rf "$work"; echo "build-variants: binding for $variant failed" >&2; exit 1; }
  # Copy, then rename: a running server keeps the file it mapped (a new inode), never a half-written one.
  cp "$work/build/Release/smart-whisper.node" "$addon_dir/build/Release/.smart-whisper-$variant.node.tmp"
  mv "$addon_dir/build/Release/.smart-whisper-$variant.node.tmp" "$addon_dir/build/Release/smart-whisper-$variant.node"
  rm -rf "$work"
  echo "build-variants: $addon_dir/build/Release/smart-whisper-$variant.node" >&2
done
