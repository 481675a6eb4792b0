#!/usr/bin/env bash
# Native checks (called by .ci/run). whisper.cpp v1.9.1 comes from one pinned source for both builds.
#  1. CPU: the addon npm ci built (scripts/native/build-libwhisper.sh in the preinstall) links
#     whisper.cpp 1.9.1 statically and transcribes jfk.wav. (The engine tests run in npm test.)
#  2. CUDA: the CUDA image's build-stage script (scripts/docker/cuda-addon.sh) in a scratch copy,
#     compiled for one GPU architecture (CI_CUDA_ARCHS, default 75 = T4) and linked. No GPU is
#     reachable here: the addon is inspected and run on its CPU path; GPU kernels never run.
#     ggml-cuda 1.9 has hundreds of flash-attention template instances: with machine code (SASS)
#     one arch does not fit CI's time budget on 2 cores, so CI compiles PTX only by default
#     (CI_CUDA_PTX_ONLY=1; ptxas skipped) and checks PTX; images get SASS for every arch.
# Usage: native-checks.sh [all|cpu|cuda] (default all). .ci/run runs `cpu` first and `cuda` in the
# background at the lowest priority while the tests run, then waits for it.
# Non-interactive, idempotent (.cache/native/<part> is rebuilt each run), fails on the first error,
# prints the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export CI="${CI:-true}" npm_config_update_notifier=false
cuda_archs="${CI_CUDA_ARCHS:-75}"
ptx_only="${CI_CUDA_PTX_ONLY:-1}"
mode="${1:-all}"
case "$mode" in all | cpu | cuda) ;; *) echo "usage: native-checks.sh [all|cpu|cuda]" >&2; exit 2 ;; esac
work="$repo/.cache/native/$mode"
model="$repo/models/ggml-tiny.en.bin"
audio="$repo/test/fixtures/audio/jfk.wav"
phrase="ask not what your country can do for you"

t_all=$(date +%s)
t_step=$t_all
step() {
  local now; now=$(date +%s)
  if [ -n "${current:-}" ]; then printf '== %-52s %4ss\n' "$current" $((now - t_step)); fi
  current="$1" t_step=$now
  echo "== $current ..."
}
# Undefined symbols left after loading every NEEDED library, other than Node-API (from node).
unresolved() { ldd -r "$1" 2>&1 | grep 'undefined symbol' | grep -vE 'undefined symbol: (napi_|node_api_)' || true; }

rm -rf "$work" && mkdir -p "$work"

text() { node -e 'console.log(JSON.parse(process.argv[1]).text)' "$1"; }
[ -f "$model" ] || npm run --silent models -- fetch-test

if [ "$mode" != cuda ]; then
step "cpu: the installed addon links whisper.cpp 1.9.1 statically"
cpu_addon="$repo/node_modules/smart-whisper/build/Release/smart-whisper.node"
cat "$repo/node_modules/.whisper-native/build-info.txt"
[ -z "$(unresolved "$cpu_addon")" ] || { unresolved "$cpu_addon"; exit 1; }
# Static link: whisper.cpp lives inside the .node, nothing to find at run time.
! readelf -d "$cpu_addon" | grep -qE 'NEEDED.*(whisper|ggml)' || { echo "native-checks: libwhisper linked dynamically" >&2; exit 1; }
nm -D --defined-only "$cpu_addon" > "$work/cpu-addon.syms"
grep -q ' whisper_vad_detect_speech_no_reset' "$work/cpu-addon.syms"
grep -q ' whisper_full_with_state_vad' "$work/cpu-addon.syms" # from native/whisper.cpp-1.9.1.patch
version="$(node -e "console.log(require('$cpu_addon').whisperVersion)")"
[ "$version" = 1.9.1 ] || { echo "native-checks: addon reports whisper.cpp $version" >&2; exit 1; }
echo "  $cpu_addon: whisper.cpp $version"

step "cpu: the addon transcribes jfk.wav"
stock="$(WHISPER_CPU_VARIANT=baseline npx tsx scripts/native/smoke-transcribe.ts "$model" "$audio" "$phrase")"
echo "  cpu: $stock"

