#!/usr/bin/env python3
"""Summarises a perf.data of the service (bench/run.sh --trace): self time by assembly/library, and the inclusive
time of chosen pipeline stages. Usage: perf_summary.py RUN.perf.data"""
import re, subprocess, sys, collections

data = sys.argv[1]
def report(*args):
    return subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none", "--percent-limit", "0", *args],
                          capture_output=True, text=True).stdout.splitlines()

by_owner = collections.Counter()
for line in report("--no-children", "--sort", "dso,sym"):
    m = re.match(r"^\s+([\d.]+)%\s+(.+?)\s{2,}\[(.)\]\s+(.*)$", line)
    if not m: continue
    pct, dso, sym = float(m.group(1)), m.group(2).strip(), m.group(4)
    asm = re.search(r"\[([A-Za-z0-9_.]+)\] ", sym)
    if dso.startswith("[JIT]") or asm:
        owner = f"managed {asm.group(1)}" if asm else "managed (unnamed)"
    else:
        owner = dso
    by_owner[owner] += pct
print("self time by owner (% of the service's CPU samples)")
for owner, pct in by_owner.most_common(25):
    print(f"  {pct:6.2f}%  {owner}")

stages = {
    "Kestrel connection loop": "HttpProtocol::ProcessRequests",
    "authentication (JwtBearerHandler)": "JwtBearerHandler::HandleAuthenticateAsync",
    "token validation (JsonWebTokenHandler)": "JsonWebTokenHandler::ValidateTokenAsync",
    "authorization": "AuthorizationMiddleware::Invoke",
    "endpoint (route handler)": "RequestDelegateFactory",
    "EF query execution": "SingleQueryingEnumerable",
    "EF SaveChanges": "DbContext::SaveChangesAsync",
    "Npgsql command execution": "NpgsqlCommand::ExecuteReader",
    "shared rate limiter": "SharedRateLimiter::AcquireAsync",
    "JSON response writing": "HttpResultsHelper::WriteResultAsJsonAsync",
    "DataProtection": "KeyRingBasedDataProtector",
    "YARP forwarding": "HttpForwarder::SendAsync",
    "static files / default files": "StaticFileMiddleware::Invoke",
    "logging": "Logger::Log",
    "GC": "GCHeap",
    "JIT (libclrjit)": "libclrjit",
}
children = report("--children", "--sort", "sym")
print("\ninclusive time of pipeline stages (first matching symbol, % of samples)")
for label, needle in stages.items():
    best = 0.0
    for line in children:
        if needle in line:
            m = re.match(r"^\s+([\d.]+)%", line)
            if m: best = max(best, float(m.group(1)))
    if needle == "libclrjit": best = by_owner.get("libclrjit.so", 0.0)
    print(f"  {best:6.2f}%  {label}")
