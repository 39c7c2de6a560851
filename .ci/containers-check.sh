#!/usr/bin/env bash
# CI: run the project's Dockerfile, docker-compose.yml and the Testcontainers path of the API tests for real.
#   .ci/containers-check.sh COUNTS_FILE
# Prepares an engine (scripts/containers.sh: podman + stand-in images when no real engine/registry), then
#   1. builds the image from the Dockerfile (docker-compose build);
#   2. docker compose up WITHOUT USER_JWTS_SIGNING_KEY: the service must stop at start naming the setting;
#   3. mints a token the documented way (dotnet user-jwts + USER_JWTS_SIGNING_KEY from user secrets), compose up,
#      checks from outside: /health/ready, create -> list -> test against the fake Customer.io; down -v;
#   4. the same stack with docker-compose.certificate.yml (Production, key ring encrypted by a certificate):
#      ready, create + test, the key ring's XML in Postgres is certificate-encrypted; down -v;
#   5. the API tests (tests/CredentialService.Tests) once through Testcontainers (no connection string),
#      results in TestResults/testcontainers.
# Everything it starts is stopped and removed at the end, whatever happened. Writes "passed failed" of its own checks
# to COUNTS_FILE (the test results are .trx files); prints the time each step took.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
counts_file=${1:-/dev/null}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
passed=0 failed=0
check() {   # check "what" command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "  ok    $what" >&2
  else failed=$((failed + 1)); echo "  FAIL  $what" >&2; return 1; fi
}
step_started=$SECONDS
step() { echo "containers-check: $1 (previous step: $((SECONDS - step_started)) s)" >&2; step_started=$SECONDS; }
# The docker CLI talks to podman's API when present; without it, podman's own CLI answers the same questions.
command -v docker >/dev/null || docker() { podman "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/containers-check.XXXXXX)
project=credsvc-ci-$$
compose=(docker-compose -p "$project")
compose_cert=(docker-compose -p "$project" -f docker-compose.yml -f docker-compose.certificate.yml)
fake_pid=''
appsettings=src/CredentialService/appsettings.Development.json
cp "$appsettings" "$work/appsettings.Development.json"

cleanup() {
  step "cleanup"
  "${compose_cert[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  [[ -n "$fake_pid" ]] && { kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; }
  if command -v podman >/dev/null; then
    local left
    left=$(podman ps -aq --filter label=org.testcontainers=true 2>/dev/null)
    [[ -n "$left" ]] && podman rm -f $left >/dev/null 2>&1
    podman image rm -f "${project}_credential-service" >/dev/null 2>&1 || true
  fi
  cp "$work/appsettings.Development.json" "$appsettings"   # user-jwts adds the audience it was given
  rm -rf "$work"
  "$ROOT/scripts/containers.sh" --stop >/dev/null 2>&1 || true
  echo "$passed $failed" >"$counts_file"
}
trap cleanup EXIT

step "prepare the container engine (scripts/containers.sh)"
if ! engine=$("$ROOT/scripts/containers.sh"); then
  check "container engine prepared" false; exit 1
fi
eval "$engine"
export DOCKER_HOST TESTCONTAINERS_RYUK_DISABLED
export CREDENTIAL_SERVICE_PORT
CREDENTIAL_SERVICE_PORT=$(free_port)
base=http://localhost:$CREDENTIAL_SERVICE_PORT

step "build the image from the Dockerfile"
check "docker-compose build (Dockerfile)" "${compose[@]}" build -q credential-service >"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log" >&2; exit 1; }

# The fake Customer.io, reachable from containers (host.containers.internal / host.docker.internal).
# (Its dll is run directly: `dotnet run` lingers after a SIGTERM.)
dotnet build -v q -nologo -o "$work/fake" tests/CredentialService.FakeCustomerIo >/dev/null
us_port=$(free_port) eu_port=$(free_port)
FAKE_CUSTOMERIO_HOST=0.0.0.0 dotnet "$work/fake/CredentialService.FakeCustomerIo.dll" --demo "$us_port" "$eu_port" \
  >"$work/fake.log" 2>&1 &
fake_pid=$!
host_alias=host.containers.internal
command -v podman >/dev/null && [[ "$DOCKER_HOST" == *podman* ]] || host_alias=host.docker.internal
export CUSTOMERIO_US_BASE_URL=http://$host_alias:$us_port CUSTOMERIO_EU_BASE_URL=http://$host_alias:$eu_port
# The fake is plain http on the host, not loopback as seen from the container: the Production (certificate) stack
# refuses that unless told this is a test stack.
export CUSTOMERIO_ALLOW_PLAIN_HTTP=true

wait_ready() {   # wait_ready SECONDS: /health/ready answers 200 from outside
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null && return 0
    sleep 1
  done
  return 1
}
service_logs() { "${compose[@]}" logs --no-color credential-service 2>&1 | tail -n 40 >&2; }

