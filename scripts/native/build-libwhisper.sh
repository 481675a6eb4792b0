#!/usr/bin/env bash
# Builds whisper.cpp v1.9.1 (source: whisper-source.sh, pinned npm tarball) with this project's patch
# (native/whisper.cpp-1.9.1.patch) into static libraries, -fPIC, for linking into the smart-whisper
# addon. CPU and CUDA builds come from the same source; whisper.cpp's own CMake drives both.
#
# Usage:
#   build-libwhisper.sh --out DIR [--cuda] [--archs "75 80 86 89 90"] [--ptx-only] [--tools]
#                       [--jobs N] [--cuda-path DIR] [--cublas DIR] [--cuda-driver DIR]
#   --ptx-only  CUDA: PTX for each arch and no machine code (SASS). Skips ptxas; the driver JIT-compiles
#               at first load. For CI time budgets only; images get SASS for every arch.
#   --tools     also builds whisper-cli and whisper-server of the same source (bench/ compares them).
#   --objects "a.cu.o b.cu.o"  configure as usual, then compile only these ggml-cuda object files
#               (paths relative to ggml/src/ggml-cuda) and stop: no libraries, no link. CI's
#               documented subset of the CUDA build (.ci/native-checks.sh), one file per kernel family.
# Output: DIR/lib/*.a, DIR/include (whisper.h, ggml*.h), DIR/byol.txt (link line for the addon),
#         DIR/build-info.txt, DIR/bin (with --tools).
# Env: WHISPER_MARCH (x86-64-v3 default | avx512 | avx512bf16 | avx512amx | native | none), WHISPER_OPENMP (1 default | 0),
#      WHISPER_LLAMAFILE (1 default | 0): ggml's tinyBLAS matrix kernels (sgemm.cpp), off in ggml's
#      own default; they make the encoder 1.1-1.2x faster on x86 (BENCHMARKS.md, Engine 3),
#      NICE (default 10: shared machines), WHISPER_NATIVE_CACHE (source tarball and build cache),
#      WHISPER_BUILD_CACHE (1 default | 0): reuse the libraries of an identical earlier build. The key
#      hashes the tarball's sha256, the patch, this script, the CMake arguments, the compiler and
#      the toolkit versions, so any change rebuilds; CI's second npm ci (the image-build check) hits it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

out="" cuda=0 ptx_only=0 tools=0 objects="" archs="75 80 86 89 90" jobs="$(nproc)" cuda_path="${CUDA_PATH:-/usr/local/cuda}" cublas="" cuda_driver=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --cuda) cuda=1; shift ;;
    --archs) archs="$2"; shift 2 ;;
    --ptx-only) ptx_only=1; shift ;;
    --tools) tools=1; shift ;;
    --objects) objects="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --cuda-path) cuda_path="$2"; shift 2 ;;
    --cublas) cublas="$2"; shift 2 ;; # a cuBLAS tree (include/, lib/) outside CUDA_PATH
    --cuda-driver) cuda_driver="$2"; shift 2 ;; # a dir with libcuda.so (a link stub) where no driver is installed
    *) echo "build-libwhisper: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "build-libwhisper: --out is required" >&2; exit 2; }
