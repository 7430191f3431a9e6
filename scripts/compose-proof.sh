#!/usr/bin/env bash
# compose.yaml, run on this machine with podman-compose (issue 25, item 3). Not in .ci/run (CI is
# near its time cap); run alone: `bash scripts/compose-proof.sh` after `npm ci && npm run build`.
# No image registry is reachable here, so:
#   1. the images are local: the base and the gateway's image as scripts/container-proof.sh
#      builds them (scripts/lib/podman.sh), and test-only stand-ins for the official postgres and
#      redis images, Debian's PostgreSQL and Redis on the same local Debian base
#      (scripts/stand-ins/); compose.yaml's POSTGRES_IMAGE, REDIS_IMAGE and GATEWAY_IMAGE name them;
#   2. `podman-compose -f compose.yaml up -d` as a user runs it, on compose's own bridge network,
#      with a fresh API key, webhook token and database password (never printed) and the
#      gateways published on free loopback ports (GATEWAY_A_PORT, GATEWAY_B_PORT);
#   3. every service becomes healthy; each gateway's /readyz answers 200, and each gateway is
#      among the stand-in PostgreSQL's and Redis's clients;
#   4. the README's first session against gateway A (examples/follow-void.ts);
#   5. a webhook taken by gateway A reaches a subscriber on gateway B
#      (scripts/container-scale-out.mjs);
#   6. the restart policy (unless-stopped): a gateway started while PostgreSQL is away comes up
#      once it is back; `podman kill` counts as a stop by the user (not restarted); a gateway whose
#      process dies (killed from outside, as the OOM killer would) is restarted;
#   7. `podman-compose down -t 20` stops every container (exit code 0 each) and removes them.
# Podman runs as in container-proof.sh (vfs, cgroupfs, runc, no default ulimits), with its storage
# and network definitions in a folder of its own that is removed at the end (PROOF_STORAGE=DIR
# keeps them in DIR instead, and a later run reuses the images built there; remove an image or the
# folder to rebuild). Podman schedules health checks with systemd timers and this machine has no
# systemd, so the proof runs each check with `podman healthcheck run`, as the timer would.
# podman-compose prints every podman command it runs, secrets included: that goes to a log that
# is removed with the folder, and is shown only with the secrets masked.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_MAJOR="${NODE_MAJOR:-26}"
PROJECT=composeproof
GATEWAY_IMAGE=localhost/travel-gateway:proof
POSTGRES_IMAGE=localhost/postgres-stand-in:proof
REDIS_IMAGE=localhost/redis-stand-in:proof
SERVICES=(suppliers postgres redis gateway-a gateway-b)

say() { printf '\n-- %s\n' "$*"; }
fail() {
  printf 'compose proof failed: %s\n' "$*"
  [ -f "${work:-}/compose.log" ] && { echo "podman-compose's last lines:"; tail -n 15 "$work/compose.log" | mask; }
  exit 1
}
mask() { sed -e "s/${key:-@@}/<api key>/g; s/${token:-@@}/<webhook token>/g; s/${pg_password:-@@}/<password>/g"; }

# shellcheck source=scripts/lib/podman.sh
source scripts/lib/podman.sh
podman_install podman runc mmdebstrap podman-compose
# compose's service names resolve through netavark's DNS server, aardvark-dns (Debian's podman only
# recommends them; CNI, the other backend, has no such DNS).
if [ ! -x /usr/lib/podman/netavark ] || [ ! -x /usr/lib/podman/aardvark-dns ] || ! command -v iptables >/dev/null 2>&1; then
  say "installing netavark, aardvark-dns and iptables"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq netavark aardvark-dns iptables; } >/dev/null 2>&1 || fail "could not install netavark"
fi

if [ -n "${PROOF_STORAGE:-}" ]; then
  work=$PROOF_STORAGE
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/compose-proof.XXXXXX)
fi
podman_setup "$work"
echo 'network_backend = "netavark"' >>"$work/containers.conf" # in its [network] section, the last
: >"$work/compose.log"

