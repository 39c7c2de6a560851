#!/usr/bin/env bash
# The credential service benchmark: one command, see bench/README.md.
#
#   bench/run.sh                      # the full run: 1,000,000 credentials, 100 tenants, 32 connections
#   bench/run.sh --rows 50000 --duration 5      # a quick rehearsal
#
# Starts a throwaway PostgreSQL 15 (default durability), the service (Release, Production), the fake Customer.io;
# seeds the credentials through binary COPY with real DataProtection ciphertexts; measures every scenario with wrk
# and its baseline (pgbench, wrk against the fake) in the same run; prints one table; stops everything it started.
set -euo pipefail

usage() {
  cat <<'EOF'
bench/run.sh [options]
  --rows N             credentials to seed (default 1000000)
  --tenants N          tenants they are spread over (default 100)
  --duration S         seconds per measured run (default 12)
  --warmup S           seconds of warm-up before each measured run (default 3)
  --settle S           seconds of load on each endpoint once, before any measuring (default 10): the JIT's
                       tier-1 recompilation of the hot paths is then done, not billed to the first runs
  --latency-duration S seconds of each 1-connection latency run (default 6)
  --connections N      wrk connections and pgbench clients (default 32)
  --threads N          wrk threads and pgbench jobs (default 2)
  --only LIST          comma list of groups to measure: get,list,create,test,proxy (default all)
  --service-env K=V    extra environment for the service (repeatable), e.g. for an experiment
  --publish-arg ARG    extra argument for dotnet publish of the service (repeatable), e.g. -p:PublishReadyToRun=true
  --service-dir DIR    use this already published service instead of publishing src/ (experiments on a copy)
  --db-options OPTS    appended to the service's connection string, e.g. ";Max Auto Prepare=20"
  --keep-db            keep the seeded cluster (its folder is printed) for --reuse-db
  --reuse-db DIR       reuse a cluster kept by --keep-db: skips the first start and seeding
  --pin-postgres CPUS  run PostgreSQL (postmaster and every backend) only on these CPUs (taskset list, e.g. 1)
  --pin-service CPUS   run the service only on these CPUs (e.g. 0); wrk and pgbench stay unpinned
  --trace              profile: perf samples the service's CPU (cpu-clock, 999 Hz, call graphs; JIT frames named
                       through DOTNET_PerfMapEnabled=1) during each measured service run into raw/<run>.perf.data;
                       raw/<run>.self.txt and raw/<run>.children.txt are the reports (self and inclusive time by
                       function). Profiling costs CPU: compare traced runs only with traced runs
EOF
}

ORIGINAL_ARGS="$*"
ROWS=1000000 TENANTS=100 DURATION=12 WARMUP=3 SETTLE=10 LATENCY_DURATION=6 CONNECTIONS=32 THREADS=2 ONLY=all
KEEP_DB=0 REUSE_DB="" SERVICE_DIR="" DB_OPTIONS=""
EXTRA_ENV=() PUBLISH_ARGS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --rows) ROWS=$2; shift 2 ;;
    --tenants) TENANTS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --latency-duration) LATENCY_DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --service-env) EXTRA_ENV+=("$2"); shift 2 ;;
    --publish-arg) PUBLISH_ARGS+=("$2"); shift 2 ;;
    --service-dir) SERVICE_DIR=$(cd "$2" && pwd); shift 2 ;;
    --db-options) DB_OPTIONS=$2; shift 2 ;;
    --keep-db) KEEP_DB=1; shift ;;
    --reuse-db) REUSE_DB=$(cd "$2" && pwd); shift 2 ;;
    --trace) TRACE=1; shift ;;
    --pin-postgres) PIN_POSTGRES=$2; shift 2 ;;
    --pin-service) PIN_SERVICE=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
