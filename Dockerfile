# syntax=docker/dockerfile:1
# imgcap caption server. One image per model size, the bundle baked in:
#   docker build --build-arg MODEL_DIR=local_runs/m/bundle -t imgcap-serve:m .
# or without a model (mount one at /models/bundle at run time):
#   docker build --target runtime -t imgcap-serve:base .
# The eval CLI (batch captioning jobs, `eval caption-files`) from the same build:
#   docker build --target eval -t imgcap-eval .
# See docs/deploy.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: full install, compile serve and eval and the libs they import, then drop dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true
# The node:20 images' npm 10 ignores package.json "allowScripts", which denies onnxruntime-node's install script (a
# CUDA provider download from nuget.org; the CPU runtime ships in the package); its own switch skips it here.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc nx.json tsconfig.base.json ./
COPY tools ./tools
COPY libs ./libs
COPY apps ./apps
# Install scripts stay on: @tensorflow/tfjs-node downloads libtensorflow here (needs internet; as an optional
# dependency a failed download is skipped and the server falls back to wasm at run time).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx nx run-many -t build -p serve eval --outputStyle=static
# --omit=dev keeps optional dependencies: sharp's platform binaries are optional too, so never --omit=optional.
RUN npm prune --omit=dev --no-audit --no-fund
# tfjs-node-gpu only helps on a CUDA host (see docs/deploy.md); otherwise it is ~1 GB that never loads.
ARG TFJS_GPU=false
RUN if [ "$TFJS_GPU" != "true" ]; then rm -rf node_modules/@tensorflow/tfjs-node-gpu; fi
# onnxruntime-node ships its native library for every platform (~245 MB for darwin, win32 and the other Linux
# arch); the image runs one. TARGETARCH is BuildKit's (amd64 | arm64); onnxruntime names them x64 | arm64.
ARG TARGETARCH=amd64
RUN ort_arch=$([ "$TARGETARCH" = "amd64" ] && echo x64 || echo "$TARGETARCH") \
 && test -d "node_modules/onnxruntime-node/bin/napi-v6/linux/$ort_arch" \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 -type d \
      ! -path "*/linux/$ort_arch" -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 1 -maxdepth 1 -type d ! -name linux -exec rm -rf {} +
# The webgpu package (Dawn, for --backend webgpu) likewise ships dawn.node for five platforms (~110 MB); keep this one.
RUN dawn_arch=$([ "$TARGETARCH" = "amd64" ] && echo x64 || echo "$TARGETARCH") \
 && test -d "node_modules/webgpu/dist/linux-$dawn_arch" \
 && find node_modules/webgpu/dist -mindepth 1 -maxdepth 1 -type d ! -name "linux-$dawn_arch" -exec rm -rf {} +
# The web page's in-browser captioning loads three files of ONNX Runtime Web; the rest (~125 MB of other
# builds, source maps) never leaves the image.
RUN find node_modules/onnxruntime-web/dist -type f ! -name ort.wasm.min.mjs ! -name ort-wasm-simd-threaded.mjs \
      ! -name ort-wasm-simd-threaded.wasm -delete
# Source maps (~60 MB) and type declarations (~15 MB) are for editors and debuggers; the server loads neither.
RUN find node_modules \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -type f -delete
# Only what the server runs: compiled libs (no sources, tests or fixtures) and the page it serves.
RUN mkdir -p /staging/libs /staging/apps/serve/src \
 && for lib in libs/*/; do \
      mkdir -p "/staging/$lib" && cp "$lib/package.json" "/staging/$lib"; \
      if [ -d "$lib/dist" ]; then cp -r "$lib/dist" "/staging/$lib"; fi; \
    done \
 && cp -r apps/serve/package.json apps/serve/dist /staging/apps/serve/ \
 && mkdir -p /staging/apps/eval && cp -r apps/eval/package.json apps/eval/dist /staging/apps/eval/ \
 && cp -r apps/serve/src/page /staging/apps/serve/src/ \
 && cp package.json /staging/ \
 && find /staging \( -name '*.map' -o -name '*.d.ts' -o -name '.tsbuildinfo' \) -type f -delete

# ---- runtime: no model; mount a caption bundle at /models/bundle ----
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /staging/ ./
RUN mkdir -p /models/bundle
# Numeric: Kubernetes' runAsNonRoot can only verify a numeric user (1000 is `node` in the node images).
USER 1000:1000
EXPOSE 8012
# Liveness only: /readyz is the readiness signal and is 503 while the model loads or the server drains.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8012/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: readiness → 503, in-flight captions finish, exit 0. Node is PID 1 and handles it itself.
STOPSIGNAL SIGTERM
# --host 0.0.0.0: the server listens on 127.0.0.1 (loopback only) unless told otherwise, which a published
# container port (-p 8012:8012) could not reach.
ENTRYPOINT ["node", "apps/serve/dist/main.js", "--model", "/models/bundle", "--host", "0.0.0.0", "--port", "8012"]
# Extra flags go after the image name, e.g. `docker run imgcap-serve:m --max-inflight 2 --max-queue 16`.
CMD []

# ---- eval: the eval CLI for batch captioning jobs (docs/deploy.md, "Captioning a million images") ----
# Built with `--target eval`; no model inside: mount a caption bundle and point --model at it.
FROM runtime AS eval
HEALTHCHECK NONE
ENTRYPOINT ["node", "apps/eval/dist/main.js"]
CMD ["--help"]

# ---- default target: the runtime with one trained caption bundle baked in ----
FROM runtime AS model
ARG MODEL_DIR=local_runs/demo/run/bundle
COPY --chown=root:root ${MODEL_DIR} /models/bundle
# The ONNX export is written now, as root, so the running container (user 1000, read-only root filesystem in
# docs/deploy.md) never writes into its model.
USER root
RUN node apps/serve/dist/export-onnx.js /models/bundle
USER 1000:1000
