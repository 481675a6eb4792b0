#!/usr/bin/env bash
# Build stage, CUDA image: installs dependencies without compiling anything, applies patches/,
# builds whisper.cpp v1.9.1 with CUDA (the CPU image's pinned source and patch), then builds the
# binding against it. Run from the app directory.
#   CUDA_ARCHS="75 80 86 89 90"   T4, A100, A10G, L4, H100 (compute capabilities)
#   CUDA_PTX_ONLY=0               1: PTX only, no SASS (CI time budgets; never for images)
#   CUDA_PATH=/usr/local/cuda     toolkit (the nvidia/cuda devel image has it there)
#   CUBLAS_DIR=                   only where cuBLAS is not inside CUDA_PATH (CI: fetch-cuda-extras.sh)
#   BYOL_EXTRA_LDFLAGS=           only where libcuda.so is not in CUDA_PATH/lib64/stubs (CI)
#   CUDA_DRIVER_STUB=             the same case, for CMake: a dir with a libcuda.so link stub (CI)
#   NATIVE_OUT=.cache/native-cuda where the library build happens
set -euo pipefail

archs="${CUDA_ARCHS:-75 80 86 89 90}"
cuda_path="${CUDA_PATH:-/usr/local/cuda}"
out="${NATIVE_OUT:-.cache/native-cuda}"
export WHISPER_MARCH="${WHISPER_MARCH:-x86-64-v3}"

# --ignore-scripts: no point building the CPU whisper.cpp that the CUDA one replaces; the patches
# are applied explicitly below, by the same script the apply-patches preinstall runs.
npm ci --no-audit --no-fund --ignore-scripts
WHISPER_NATIVE_SKIP_BUILD=1 node node_modules/@whisper-server/apply-patches/apply.cjs
# better-sqlite3 and the other native dependencies still need their own install scripts.
npm rebuild --no-audit --no-fund better-sqlite3 msgpackr-extract esbuild

ptx=()
if [ "${CUDA_PTX_ONLY:-0}" = 1 ]; then ptx=(--ptx-only); fi
scripts/native/build-libwhisper.sh --cuda --archs "$archs" --out "$out" --cuda-path "$cuda_path" \
  ${CUBLAS_DIR:+--cublas "$CUBLAS_DIR"} ${CUDA_DRIVER_STUB:+--cuda-driver "$CUDA_DRIVER_STUB"} "${ptx[@]}"
# The devel image links libcuda through the toolkit's stub; the real one comes from the driver.
stubs="$cuda_path/lib64/stubs"
extra="${BYOL_EXTRA_LDFLAGS:-}"
[ -d "$stubs" ] && extra="-L$stubs $extra"
scripts/native/byol-install.sh --lib-dir "$out" --pkg node_modules/smart-whisper --extra-ldflags "$extra"

# The addon must record the CUDA libraries it needs; the loader finds them at run time.
needed="$(readelf -d node_modules/smart-whisper/build/Release/smart-whisper.node | grep NEEDED)"
for lib in libcudart libcublas libcuda.so; do
  grep -q "$lib" <<< "$needed" || { echo "cuda-addon: addon does not link $lib" >&2; exit 1; }
done
echo "cuda-addon: ok (archs: $archs)"
