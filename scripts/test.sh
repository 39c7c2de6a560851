#!/usr/bin/env bash
# THE test command: scripts/test.sh [extra dotnet test args, e.g. --filter Name~Foo]
# Uses $CREDENTIALS_TEST_CONNECTION_STRING (a server connection; tests create their own
# databases) if set, otherwise starts a throwaway local PostgreSQL 15 and removes it afterwards.
# The last line printed is "N passed, M failed"; exit code is non-zero on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The tests start many hosts; each would take inotify instances (a per-user limit of 128 here, shared with every
# other process of the user) to watch appsettings*.json and wwwroot. Nothing changes those files during a run.
export DOTNET_hostBuilder__reloadConfigOnChange=false DOTNET_USE_POLLING_FILE_WATCHER=true

# CREDENTIALS_TEST_DATABASE=testcontainers: no connection string, so the fixture starts postgres:15 with
# Testcontainers (needs DOCKER_HOST; .ci/containers-check.sh does this once per CI run).
if [[ "${CREDENTIALS_TEST_DATABASE:-}" == testcontainers ]]; then
  unset CREDENTIALS_TEST_CONNECTION_STRING
elif [[ -z "${CREDENTIALS_TEST_CONNECTION_STRING:-}" ]]; then
  source "$ROOT/scripts/postgres.sh"
  pg_ensure_binaries
  trap pg_stop EXIT   # set before starting so a half-started cluster is cleaned up too
  pg_start_throwaway
  # Trust auth ignores the password; it is there so the same string works against a real server.
  export CREDENTIALS_TEST_CONNECTION_STRING="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=postgres"
fi

results="${TEST_RESULTS_DIR:-$ROOT/TestResults}"
rm -rf "$results"   # only count this run's .trx files

rc=0
dotnet test CredentialService.sln -c Release --logger "trx" --results-directory "$results" "$@" || rc=$?
[[ $rc -eq 0 ]] || echo "dotnet test exited with code $rc" >&2

# Prints the summary line last (pg_stop in the EXIT trap is silent).
summary_rc=0
"$ROOT/scripts/trx-summary.sh" "$results" || summary_rc=$?
[[ $rc -eq 0 && $summary_rc -eq 0 ]]