# One CPU variant (runtime dispatch, src/engine/cpu-variant.ts): built with its flag, static, and
# transcribing where this CPU has every flag in its list.
check_variant() {
  local name="$1" cmake_flag="$2" cpu_flags="$3"
  local addon="$repo/node_modules/smart-whisper/build/Release/smart-whisper-$name.node"
  cat "$repo/node_modules/.whisper-native-$name/build-info.txt"
  grep -q "$cmake_flag:BOOL=ON" "$repo/node_modules/.whisper-native-$name/build-info.txt"
  [ -z "$(unresolved "$addon")" ] || { unresolved "$addon"; exit 1; }
  ! readelf -d "$addon" | grep -qE 'NEEDED.*(whisper|ggml)' || { echo "native-checks: $name linked dynamically" >&2; exit 1; }
  for flag in $cpu_flags; do
    grep -qw "$flag" /proc/cpuinfo || { echo "  NOTE: this CPU lacks $flag; the $name variant was built but not run"; return 0; }
  done
  echo "  $name: $(WHISPER_CPU_VARIANT="$name" npx tsx scripts/native/smoke-transcribe.ts "$model" "$audio" "$phrase")"
}
grep -q 'GGML_LLAMAFILE:BOOL=ON' "$repo/node_modules/.whisper-native/build-info.txt"
step "cpu: the avx512 variant is built, static, and transcribes where the CPU runs it"
check_variant avx512 GGML_AVX512 "avx512vbmi avx512_vnni"
step "cpu: the avx512bf16 variant (bf16 encoder matrices) likewise"
check_variant avx512bf16 GGML_AVX512_BF16 "avx512vbmi avx512_vnni avx512_bf16"
step "cpu: the avx512amx variant (q8_0 matrices on ggml's AMX tiles) likewise"
check_variant avx512amx GGML_AMX_INT8 "avx512vbmi avx512_vnni avx512_bf16 amx_tile amx_int8 amx_bf16"
fi
if [ "$mode" = cpu ]; then
  step "done"
  echo "native-checks: CPU checks passed in $(( $(date +%s) - t_all ))s"
  exit 0
fi

if ! command -v nvcc > /dev/null; then
  step "cuda: SKIPPED, no nvcc on this machine"
  step "done"
  echo "native-checks: CPU checks passed; CUDA compile NOT checked (no nvcc) in $(( $(date +%s) - t_all ))s"
  exit 0
fi

# The CPU build's transcript, to compare the CUDA build's CPU path with.
[ -n "${stock:-}" ] || stock="$(npx tsx scripts/native/smoke-transcribe.ts "$model" "$audio" "$phrase")"

step "cuda: toolchain extras (cuBLAS, cuobjdump from PyPI; libcuda link stub)"
nvcc --version | tail -n2
extras="$(scripts/native/fetch-cuda-extras.sh)"
scripts/native/libcuda-stub.sh "$work/libcuda-stub"

if [ "${CI_CUDA_SUBSET:-1}" = 1 ]; then
  # The documented subset: the whole CMake configuration of the CUDA build (toolkit, cuBLAS, driver
  # API, arch list) plus one translation unit of every kernel family, compiled to PTX for sm_75.
  # ggml-cuda 1.9 is 138 translation units, about an hour of CPU for one arch even PTX-only: the
  # full build and link (CI_CUDA_SUBSET=0) do not fit CI's budget on 2 cores. Images build it all.
  step "cuda: subset of ggml-cuda (one unit per kernel family), archs '$cuda_archs', ptx-only=$ptx_only"
  objs="ggml-cuda.cu.o mmq.cu.o template-instances/mmq-instance-q4_0.cu.o template-instances/mmf-instance-ncols_1.cu.o"
  objs+=" template-instances/fattn-mma-f16-instance-ncols1_8-ncols2_1.cu.o template-instances/fattn-tile-instance-dkq64-dv64.cu.o"
  objs+=" template-instances/fattn-vec-instance-f16-f16.cu.o fattn.cu.o conv2d.cu.o"
  ptx=(); [ "$ptx_only" = 1 ] && ptx=(--ptx-only)
  scripts/native/build-libwhisper.sh --cuda --archs "$cuda_archs" "${ptx[@]}" --out "$work/lib-cuda" \
    --cublas "$extras" --cuda-driver "$work/libcuda-stub" --objects "$objs"
  cat "$work/lib-cuda/build-info.txt"
  if [ "$ptx_only" = 1 ]; then list=--list-ptx kind=ptx; else list=--list-elf kind=cubin; fi
  for o in $objs; do
    f="$(find "$work/lib-cuda/build/ggml/src/ggml-cuda" -path "*${o%.o}.o" | head -n1)"
    [ -n "$f" ] || { echo "native-checks: $o was not produced" >&2; exit 1; }
    "$extras/bin/cuobjdump" "$list" "$f" | grep -q "sm_${cuda_archs%% *}" || { echo "native-checks: no sm_${cuda_archs%% *} $kind in $o" >&2; exit 1; }
    echo "  $o: sm_${cuda_archs%% *} $kind"
  done
  step "done"
  echo "native-checks: CUDA subset compiled in $(( $(date +%s) - t_all ))s (full build and link: CI_CUDA_SUBSET=0)"
  exit 0
