#!/usr/bin/env bash
# Mutation testing (Stryker.NET, the local tool in dotnet-tools.json) of the service code in
# src/CredentialService/{ConnectionTests,Credentials,KeyCustody} against the API tests (tests/CredentialService.Tests;
# never the browser tests). Settings: stryker-config.json at the repo root (see README, "Mutation testing").
# Slow (tens of minutes on 2 cores), so it is NOT part of .ci/run; run it by hand:
#   scripts/mutation.sh                  # the three folders, with the union of their test filters below
#   scripts/mutation.sh ConnectionTests  # one folder (ConnectionTests, Credentials or KeyCustody): its files, its tests
# Further arguments go to dotnet-stryker (e.g. --mutate GLOB, which replaces the folder's list).
# Starts a throwaway PostgreSQL 15 like scripts/test.sh and removes it afterwards.
# Reports: artifacts/mutation/<UTC time>-<folder>/reports/mutation-report.{html,json} (artifacts/ is git-ignored), or
# $MUTATION_OUTPUT. The last lines printed are the wall time and the score per folder and in total.
# MUTATION_NEW_TESTS=REGEX (on test file paths) also prints the score without those tests, from the same run: it
# adds --disable-bail, so that killedBy lists every test that failed, and a mutant counts as killed "without them"
# only when some other test killed it (how README's before -> after scores were measured).
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

# Which tests each folder's mutants run. Coverage analysis (perTest) already runs, for each mutant, only the tests
# that executed its code; but almost every API test creates a credential, so the create path alone would drag the
# whole suite (~300 tests, ~8 min a pass here) through every mutant. Each folder is mutated against the test classes
# written for it and the single tests of other classes that clearly test it (named below); a mutant that only some
# other test would kill counts as survived (the score is a lower bound).
declare -A FILTERS=(
  [ConnectionTests]='FullyQualifiedName~.ConnectionTestsTests.|FullyQualifiedName~.ConnectionTestsHostTests.|FullyQualifiedName~.ConnectionVerdictEdgeCaseTests.|FullyQualifiedName~.WorkspacesTests.|FullyQualifiedName~.ListFilterTests.|FullyQualifiedName~Plain_http_Customer_io_base_urls|FullyQualifiedName~.SharedRateLimitTests.The_per_tenant_test_limit|FullyQualifiedName~.StartupTests.A_bad_setting_stops_the_start|FullyQualifiedName~.TelemetryTests.Metrics_count_connection_tests|FullyQualifiedName~.SmallThingsTests.Trace_ids_are_not_sent_to_Customer_io|FullyQualifiedName~.PrintingTests.|FullyQualifiedName~.CustomerIoOptionsTests.|FullyQualifiedName~.SharedRateLimitTests.A_stored_test_of|FullyQualifiedName~.CredentialListEdgeCaseTests.Each_bad_list_parameter'
  [Credentials]='FullyQualifiedName~.CredentialsCreateAndReadTests.|FullyQualifiedName~.CredentialsValidationTests.|FullyQualifiedName~.CredentialLifecycleTests.|FullyQualifiedName~.TenantIsolationAndPagingTests.|FullyQualifiedName~.CredentialListEdgeCaseTests.|FullyQualifiedName~.IdempotencyTests.|FullyQualifiedName~.SearchAndLimitsTests.|FullyQualifiedName~.TenantRequestLimitTests.|FullyQualifiedName~.ListFilterTests.|FullyQualifiedName~.SecretsAtRestTests.|FullyQualifiedName~.UsagesTests.Deleting_a_credential_in_use|FullyQualifiedName~.UsagesTests.A_credential_whose_usages_were_removed|FullyQualifiedName~.SmallThingsTests.The_version_counts_the_writes|FullyQualifiedName~.ClaimsTests.Control_characters_in_q|FullyQualifiedName~.IdempotencyHardeningTests.A_replay_after_the_credential_was_deleted|FullyQualifiedName~.PrintingTests.|FullyQualifiedName~.OpenApiConstraintsTests.'
  [KeyCustody]='FullyQualifiedName~.Tests.KeyCustody.|FullyQualifiedName~.KeyCompromiseTests.|FullyQualifiedName~.SecretsAtRestTests.|FullyQualifiedName~.CredentialLifecycleTests.|FullyQualifiedName~.CredentialListEdgeCaseTests.|FullyQualifiedName~A_Trace_level_log_with_an_unprotected_key_ring'
)
folder=all
filter="${FILTERS[ConnectionTests]}|${FILTERS[Credentials]}|${FILTERS[KeyCustody]}"
args=()
if [[ $# -gt 0 && $1 != -* ]]; then
  folder=$1; shift
  [[ -n "${FILTERS[$folder]:-}" ]] || { echo "unknown folder '$folder' (ConnectionTests, Credentials, KeyCustody)" >&2; exit 2; }
  filter=${FILTERS[$folder]}
  # A --mutate of the caller's (e.g. a span of lines: 'FILE.cs{62..162}') replaces the folder's glob.
  [[ " $* " == *" --mutate "* || " $* " == *" -m "* ]] || args+=(--mutate "**/src/CredentialService/$folder/**/*.cs")
fi
args+=(--test-case-filter "${MUTATION_TEST_FILTER:-$filter}")
[[ -z "${MUTATION_NEW_TESTS:-}" ]] || args+=(--disable-bail)

out=${MUTATION_OUTPUT:-$ROOT/artifacts/mutation/$(date -u +%Y%m%dT%H%M%SZ)-$folder}
mkdir -p "$out"
started=$SECONDS
rc=0
# nice: the machine's cores are shared; concurrency comes from stryker-config.json.
# From the test project's folder: at the root Stryker sees CredentialService.sln and runs in solution context, which
# takes every test project (the browser tests too) and refuses a test-project list.
(cd "$ROOT/tests/CredentialService.Tests" &&
  nice -n 10 dotnet dotnet-stryker --config-file "$ROOT/stryker-config.json" --output "$out" --skip-version-check "${args[@]}" "$@") || rc=$?
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
    [ .files | to_entries[] | (.key | folder) as $f | select($f | IN("ConnectionTests", "Credentials", "KeyCustody")) | .value.mutants[] | {f: $f, s: .status} ] as $all
    | ([$all[].f] | unique) + ["total"]
    | .[] as $f
    | [ $all[] | select($f == "total" or .f == $f) | .s ] as $s
    | ($s | map(select(. == "Killed")) | length) as $k
    | ($s | map(select(. == "Timeout")) | length) as $t
    | ($s | map(select(. == "Survived")) | length) as $sv
    | ($s | map(select(. == "NoCoverage")) | length) as $nc
    | ($k + $t + $sv + $nc) as $d
    | ($s | map(select(. == "CompileError")) | length) as $ce
    | select($d + $ce > 0)
    | "\($f): \(if $d > 0 then ((($k + $t) * 1000 / $d | floor) / 10) else "n/a" end) % (killed \($k), timeout \($t), survived \($sv), no coverage \($nc), compile error \($ce))"
  ' "$report"
  [[ -z "${MUTATION_NEW_TESTS:-}" ]] || jq -r --arg new "$MUTATION_NEW_TESTS" -f "$ROOT/scripts/mutation-without.jq" "$report"
else
  echo "(install jq for the per-folder summary)"
fi
exit "$rc"
