#!/usr/bin/env bash
# Build stage, CPU image: installs dependencies exactly as locked. `npm ci` runs the
# @whisper-server/apply-patches preinstall (patches/ via patch-package) and then smart-whisper's
# node-gyp build, which compiles the patched whisper.cpp with $WHISPER_MARCH (default x86-64-v3).
# Run from the app directory (the image's /app, or a CI copy of the repo).
set -euo pipefail

export WHISPER_MARCH="${WHISPER_MARCH:-x86-64-v3}"
# Build logs matter more than progress bars in an image build.
npm ci --no-audit --no-fund --foreground-scripts

# Fail the image build here, not at the first request, if the addon did not build or load.
addon=node_modules/smart-whisper/build/Release/smart-whisper.node
node -e "
  const b = require('./$addon');
  for (const k of ['WhisperModel', 'transcribe']) if (!b[k]) throw new Error('addon lacks ' + k);
  console.log('addon ok: $addon (WHISPER_MARCH=$WHISPER_MARCH)');
"