# The cluster is run by the same helpers as the tests' (PG_BIN, pg_ensure_binaries, pg_start_throwaway, pg_stop, pg_free_port).
source "$ROOT/scripts/postgres.sh"
ARTIFACTS=${BENCH_ARTIFACTS:-$BENCH/results/artifacts}   # never the repo's bin/obj: others build there
RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/results/$RUN_ID
RAW=$OUT/raw
mkdir -p "$RAW"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1

TENANT_PREFIX=bench-tenant-
ISSUER=bench-issuer
AUDIENCE=credential-service
PAGE_SIZE=50
RUN_STARTED=$(date +%s)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }
meta() { printf '%s\t%s\n' "$1" "$2" >>"$OUT/meta.txt"; }
want() { [[ $ONLY == all || ,$ONLY, == *,$1,* ]]; }

# ---------------------------------------------------------------- cleanup: only what this script started, by pid
SERVICE_PID="" FAKE_PID="" PG_DATA="" PG_DIR=""
stop_pid() { # pid grace-seconds
  local pid=$1 grace=$2 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  stop_pid "$SERVICE_PID" 15
  stop_pid "$FAKE_PID" 3   # the standalone fake ignores SIGTERM (its host's console lifetime swallows it)
  [[ -n $PG_DATA ]] && pg_stop "$PG_DATA"   # named: stops it, deletes nothing (that is decided below)
  [[ -n $PG_DIR && -f $PG_DIR/postgres.log ]] && cp "$PG_DIR/postgres.log" "$OUT/postgres.log"
  if [[ -n $PG_DIR && $KEEP_DB == 0 && -z $REUSE_DB ]]; then
    rm -rf "$PG_DIR"
  elif [[ -n $PG_DIR ]]; then
    echo "Seeded cluster kept in $PG_DIR (reuse it with --reuse-db $PG_DIR; delete it when done)" >&2
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { pg_free_port; }   # never one of the ports other tools on this machine use

# ---------------------------------------------------------------- prerequisites
if ! command -v wrk >/dev/null; then
  log "installing wrk (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
if [[ -n ${TRACE:-} ]] && ! command -v perf >/dev/null; then
  log "installing perf (apt-get linux-perf)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf >/dev/null
fi
[[ -x $PG_BIN/postgres ]] || log "installing postgresql-15 (apt-get)"
pg_ensure_binaries
for tool in dotnet python3 openssl curl "$PG_BIN/pgbench"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm); Debian $(cat /etc/debian_version 2>/dev/null)"
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v=$2} END {print v}'))"
  echo "postgres: $("$PG_BIN/postgres" --version)"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ has uncommitted changes)')"
  echo "command: bench/run.sh $ORIGINAL_ARGS"
} >"$OUT/machine.txt"
meta connections "$CONNECTIONS"
log "results in ${OUT#"$ROOT"/}"

# ---------------------------------------------------------------- build (own artifacts path: no clash with other builds)
build_started=$(date +%s)
if [[ -z $SERVICE_DIR ]]; then
  log "publishing the service (Release)"
  SERVICE_DIR=$ARTIFACTS/service   # one folder whatever the publish arguments (-r changes the default one)
  rm -rf "$SERVICE_DIR"
  # As the Dockerfile publishes it: ReadyToRun for linux-x64, framework-dependent.
  dotnet publish "$ROOT/src/CredentialService/CredentialService.csproj" -c Release --artifacts-path "$ARTIFACTS" \
    -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$SERVICE_DIR" "${PUBLISH_ARGS[@]}" >"$OUT/build-service.log" 2>&1 || { tail -20 "$OUT/build-service.log" >&2; exit 1; }
fi
log "building the fake Customer.io and the seeder (Release)"
dotnet build "$ROOT/tests/CredentialService.FakeCustomerIo/CredentialService.FakeCustomerIo.csproj" -c Release \
  --artifacts-path "$ARTIFACTS" >"$OUT/build-fake.log" 2>&1 || { tail -20 "$OUT/build-fake.log" >&2; exit 1; }
