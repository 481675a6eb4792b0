#!/usr/bin/env bash
# OS packages for each image stage, in one place so the Dockerfiles stay declarative.
#   os-packages.sh build          node-gyp toolchain (Debian, node:24 build stage) + npm 11
#   os-packages.sh runtime        ffmpeg only (Debian slim runtime)
#   os-packages.sh cuda-build     toolchain for the CUDA build stage (Ubuntu, nvidia/cuda devel)
#   os-packages.sh cuda-runtime   ffmpeg + certificates for the CUDA runtime stage (Ubuntu)
# APT_SIMULATE=1 resolves the package set with `apt-get install -s` and changes nothing: CI runs
# it that way to prove the names and versions exist for this Debian release.
set -euo pipefail

stage="${1:?usage: os-packages.sh build|runtime|cuda-build|cuda-runtime}"
npm_version="${NPM_VERSION:-11.19.1}"

case "$stage" in
  # cmake: the npm ci preinstall builds whisper.cpp v1.9.1 with its own CMake; python3/make/g++:
  # node-gyp compiles the smart-whisper binding.
  build | cuda-build) pkgs=(ca-certificates python3 make g++ cmake) ;;
  # ffmpeg decodes uploads (the server calls ffmpeg and ffprobe); libgomp1 is the OpenMP runtime
  # the addon links when built with WHISPER_OPENMP=1 (the default).
  runtime | cuda-runtime) pkgs=(ca-certificates ffmpeg libgomp1) ;;
  *) echo "os-packages: unknown stage $stage" >&2; exit 2 ;;
esac

if [ "${APT_SIMULATE:-0}" = 1 ]; then
  apt-get install -s --no-install-recommends "${pkgs[@]}" > /dev/null
  echo "os-packages $stage: ${pkgs[*]} resolve (simulated)"
  case "$stage" in
    build | cuda-build) npm view "npm@$npm_version" version > /dev/null && echo "os-packages: npm@$npm_version exists" ;;
  esac
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${pkgs[@]}"
apt-get clean
rm -rf /var/lib/apt/lists/*

case "$stage" in
  # node:24 images ship npm 11.x; the pinned NPM_VERSION keeps the lockfile format and scripts identical.
  build | cuda-build)
    # The CUDA build stage copies node and its lib/node_modules from the node image, not the links.
    for bin in npm npx; do
      [ -e "/usr/local/bin/$bin" ] || ln -s "../lib/node_modules/npm/bin/$bin-cli.js" "/usr/local/bin/$bin"
    done
    npm install -g "npm@$npm_version"
    npm --version
    ;;
esac
