#!/usr/bin/env bash
# Builds libwhisper.a (whisper + ggml, static, -fPIC) from the whisper.cpp source that ships inside
# smart-whisper 0.8.1 (commit 2ef717b, with this project's patches already applied by
# patch-package), for linking into the addon with BYOL (see byol-install.sh).
#
# It drives whisper.cpp's own Makefile through portable.mk (portable CPU flags, explicit CUDA
# archs) in a copy of the source, never inside node_modules. OpenMP follows WHISPER_OPENMP (default
# 1), the switch the patched gyp build (smart-whisper/flags.js) uses, so both builds run ggml alike.
#
# Usage:
#   build-libwhisper.sh --out DIR [--cuda] [--archs "75 80 86 89 90"] [--ptx-only] [--cpu-flags FLAGS]
#                       [--src DIR] [--jobs N] [--cuda-path DIR] [--cublas DIR]
# --ptx-only embeds PTX for each arch and no machine code (SASS): it skips ptxas, about 2/3 of the
# CUDA compile time, and the driver JIT-compiles the PTX at first load. For CI time budgets only;
# images get SASS for every arch.
# Output: DIR/lib/libwhisper.a, DIR/byol.txt (what to put in BYOL), DIR/build-info.txt.
# Env: WHISPER_OPENMP (1|0), WHISPER_NATIVE_CACHE (downloads), NICE (default 10: shared machines).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

out="" cuda=0 ptx_only=0 archs="75 80 86 89 90" jobs="$(nproc)" cuda_path="${CUDA_PATH:-/usr/local/cuda}" cublas=""
cpu_flags="-march=x86-64-v3 -mtune=generic"
src="$repo/node_modules/smart-whisper/whisper.cpp"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --cuda) cuda=1; shift ;;
    --archs) archs="$2"; shift 2 ;;
    --ptx-only) ptx_only=1; shift ;;
    --cpu-flags) cpu_flags="$2"; shift 2 ;;
    --src) src="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --cuda-path) cuda_path="$2"; shift 2 ;;
    --cublas) cublas="$2"; shift 2 ;; # a cuBLAS tree (include/, lib/) outside CUDA_PATH
    *) echo "build-libwhisper: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "build-libwhisper: --out is required" >&2; exit 2; }
[ -f "$src/Makefile" ] || { echo "build-libwhisper: no whisper.cpp Makefile in $src" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Fresh copy every time: the Makefile builds objects next to the sources, and a clean build is what
# CI must prove. Only what libwhisper.a needs is copied.
rm -rf "${out:?}/src" "${out:?}/lib"
mkdir -p "$out/src/scripts" "$out/lib"
cp -a "$src/Makefile" "$src/ggml" "$src/src" "$src/include" "$out/src/"
# The Makefile includes scripts/get-flags.mk, which the npm tarball omits. Upstream uses it only to
# pick extra warning flags per compiler, so an empty one changes warnings, not code.
printf '# written by build-libwhisper.sh: no compiler-specific warning flags\n' > "$out/src/scripts/get-flags.mk"

make_args=(WHISPER_NO_CCACHE=1 "WHISPER_CPU_FLAGS=$cpu_flags")
link_tail="-lpthread"
if [ "${WHISPER_OPENMP:-1}" = 0 ]; then make_args+=(GGML_NO_OPENMP=1); else link_tail="-fopenmp -lpthread"; fi
byol="$out/lib/libwhisper.a $link_tail"
if [ "$cuda" = 1 ]; then
  command -v nvcc >/dev/null || { echo "build-libwhisper: --cuda needs nvcc on PATH" >&2; exit 1; }
  "$here/fetch-cuda-headers.sh" "$out/src"
  gencode=""
  last="${archs##* }"
  if [ "$ptx_only" = 1 ]; then
    for a in $archs; do gencode+=" -gencode arch=compute_$a,code=compute_$a"; done
  else
    for a in $archs; do gencode+=" -gencode arch=compute_$a,code=sm_$a"; done
    # Also PTX for the newest arch, so GPUs newer than the list can JIT it.
    gencode+=" -gencode arch=compute_$last,code=compute_$last"
  fi
  cppflags=""
  [ -n "$cublas" ] && cppflags="-I$cublas/include"
  # CUDA_DOCKER_ARCH only keeps the Makefile from adding -arch=native; portable.mk swaps it for
  # the -gencode list.
  make_args+=(GGML_CUDA=1 "CUDA_PATH=$cuda_path" "CUDA_DOCKER_ARCH=sm_$last"
              "WHISPER_CUDA_GENCODE=$gencode" "CPPFLAGS=$cppflags")
  byol="$out/lib/libwhisper.a -L$cuda_path/lib64${cublas:+ -L$cublas/lib} -lcudart -lcublas -lcuda $link_tail -ldl -lrt"
fi

cd "$out/src"
# upstream prints its own (pre-override) flags with $(info); keep only the final ones.
make -s -f "$here/portable.mk" "${make_args[@]}" print-flags | grep -E '^[A-Z]+FLAGS +=' | tee "$out/build-info.txt"
start=$(date +%s)
nice -n "${NICE:-10}" make -f "$here/portable.mk" -j"$jobs" "${make_args[@]}" libwhisper.a > "$out/build.log" 2>&1 || {
  tail -n 60 "$out/build.log" >&2
  echo "build-libwhisper: make failed (full log: $out/build.log)" >&2
  exit 1
}
secs=$(( $(date +%s) - start ))
mv libwhisper.a "$out/lib/libwhisper.a"
printf '%s\n' "$byol" > "$out/byol.txt"
{
  if [ "$cuda" = 1 ]; then echo "cuda=1 archs=${archs// /,} ptx_only=$ptx_only jobs=$jobs seconds=$secs"
  else echo "cuda=0 cpu_flags='$cpu_flags' jobs=$jobs seconds=$secs"; fi
  echo "objects=$(ar t "$out/lib/libwhisper.a" | wc -l)"
} | tee -a "$out/build-info.txt"
echo "build-libwhisper: $out/lib/libwhisper.a in ${secs}s (cuda=$cuda)"