dotnet build "$BENCH/Seeder/Seeder.csproj" -c Release --artifacts-path "$ARTIFACTS" \
  >"$OUT/build-seeder.log" 2>&1 || { tail -20 "$OUT/build-seeder.log" >&2; exit 1; }
EMPTY_APP_DIR=$ARTIFACTS/empty-app   # the cold-start baseline, published like the service
rm -rf "$EMPTY_APP_DIR"
dotnet publish "$BENCH/EmptyApp/EmptyApp.csproj" -c Release --artifacts-path "$ARTIFACTS" -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$EMPTY_APP_DIR" >"$OUT/build-empty-app.log" 2>&1 || { tail -20 "$OUT/build-empty-app.log" >&2; exit 1; }
FAKE_DLL=$ARTIFACTS/bin/CredentialService.FakeCustomerIo/release/CredentialService.FakeCustomerIo.dll
SEEDER_DLL=$ARTIFACTS/bin/Seeder/release/Seeder.dll
log "built in $(($(date +%s) - build_started)) s"

# ---------------------------------------------------------------- PostgreSQL: throwaway, default durability
# scripts/postgres.sh runs initdb as the postgres user into /tmp/bench-pg.* and pg_ctl on a free port of 127.0.0.1,
# with the socket and postgres.log in that folder. Only the listen address, the port, the socket folder and
# max_connections (the service's pool and pgbench's clients are open at the same time) differ from a fresh initdb.
log "starting PostgreSQL (fsync, synchronous_commit, full_page_writes: defaults)"
if [[ -n $REUSE_DB ]]; then
  PG_DIR=$REUSE_DB
  pg_start_persistent "$PG_DIR/data" "$(free_port)" -c max_connections=200
else
  pg_start_throwaway --durable --prefix bench-pg -c max_connections=200
  mkdir -p "$PG_DIR/bench"
fi
PG_DATA=$PG_DIR/data
SECRETS=$PG_DIR/bench   # certificate, JWT key and samples live with the cluster, so --reuse-db finds them
log "PostgreSQL on 127.0.0.1:$PG_PORT, cluster in $PG_DIR"
PSQL=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAtX)
[[ -n $REUSE_DB ]] || "${PSQL[@]}" -d postgres -c "CREATE DATABASE credentials"
PSQLC=("${PSQL[@]}" -d credentials)
"${PSQLC[@]}" -F' ' -c "SELECT name, current_setting(name) FROM pg_settings WHERE name IN
  ('fsync','synchronous_commit','full_page_writes','wal_sync_method','shared_buffers','max_connections') ORDER BY name" \
  | sed 's/^/postgres setting: /' >>"$OUT/machine.txt"

# ---------------------------------------------------------------- secrets: a DataProtection certificate, a JWT key
if [[ ! -f $SECRETS/dataprotection.pfx ]]; then
  openssl rand -hex 16 >"$SECRETS/cert-password"
  openssl req -x509 -newkey rsa:2048 -sha256 -days 30 -nodes -subj "/CN=credential-service-bench" \
    -keyout "$SECRETS/key.pem" -out "$SECRETS/cert.pem" >/dev/null 2>&1
  openssl pkcs12 -export -inkey "$SECRETS/key.pem" -in "$SECRETS/cert.pem" -out "$SECRETS/dataprotection.pfx" \
    -passout "pass:$(cat "$SECRETS/cert-password")"
  openssl rand -base64 32 >"$SECRETS/jwt-key"
fi
JWT_KEY=$(cat "$SECRETS/jwt-key")
python3 "$BENCH/lib/jwt.py" "$JWT_KEY" "$ISSUER" "$AUDIENCE" "$TENANT_PREFIX" "$TENANTS" >"$SECRETS/tokens.tsv"

