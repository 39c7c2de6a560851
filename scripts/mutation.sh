#!/usr/bin/env bash
# Mutation testing (Stryker.NET, the local tool in dotnet-tools.json) of the service code in
# src/CredentialService/{ConnectionTests,Credentials,KeyCustody} against the API tests (tests/CredentialService.Tests;
# never the browser tests). Settings: stryker-config.json at the repo root (see README, "Mutation testing").
# Slow (tens of minutes on 2 cores), so it is NOT part of .ci/run; run it by hand:
#   scripts/mutation.sh                                                   # the three folders
#   scripts/mutation.sh --mutate '**/src/CredentialService/KeyCustody/**/*.cs'   # one folder (replaces the config's list)
# Extra arguments go to dotnet-stryker. Starts a throwaway PostgreSQL 15 like scripts/test.sh and removes it afterwards.
# Reports: artifacts/mutation/<UTC time>/reports/mutation-report.{html,json} (artifacts/ is git-ignored), or
# $MUTATION_OUTPUT. The last lines printed are the score per folder and in total.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# As in scripts/test.sh: the tests start many hosts, each would otherwise take inotify instances.
export DOTNET_hostBuilder__reloadConfigOnChange=false DOTNET_USE_POLLING_FILE_WATCHER=true

dotnet tool restore >/dev/null

source "$ROOT/scripts/postgres.sh"
pg_ensure_binaries
trap pg_stop EXIT   # set before starting so a half-started cluster is cleaned up too
pg_start_throwaway
# Trust auth ignores the password; it is there so the same string works against a real server.
export CREDENTIALS_TEST_CONNECTION_STRING="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=postgres"

out=${MUTATION_OUTPUT:-$ROOT/artifacts/mutation/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
started=$SECONDS
rc=0
# nice: the machine's cores are shared; concurrency comes from stryker-config.json.
nice -n 10 dotnet dotnet-stryker --config-file "$ROOT/stryker-config.json" --output "$out" --skip-version-check "$@" || rc=$?
elapsed=$((SECONDS - started))

report="$out/reports/mutation-report.json"
if [[ ! -f "$report" ]]; then
  echo "dotnet-stryker exited with code $rc and wrote no $report" >&2
  exit 1
fi
echo "report: $out/reports/mutation-report.html"
echo "wall time: $((elapsed / 60)) min $((elapsed % 60)) s (dotnet-stryker exit code $rc)"
# Score = (killed + timeout) / (killed + timeout + survived + no coverage); compile errors and ignored mutants don't count.
if command -v jq >/dev/null; then
  jq -r '
    def folder: (capture("(?:src/CredentialService/|^)(?<f>[^/]+)/").f) // "other";
    [ .files | to_entries[] | (.key | folder) as $f | .value.mutants[] | {f: $f, s: .status} ] as $all
    | ([$all[].f] | unique) + ["total"]
    | .[] as $f
    | [ $all[] | select($f == "total" or .f == $f) | .s ] as $s
    | ($s | map(select(. == "Killed")) | length) as $k
    | ($s | map(select(. == "Timeout")) | length) as $t
    | ($s | map(select(. == "Survived")) | length) as $sv
    | ($s | map(select(. == "NoCoverage")) | length) as $nc
    | ($k + $t + $sv + $nc) as $d
    | "\($f): \(if $d > 0 then ((($k + $t) * 1000 / $d | floor) / 10) else "n/a" end) % (killed \($k), timeout \($t), survived \($sv), no coverage \($nc), ignored/compile error \(($s | length) - $d))"
  ' "$report"
else
  echo "(install jq for the per-folder summary)"
fi
exit "$rc"
