#!/usr/bin/env python3
"""Before/after table of two or more bench/run.sh results: bench/lib/compare.py LABEL=DIR [LABEL=DIR ...]
Each run's ratios are against the baselines measured in that same run (pgbench, wrk against the fake)."""
import json, sys

runs = []
for arg in sys.argv[1:]:
    label, path = arg.split("=", 1)
    runs.append((label, json.load(open(f"{path}/results.json"))["results"]))

rows = [  # scenario, service run, baseline run, kind
    ("get by id", "svc_get", "pg_select_id", "ratio"),
    ("list first page", "svc_list_first", "pg_page_first", "ratio"),
    ("list deep page", "svc_list_deep", "pg_page_deep", "ratio"),
    ("create", "svc_create", "pg_insert", "ratio"),
    ("unsaved test, 32 conn.", "svc_test_unsaved", "fake", "added"),
    ("stored test, 32 conn.", "svc_test_stored", "fake", "added"),
    ("unsaved test, 1 conn.", "svc_test_unsaved_c1", "fake_c1", "added"),
    ("stored test, 1 conn.", "svc_test_stored_c1", "fake_c1", "added"),
    ("stored test's SQL alone, 1 client (pgbench)", "pg_test_stored_c1", None, "floor"),
    ("proxy, 32 conn. (÷ get by id)", "svc_proxy", "svc_get_proxyrun", "ratio"),
    ("proxy, 1 conn.", "svc_proxy_c1", "fake_c1_proxyrun", "added"),
]

def cell(results, svc, base, kind):
    s, b = results.get(svc), results.get(base)
    if kind == "floor":
        return f"p50 {s['p50_us'] / 1000:.2f} ms" if s else "–"
    if not s or not b:
        return "–"
    if kind == "ratio":
        return f"{s['rps']:,.0f}/s ÷ {b['rps']:,.0f}/s = **{s['rps'] / b['rps']:.2f}**; p99 {s['p99_us'] / 1000:.1f} ms"
    return f"p50 {s['p50_us'] / 1000:.2f} ms, **+{(s['p50_us'] - b['p50_us']) / 1000:.2f} ms** over the fake"

def cpu(results, svc):
    s = results.get(svc)
    return f"{s['svc_cpu_us_per_req']:.0f} / {s['pg_cpu_us_per_req']:.0f}" if s else "–"

print("| scenario | " + " | ".join(label for label, _ in runs) + " | service / Postgres CPU µs per request: " +
      " → ".join(label for label, _ in runs) + " |")
print("|---|" + "---|" * len(runs) + "---|")
for name, svc, base, kind in rows:
    if not any(svc in r for _, r in runs):
        continue
    print(f"| {name} | " + " | ".join(cell(r, svc, base, kind) for _, r in runs) + " | " +
          " → ".join(cpu(r, svc) for _, r in runs) + " |")
