#!/usr/bin/env bash
# THE run command: scripts/run.sh [extra dotnet run args]
# Runs the service on http://localhost:5080 (launch profile "http", Development).
# Uses $ConnectionStrings__Credentials if set; otherwise starts (once) a local PostgreSQL 15
# whose data persists in .data/postgres (git-ignored) on 127.0.0.1:55432, database "credentials".
# That Postgres keeps running after the service exits (fast restarts); stop it with:
#   scripts/run.sh --stop-db
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PG_LOCAL_DIR="$ROOT/.data/postgres"
PG_LOCAL_PORT=55432

source "$ROOT/scripts/postgres.sh"

if [[ "${1:-}" == "--stop-db" ]]; then
  pg_stop "$PG_LOCAL_DIR"
  echo "Stopped local PostgreSQL ($PG_LOCAL_DIR); data is kept. Delete .data/ to reset it."
  exit 0
fi

if [[ -z "${ConnectionStrings__Credentials:-}" ]]; then
  pg_ensure_binaries
  pg_start_persistent "$PG_LOCAL_DIR" "$PG_LOCAL_PORT"
  psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_LOCAL_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
  if [[ -z "$("${psql[@]}" -c "select 1 from pg_database where datname = 'credentials'")" ]]; then
    "${psql[@]}" -c "create database credentials"
  fi
  echo "Using local PostgreSQL on 127.0.0.1:$PG_LOCAL_PORT (stop it with: scripts/run.sh --stop-db)"
  # Trust auth on 127.0.0.1 only, so no password is needed.
  export ConnectionStrings__Credentials="Host=127.0.0.1;Port=$PG_LOCAL_PORT;Username=postgres;Database=credentials"
fi

exec dotnet run --project "$ROOT/src/CredentialService" --launch-profile http "$@"