# ---------------------------------------------------------------- the fake Customer.io
FAKE_PORT=$(free_port)
dotnet "$FAKE_DLL" "$FAKE_PORT" 0 >"$OUT/fake.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null -H 'Authorization: Bearer 0123456789abcdef0123456789abcdef' \
    "http://127.0.0.1:$FAKE_PORT/v1/workspaces" 2>/dev/null && break
  sleep 0.1
done
log "fake Customer.io on 127.0.0.1:$FAKE_PORT (pid $FAKE_PID)"

# ---------------------------------------------------------------- the service: Release, Production, from its folder
SVC_PORT=$(free_port)
SERVICE_ENV=(
  ASPNETCORE_ENVIRONMENT=Production
  "ASPNETCORE_URLS=http://127.0.0.1:$SVC_PORT"
  "ConnectionStrings__Credentials=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=credentials$DB_OPTIONS"
  "DataProtection__Certificate__Path=$SECRETS/dataprotection.pfx"
  "DataProtection__Certificate__Password=$(cat "$SECRETS/cert-password")"
  "CustomerIo__Regions__us__BaseUrl=http://127.0.0.1:$FAKE_PORT"
  "CustomerIo__Regions__eu__BaseUrl=http://127.0.0.1:$FAKE_PORT"
  # The contract's default is 5 tests per second per tenant; the test benchmarks measure the service, not the limiter.
  RateLimiting__TestsPerSecondPerTenant=1000000
  RateLimiting__ListRequestsPerSecondPerTenant=1000000
  RateLimiting__WriteRequestsPerSecondPerTenant=1000000
  # Likewise the proxy's per-credential limit (10/s by contract): the proxy benchmark measures forwarding.
  Proxy__RequestsPerSecondPerCredential=100000
  "Authentication__Schemes__Bearer__ValidIssuer=$ISSUER"
  "Authentication__Schemes__Bearer__ValidAudiences__0=$AUDIENCE"
  "Authentication__Schemes__Bearer__SigningKeys__0__Issuer=$ISSUER"
  "Authentication__Schemes__Bearer__SigningKeys__0__Value=$JWT_KEY"
  "${EXTRA_ENV[@]}"
)
# --trace: JIT-compiled methods named in /tmp/perf-<pid>.map, for perf.
# W^X off: with it, JIT code runs from a double-mapped memfd that perf cannot match with the map.
[[ -n ${TRACE:-} ]] && SERVICE_ENV+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
# Started from its publish folder, as the container image does (WORKDIR /app): appsettings.json is read from the
# content root, which is the working directory.
PIN_SERVICE_CMD=()
[[ -n ${PIN_SERVICE:-} ]] && PIN_SERVICE_CMD=(taskset -c "$PIN_SERVICE")
start_service() { # log-name
  (cd "$SERVICE_DIR" && exec "${PIN_SERVICE_CMD[@]}" env "${SERVICE_ENV[@]}" dotnet CredentialService.dll) >"$OUT/$1.log" 2>&1 &
  SERVICE_PID=$!
}
wait_ready() { # started-at-ns -> seconds to first 200 on /health/ready
  python3 "$BENCH/lib/wait_ready.py" "http://127.0.0.1:$SVC_PORT/health/ready" "$1" 60 "$SERVICE_PID" ||
    { tail -30 "$OUT"/service-*.log >&2; exit 1; }
}

