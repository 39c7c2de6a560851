#!/usr/bin/env bash
# Prepare a Docker-compatible container engine on a machine like the CI one (Debian 12, root, no Docker,
# no reachable container registry). Idempotent: a second run reuses what the first one made.
#
#   scripts/containers.sh            prepare the engine; prints the DOCKER_HOST line to export
#   source scripts/containers.sh     the same, and exports DOCKER_HOST etc. into your shell
#   scripts/containers.sh --stop     stop the engine's API service and the healthcheck driver
#
# What it does
#   1. A real engine already answering (Docker, or any DOCKER_HOST) whose images are real: nothing else is done.
#   2. Otherwise installs podman (with runc, netavark, aardvark-dns) and docker-compose v1 with apt, and serves
#      podman's Docker-compatible API on unix:///run/podman/podman.sock (DOCKER_HOST).
#   3. The base images the project names (postgres:15, mcr.microsoft.com/dotnet/sdk:10.0 and aspnet:10.0) cannot be
#      pulled without a registry, so it builds STAND-INS with those names: a Debian rootfs (debootstrap
#      --variant=minbase from this machine's apt mirror, `podman import`ed), plus Debian's PostgreSQL 15 behind an
#      entrypoint that honours the official image's POSTGRES_* variables, or this machine's own .NET install with the
#      `app` user (uid 1654, APP_UID) and this machine's CA bundle. They are not Microsoft's or Docker's images; they
#      exist so the Dockerfile, docker-compose.yml and Testcontainers run unchanged. Built once, then cached.
#   4. Podman 4.3 runs healthchecks from systemd timers, which this machine doesn't have: a small loop runs
#      `podman healthcheck run` for every running container that has one (compose's `service_healthy` needs it).
#
# Environment it exports (when sourced) for Testcontainers: TESTCONTAINERS_RYUK_DISABLED=true (Ryuk's image is
# pinned by digest and can't be pulled); remove leftovers with: podman rm -f $(podman ps -aq --filter label=org.testcontainers=true)

_ct_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_ct_state=/var/lib/credential-service-standins      # cache: rootfs tarball and build stamps
_ct_sock=/run/podman/podman.sock
_ct_standin_label=org.credentialservice.standin

_ct_log() { echo "containers.sh: $*" >&2; }

_ct_apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

# A Docker engine that is not our podman service, answering on DOCKER_HOST or the default socket.
_ct_real_engine() {
  command -v docker >/dev/null 2>&1 || return 1
  [[ "${DOCKER_HOST:-}" == "unix://$_ct_sock" ]] && return 1
  docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 || return 1
  # podman's compat API also answers `docker info`; count it as real only if it holds real images (below).
  return 0
}

