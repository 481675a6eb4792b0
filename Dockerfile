# syntax=docker/dockerfile:1
# CPU image of the whisper server.
#   docker build -t whisper-server:cpu .
#   docker run --read-only --tmpfs /tmp -v whisper-models:/models -e PULL_MODELS=tiny.en \
#     -p 8000:8000 whisper-server:cpu
# Every RUN step's logic lives in scripts/docker/*.sh, which CI runs (.ci/deploy-checks.sh).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: npm ci builds whisper.cpp v1.9.1 and the smart-whisper addon, then TypeScript -----
FROM ${NODE_IMAGE} AS build
ARG NPM_VERSION=11.19.1
WORKDIR /app
# node-gyp builds the addon against the image's own Node headers (no header download).
ENV npm_config_nodedir=/usr/local
COPY scripts/docker/os-packages.sh scripts/docker/
RUN NPM_VERSION="${NPM_VERSION}" scripts/docker/os-packages.sh build

# x86-64-v3 (AVX2/FMA/F16C) runs on any x86 server since ~2015; "native" tunes for the build host
# only. Read by scripts/native/build-libwhisper.sh and the binding's flags.js during npm ci.
ARG WHISPER_MARCH=x86-64-v3
COPY package.json package-lock.json ./
COPY native/ native/
COPY patches/ patches/
# The npm ci preinstall builds whisper.cpp v1.9.1 with scripts/native/build-libwhisper.sh.
COPY scripts/native/ scripts/native/
COPY scripts/docker/install-deps.sh scripts/docker/
RUN WHISPER_MARCH="${WHISPER_MARCH}" scripts/docker/install-deps.sh

COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
# The playground's static files (served at /; dist/http/routes/playground.js reads ../../../public).
COPY public/ public/
COPY models/catalog.json models/
COPY scripts/docker/ scripts/docker/
# BAKE_MODEL=<catalogue name> downloads and verifies one model into the image (default: none).
ARG BAKE_MODEL=""
RUN BAKE_MODEL="${BAKE_MODEL}" scripts/docker/build-app.sh

# ---- runtime: node + ffmpeg + the built app, no toolchain -------------------------------------
FROM ${NODE_IMAGE} AS runtime
COPY scripts/docker/os-packages.sh /tmp/os-packages.sh
RUN /tmp/os-packages.sh runtime && rm /tmp/os-packages.sh

WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
COPY --from=build /app/public/ public/
COPY --from=build /app/models/catalog.json models/
COPY --from=build /app/scripts/docker/entrypoint.sh /app/scripts/docker/healthcheck.mjs scripts/docker/
COPY --from=build --chown=1000:1000 /app/baked-models/ /models/

# The root filesystem can be read-only: the server writes only under TMP_DIR (uploads, ffmpeg),
# MODELS_DIR (pulls) and HOME, each meant to be a mounted volume (k8s: emptyDir).
# MALLOC_MMAP_THRESHOLD_ is the glibc setting src/relaunch.ts wants; with UV_THREADPOOL_SIZE also
# set (the k8s manifests do) the server starts directly instead of relaunching itself.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    MODELS_DIR=/models \
    TMP_DIR=/tmp \
    MALLOC_MMAP_THRESHOLD_=1048576 \
    HOME=/home/node
# uid 1000 is the node image's unprivileged "node" user.
USER 1000:1000
EXPOSE 8000
# SageMaker (`serve`): the server listens on SAGEMAKER_BIND_TO_PORT when SageMaker sets it, else 8080.
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "/app/scripts/docker/healthcheck.mjs"]
ENTRYPOINT ["/app/scripts/docker/entrypoint.sh"]
CMD ["node", "dist/main.js"]
