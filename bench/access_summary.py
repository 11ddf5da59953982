"""Per-route summary of a gunicorn log, for bench/load.sh: which routes answered what, how fast.

Reads the JSON access lines the app writes (logger ``veille.access``: route, status,
duration_ms) and counts error lines (level error/critical, tracebacks, gunicorn [ERROR] or
[CRITICAL] lines, worker timeouts). Prints a table and, last, ``log.errors=N``. Lines it does not
understand are ignored, so it works (with an empty table) on logs without access lines.

    python bench/access_summary.py GUNICORN_LOG
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter, defaultdict

GUNICORN_ERROR = re.compile(r"\[(ERROR|CRITICAL)\]|WORKER TIMEOUT|^Traceback ")


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def main(path: str) -> int:
    durations: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    errors: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for raw in log:
            line = raw.rstrip("\n")
            record = None
            if line.startswith("{"):
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
            if not isinstance(record, dict):
                if GUNICORN_ERROR.search(line):
                    errors.append(line)
                continue
            if record.get("level") in ("error", "critical") or "exception" in record:
                errors.append(line)
            if record.get("logger") != "veille.access" or "status" not in record:
                continue
            route = f"{record.get('method', '?')} {record.get('route', '?')}"
            statuses[route][int(record["status"])] += 1
            if isinstance(record.get("duration_ms"), int | float):
                durations[route].append(float(record["duration_ms"]))

    if statuses:
        print(
            f"{'route (server side, from the access log)':<52} {'requests':>8} {'non-2xx':>8} "
            f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        )
        for route in sorted(statuses, key=lambda r: -sum(statuses[r].values())):
            counts = statuses[route]
            non_2xx = sum(n for status, n in counts.items() if not 200 <= status <= 299)
            times = sorted(durations[route])
            print(
                f"{route:<52} {sum(counts.values()):>8} {non_2xx:>8} {percentile(times, 50):>8.1f} "
                f"{percentile(times, 99):>8.1f} {(times[-1] if times else 0):>8.1f}"
            )
            for status, n in sorted(counts.items()):
                if not 200 <= status <= 299:
                    print(f"    status {status}: {n}")
    else:
        print("(no JSON access lines in the gunicorn log: no per-route table)")
    for line in errors[:10]:
        print(f"log error: {line[:300]}")
    print(f"log.errors={len(errors)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