_ct_install_packages() {
  local need=()
  command -v podman >/dev/null || need+=(podman)
  [[ -x /usr/sbin/runc || -x /usr/bin/runc ]] || need+=(runc)
  [[ -x /usr/lib/podman/netavark ]] || need+=(netavark aardvark-dns)
  command -v iptables >/dev/null || need+=(iptables)
  command -v catatonit >/dev/null || [[ -x /usr/libexec/podman/catatonit ]] || need+=(catatonit)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  # docker-compose v1 from Debian. Without --no-install-recommends apt also pulls Debian's Docker engine, whose
  # API (1.41) is too old for Testcontainers 4.16.
  command -v docker-compose >/dev/null || need+=(docker-compose)
  if ((${#need[@]})); then
    _ct_log "installing with apt: ${need[*]}"
    _ct_apt_install "${need[@]}"
  fi
}

_ct_configure_podman() {
  mkdir -p /etc/containers
  local conf=/etc/containers/containers.conf
  if ! grep -q 'credential-service: containers.sh' "$conf" 2>/dev/null; then
    # - root cannot raise nofile above 20000 on this machine (podman's default asks for 1048576);
    # - crun refuses the hybrid cgroup v1/v2 layout here, runc works;
    # - no systemd: cgroupfs manager and file-based events.
    cat >"$conf" <<'EOF'
# credential-service: containers.sh (settings this machine needs; see scripts/containers.sh)
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
EOF
  fi
  # Short names (postgres:15) resolve locally first; no registry prompts.
  local reg=/etc/containers/registries.conf.d/50-credential-service.conf
  [[ -f $reg ]] || { mkdir -p "$(dirname "$reg")"; printf 'short-name-mode = "permissive"\nunqualified-search-registries = ["docker.io"]\n' >"$reg"; }
}

_ct_start_service() {
  if [[ -S $_ct_sock ]] && curl -fsS --unix-socket "$_ct_sock" http://d/_ping >/dev/null 2>&1; then return 0; fi
  mkdir -p /run/podman "$_ct_state"
  _ct_log "starting podman system service on unix://$_ct_sock"
  setsid podman system service --time=0 "unix://$_ct_sock" >"$_ct_state/service.log" 2>&1 </dev/null &
  echo $! >"$_ct_state/service.pid"
  local i
  for i in $(seq 1 50); do
    curl -fsS --unix-socket "$_ct_sock" http://d/_ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  _ct_log "podman system service did not answer; log:"; tail -n 20 "$_ct_state/service.log" >&2
  return 1
}

# Podman 4.3 schedules healthchecks with systemd timers; drive them ourselves.
_ct_start_healthcheck_driver() {
  local pidf=$_ct_state/healthchecks.pid
  if [[ -f $pidf ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then return 0; fi
  setsid bash -c 'while sleep 2; do
      for c in $(podman ps -q --filter health=starting --filter health=healthy --filter health=unhealthy 2>/dev/null | sort -u); do
        podman healthcheck run "$c" >/dev/null 2>&1 || true
      done
    done' >/dev/null 2>&1 </dev/null &
  echo $! >"$pidf"
}

_ct_image_exists() { podman image exists "$1" 2>/dev/null; }
# The recipe of the stand-ins (their files and this machine's .NET): a change rebuilds them.
_ct_recipe() { { cat "$_ct_root"/scripts/standins/*; dotnet --list-runtimes 2>/dev/null; dotnet --version 2>/dev/null; } | sha256sum | cut -c1-16; }
_ct_label() { podman image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null; }
_ct_is_standin() { [[ "$(podman image inspect --format "{{index .Labels \"$_ct_standin_label\"}}" "$1" 2>/dev/null)" == true ]]; }

# Debian rootfs from this machine's own mirror (the first deb.debian.org-like URI of its apt sources).
_ct_base_image() {
  local base=localhost/credential-service-standin-base:bookworm
  _ct_image_exists "$base" && { echo "$base"; return 0; }
  local mirror suite
  mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '{print $2}' | head -n1)
  mirror=${mirror:-http://deb.debian.org/debian}
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  local dir=$_ct_state/rootfs
  rm -rf "$dir"; mkdir -p "$dir"
  _ct_log "debootstrap --variant=minbase $suite from $mirror (stand-in base, a few minutes once) ..."
  # The libraries .NET needs, the CA store, and what the entrypoints use.
  debootstrap --variant=minbase \
    --include=ca-certificates,libicu72,libssl3,zlib1g,tzdata,libstdc++6,libgcc-s1,curl,procps \
    "$suite" "$dir" "$mirror" >"$_ct_state/debootstrap.log" 2>&1 ||
    { _ct_log "debootstrap failed; log:"; tail -n 20 "$_ct_state/debootstrap.log" >&2; return 1; }
  # The machine's own CA certificates (e.g. a TLS-inspecting egress proxy), so NuGet/apt work inside builds.
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
    chroot "$dir" update-ca-certificates >/dev/null 2>&1 || cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"
  fi
  # Same apt sources as the machine (Debian parts only), for `apt-get install` in stand-in builds.
  [[ -f /etc/apt/sources.list.d/debian.sources ]] && cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/" && rm -f "$dir/etc/apt/sources.list"
  chroot "$dir" apt-get clean >/dev/null 2>&1 || true
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
  tar -C "$dir" -c . | podman import \
    --change "LABEL $_ct_standin_label=true" --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$base" >/dev/null
  rm -rf "$dir"
  echo "$base"
}

_ct_build() {   # _ct_build NAME CONTAINERFILE [podman build args...]
  local name=$1 file=$2; shift 2
  _ct_log "building stand-in $name ..."
  podman build --quiet --format docker --label "$_ct_standin_label=true" --label "$_ct_standin_label.recipe=$(_ct_recipe)" -t "$name" -f "$file" "$@" \
    "$_ct_root/scripts/standins" >"$_ct_state/build-$(echo "$name" | tr '/:' '__').log" 2>&1 ||
    { _ct_log "build of $name failed; log:"; tail -n 30 "$_ct_state/build-$(echo "$name" | tr '/:' '__').log" >&2; return 1; }
}

_ct_standins() {
  local base
  local want=(postgres:15 mcr.microsoft.com/dotnet/sdk:10.0 mcr.microsoft.com/dotnet/aspnet:10.0) missing=() img
  local recipe
  recipe=$(_ct_recipe)
  for img in "${want[@]}"; do
    if ! _ct_image_exists "$img"; then missing+=("$img")
    elif _ct_is_standin "$img" && [[ "$(_ct_label "$img" "$_ct_standin_label.recipe")" != "$recipe" ]]; then
      _ct_log "stand-in $img is out of date (scripts/standins or .NET changed): rebuilding"; missing+=("$img")
    fi
  done
  ((${#missing[@]})) || return 0
  base=$(_ct_base_image)
  local dotnet_root
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  for img in "${missing[@]}"; do
    case $img in
      postgres:15)
        _ct_build docker.io/library/postgres:15 "$_ct_root/scripts/standins/postgres.Containerfile" --build-arg "BASE=$base" ;;
      mcr.microsoft.com/dotnet/sdk:10.0)
        _ct_build "$img" "$_ct_root/scripts/standins/dotnet.Containerfile" --build-arg "BASE=$base" \
          --build-arg PARTS="dotnet host shared sdk sdk-manifests packs templates" \
          --build-arg "NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}" -v "$dotnet_root:/host-dotnet:ro" ;;
      mcr.microsoft.com/dotnet/aspnet:10.0)
        _ct_build "$img" "$_ct_root/scripts/standins/dotnet.Containerfile" --build-arg "BASE=$base" \
          --build-arg PARTS="dotnet host shared" -v "$dotnet_root:/host-dotnet:ro" ;;
    esac
  done
}

_ct_stop() {
  local f
  for f in healthchecks service; do
    if [[ -f $_ct_state/$f.pid ]]; then
      kill -- "-$(cat "$_ct_state/$f.pid")" 2>/dev/null || kill "$(cat "$_ct_state/$f.pid")" 2>/dev/null || true
      rm -f "$_ct_state/$f.pid"
    fi
  done
  _ct_log "stopped the podman API service and the healthcheck driver (images are kept)"
}

_ct_main() {
  if [[ "${1:-}" == "--stop" ]]; then _ct_stop; return 0; fi
  if _ct_real_engine && ! { command -v podman >/dev/null && _ct_is_standin postgres:15; }; then
    local server
    server=$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')
    _ct_log "a container engine already answers (server $server): using it and its images; no stand-ins built."
    CT_DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
  else
    [[ $(id -u) -eq 0 ]] || { _ct_log "run as root (installs packages, serves podman's API as root)"; return 1; }
    _ct_install_packages
    _ct_configure_podman
    mkdir -p "$_ct_state"
    _ct_standins
    _ct_start_service
    _ct_start_healthcheck_driver
    CT_DOCKER_HOST=unix://$_ct_sock
    local img standins=()
    for img in postgres:15 mcr.microsoft.com/dotnet/sdk:10.0 mcr.microsoft.com/dotnet/aspnet:10.0; do
      _ct_is_standin "$img" && standins+=("$img")
    done
    if ((${#standins[@]})); then
      _ct_log "********************************************************************************"
      _ct_log "* STAND-IN IMAGES: ${standins[*]}"
      _ct_log "* were built on this machine from Debian packages and this machine's .NET, not"
      _ct_log "* pulled from Docker Hub or mcr.microsoft.com (no registry reachable). They run"
      _ct_log "* the project's Dockerfile/compose/Testcontainers unchanged; they are not those images."
      _ct_log "********************************************************************************"
    fi
  fi
  echo "export DOCKER_HOST=$CT_DOCKER_HOST TESTCONTAINERS_RYUK_DISABLED=true"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  _ct_main "$@"
else
  # Sourced: do the work in a child bash (strict mode there, not in the caller's shell), keep its export line.
  eval "$(bash "${BASH_SOURCE[0]}" "$@")"
fi
