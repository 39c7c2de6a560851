#!/usr/bin/env bash
# Lints the service's OpenAPI document with Spectral and the OWASP API security ruleset (versions pinned in
# tools/openapi-lint/package-lock.json; rules and the reason for each accepted warning in tools/openapi-lint/.spectral.yaml).
#   scripts/lint-openapi.sh [path/to/swagger.json]
# Without an argument it builds the service and writes the document the running service would serve at
# /swagger/v1/swagger.json, using the Swashbuckle CLI (a local dotnet tool): no database, no running host.
# Exits non-zero when Spectral reports an error; warnings are printed and allowed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LINT="$ROOT/tools/openapi-lint"

if ! command -v npm >/dev/null; then
  echo "Installing nodejs and npm ..." >&2
  apt-get install -y -q nodejs npm >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q nodejs npm >/dev/null; }
fi
# Reinstall only when the lock file changed since the last install.
if ! cmp -s "$LINT/package-lock.json" "$LINT/node_modules/.installed-from-lock" 2>/dev/null; then
  (cd "$LINT" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$LINT/package-lock.json" "$LINT/node_modules/.installed-from-lock"
fi

doc=${1:-}
if [[ -z "$doc" ]]; then
  doc="$ROOT/artifacts/openapi/swagger.json"
  mkdir -p "$(dirname "$doc")"
  dotnet tool restore >/dev/null
  dotnet build src/CredentialService -c Release -v quiet -nologo >/dev/null
  # The app is composed but never started: the connection string only has to be present, not reachable.
  ConnectionStrings__Credentials="Host=unused" ASPNETCORE_ENVIRONMENT=Development \
    dotnet swagger tofile --output "$doc" src/CredentialService/bin/Release/net10.0/CredentialService.dll v1 >/dev/null
fi

echo "Spectral (OWASP API security ruleset) on $doc" >&2
"$LINT/node_modules/.bin/spectral" lint "$doc" --ruleset "$LINT/.spectral.yaml" --fail-severity=error