command -v cmake >/dev/null || { echo "build-libwhisper: cmake is required (apt-get install cmake)" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -rf "${out:?}/src" "${out:?}/build" "${out:?}/lib" "${out:?}/include" "${out:?}/bin"

"$here/whisper-source.sh" "$out/src"
patch -s -p1 -d "$out/src" < "$repo/native/whisper.cpp-1.9.1.patch"

march="${WHISPER_MARCH:-x86-64-v3}"
# Portable by default: x86-64-v3 = AVX, AVX2, FMA, F16C, BMI2 (any x86 server since ~2015), never
# the build host's own ISA. ggml picks its kernels from these switches at compile time.
cmake_args=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DWHISPER_BUILD_TESTS=OFF -DWHISPER_BUILD_EXAMPLES="$([ "$tools" = 1 ] && echo ON || echo OFF)"
  -DWHISPER_BUILD_SERVER="$([ "$tools" = 1 ] && echo ON || echo OFF)" -DWHISPER_SDL2=OFF -DWHISPER_CURL=OFF
  -DGGML_BACKEND_DL=OFF -DGGML_CCACHE=OFF
  # Pinned: no BLAS, whatever the machine has installed (smart-whisper's own build switched to
  # OpenBLAS silently when libopenblas was present).
  -DGGML_BLAS=OFF -DGGML_OPENMP="$([ "${WHISPER_OPENMP:-1}" = 0 ] && echo OFF || echo ON)"
  -DGGML_LLAMAFILE="$([ "${WHISPER_LLAMAFILE:-1}" = 0 ] && echo OFF || echo ON)"
)
# Each x86 level adds to the one before it.
x86_64_v3=(-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)
avx512=("${x86_64_v3[@]}" -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON)
case "$march" in
  native) cmake_args+=(-DGGML_NATIVE=ON) ;;
  # The baseline: AVX2 without AVX-512 also gets the patch's int8 row GEMM for the encoder's matrices
  # (ggml_cpu_has_q8_row_gemm; one scale per row, int32 sums); the avx512 and avx512bf16 builds get it with
  # VNNI's vpdpbusd, the AMX build keeps ggml's int8 tiles.
  x86-64-v3) cmake_args+=("${x86_64_v3[@]}") ;;
  # The second CPU variant (scripts/native/build-variants.sh), chosen at load by src/engine/cpu-variant.ts
  # on CPUs with every one of these: Ice Lake / Zen 4 and newer servers.
  avx512) cmake_args+=("${avx512[@]}") ;;
  # The third variant: the same and AVX512-BF16 (Zen 4, Sapphire Rapids and newer); the patch then runs
  # the encoder's attention products in bf16 (dpbf16ps).
  avx512bf16) cmake_args+=("${avx512[@]}" -DGGML_AVX512_BF16=ON) ;;
  # The fourth: the same and AMX (Sapphire Rapids and newer Xeons): ggml's int8 tile GEMM for the q8_0
  # weight matrices (every build's patch quantizes them as the model is read).
  avx512amx) cmake_args+=("${avx512[@]}" -DGGML_AVX512_BF16=ON -DGGML_AMX_TILE=ON -DGGML_AMX_INT8=ON -DGGML_AMX_BF16=ON) ;;
  none) cmake_args+=(-DGGML_NATIVE=OFF) ;;
  *) echo "build-libwhisper: WHISPER_MARCH must be x86-64-v3, avx512, avx512bf16, avx512amx, native or none (got '$march')" >&2; exit 2 ;;
esac
link_tail="-lpthread"
[ "${WHISPER_OPENMP:-1}" = 0 ] || link_tail="-fopenmp -lpthread"

if [ "$cuda" = 1 ]; then
  [ -x "$cuda_path/bin/nvcc" ] || command -v nvcc >/dev/null || { echo "build-libwhisper: --cuda needs nvcc" >&2; exit 1; }
  cuda_arch_list=""
  last="${archs##* }"
  if [ "$ptx_only" = 1 ]; then
    for a in $archs; do cuda_arch_list+="${cuda_arch_list:+;}$a-virtual"; done
  else
    # SASS for every arch, plus PTX for the newest so GPUs newer than the list can JIT it.
    for a in $archs; do
      if [ "$a" = "$last" ]; then cuda_arch_list+="${cuda_arch_list:+;}$a"; else cuda_arch_list+="${cuda_arch_list:+;}$a-real"; fi
    done
  fi
  cmake_args+=(-DGGML_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$cuda_arch_list" "-DCUDAToolkit_ROOT=$cuda_path")
  [ -x "$cuda_path/bin/nvcc" ] && cmake_args+=("-DCMAKE_CUDA_COMPILER=$cuda_path/bin/nvcc")
  # ggml-cuda links the driver API (CUDA::cuda_driver); CMake finds it in the toolkit's stubs/
  # on NVIDIA's devel images, but a machine without a driver or stubs needs it named.
  [ -n "$cuda_driver" ] && cmake_args+=("-DCUDA_cuda_driver_LIBRARY=$cuda_driver/libcuda.so")
  if [ -n "$cublas" ]; then
    cmake_args+=("-DCUDA_cublas_LIBRARY=$cublas/lib/libcublas.so" "-DCUDA_cublasLt_LIBRARY=$cublas/lib/libcublasLt.so"
                 "-DCMAKE_CUDA_FLAGS=-I$cublas/include" "-DCMAKE_CXX_FLAGS=-I$cublas/include")
  fi
fi

cache="${WHISPER_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/whisper-server}/builds"
key="$( {
  grep -m1 '^sha256=' "$here/whisper-source.sh"; cat "$repo/native/whisper.cpp-1.9.1.patch" "$here/build-libwhisper.sh"
  printf '%s\n' "${cmake_args[@]}" "tools=$tools" "$link_tail"; c++ --version | head -n1; cmake --version | head -n1
  if [ "$cuda" = 1 ]; then "${cuda_path}/bin/nvcc" --version 2>/dev/null | tail -n1; fi
} | sha256sum | cut -c1-16)"
hit="$cache/$key"

