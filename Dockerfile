# syntax=docker/dockerfile:1.7
# threatline images, one Dockerfile, three targets (deploy/README.md):
#   serve      the HTTP API (`deno task serve`), HEALTHCHECK on /ready
#   predictor  the offline batch scorer: `docker run --network none -v "$PWD:/data" IMAGE
#              predict /data/in.csv --out /data/out.csv`, and `monitor` (cron, CronJob)
#   pipeline   `deno task repro` on the bundled data (the default target, as before)
# The model: mounted at /app/artifacts/model, or baked in at build time with
#   docker build --target predictor --build-context model=artifacts/model .
# (the named context replaces the empty `model` stage below).
# Checked statically by .ci/lint-infra (hadolint); no Docker engine runs in CI here.

# Pinned base: the official image's version tag (no digest could be fetched offline;
# pin `denoland/deno:debian-2.9.6@sha256:…` once `docker buildx imagetools inspect` gives it).
ARG DENO_IMAGE=denoland/deno:debian-2.9.6

# ---- dependencies: depends only on deno.json + deno.lock ----
FROM ${DENO_IMAGE} AS deps
WORKDIR /app
ENV DENO_DIR=/deno-dir
COPY deno.json deno.lock ./
# Every npm package of deno.json's imports, as the lock pins them: code changes
# below do not invalidate this layer.
RUN deno install --frozen

# ---- code: entry points compiled into the cache (no downloads here) ----
FROM deps AS code
COPY lib/ lib/
COPY tasks/ tasks/
COPY schema.yaml params.yaml ./
RUN deno cache --frozen tasks/serve.ts tasks/predict.ts tasks/monitor.ts \
    && mkdir -p artifacts/model .cache /home/deno \
    && chown -R 1993:1993 /app/.cache /app/artifacts /home/deno "$DENO_DIR"

# ---- the model baked in: empty unless --build-context model=artifacts/model ----
FROM scratch AS model

# ---- serve: the API ----
FROM code AS serve
COPY --from=model --chown=1993:1993 / /app/artifacts/model/
ENV HOME=/home/deno
# uid/gid 1993 is the image's `deno` user.
USER 1993:1993
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8080/ready'); Deno.exit(r.ok ? 0 : 1)"]
ENTRYPOINT ["deno", "task", "--config", "/app/deno.json"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]

# ---- predictor: offline batch scoring and the monitor ----
FROM code AS predictor
COPY --from=model --chown=1993:1993 / /app/artifacts/model/
ENV HOME=/home/deno
USER 1993:1993
# Paths are relative to /app: give absolute ones (/data/in.csv). With no arguments it
# scores the mounted /data/in.csv into /data/out.csv.
ENTRYPOINT ["deno", "task", "--config", "/app/deno.json"]
CMD ["predict", "/data/in.csv", "--out", "/data/out.csv"]

# ---- pipeline: repro on the bundled data (the default target) ----
FROM deps AS pipeline
COPY lib/ lib/
COPY stages/ stages/
COPY tasks/ tasks/
COPY pipeline.yaml params.yaml schema.yaml url.params.yaml url.schema.yaml ./
COPY data/ data/
RUN deno cache --frozen tasks/*.ts stages/*.ts \
    && mkdir -p artifacts .cache && chown -R 1993:1993 /app "$DENO_DIR"
USER 1993:1993
CMD ["deno", "task", "repro"]