if [[ -z $REUSE_DB ]]; then
  t0=$(date +%s%N)
  start_service service-first-start
  first=$(wait_ready "$t0")
  meta first_start_s "$first"
  log "first start (empty database: migrations, key ring): ${first} s; stopping it"
  stop_pid "$SERVICE_PID" 15
  SERVICE_PID=""

  # ------------------------------------------------------------ seeding: binary COPY, real ciphertexts
  log "seeding $ROWS credentials over $TENANTS tenants"
  (cd "$OUT" && env "${SERVICE_ENV[@]}" dotnet "$SEEDER_DLL" --rows "$ROWS" --tenants "$TENANTS" \
    --tenant-prefix "$TENANT_PREFIX") | tee "$OUT/seed.log" | sed 's/^/    /' >&2
  seed_line=$(grep '^SEED ' "$OUT/seed.log")
  for kv in $seed_line; do
    case $kv in
      seconds=*) meta seed_seconds "${kv#*=}" ;;
      rows=*) meta seed_rows "${kv#*=}" ;;
      tenants=*) meta seed_tenants "${kv#*=}" ;;
      workers=*) meta seed_workers "${kv#*=}" ;;
    esac
  done
  t=$(date +%s%N)
  "${PSQLC[@]}" -c "VACUUM (ANALYZE) credentials" -c "CHECKPOINT"
  meta vacuum_seconds "$(python3 -c "print(($(date +%s%N) - $t) / 1e9)")"

  # ------------------------------------------------------------ samples for the request lists and pgbench
  deep=$((ROWS / TENANTS * 9 / 10))
  "${PSQLC[@]}" <<SQL
CREATE SCHEMA bench;
CREATE TABLE bench.sample_ids (n int PRIMARY KEY, tenant_id varchar(200) NOT NULL, id uuid NOT NULL);
INSERT INTO bench.sample_ids
  SELECT row_number() OVER (), tenant_id, id FROM (
    SELECT tenant_id, id FROM credentials TABLESAMPLE BERNOULLI (2) REPEATABLE (42) ORDER BY random() LIMIT 10000) s;
-- Per tenant, the credential after which the deep page starts: the 90th percentile of the tenant's list.
CREATE TABLE bench.deep_cursors (t int PRIMARY KEY, tenant_id varchar(200) NOT NULL, id uuid NOT NULL);
INSERT INTO bench.deep_cursors
  SELECT g, '$TENANT_PREFIX' || lpad(g::text, 3, '0'),
         (SELECT c.id FROM credentials c WHERE c.tenant_id = '$TENANT_PREFIX' || lpad(g::text, 3, '0')
          ORDER BY c.id DESC OFFSET $deep LIMIT 1)
  FROM generate_series(0, $TENANTS - 1) g;
ANALYZE bench.sample_ids;
ANALYZE bench.deep_cursors;
SQL
  meta deep_rank "$deep"
  echo "$deep" >"$SECRETS/deep-rank"
fi
meta deep_rank_used "$(cat "$SECRETS/deep-rank" 2>/dev/null || echo '?')"
"${PSQLC[@]}" -F$'\t' -c "SELECT n, tenant_id, id FROM bench.sample_ids ORDER BY n" >"$SECRETS/sample_ids.tsv"
"${PSQLC[@]}" -F$'\t' -c "SELECT t, tenant_id, id FROM bench.deep_cursors ORDER BY t" >"$SECRETS/deep_cursors.tsv"
SAMPLES=$(wc -l <"$SECRETS/sample_ids.tsv")
DATA=$OUT/data
python3 "$BENCH/lib/prepare.py" "$DATA" "$SECRETS/tokens.tsv" "$SECRETS/sample_ids.tsv" "$SECRETS/deep_cursors.tsv"
meta table_size "$("${PSQLC[@]}" -c "SELECT (SELECT count(*) FROM credentials) || ' rows, ' ||
  pg_size_pretty(pg_table_size('credentials')) || ' + ' || pg_size_pretty(pg_indexes_size('credentials')) || ' indexes'")"

# The plans of the two list pages, as evidence for keyset paging (same index range scan, same buffers).
{
  t0tenant=$(head -1 "$SECRETS/deep_cursors.tsv" | cut -f2)
  t0cursor=$(head -1 "$SECRETS/deep_cursors.tsv" | cut -f3)
  cols="c.id, c.app_api_key_ciphertext, c.app_api_key_last4, c.created_at, c.description, c.last_test, c.name, c.region, c.tenant_id, c.type, c.updated_at, c.xmin"
  echo "-- first page"
  "${PSQLC[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT $cols FROM credentials AS c WHERE c.tenant_id = '$t0tenant' ORDER BY c.id DESC LIMIT 51"
  echo "-- deep page (cursor at rank $(cat "$SECRETS/deep-rank" 2>/dev/null))"
  "${PSQLC[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT $cols FROM credentials AS c WHERE c.tenant_id = '$t0tenant' AND c.id < '$t0cursor' ORDER BY c.id DESC LIMIT 51"
} >"$OUT/explain.txt" 2>&1

