# Threat-detection pipeline image: runs `deno task repro` on the bundled data
# by default; `docker run IMAGE deno task status` etc. for the other tasks.
# Checked statically by .ci/lint-infra (hadolint); no Docker engine runs in CI here.
FROM denoland/deno:2.9.6

WORKDIR /app

# Dependencies first, so code changes do not invalidate the npm cache layer.
COPY deno.json deno.lock ./
COPY lib/ lib/
COPY stages/ stages/
COPY tasks/ tasks/
RUN deno install --frozen --entrypoint tasks/*.ts stages/*.ts

COPY pipeline.yaml params.yaml schema.yaml url.params.yaml url.schema.yaml ./
COPY data/ data/

# The runner writes outs, pipeline.lock and its cache into the workspace.
RUN mkdir -p artifacts .cache && chown -R 1993:1993 /app
# uid/gid 1993 is the image's `deno` user.
USER 1993:1993

CMD ["deno", "task", "repro"]
