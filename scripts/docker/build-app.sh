#!/usr/bin/env bash
# Build stage, both images: compiles TypeScript, drops dev dependencies and build leftovers, and
# optionally bakes one verified model into ./baked-models (copied to /models by the Dockerfile).
# Run from the app directory after install-deps.sh (CPU) or cuda-addon.sh (CUDA).
#   BAKE_MODEL=<catalogue name>   e.g. tiny.en; empty (default) bakes nothing
set -euo pipefail

npm run build
# --ignore-scripts: pruning must never rebuild the addon we just built.
npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# The runtime loads only smart-whisper/build/Release/smart-whisper.node (see src/engine/native.ts);
# the bundled whisper.cpp sources and the object files are ~90% of the package.
sw=node_modules/smart-whisper
rm -rf "$sw/whisper.cpp" "$sw/src" "$sw/build/Release/obj.target" "$sw/build/Release/.deps" \
       "$sw/build/Release/nothing.a" "$sw/build/Release/node-addon-api"
[ -f "$sw/build/Release/smart-whisper.node" ] || { echo "build-app: addon missing" >&2; exit 1; }

# onnxruntime-node (diarization) ships the runtime of every platform (~290 MB); keep this one's (~45 MB).
ort=node_modules/onnxruntime-node/bin/napi-v6
arch=$(node -p process.arch)
[ -d "$ort/linux/$arch" ] || { echo "build-app: onnxruntime-node has no linux/$arch runtime" >&2; exit 1; }
find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/linux/$arch" -exec rm -rf {} +

# Always create the directory: the Dockerfile copies it whether or not a model was baked.
mkdir -p baked-models
if [ -n "${BAKE_MODEL:-}" ]; then
  # The models CLI refuses anything whose size and checksum differ from models/catalog.json.
  node dist/models-cli/main.js pull "$BAKE_MODEL" --dir baked-models
fi

# Smoke checks on what the runtime stage will copy.
[ -f dist/main.js ] || { echo "build-app: dist/main.js missing" >&2; exit 1; }
node dist/models-cli/main.js list > /dev/null
node -e "require('./$sw/build/Release/smart-whisper.node')"
node -e "require('onnxruntime-node')"
echo "build-app: ok (dist/, pruned node_modules, baked: ${BAKE_MODEL:-none})"
