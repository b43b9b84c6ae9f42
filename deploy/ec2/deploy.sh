#!/usr/bin/env bash
# Run on the EC2 instance by SSM Run Command (.github/workflows/deploy.yml):
#   deploy.sh IMAGE REGISTRY REGION
# Pulls IMAGE, replaces the `threatline-serve` container, waits for /ready,
# smoke-tests POST /v1/predict, and rolls back to the previous image when
# either fails (exit 1 then, so the workflow fails too).
# Needs docker, aws CLI v2 and curl on the instance (Amazon Linux 2023 has them
# after `dnf install -y docker`); the instance profile grants the ECR pull.
set -euo pipefail
image="$1" registry="$2" region="$3"
name=threatline-serve
port="${THREATLINE_PORT:-8080}"
env_file=/etc/threatline/serve.env # API key, MLflow/S3 settings; created by the operator
smoke=/etc/threatline/smoke.json # one record (deploy/smoke.json), written by the SSM command

aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
docker pull "$image"
previous="$(docker inspect --format '{{.Config.Image}}' "$name" 2>/dev/null || true)"

start() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  local env_args=()
  [ -f "$env_file" ] && env_args=(--env-file "$env_file")
  docker run -d --name "$name" --restart unless-stopped -p "127.0.0.1:${port}:8080" \
    -v /var/lib/threatline/model:/app/artifacts/model:ro "${env_args[@]}" "$1" >/dev/null
}

healthy() {
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:${port}/ready" >/dev/null; then
      local key_header=()
      [ -f "$env_file" ] && key="$(sed -n 's/^THREATLINE_API_KEY=//p' "$env_file")" &&
        [ -n "$key" ] && key_header=(-H "Authorization: Bearer $key")
      curl -fsS -X POST "http://127.0.0.1:${port}/v1/predict" -H 'content-type: application/json' \
        "${key_header[@]}" --data-binary "@$smoke" | grep -q '"probability"'
      return $?
    fi
    sleep 2
  done
  return 1
}

start "$image"
if healthy; then
  echo "deployed $image (previous: ${previous:-none})"
  docker image prune -f >/dev/null
  exit 0
fi
echo "new image failed /ready or the smoke test; logs:" >&2
docker logs --tail 50 "$name" >&2 || true
if [ -n "$previous" ]; then
  echo "rolling back to $previous" >&2
  start "$previous"
  healthy && echo "rolled back to $previous" >&2
fi
exit 1