fi

step "cuda: scripts/docker/cuda-addon.sh, archs '$cuda_archs', ptx-only=$ptx_only"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# What Dockerfile.cuda COPYs before that RUN step.
cp -r package.json package-lock.json native patches scripts "$scratch/"
(
  cd "$scratch"
  CUDA_ARCHS="$cuda_archs" CUDA_PTX_ONLY="$ptx_only" CUBLAS_DIR="$extras" BYOL_EXTRA_LDFLAGS="-L$work/libcuda-stub" CUDA_DRIVER_STUB="$work/libcuda-stub" \
    NATIVE_OUT="$work/lib-cuda" scripts/docker/cuda-addon.sh
)
cp "$scratch/node_modules/smart-whisper/build/Release/smart-whisper.node" "$work/smart-whisper-cuda.node"
cat "$work/lib-cuda/build-info.txt"

step "cuda: inspect the linked addon"
cuda_addon="$work/smart-whisper-cuda.node"
readelf -d "$cuda_addon" | grep NEEDED
export LD_LIBRARY_PATH="$extras/lib:$work/libcuda-stub:${CUDA_PATH:-/usr/local/cuda}/lib64"
[ -z "$(unresolved "$cuda_addon")" ] || { unresolved "$cuda_addon"; exit 1; }
readelf -S -W "$cuda_addon" | grep -c '\.nv_fatbin' > /dev/null || { echo "native-checks: no GPU code in the addon" >&2; exit 1; }
# Every requested architecture must have its own machine code (cubin) in the fat binary, or its
# PTX when ptx-only.
if [ "$ptx_only" = 1 ]; then list=--list-ptx kind=ptx; else list=--list-elf kind=cubin; fi
"$extras/bin/cuobjdump" "$list" "$cuda_addon" > "$work/cuda-addon.code"
for a in $cuda_archs; do
  n="$(grep -c "\.sm_$a\.$kind" "$work/cuda-addon.code" || true)"
  [ "$n" -gt 0 ] || { echo "native-checks: no sm_$a $kind in the addon" >&2; exit 1; }
  echo "  sm_$a: $n ${kind}s"
done
echo "  size $(stat -c %s "$cuda_addon") bytes"

step "cuda: the CUDA addon loads in node and transcribes on its CPU path"
# With USE_GPU off, whisper.cpp never calls into CUDA, so the CUDA build's own CPU code can run
# here (the stub only satisfies the loader). The GPU kernels themselves cannot run: no GPU.
cuda_run="$(WHISPER_ADDON_PATH="$cuda_addon" npx tsx scripts/native/smoke-transcribe.ts "$model" "$audio" "$phrase")"
echo "  cuda (CPU path): $cuda_run"
[ "$(text "$cuda_run")" = "$(text "$stock")" ] || { echo "native-checks: CUDA build's transcript differs" >&2; exit 1; }
echo "  NOTE: no GPU here; the GPU kernels are compiled and linked, never executed."

step "done"
echo "native-checks: all passed in $(( $(date +%s) - t_all ))s"
