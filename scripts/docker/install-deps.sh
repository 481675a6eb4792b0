#!/usr/bin/env bash
# Build stage, CPU image: installs dependencies exactly as locked. `npm ci` runs the
# @whisper-server/apply-patches preinstall (patches/ via patch-package, then whisper.cpp v1.9.1 built
# with $WHISPER_MARCH, default x86-64-v3) and then smart-whisper's node-gyp build of its binding.
# Run from the app directory (the image's /app, or a CI copy of the repo).
set -euo pipefail

export WHISPER_MARCH="${WHISPER_MARCH:-x86-64-v3}"
# Build logs matter more than progress bars in an image build.
# skip: onnxruntime-node would add its CUDA provider (from NuGet) to a CPU image.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --foreground-scripts

# Fail the image build here, not at the first request, if the addon did not build or load.
addon=node_modules/smart-whisper/build/Release/smart-whisper.node
node -e "
  const b = require('./$addon');
  for (const k of ['WhisperModel', 'transcribe', 'createState', 'vadLoad', 'languageProbs']) if (!b[k]) throw new Error('addon lacks ' + k);
  // The AVX-512 variants (scripts/native/build-variants.sh) are only loaded where the CPU runs them.
  for (const v of ['avx512', 'avx512bf16'])
    if (process.arch === 'x64' && !process.env.WHISPER_NATIVE_DIR && !require('fs').existsSync('node_modules/smart-whisper/build/Release/smart-whisper-' + v + '.node')) throw new Error('the ' + v + ' variant was not built');
  if (b.whisperVersion !== '1.9.1') throw new Error('addon links whisper.cpp ' + b.whisperVersion);
  console.log('addon ok: $addon, whisper.cpp ' + b.whisperVersion + ' (WHISPER_MARCH=$WHISPER_MARCH)');
"
