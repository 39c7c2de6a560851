#!/usr/bin/env python3
"""Poll URL every 10 ms until it answers 200; print the seconds elapsed since START_NS (time.time_ns() epoch).

    wait_ready.py URL START_NS TIMEOUT_SECONDS [PID]

Exits 1 on timeout, or as soon as PID (the process being waited for) has exited.
"""
import os
import sys
import time
import urllib.error
import urllib.request


def main() -> int:
    url, start_ns, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    pid = int(sys.argv[4]) if len(sys.argv) > 4 else None
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    print(f"{(time.time_ns() - start_ns) / 1e9:.3f}")
                    return 0
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if pid is not None and not os.path.exists(f"/proc/{pid}"):
            print(f"process {pid} exited before {url} was ready", file=sys.stderr)
            return 1
        time.sleep(0.01)
    print(f"{url} not ready after {timeout} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