# ---------------------------------------------------------------- cold start against the migrated database
t0=$(date +%s%N)
start_service service
cold=$(wait_ready "$t0")
COLD_STARTS=("$cold")
log "cold start to ready (migrated database, $("${PSQLC[@]}" -c 'SELECT count(*) FROM credentials') rows): ${cold} s (pid $SERVICE_PID)"

log "smoke test: one request per scenario"
deep_page=$((ROWS / TENANTS - $(cat "$SECRETS/deep-rank") - 1))
((deep_page > PAGE_SIZE)) && deep_page=$PAGE_SIZE
python3 "$BENCH/lib/smoke.py" "http://127.0.0.1:$SVC_PORT" "http://127.0.0.1:$FAKE_PORT" "$DATA" "$PAGE_SIZE" "$deep_page" | tee -a "$OUT/run.log" >&2

# ---------------------------------------------------------------- measuring
POSTMASTER_PID=$(head -1 "$PG_DATA/postmaster.pid")
if [[ -n ${PIN_POSTGRES:-} ]]; then
  # Backends forked from now on inherit the postmaster's affinity; the ones already running are pinned here.
  for pid in "$POSTMASTER_PID" $(pgrep -P "$POSTMASTER_PID"); do taskset -a -p -c "$PIN_POSTGRES" "$pid" >/dev/null; done
  log "PostgreSQL pinned to CPU(s) $PIN_POSTGRES"
fi
[[ -n ${PIN_SERVICE:-} ]] && log "service pinned to CPU(s) $PIN_SERVICE"
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() { # the postmaster, its reaped children (cutime, cstime) and its live children
  local sum child
  sum=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$POSTMASTER_PID/stat")
  for child in $(pgrep -P "$POSTMASTER_PID"); do sum=$((sum + $(ticks_of "$child"))); done
  echo "$sum"
}
snapshot() { # service-ticks postgres-ticks machine-busy-ticks machine-total-ticks
  local cpu
  cpu=$(head -1 /proc/stat | awk '{t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}')
  echo "$(ticks_of "$SERVICE_PID") $(pg_ticks) $cpu"
}
cpu_delta() { # name before after
  local -a b a
  read -r -a b <<<"$2"
  read -r -a a <<<"$3"
  echo "$((a[0] - b[0])) $((a[1] - b[1])) $((a[2] - b[2])) $((a[3] - b[3]))" >"$RAW/$1.cpu"
}

