# shellcheck shell=bash
# Helpers to run a local PostgreSQL 15 cluster without Docker. Source this file:
#   source scripts/postgres.sh
#   pg_ensure_binaries              # apt-get install postgresql-15 if missing (root only)
#   pg_start_throwaway              # temp cluster; exports PG_PORT, PG_DIR, PG_DATA
#   pg_start_throwaway --durable --prefix bench-pg -c max_connections=200   # default durability (benchmarks)
#   pg_stop                         # stop it (and delete it, if throwaway)
#   pg_start_persistent DIR PORT [-c name=value ...]   # data kept in DIR; no-op if already running
#   pg_stop DIR                     # stop the cluster whose data is DIR (its data is kept, throwaway or not)
#   pg_free_port                    # a free TCP port on 127.0.0.1
# All clusters listen on 127.0.0.1 only and use trust auth (no password needed).

# Debian's versioned bin dir; elsewhere (e.g. a laptop) fall back to whatever is on PATH.
if [[ -z "${PG_BIN:-}" ]]; then
  if [[ -x /usr/lib/postgresql/15/bin/postgres ]] || [[ $(id -u) -eq 0 ]]; then
    PG_BIN=/usr/lib/postgresql/15/bin
  else
    PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /usr/lib/postgresql/15/bin/initdb)")
  fi
fi

# initdb/postgres refuse to run as root, so as root run them as the 'postgres' user;
# as a normal user run them directly.
_pg_as_owner() {
  # From / so that a working directory 'postgres' cannot enter (e.g. under /root) draws no warnings.
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Give a folder to the user that runs the server (only matters as root).
_pg_own() {
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$@"; fi
}

# Ask the kernel for a free TCP port on 127.0.0.1 (python3 if present, else scan with ss), never one of the ports
# this project's tools listen on by name (the service 5080, scripts/run.sh's database 55432, docs' 5099 and 54329).
pg_free_port() {
  local p try
  for try in $(seq 1 50); do
    if command -v python3 >/dev/null 2>&1; then
      p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    else
      p=$(shuf -i 20000-60000 -n 1)
      ss -ltnH "sport = :$p" | grep -q . && continue
    fi
    case $p in 5080 | 5099 | 54329 | 55432) continue ;; esac
    echo "$p"
    return 0
  done
  return 1
}

# initdb DATADIR [extra initdb args...] — superuser 'postgres', trust auth, UTF8.
_pg_initdb() {
  local data=$1; shift
  _pg_as_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C "$@" >/dev/null
}

# _pg_ctl_start DATADIR PORT SOCKETDIR LOGFILE [extra -c options...]
_pg_ctl_start() {
  local data=$1 port=$2 sock=$3 log=$4; shift 4
  # Unix socket paths are limited to ~107 bytes; TCP is all we use, so skip the socket if too long.
  [[ ${#sock} -gt 90 ]] && sock=''
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$sock' $*" \
    start >/dev/null
}

pg_ensure_binaries() {
  [[ -x "$PG_BIN/postgres" ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "PostgreSQL 15 not found in $PG_BIN; install it (e.g. apt-get install postgresql-15) or set PG_BIN." >&2
    return 1
  fi
  echo "Installing postgresql-15 ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql-15 >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q postgresql-15 >/dev/null; }
  # The package may create and start Debian's default cluster on :5432; we don't want it.
  pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
  PG_BIN=/usr/lib/postgresql/15/bin
  [[ -x "$PG_BIN/postgres" ]]
}

# pg_start_throwaway [--durable] [--prefix NAME] [-c name=value ...]
# A disposable cluster in /tmp/NAME.XXXXXX (default pg-throwaway; socket and postgres.log in that folder), deleted by
# pg_stop. By default it is fast, for tests: no durability (fsync, synchronous_commit, full_page_writes off) and
# max_connections=300. --durable keeps PostgreSQL's default durability (benchmarks). Extra -c options come last.
pg_start_throwaway() {
  local durable=0 prefix=pg-throwaway
  while [[ $# -gt 0 ]]; do
    case $1 in
      --durable) durable=1; shift ;;
      --prefix) prefix=$2; shift 2 ;;
      *) break ;;
    esac
  done
  local -a options=("$@") initdb_args=()
  if ((!durable)); then
    options=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "$@")
    initdb_args=(--no-sync)
  fi
  PG_DIR=$(mktemp -d "/tmp/$prefix.XXXXXX")   # /tmp: traversable by 'postgres'
  PG_DATA=$PG_DIR/data
  _pg_own "$PG_DIR"
  _pg_initdb "$PG_DATA" "${initdb_args[@]}" || { rm -rf "$PG_DIR"; return 1; }
  # The free port could be taken between lookup and bind, so retry a few times.
  local try
  for try in 1 2 3 4 5; do
    PG_PORT=$(pg_free_port)
    if _pg_ctl_start "$PG_DATA" "$PG_PORT" "$PG_DIR" "$PG_DIR/postgres.log" "${options[@]}"; then
      PG_THROWAWAY=1
      export PG_PORT PG_DIR PG_DATA PG_THROWAWAY
      return 0
    fi
  done
  echo "Could not start throwaway PostgreSQL; log:" >&2
  tail -n 20 "$PG_DIR/postgres.log" >&2
  rm -rf "$PG_DIR"
  return 1
}

# pg_start_persistent DIR PORT [-c name=value ...] — DIR is the data directory; created on first use. The socket and
# postgres.log go to DIR's parent folder.
pg_start_persistent() {
  local data=$1 port=$2 parent
  shift 2
  mkdir -p "$data"
  data=$(cd "$data" && pwd)
  parent=$(dirname "$data")
  if _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    return 0   # already running
  fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    chmod 700 "$data"
    _pg_own "$data"
    _pg_initdb "$data" || return 1
  fi
  # The unix socket and log live in the parent folder, which the server user must write to.
  _pg_own "$parent"
  if ! _pg_ctl_start "$data" "$port" "$parent" "$parent/postgres.log" "$@"; then
    echo "Could not start PostgreSQL in $data on port $port; log ($parent/postgres.log):" >&2
    tail -n 20 "$parent/postgres.log" >&2
    return 1
  fi
  PG_PORT=$port PG_DATA=$data
  export PG_PORT PG_DATA
}

# pg_stop [DATADIR] — stops DATADIR, or the cluster from the last pg_start_* call.
# Deletes the folder only for throwaway clusters. Prints nothing (callers print summaries last).
pg_stop() {
  local data=${1:-${PG_DATA:-}}
  [[ -n "$data" && -d "$data" ]] || return 0
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1 &&
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" stop -m fast -w >/dev/null 2>&1
  if [[ -z "${1:-}" && "${PG_THROWAWAY:-}" == 1 && -n "${PG_DIR:-}" ]]; then
    rm -rf "$PG_DIR"
    unset PG_DIR PG_DATA PG_PORT PG_THROWAWAY
  fi
  return 0
}
