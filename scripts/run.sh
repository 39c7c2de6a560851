#!/usr/bin/env bash
# THE run command: scripts/run.sh [--demo] [extra dotnet run args]
# Runs the service on http://localhost:5080 (launch profile "http", Development).
# Uses $ConnectionStrings__Credentials if set; otherwise starts (once) a local PostgreSQL 15
# whose data persists in .data/postgres (git-ignored) on 127.0.0.1:55432, database "credentials".
# That Postgres keeps running after the service exits (fast restarts); stop it with:
#   scripts/run.sh --stop-db
#
# Before the service starts it mints a Development token with `dotnet user-jwts` (all scopes, tenant "demo"), so
# the signing key exists when the service reads its configuration, and prints the token once the service is ready
# (also kept in .data/dev-token). Later `dotnet user-jwts create` calls reuse that key: no restart needed.
#
# --demo: also starts the fake Customer.io (tests/CredentialService.FakeCustomerIo) on 127.0.0.1:5081 (us) and
# :5082 (eu) and points the service's regions at it; its demo keys give every verdict (listed when it starts and
# in the README). Nothing leaves the machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PG_LOCAL_DIR="$ROOT/.data/postgres"
PG_LOCAL_PORT=55432
URL=http://localhost:5080
PROJECT="$ROOT/src/CredentialService"
ALL_SCOPES=(credentials:read credentials:write credentials:test credentials:use credentials:proxy credentials:admin)

source "$ROOT/scripts/postgres.sh"

if [[ "${1:-}" == "--stop-db" ]]; then
  if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
    PG_LOCAL_DIR=/var/lib/postgresql/credential-service-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)/postgres
  fi
  pg_stop "$PG_LOCAL_DIR"
  echo "Stopped local PostgreSQL ($PG_LOCAL_DIR); data is kept. Delete that folder to reset it."
  exit 0
fi

demo=0
if [[ "${1:-}" == "--demo" ]]; then demo=1; shift; fi

if [[ -z "${ConnectionStrings__Credentials:-}" ]]; then
  pg_ensure_binaries
  # As root the server runs as 'postgres', which can't reach a clone under /root (mode 700): keep the data in
  # postgres' own home then, one folder per clone.
  if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
    PG_LOCAL_DIR=/var/lib/postgresql/credential-service-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)/postgres
  fi
  pg_start_persistent "$PG_LOCAL_DIR" "$PG_LOCAL_PORT"
  psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_LOCAL_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
  if [[ -z "$("${psql[@]}" -c "select 1 from pg_database where datname = 'credentials'")" ]]; then
    "${psql[@]}" -c "create database credentials"
  fi
  echo "Using local PostgreSQL on 127.0.0.1:$PG_LOCAL_PORT, data in $PG_LOCAL_DIR (stop it with: scripts/run.sh --stop-db)"
  # Trust auth on 127.0.0.1 only, so no password is needed.
  export ConnectionStrings__Credentials="Host=127.0.0.1;Port=$PG_LOCAL_PORT;Username=postgres;Database=credentials"
fi

# A Development token, minted before the service starts: `dotnet user-jwts` creates its signing key in the project's
# user secrets on first use, and the service reads that key once, at start.
mkdir -p "$ROOT/.data"
token_file="$ROOT/.data/dev-token"
scope_args=()
for s in "${ALL_SCOPES[@]}"; do scope_args+=(--scope "$s"); done
# user-jwts exits 0 even when it fails, so check that what it printed is a JWT.
token=$(dotnet user-jwts create --project "$PROJECT" --audience "$URL" --name newcomer --claim tenant_id=demo \
  "${scope_args[@]}" -o token 2>&1 | tail -n1)
if [[ "$token" =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$ ]]; then
  printf '%s\n' "$token" >"$token_file"
else
  echo "warning: could not mint a Development token with dotnet user-jwts: $token" >&2
  token=''
fi

children=()
cleanup() {
  local pid
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ((demo)); then
  # Built into .data/ and run as a dll, so stopping this script stops it at once (`dotnet run` lingers).
  dotnet build -v q -nologo -o "$ROOT/.data/fake-customerio" "$ROOT/tests/CredentialService.FakeCustomerIo" >/dev/null
  dotnet "$ROOT/.data/fake-customerio/CredentialService.FakeCustomerIo.dll" --demo 5081 5082 &
  children+=($!)
  export CustomerIo__Regions__us__BaseUrl=http://127.0.0.1:5081 CustomerIo__Regions__eu__BaseUrl=http://127.0.0.1:5082
  export CustomerIo__TimeoutSeconds=${CustomerIo__TimeoutSeconds:-5}
fi

dotnet run --project "$PROJECT" --launch-profile http "$@" &
service=$!
children+=("$service")

# Print the token once the service answers, so it is not buried in the start-up log.
for _ in $(seq 1 600); do
  kill -0 "$service" 2>/dev/null || break
  if curl -fsS -o /dev/null "$URL/health/live" 2>/dev/null; then
    cat <<EOF

================================================================================
 Credential Service is up: $URL   (Swagger UI: $URL/swagger, page: $URL/)
 Development token (tenant "demo", all scopes; also in .data/dev-token):

$token

 Swagger UI: Authorize, paste it (without "Bearer "). curl: TOKEN=\$(cat .data/dev-token)
EOF
    if ((demo)); then
      cat <<'EOF'
 Demo mode: Customer.io is the local fake. Demo keys (region -> verdict):
   demo_key_ok (us) -> ok              demo_key_eu_only (eu) -> ok, (us) -> wrong_region
   demo_key_redirect_to_eu (us) -> wrong_region      any other key -> invalid_key
   demo_key_forbidden -> forbidden     demo_key_rate_limited -> rate_limited
   demo_key_upstream_error -> upstream_error        demo_key_timeout -> timeout (5 s)
EOF
    fi
    echo "================================================================================"
    break
  fi
  sleep 0.5
done

rc=0
wait "$service" || rc=$?
exit "$rc"