run_wrk() { # name data method body url connections threads seconds
  local name=$1 data=$2 method=$3 body=$4 url=$5 c=$6 t=$7 d=$8 before
  local -a env_=(BENCH_DATA="$DATA/$data.tsv" BENCH_METHOD="$method" BENCH_BODY="$body")
  env "${env_[@]}" wrk -t"$t" -c"$c" -d"${WARMUP}s" --timeout 10s -s "$BENCH/lua/scenario.lua" "$url" >/dev/null 2>&1 || true
  before=$(snapshot)
  local tracer=""
  if [[ -n ${TRACE:-} && $url == "$SVC" ]]; then
    perf record -e cpu-clock -F 999 -g -p "$SERVICE_PID" -o "$RAW/$name.perf.data" -- sleep "$d" \
      >"$RAW/$name.perf.log" 2>&1 &
    tracer=$!
  fi
  env "${env_[@]}" BENCH_OUT="$RAW/$name.json" wrk -t"$t" -c"$c" -d"${d}s" --timeout 10s --latency \
    -s "$BENCH/lua/scenario.lua" "$url" >"$RAW/$name.wrk.txt" 2>&1
  cpu_delta "$name" "$before" "$(snapshot)"
  if [[ -n $tracer ]]; then
    wait "$tracer" || true
    perf report -i "$RAW/$name.perf.data" --no-children --sort sym --stdio -g none --percent-limit 0.3 \
      >"$RAW/$name.self.txt" 2>/dev/null || true
    perf report -i "$RAW/$name.perf.data" --children --sort sym --stdio -g none --percent-limit 2 \
      >"$RAW/$name.children.txt" 2>/dev/null || true
  fi
  log "  $name: $(python3 -c "import json; r = json.load(open('$RAW/$name.json')); print(f\"{r['rps']:.0f} req/s, p50 {r['p50_us']/1000:.2f} ms, p99 {r['p99_us']/1000:.2f} ms, non-2xx {r['non2xx']}\")")"
}
run_pgbench() { # name script [clients jobs seconds]
  local name=$1 script=$2 clients=${3:-$CONNECTIONS} jobs=${4:-$THREADS} seconds=${5:-$DURATION} before
  local -a pgb=("$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared -c "$clients" -j "$jobs"
    -D samples="$SAMPLES" -D tenants="$TENANTS" -f "$BENCH/pgbench/$script.sql" credentials)
  "${pgb[@]}" -T "$WARMUP" >/dev/null 2>&1 || true
  before=$(snapshot)
  (cd "$RAW" && "${pgb[@]}" -T "$seconds" -l --log-prefix="$name") >"$RAW/$name.pgbench.txt" 2>&1 ||
    { cat "$RAW/$name.pgbench.txt" >&2; exit 1; }
  sleep 1   # pgbench's backends have exited: let the postmaster reap them (their CPU moves into its cutime)
  cpu_delta "$name" "$before" "$(snapshot)"
  log "  $name: $(grep -o 'tps = [0-9.]*' "$RAW/$name.pgbench.txt" | head -1), $(grep -o 'latency average = .*' "$RAW/$name.pgbench.txt")"
}

SVC=http://127.0.0.1:$SVC_PORT
FAKE=http://127.0.0.1:$FAKE_PORT
C=$CONNECTIONS T=$THREADS D=$DURATION
warm() { # data method body: load without measuring, so the JIT's tier-up work is not billed to the first scenario
  env BENCH_DATA="$DATA/$1.tsv" BENCH_METHOD="$2" BENCH_BODY="$3" wrk -t"$T" -c"$C" -d"${SETTLE}s" --timeout 10s \
    -s "$BENCH/lua/scenario.lua" "$SVC" >/dev/null 2>&1 || true
}
log "warming the service up: every endpoint for ${SETTLE} s"
warm get GET none
warm list_first GET none
warm list_deep GET none
want create && warm create POST create
want test && warm test_unsaved POST test
want test && warm test_stored POST none
want proxy && warm proxy GET none
# Each scenario runs right after its baseline, so both see the same background load on this shared machine.
if want get; then
  log "get by id"
  run_pgbench pg_select_id select_id
  run_wrk svc_get get GET none "$SVC" "$C" "$T" "$D"
fi
if want list; then
  log "list pages"
  run_pgbench pg_page_first page_first
  run_wrk svc_list_first list_first GET none "$SVC" "$C" "$T" "$D"
  run_pgbench pg_page_deep page_deep
  run_wrk svc_list_deep list_deep GET none "$SVC" "$C" "$T" "$D"
fi
if want create; then
  log "create"
  run_pgbench pg_insert insert
  run_wrk svc_create create POST create "$SVC" "$C" "$T" "$D"
