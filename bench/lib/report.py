#!/usr/bin/env python3
"""Build the results table of one bench/run.sh run.

    report.py RUN_DIR

Reads RUN_DIR/raw (wrk JSON, pgbench output and per-transaction logs, CPU deltas) and RUN_DIR/meta.txt
(key<TAB>value lines), writes RUN_DIR/results.md and RUN_DIR/results.json, and prints the markdown.
"""
import glob
import json
import os
import re
import statistics
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def load_pgbench(raw, name):
    text_path = os.path.join(raw, name + ".pgbench.txt")
    if not os.path.exists(text_path):
        return None
    text = open(text_path, encoding="utf-8").read()
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    latencies = []
    for log in glob.glob(os.path.join(raw, name + ".[0-9]*")):
        with open(log, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]))
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": float(tps.group(1)) if tps else 0.0,
        "p50_us": percentile(latencies, 50),
        "p90_us": percentile(latencies, 90),
        "p99_us": percentile(latencies, 99),
        "max_us": latencies[-1] if latencies else 0,
        "mean_us": statistics.fmean(latencies) if latencies else 0,
        "non2xx": int(failed.group(1)) if failed else 0,
        "errors": 0,
    }


def load(raw, name):
    result = None
    path = os.path.join(raw, name + ".json")
    if os.path.exists(path):
        result = json.load(open(path, encoding="utf-8"))
        result["errors"] = sum(result.get(k, 0) for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    else:
        result = load_pgbench(raw, name)
    if result is None:
        return None
    cpu_path = os.path.join(raw, name + ".cpu")
    if os.path.exists(cpu_path):
        svc, pg, busy, total = (int(x) for x in open(cpu_path, encoding="utf-8").read().split())
        seconds = total / CLK_TCK / os.cpu_count() if total else 0
        n = max(result["requests"], 1)
        result["svc_cpu_us_per_req"] = svc / CLK_TCK * 1e6 / n
        result["pg_cpu_us_per_req"] = pg / CLK_TCK * 1e6 / n
        result["svc_cpu_pct"] = 100.0 * svc / CLK_TCK / seconds if seconds else 0
        result["pg_cpu_pct"] = 100.0 * pg / CLK_TCK / seconds if seconds else 0
        result["machine_busy_pct"] = 100.0 * busy / total if total else 0
    return result


def ms(us):
    return f"{us / 1000:.2f}"


def main() -> None:
    run_dir = sys.argv[1]
    raw = os.path.join(run_dir, "raw")
    meta = {}
    meta_path = os.path.join(run_dir, "meta.txt")
    if os.path.exists(meta_path):
        for line in open(meta_path, encoding="utf-8"):
            if "\t" in line:
                k, v = line.rstrip("\n").split("\t", 1)
                meta[k] = v

    r = {name: load(raw, name) for name in [
        "svc_create", "svc_get", "svc_list_first", "svc_list_deep", "svc_test_stored", "svc_test_unsaved",
        "svc_test_stored_c1", "svc_test_unsaved_c1", "svc_proxy", "svc_proxy_c1", "svc_get_proxyrun", "fake_proxyrun", "fake_c1_proxyrun",
        "pg_insert", "pg_select_id", "pg_page_first", "pg_page_deep", "pg_test_stored_c1", "fake", "fake_c1"]}

    conns = meta.get("connections", "32")
    rows = [
        ("create `POST /v1/credentials`", "svc_create", "pgbench insert (event + credential, 1 tx)", "pg_insert", "ratio", 0.40),
        ("get by id `GET /v1/credentials/{id}`", "svc_get", "pgbench select by id", "pg_select_id", "ratio", 0.40),
        ("list first page (limit 50)", "svc_list_first", "pgbench newest-first page", "pg_page_first", "list", 0.50),
        ("list deep page (cursor)", "svc_list_deep", "pgbench deep keyset page", "pg_page_deep", "deep", None),
        ("stored test `POST …/{id}/test`", "svc_test_stored", "wrk → fake Customer.io", "fake", "test", 1.0),
        ("unsaved test `POST …/test`", "svc_test_unsaved", "wrk → fake Customer.io", "fake", "test", 1.0),
        ("stored test, 1 connection", "svc_test_stored_c1", "wrk → fake, 1 connection", "fake_c1", "test", 1.0),
        ("stored test's SQL alone, 1 client (pgbench: read + verdict statement)", "pg_test_stored_c1", "–", None, "floor", None),
        ("unsaved test, 1 connection", "svc_test_unsaved_c1", "wrk → fake, 1 connection", "fake_c1", "test", 1.0),
        ("proxy `GET …/{id}/proxy/v1/workspaces`", "svc_proxy", "wrk → fake Customer.io", "fake_proxyrun", "proxy", None),
        ("proxy, 1 connection", "svc_proxy_c1", "wrk → fake, 1 connection", "fake_c1_proxyrun", "test", 1.0),
    ]

    out = []
    verdicts = {}
    out.append(f"| scenario ({conns} connections unless said) | req/s | p50 ms | p99 ms | baseline | base req/s | base p50 ms "
               f"| base p99 ms | service ÷ baseline (req/s) | target | met? |")
    out.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|")
    for label, sk, blabel, bk, kind, threshold in rows:
        s, b = r.get(sk), r.get(bk)
        if s is None:
            continue
        ratio = s["rps"] / b["rps"] if b and b["rps"] else float("nan")
        target, met = "", ""
        if kind == "ratio" and b:
            target = f"≥ {threshold:.2f}"
            met = ratio >= threshold
        elif kind == "list" and b:
            target = f"≥ {threshold:.2f}; p99 ≤ 25 ms"
            met = ratio >= threshold and s["p99_us"] <= 25_000
        elif kind == "deep" and r.get("svc_list_first"):
            first = r["svc_list_first"]
            target = "≤ first page (req/s ≥ 90 %, p50 ≤ 110 % of first)"
            met = s["rps"] >= 0.9 * first["rps"] and s["p50_us"] <= 1.1 * first["p50_us"]
        elif kind == "proxy" and r.get("svc_get_proxyrun"):
            # A proxied call should cost about what a read costs: compared with GET by id measured next to it.
            read = r["svc_get_proxyrun"]
            target = f"≥ 0.80 × get by id ({read['rps']:.0f} req/s)"
            met = s["rps"] >= 0.8 * read["rps"]
        elif kind == "floor":
            target = f"p50 {s['p50_us'] / 1000:.2f} ms: the SQL's own share of the stored test's +1 ms"
        elif kind == "test" and b:
            delta = (s["p50_us"] - b["p50_us"]) / 1000
            target = f"p50 +{delta:.2f} ms (≤ +1 ms)"
            met = delta <= threshold
        verdicts[sk] = met
        met_text = "" if met == "" else ("**met**" if met else "**MISSED**")
        if b:
            out.append(f"| {label} | {s['rps']:.0f} | {ms(s['p50_us'])} | {ms(s['p99_us'])} | {blabel} | {b['rps']:.0f} | "
                       f"{ms(b['p50_us'])} | {ms(b['p99_us'])} | {ratio:.2f} | {target} | {met_text} |")
        else:
            out.append(f"| {label} | {s['rps']:.0f} | {ms(s['p50_us'])} | {ms(s['p99_us'])} | – | | | | | {target} | {met_text} |")

    rss_kb = int(meta.get("peak_rss_kb", "0") or 0)
    cold = meta.get("cold_start_s", "")
    out.append("")
    out.append("| other measurement | value | target | met? |")
    out.append("|---|---:|---|---|")
    if rss_kb:
        met = rss_kb / 1024 <= 250
        verdicts["peak_rss"] = met
        out.append(f"| service peak RSS (VmHWM, whole run) | {rss_kb / 1024:.0f} MB | ≤ 250 MB | {'**met**' if met else '**MISSED**'} |")
    if cold:
        met = float(cold) <= 1.0
        verdicts["cold_start"] = met
        out.append(f"| cold start to first 200 on /health/ready (migrated database; median of "
                   f"{meta.get('cold_starts_s', cold)} s) | {float(cold):.2f} s | ≤ 1 s | "
                   f"{'**met**' if met else '**MISSED**'} |")
    if cold and meta.get("empty_app_start_s"):
        empty = float(meta["empty_app_start_s"])
        out.append(f"| cold start of an empty ASP.NET Core app published the same way (median of "
                   f"{meta.get('empty_app_starts_s', empty)} s): what any app's start costs on this machine | {empty:.2f} s "
                   f"| – | service ÷ empty app = {float(cold) / empty:.2f} |")
    if meta.get("first_start_s"):
        out.append(f"| first start on an empty database (migrations + key ring) | {float(meta['first_start_s']):.2f} s | – | |")
    if meta.get("seed_seconds"):
        out.append(f"| seeding {int(meta['seed_rows']):,} credentials / {meta['seed_tenants']} tenants (binary COPY, "
                   f"real DataProtection ciphertexts, {meta.get('seed_workers', '?')} workers) | {float(meta['seed_seconds']):.1f} s "
                   f"({float(meta['seed_rows']) / float(meta['seed_seconds']):,.0f} rows/s) | fast bulk path | |")
    if meta.get("vacuum_seconds"):
        out.append(f"| VACUUM ANALYZE + CHECKPOINT after seeding | {float(meta['vacuum_seconds']):.1f} s | – | |")
    if meta.get("table_size"):
        out.append(f"| credentials table + indexes | {meta['table_size']} | – | |")

    out.append("")
    out.append("| run | requests | non-2xx / failed | socket errors | service CPU µs/req | Postgres CPU µs/req "
               "| service CPU % | Postgres CPU % | machine busy % |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, v in r.items():
        if v is None:
            continue
        out.append(f"| {name} | {v['requests']} | {v['non2xx']} | {v['errors']} | {v.get('svc_cpu_us_per_req', 0):.0f} | "
                   f"{v.get('pg_cpu_us_per_req', 0):.0f} | {v.get('svc_cpu_pct', 0):.0f} | {v.get('pg_cpu_pct', 0):.0f} | "
                   f"{v.get('machine_busy_pct', 0):.0f} |")

    text = "\n".join(out) + "\n"
    with open(os.path.join(run_dir, "results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(run_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "results": r, "verdicts": verdicts}, f, indent=2)
    print(text)


if __name__ == "__main__":
    main()
