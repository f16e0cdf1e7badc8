"""Benchmark: loading and validating three years of the warehouse at scale 1.

The issue's target: ``data.load`` (read, type, check every contract rule,
reconcile) of the 2022-2024 warehouse at scale 1 in under 15 s. The extract is
generated into a temporary directory (seed 2024), unless ``--data`` names one;
each load runs in a fresh child process that reports its wall time, CPU time
(user + system, imports included: a figure less sensitive to other jobs), peak
resident memory, rows read and rows rejected (0 expected on generated data).

Usage::

    python bench/bench_load.py                    # best of 3, Parquet
    python bench/bench_load.py --format csv --repeat 1
    python bench/bench_load.py --data data/entrepot
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from observatoire import data
t0 = time.perf_counter()
wh = data.load(sys.argv[1])
elapsed = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
peak_kb = usage.ru_maxrss
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({
    "seconds": elapsed,
    "peak_mb": peak_kb / 1024, "cpu_s": cpu,
    "rows": int(wh.reconciliation["lignes_lues"].sum()),
    "rejected": int(wh.n_rejected),
}))
"""


def _load(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="existing extract (default: generate one)")
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = None
    if args.data:
        path = Path(args.data)
    else:
        from observatoire import synthetic

        tmp = Path(tempfile.mkdtemp(prefix="bench_load_"))
        path = synthetic.generate(tmp, scale=args.scale, fmt=args.format)
    try:
        runs = []
        for _ in range(args.repeat):
            load = os.getloadavg()[0]
            runs.append(_load(path) | {"load": load})
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    best = min(runs, key=lambda r: r["seconds"])
    source = args.data or f"generated, scale {args.scale:g}, 2022-2024, {args.format}"
    times = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    loads = ", ".join(f"{r['load']:.2f}" for r in runs)
    print(
        f"data.load ({source}): best {best['seconds']:.1f} s "
        f"(runs: {times}; CPU time of the best {best['cpu_s']:.1f} s), "
        f"peak RSS {max(r['peak_mb'] for r in runs):,.0f} MB, "
        f"{best['rows']:,} rows read, {best['rejected']} rejected; load average "
        f"at start {loads} (2 vCPU)"
    )


if __name__ == "__main__":
    main()