start=$(date +%s)
log="$out/build.log"
if [ -n "$objects" ]; then
  [ "$cuda" = 1 ] || { echo "build-libwhisper: --objects is for --cuda builds" >&2; exit 2; }
  nice -n "${NICE:-10}" cmake -S "$out/src" -B "$out/build" "${cmake_args[@]}" > "$log" 2>&1 || {
    tail -n 60 "$log" >&2; echo "build-libwhisper: cmake configure failed (full log: $log)" >&2; exit 1; }
  # The Makefile generator gives every source an object target in its directory's Makefile.
  # shellcheck disable=SC2086
  nice -n "${NICE:-10}" make -C "$out/build/ggml/src/ggml-cuda" -j "$jobs" $objects >> "$log" 2>&1 || {
    tail -n 60 "$log" >&2; echo "build-libwhisper: CUDA objects failed (full log: $log)" >&2; exit 1; }
  echo "cuda=1 objects-only archs=$cuda_arch_list ptx_only=$ptx_only seconds=$(( $(date +%s) - start ))" > "$out/build-info.txt"
  echo "build-libwhisper: compiled $(wc -w <<< "$objects") CUDA objects in $(( $(date +%s) - start ))s" >&2
  exit 0
fi
if [ "${WHISPER_BUILD_CACHE:-1}" = 1 ] && [ -f "$hit/.complete" ]; then
  cp -r "$hit/lib" "$hit/include" "$out/"
  if [ -d "$hit/bin" ]; then cp -r "$hit/bin" "$out/"; fi
  { cat "$hit/build-info.txt"; echo "cache=hit key=$key"; } > "$out/build-info.txt"
  echo "build-libwhisper: reused the identical build $hit" | tee "$log" >&2
else
  if ! { nice -n "${NICE:-10}" cmake -S "$out/src" -B "$out/build" "${cmake_args[@]}" > "$log" 2>&1 &&
          nice -n "${NICE:-10}" cmake --build "$out/build" -j "$jobs" >> "$log" 2>&1; }; then
    tail -n 60 "$log" >&2
    echo "build-libwhisper: cmake failed (full log: $log)" >&2
    exit 1
  fi
  secs=$(( $(date +%s) - start ))
  mkdir -p "$out/lib" "$out/include"
  find "$out/build" -name '*.a' -exec cp {} "$out/lib/" \;
  cp "$out/src/include/whisper.h" "$out/src/ggml/include/"*.h "$out/include/"
  if [ "$tools" = 1 ]; then
    mkdir -p "$out/bin"
    cp "$out/build/bin/whisper-cli" "$out/build/bin/whisper-server" "$out/build/bin/whisper-quantize" "$out/bin/"
  fi
  {
    echo "whisper.cpp=1.9.1 source=nodejs-whisper@0.3.1 patch=native/whisper.cpp-1.9.1.patch"
    if [ "$cuda" = 1 ]; then echo "cuda=1 archs=$cuda_arch_list ptx_only=$ptx_only march=$march jobs=$jobs seconds=$secs"
    else echo "cuda=0 march=$march openmp=${WHISPER_OPENMP:-1} jobs=$jobs seconds=$secs"; fi
    grep -E "GGML_(AVX|AVX2|AVX512|AVX512_VBMI|AVX512_VNNI|AVX512_BF16|AMX_TILE|AMX_INT8|AMX_BF16|FMA|F16C|BMI2|NATIVE|OPENMP|BLAS|LLAMAFILE|CUDA)[:=]" "$out/build/CMakeCache.txt" | tr '\n' ' '; echo
  } > "$out/build-info.txt"
  # The object files are not needed once the libraries are out (CUDA's are hundreds of MB).
  rm -rf "$out/build"
  if [ "${WHISPER_BUILD_CACHE:-1}" = 1 ]; then
    rm -rf "$hit.tmp" && mkdir -p "$hit.tmp"
    cp -r "$out/lib" "$out/include" "$out/build-info.txt" "$hit.tmp/"
    if [ -d "$out/bin" ]; then cp -r "$out/bin" "$hit.tmp/"; fi
    touch "$hit.tmp/.complete" && rm -rf "$hit" && mv "$hit.tmp" "$hit"
  fi
fi

# Link order: whisper, then the ggml backends, then ggml and ggml-base; a group resolves the
# backends' references to each other whatever the order.
libs=""
for l in whisper ggml-cuda ggml-cpu ggml ggml-base; do
  if [ -f "$out/lib/lib$l.a" ]; then libs+=" $out/lib/lib$l.a"; fi
done
byol="-Wl,--start-group$libs -Wl,--end-group $link_tail"
if [ "$cuda" = 1 ]; then
  byol+=" -L$cuda_path/lib64${cublas:+ -L$cublas/lib} -lcudart -lcublas -lcublasLt -lcuda -ldl -lrt"
fi
printf '%s\n' "$byol" > "$out/byol.txt"
echo "build-libwhisper: $(find "$out/lib" -name '*.a' -printf '%f ')in $(( $(date +%s) - start ))s (cuda=$cuda, march=$march)" >&2