fi
if want test; then
  log "connection tests"
  run_wrk fake fake GET none "$FAKE" "$C" "$T" "$D"
  run_wrk svc_test_unsaved test_unsaved POST test "$SVC" "$C" "$T" "$D"
  run_wrk svc_test_stored test_stored POST none "$SVC" "$C" "$T" "$D"
  log "connection tests, 1 connection (the latency a test adds, without queueing)"
  run_wrk fake_c1 fake GET none "$FAKE" 1 1 "$LATENCY_DURATION"
  run_wrk svc_test_unsaved_c1 test_unsaved POST test "$SVC" 1 1 "$LATENCY_DURATION"
  run_wrk svc_test_stored_c1 test_stored POST none "$SVC" 1 1 "$LATENCY_DURATION"
  run_pgbench pg_test_stored_c1 test_stored 1 1 "$LATENCY_DURATION"   # its SQL alone: the floor under the latency it adds
fi
if want proxy; then
  log "proxy: service → fake vs wrk → fake, and get by id next to it (the proxy should cost about a read)"
  run_wrk fake_proxyrun fake GET none "$FAKE" "$C" "$T" "$D"
  run_wrk svc_proxy proxy GET none "$SVC" "$C" "$T" "$D"
  run_wrk svc_get_proxyrun get GET none "$SVC" "$C" "$T" "$D"
  log "proxy, 1 connection (the latency the proxy adds)"
  run_wrk fake_c1_proxyrun fake GET none "$FAKE" 1 1 "$LATENCY_DURATION"
  run_wrk svc_proxy_c1 proxy GET none "$SVC" 1 1 "$LATENCY_DURATION"
fi

meta peak_rss_kb "$(awk '/VmHWM/ {print $2}' "/proc/$SERVICE_PID/status")"
meta final_rss_kb "$(awk '/VmRSS/ {print $2}' "/proc/$SERVICE_PID/status")"
meta load_average_end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta total_seconds "$(($(date +%s) - RUN_STARTED))"
grep -c '^fail:' "$OUT/service.log" >/dev/null && log "the service logged errors: see ${OUT#"$ROOT"/}/service.log"

stop_pid "$SERVICE_PID" 15
SERVICE_PID=""
# Two more cold starts (this machine is shared and noisy): the table shows the median of the three.
for i in 2 3; do
  t0=$(date +%s%N)
  start_service "service-cold-start-$i"
  COLD_STARTS+=("$(wait_ready "$t0")")
  stop_pid "$SERVICE_PID" 15
  SERVICE_PID=""
done
# The same three starts of an empty ASP.NET Core app published the same way: what any app's start costs here.
EMPTY_STARTS=()
for i in 1 2 3; do
  t0=$(date +%s%N)
  (cd "$EMPTY_APP_DIR" && exec "${PIN_SERVICE_CMD[@]}" env "${SERVICE_ENV[@]}" dotnet EmptyApp.dll) >"$OUT/empty-app-$i.log" 2>&1 &
  SERVICE_PID=$!
  EMPTY_STARTS+=("$(wait_ready "$t0")")
  stop_pid "$SERVICE_PID" 15
  SERVICE_PID=""
done
meta empty_app_starts_s "${EMPTY_STARTS[*]}"
meta empty_app_start_s "$(printf '%s\n' "${EMPTY_STARTS[@]}" | sort -n | sed -n 2p)"
log "empty ASP.NET Core app, starts to ready: ${EMPTY_STARTS[*]} s"
meta cold_starts_s "${COLD_STARTS[*]}"
meta cold_start_s "$(printf '%s\n' "${COLD_STARTS[@]}" | sort -n | sed -n 2p)"
log "cold starts to ready: ${COLD_STARTS[*]} s"
log "stopping the fake and PostgreSQL"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
echo >&2
cat "$OUT/machine.txt" >&2
echo >&2
python3 "$BENCH/lib/report.py" "$OUT"
log "done in $(($(date +%s) - RUN_STARTED)) s; table: ${OUT#"$ROOT"/}/results.md"