# netavark turns IP forwarding on, leaves its firewall chains behind, and keeps its state (address
# allocations, aardvark-dns's files) in /run/containers/networks, which podman 4.3 does not let a
# root user move, beside the containers' namespaces in /run/netns: all are put back as they were.
ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
netavark_chains=$(iptables-save 2>/dev/null | grep -c '^:NETAVARK' || true)
run_containers=$([ -e /run/containers ] && echo kept || echo made)
run_netns=$([ -e /run/netns ] && echo kept || echo made)
restore_host_network() {
  if [ "$netavark_chains" = 0 ] && command -v iptables >/dev/null 2>&1; then
    local table rule chain
    for table in filter nat; do
      iptables -t "$table" -S 2>/dev/null | grep -E '^-A .*-j NETAVARK' | sed 's/^-A/-D/' | while read -r rule; do
        eval "iptables -t $table $rule" 2>/dev/null || true
      done
      for chain in $(iptables -t "$table" -S 2>/dev/null | sed -n 's/^-N \(NETAVARK[^ ]*\)$/\1/p'); do iptables -t "$table" -F "$chain" 2>/dev/null || true; done
      for chain in $(iptables -t "$table" -S 2>/dev/null | sed -n 's/^-N \(NETAVARK[^ ]*\)$/\1/p'); do iptables -t "$table" -X "$chain" 2>/dev/null || true; done
    done
  fi
  echo "$ip_forward" >/proc/sys/net/ipv4/ip_forward
  if [ "$run_containers" = made ]; then rm -rf /run/containers; fi
  # podman makes /run/netns a mount point of its own (shared, for the namespaces' bind mounts).
  if [ "$run_netns" = made ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
    while mountpoint -q /run/netns; do umount /run/netns || break; done
    rmdir /run/netns 2>/dev/null || true
  fi
}
cleanup() {
  compose down -t 1 >/dev/null 2>&1 || true
  "${P[@]}" rm -af -t 1 >/dev/null 2>&1 || true
  "${P[@]}" network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
  "${P[@]}" volume prune -f >/dev/null 2>&1 || true
  restore_host_network
  if [ -z "${PROOF_STORAGE:-}" ]; then rm -rf "$work"; else rm -f "$work"/*.log "$work/died"; fi
}
trap cleanup EXIT

# podman-compose as a user runs it, on this proof's storage (CONTAINERS_STORAGE_CONF); its output,
# which holds the secrets, goes to the log.
compose() { podman-compose -p "$PROJECT" -f compose.yaml "$@" >>"$work/compose.log" 2>&1; }
cname() { echo "${PROJECT}_$1_1"; }
# podman on a container, its complaints that there is no systemd to schedule health checks kept in a log.
pq() { "${P[@]}" "$@" 2>>"$work/podman-stderr.log"; }
cinspect() { "${P[@]}" inspect --format "$2" "$(cname "$1")" 2>/dev/null; }
show_logs() { "${P[@]}" logs --tail "${2:-30}" "$(cname "$1")" 2>&1 | mask; }

# Builds image $1 from $2 (extra arguments after) unless this storage has it; prints the time taken.
build_image() {
  local image=$1 what=$2 started=$SECONDS
  shift 2
  local how size
  if "${P[@]}" image exists "$image"; then
    how="reused from $work"
  else
    "$@" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; fail "could not build $image"; }
    how="built in $((SECONDS - started)) s"
  fi
  size=$("${P[@]}" image inspect --format '{{.Size}}' "$image")
  echo "$what: $how; $image $((size / 1024 / 1024)) MiB"
}

# Runs every service's health check (what systemd's timer would do) until all pass, at most $1 s.
wait_healthy() {
  local end=$((SECONDS + $1)) s all
  for (( ; ; )); do
    all=1
    for s in "${SERVICES[@]}"; do
      "${P[@]}" healthcheck run "$(cname "$s")" >/dev/null 2>&1 || all=0
    done
    [ "$all" = 1 ] && return 0
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 1
  done
}

free_port() { node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'; }

say "images: the local base, the gateway's, and the stand-ins for postgres and redis"
build_image "localhost/node-base:$NODE_MAJOR" "local base (Debian bookworm minbase + Node $NODE_MAJOR)" podman_base_image "$work" "$NODE_MAJOR"
build_image "$GATEWAY_IMAGE" "gateway image (the Dockerfile)" podman_gateway_image "$GATEWAY_IMAGE" "$NODE_MAJOR"
for s in postgres redis; do
  image=localhost/$s-stand-in:proof
  build_image "$image" "$s stand-in (scripts/stand-ins/$s)" "${P[@]}" build --format docker --network host -t "$image" "scripts/stand-ins/$s"
done

say "podman-compose -f compose.yaml up -d"
key="proof-key-$(node -e 'console.log(require("node:crypto").randomBytes(12).toString("hex"))')"
token=$(node -e 'console.log(require("node:crypto").randomBytes(16).toString("hex"))')
pg_password=$(node -e 'console.log(require("node:crypto").randomBytes(12).toString("hex"))')
port_a=$(free_port)
port_b=$(free_port)
export GATEWAY_IMAGE POSTGRES_IMAGE REDIS_IMAGE
export GATEWAY_API_KEYS="[{\"key\":\"$key\",\"tenant\":\"proof\",\"scopes\":[\"read\",\"write\"]}]"
export ATRIP_WEBHOOK_TOKEN=$token POSTGRES_PASSWORD=$pg_password
export GATEWAY_A_PORT=127.0.0.1:$port_a GATEWAY_B_PORT=127.0.0.1:$port_b
started=$SECONDS
compose up -d || fail "podman-compose up failed"
up_s=$((SECONDS - started))
echo "podman-compose up -d returned in ${up_s} s; gateway A on 127.0.0.1:$port_a, B on 127.0.0.1:$port_b"
wait_healthy 180 || {
  for s in "${SERVICES[@]}"; do echo "$s: $(cinspect "$s" '{{.State.Status}} {{.State.Health.Status}}')"; done
  for s in "${SERVICES[@]}"; do echo "== $s"; show_logs "$s" 15; done
  fail "not every service became healthy"
}
healthy_s=$((SECONDS - started))
echo "every service healthy ${healthy_s} s after podman-compose up"
"${P[@]}" ps -a --filter "label=io.podman.compose.project=$PROJECT" --format 'table {{.Names}}\t{{.Image}}\t{{.Status}}\t{{.Ports}}'
for s in gateway-a gateway-b; do
  restarts=$(cinspect "$s" '{{.RestartCount}}')
  echo "$s: restarted $restarts time(s) before it became healthy"
  [ "$restarts" = 0 ] || { show_logs "$s" 200 | grep -iE 'error|refused|fatal' | head -n 3 || true; }
done

say "both gateways ready, on the stand-in PostgreSQL and Redis"
wait_ready "http://127.0.0.1:$port_a" 30 || fail "gateway A's /readyz"
wait_ready "http://127.0.0.1:$port_b" 30 || fail "gateway B's /readyz"
for port in "$port_a" "$port_b"; do
  node -e 'fetch(process.argv[1]).then(async (r) => console.log(`${process.argv[1]}: ${r.status} ${await r.text()}`))' "http://127.0.0.1:$port/readyz"
done
ip_of() { cinspect "$1" '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'; }
pg_clients=$("${P[@]}" exec "$(cname postgres)" psql -U gateway -d gateway -Atc \
  "SELECT DISTINCT host(client_addr) FROM pg_stat_activity WHERE datname = 'gateway' AND client_addr IS NOT NULL")
redis_clients=$("${P[@]}" exec "$(cname redis)" redis-cli client list | sed -n 's/.* addr=\([0-9.]*\):.*/\1/p' | sort -u)
tables=$("${P[@]}" exec "$(cname postgres)" psql -U gateway -d gateway -Atc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
for s in gateway-a gateway-b; do
  ip=$(ip_of "$s")
  grep -qxF "$ip" <<<"$pg_clients" || fail "$s ($ip) is not among PostgreSQL's clients ($pg_clients)"
  grep -qxF "$ip" <<<"$redis_clients" || fail "$s ($ip) is not among Redis's clients ($redis_clients)"
  echo "$s ($ip): a client of PostgreSQL and of Redis"
done
echo "the gateway's tables in the stand-in's database 'gateway': $tables"
echo "stand-ins: PostgreSQL $("${P[@]}" exec "$(cname postgres)" psql -U gateway -d gateway -Atc 'SHOW server_version'), Redis $("${P[@]}" exec "$(cname redis)" redis-cli info server | sed -n 's/^redis_version:\([0-9.]*\).*/\1/p')"

say "the README's first session against gateway A"
GATEWAY_URL="http://127.0.0.1:$port_a/graphql" GATEWAY_TOKEN="$key" timeout 60 node dist/examples/follow-void.js ||
  { show_logs gateway-a 30; fail "the first session did not reach a final state"; }

say "a webhook taken by gateway A reaches a subscriber on gateway B"
# Both gateways registered WEBHOOK_PUBLIC_URL (compose.yaml's default: gateway-a), so every webhook goes to A.
A_URL="http://127.0.0.1:$port_a/graphql" B_URL="http://127.0.0.1:$port_b/graphql" TOKEN="$key" timeout 90 node scripts/container-scale-out.mjs ||
  { show_logs gateway-a 40; show_logs gateway-b 40; fail "the webhook taken by A did not reach B's subscriber"; }
inbox=$("${P[@]}" exec "$(cname postgres)" psql -U gateway -d gateway -Atc \
  "SELECT count(*) || ' ' || count(*) FILTER (WHERE state IN ('RECEIVED', 'PROCESSING')) FROM webhook_inbox")
read -r taken open <<<"$inbox"
echo "webhooks taken: $taken, not yet processed: $open"
[ "$taken" -ge 2 ] || fail "fewer webhooks taken than expected ($inbox)"

say "restart policy (unless-stopped)"
# podman-compose 1.0 ignores depends_on's conditions: a gateway may start before PostgreSQL
# answers. Shown on purpose: PostgreSQL stopped, gateway B restarted, PostgreSQL back.
a_before=$(cinspect gateway-a '{{.RestartCount}}')
pq stop -t 20 "$(cname postgres)" >/dev/null
before=$(cinspect gateway-b '{{.RestartCount}}')
pq restart -t 20 "$(cname gateway-b)" >/dev/null
sleep 10
echo "gateway B, 10 s after a restart with PostgreSQL away: $(cinspect gateway-b '{{.State.Status}}'), restarted by the policy $(($(cinspect gateway-b '{{.RestartCount}}') - before)) time(s)"
show_logs gateway-b 200 | grep -iE 'error|refused|fatal' | tail -n 2 || true
started=$SECONDS
pq start "$(cname postgres)" >/dev/null
wait_ready "http://127.0.0.1:$port_b" 120 || { show_logs gateway-b 30; fail "gateway B did not come up once PostgreSQL was back"; }
echo "gateway B ready $((SECONDS - started)) s after PostgreSQL was started again; restarted by the policy $(($(cinspect gateway-b '{{.RestartCount}}') - before)) time(s) in all"
wait_ready "http://127.0.0.1:$port_a" 60 || { show_logs gateway-a 30; fail "gateway A is not ready after PostgreSQL's restart"; }
echo "gateway A ready again too; restarted $(($(cinspect gateway-a '{{.RestartCount}}') - a_before)) time(s) meanwhile"

before=$(cinspect gateway-b '{{.RestartCount}}')
pq kill --signal KILL "$(cname gateway-b)" >/dev/null
sleep 10
state=$(cinspect gateway-b '{{.State.Status}} (exit code {{.State.ExitCode}})')
echo "podman kill --signal KILL gateway B: 10 s later $state, restarted $(($(cinspect gateway-b '{{.RestartCount}}') - before)) time(s)"
[ "$(cinspect gateway-b '{{.State.Status}}')" = running ] || compose start gateway-b || fail "podman-compose start gateway-b"
wait_ready "http://127.0.0.1:$port_b" 60 || { show_logs gateway-b 30; fail "gateway B did not start again"; }

before=$(cinspect gateway-b '{{.RestartCount}}')
pid=$(cinspect gateway-b '{{.State.Pid}}')
started=$SECONDS
kill -KILL "$pid"
sleep 2
wait_ready "http://127.0.0.1:$port_b" 60 || { show_logs gateway-b 30; fail "gateway B was not restarted after its process was killed"; }
restarted=$(($(cinspect gateway-b '{{.RestartCount}}') - before))
echo "gateway B's node process (pid $pid on the host) killed with SIGKILL: restarted $restarted time(s), ready again in $((SECONDS - started)) s"
[ "$restarted" -ge 1 ] || fail "the restart policy did not restart gateway B"
wait_healthy 60 || fail "not every service is healthy after the restarts"
echo "every service healthy again"

say "podman-compose down -t 20"
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
since_ms=$(date +%s%3N)
started=$SECONDS
compose down -t 20 || fail "podman-compose down failed"
down_s=$((SECONDS - started))
left=$("${P[@]}" ps -aq --filter "label=io.podman.compose.project=$PROJECT" | wc -l)
echo "podman-compose down took ${down_s} s (it stops the containers one after the other, then removes them); containers left: $left"
[ "$left" = 0 ] || fail "containers left after down"
# The containers are gone: their exit codes and stop times are in podman's events.
"${P[@]}" events --stream=false --since "$since" --filter event=died --format '{{.Name}} {{.ContainerExitCode}} {{.Time.UnixMilli}}' 2>/dev/null >"$work/died"
for s in gateway-b gateway-a redis postgres suppliers; do
  read -r code at < <(sed -n "s/^$(cname "$s") //p" "$work/died" | tail -n 1) || true
  echo "$s: exit code ${code:-?}, stopped $(awk -v ms="$((${at:-0} - since_ms))" 'BEGIN { printf "%.1f", ms / 1000 }') s after down began"
  [ "${code:-}" = 0 ] || fail "$s exited with '${code:-?}' on down"
done
echo "left by down: networks $("${P[@]}" network ls -q --filter "label=io.podman.compose.project=$PROJECT" | wc -l), volumes $("${P[@]}" volume ls -q | wc -l) (removed by this proof's clean-up)"

say "compose proof passed: healthy ${healthy_s} s after up; first session, scale-out webhook, restarts and down as above"
