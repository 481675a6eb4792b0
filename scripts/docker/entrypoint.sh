#!/usr/bin/env bash
# Image entrypoint: optionally pulls models (checksum-verified by the models CLI) into MODELS_DIR,
# then execs the command (default: node dist/main.js), so the server is PID 1 and gets SIGTERM.
#   PULL_MODELS="tiny.en,base"   catalogue names; a present, intact file is not downloaded again
#   MODELS_MIRROR=https://...    optional mirror of the catalogue URLs (see models CLI)
# Kubernetes does the pull in an init container with this same script (args: ["true"]).
# SageMaker runs `docker run <image> serve`: `serve` (with any arguments after it) starts the server
# in SageMaker mode (src/sagemaker/serve-env.ts: SAGEMAKER_BIND_TO_PORT or 8080, /opt/ml/model).
set -euo pipefail

app="${APP_DIR:-/app}"
models_dir="${MODELS_DIR:-/models}"

if [ -n "${PULL_MODELS:-}" ]; then
  IFS=',' read -ra names <<< "$PULL_MODELS"
  for name in "${names[@]}"; do
    name="${name//[[:space:]]/}"
    [ -n "$name" ] || continue
    # A bad checksum, an unknown name or no network is fatal: better no server than a wrong model.
    node "$app/dist/models-cli/main.js" pull "$name" --dir "$models_dir"
  done
fi

if [ "${1:-}" = "serve" ]; then
  set -- node "$app/dist/main.js" "$@"
fi

exec "$@"
