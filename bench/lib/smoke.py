#!/usr/bin/env python3
"""One request per scenario before measuring: a benchmark of error responses measures nothing.

    smoke.py SERVICE_URL FAKE_URL DATA_DIR FIRST_PAGE_SIZE DEEP_PAGE_SIZE
"""
import json
import sys
import urllib.request


def call(base, method, line, body=None):
    bearer, path = line.rstrip("\n").split("\t")
    request = urllib.request.Request(base + path, method=method, data=body)
    request.add_header("Accept", "application/json")
    if bearer:
        request.add_header("Authorization", "Bearer " + bearer)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"null")


def first_line(data_dir, name):
    with open(f"{data_dir}/{name}.tsv", encoding="utf-8") as f:
        return f.readline()


def main() -> int:
    service, fake, data_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    page_sizes = {"list_first": int(sys.argv[4]), "list_deep": int(sys.argv[5])}
    key = b'"0123456789abcdef0123456789abcdef"'
    checks = {
        "get": lambda: call(service, "GET", first_line(data_dir, "get")),
        "list_first": lambda: call(service, "GET", first_line(data_dir, "list_first")),
        "list_deep": lambda: call(service, "GET", first_line(data_dir, "list_deep")),
        "create": lambda: call(service, "POST", first_line(data_dir, "create"),
                               b'{"name":"smoke","appApiKey":' + key + b',"region":"us"}'),
        "test_stored": lambda: call(service, "POST", first_line(data_dir, "test_stored")),
        "test_unsaved": lambda: call(service, "POST", first_line(data_dir, "test_unsaved"), b'{"appApiKey":' + key + b'}'),
        "fake": lambda: call(fake, "GET", first_line(data_dir, "fake")),
        "proxy": lambda: call(service, "GET", first_line(data_dir, "proxy")),
    }
    failed = 0
    for name, check in checks.items():
        try:
            status, body = check()
            ok = status in (200, 201)
            if name.startswith("list"):
                ok = ok and len(body["items"]) == page_sizes[name]
            if name.startswith("test_"):
                ok = ok and body["outcome"] == "ok"
            print(f"  smoke {name:13s} {status} {'ok' if ok else 'UNEXPECTED: ' + json.dumps(body)[:300]}")
            failed += 0 if ok else 1
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            print(f"  smoke {name:13s} FAILED: {e}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