step "compose up without USER_JWTS_SIGNING_KEY: must stop naming the setting"
unset USER_JWTS_SIGNING_KEY
"${compose[@]}" up -d >"$work/up0.log" 2>&1
stopped_naming_key() {
  local i
  for i in $(seq 1 90); do
    if [[ "$(docker inspect -f '{{.State.Running}}' "${project}_credential-service_1" 2>/dev/null)" == false ]]; then
      local logs   # (not piped into grep -q: under pipefail its early exit fails the pipe)
      logs=$("${compose[@]}" logs --no-color credential-service 2>&1)
      grep -q 'Authentication:Schemes:Bearer:SigningKeys:0:Value' <<<"$logs" && return 0
      service_logs; return 1
    fi
    sleep 1
  done
  service_logs; return 1
}
check "without a signing key the service stops at start, naming the setting" stopped_naming_key

step "mint a token the documented way (dotnet user-jwts, USER_JWTS_SIGNING_KEY from user secrets)"
token=$(dotnet user-jwts create --project src/CredentialService --audience "$base" --name ci --claim tenant_id=ci \
  --scope credentials:read --scope credentials:write --scope credentials:test -o token | tail -n1)
USER_JWTS_SIGNING_KEY=$(dotnet user-secrets list --project src/CredentialService |
  sed -n 's/^Authentication:Schemes:Bearer:SigningKeys:0:Value = //p')
export USER_JWTS_SIGNING_KEY
check "token and signing key minted" test -n "$token" -a -n "$USER_JWTS_SIGNING_KEY"

auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
drive() {   # create -> list -> test (ok and wrong_region) through HTTP from outside
  local label=$1 created id answer
  created=$(curl -fsS "${auth[@]}" "$base/v1/credentials" \
    -d '{"name":"CI '"$label"'","appApiKey":"demo_key_eu_only","region":"us"}') || return 1
  id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$created") || return 1
  answer=$(curl -fsS "${auth[@]}" "$base/v1/credentials") || return 1
  grep -q "\"$id\"" <<<"$answer" || { echo "list lacks $id: $answer" >&2; return 1; }
  answer=$(curl -fsS "${auth[@]}" -X POST "$base/v1/credentials/$id/test") || return 1
  grep -q '"outcome":"wrong_region"' <<<"$answer" || { echo "stored test: $answer" >&2; return 1; }
  answer=$(curl -fsS "${auth[@]}" "$base/v1/credentials/test" -d '{"appApiKey":"demo_key_ok","region":"us"}') || return 1
  grep -q '"outcome":"ok"' <<<"$answer" || { echo "unsaved test: $answer" >&2; return 1; }
}

step "compose up (Development, user-jwts key) and drive it from outside"
"${compose[@]}" up -d >"$work/up1.log" 2>&1 || cat "$work/up1.log" >&2
check "/health/ready 200 from outside" wait_ready 180 || service_logs
check "compose healthcheck reports healthy" bash -c \
  "for i in \$(seq 1 30); do [[ \$(docker inspect -f '{{.State.Health.Status}}' ${project}_credential-service_1) == healthy ]] && exit 0; sleep 1; done; exit 1"
check "runs as non-root (uid 1654) on a read-only root filesystem" bash -c \
  "[[ \$(docker inspect -f '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}' ${project}_credential-service_1) =~ ^(1654|app)\ true$ ]]"
check "create -> list -> test against the fake Customer.io" drive development || service_logs
step "compose down -v"
check "docker compose down -v" "${compose[@]}" down -v >/dev/null 2>&1

step "compose up with docker-compose.certificate.yml (Production, certificate-protected key ring)"
mkdir -p "$work/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=credential-service-ci-keyring \
  -keyout "$work/certs/key.pem" -out "$work/certs/cert.pem" >/dev/null 2>&1
chgrp 1654 "$work/certs/key.pem" && chmod 640 "$work/certs/key.pem"
chmod 755 "$work" "$work/certs"
export DATAPROTECTION_CERTIFICATE_DIR=$work/certs
"${compose_cert[@]}" up -d >"$work/up2.log" 2>&1 || cat "$work/up2.log" >&2
check "/health/ready 200 with the certificate" wait_ready 180 || service_logs
check "create -> list -> test (Production)" drive production || service_logs
keyring_encrypted() {
  local xml
  xml=$("${compose_cert[@]}" exec -T postgres psql -U postgres -d credentials -Atc 'select xml from data_protection_keys') || return 1
  [[ -n "$xml" ]] && grep -q 'encryptedSecret' <<<"$xml" && grep -q 'X509Certificate' <<<"$xml" && ! grep -q '<masterKey' <<<"$xml"
}
check "the key ring in Postgres is encrypted with the certificate" keyring_encrypted
check "docker compose down -v (certificate stack)" "${compose_cert[@]}" down -v >/dev/null 2>&1

step "API tests through Testcontainers (no connection string)"
CREDENTIALS_TEST_DATABASE=testcontainers TEST_RESULTS_DIR="$ROOT/TestResults/testcontainers" \
  "$ROOT/scripts/test.sh" --filter "FullyQualifiedName~CredentialService.Tests." >"$work/testcontainers.log" 2>&1
tc_rc=$?
tail -n 1 "$work/testcontainers.log" | sed 's/^/  Testcontainers run: /' >&2
[[ $tc_rc -eq 0 ]] || tail -n 40 "$work/testcontainers.log" >&2
check "no Testcontainers container left behind" bash -c '[[ -z "$(docker ps -aq --filter label=org.testcontainers=true)" ]]'
step "done"
((failed == 0))
