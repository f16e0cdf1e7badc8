"""Benchmark of observatoire.trajectories: distances (OM, HAM, DHD) and CLARA.

Usage::

    python bench/bench_trajectories.py            # mvad, mvad5000, HAM 10k, CLARA 1k..100k
    python bench/bench_trajectories.py --om10k    # also OM TRATE on 10,000 sequences
    python bench/bench_trajectories.py --clara-one 100000   # one CLARA run (used internally)

Reads ``../shared/data/mvad.csv`` and ``mvad5000.csv``. Larger sets are mvad rows resampled
with replacement and 10 % of cells mutated to another state (seeded, numpy RNG; the same
recipe as the TraMineR README but not the same draws). Compile time is excluded from the
timings and printed separately; each figure is the median (and minimum) of several runs.
CLARA runs in a fresh process per n so that its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from observatoire.trajectories import clara, define_sequences, distances

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ALPHABET = ["employment", "FE", "HE", "joblessness", "school", "training"]
STATES = ["EM", "FE", "HE", "JL", "SC", "TR"]


def _months(df: pd.DataFrame) -> list[str]:
    cols = list(df.columns)
    return cols[cols.index("Jul.93") : cols.index("Jun.99") + 1]


def load(name: str):
    df = pd.read_csv(SHARED / name)
    return define_sequences(df, _months(df), ALPHABET, STATES)


def enlarged(n: int, months: int = 72, seed: int = 1):
    """n mvad rows drawn with replacement, 10 % of cells mutated to another state."""
    df = pd.read_csv(SHARED / "mvad.csv", index_col=0)
    base = define_sequences(df, _months(df), ALPHABET, STATES).codes[:, :months]
    rng = np.random.default_rng(seed)
    codes = base[rng.integers(0, base.shape[0], n)].copy()
    mut = rng.random(codes.shape) < 0.10
    codes[mut] = (codes[mut] + rng.integers(1, 6, int(mut.sum()))) % 6
    rows = np.asarray(ALPHABET, dtype=object)[codes]
    return define_sequences(rows, None, ALPHABET, STATES)


def timed(fn, repeat: int):
    """Median and minimum wall time, median CPU time (all threads) of ``repeat`` calls."""
    times, cpus, out = [], [], None
    for _ in range(repeat):
        out = None
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(times), min(times), statistics.median(cpus), out


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_avg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def clara_one(n: int) -> None:
    seq = enlarged(n, months=36, seed=n)
    clara(enlarged(200, months=36, seed=0), 2, "OM", sm="TRATE", samples=1)  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    res = clara(seq, 6, "OM", sm="TRATE", samples=10, sample_size=400, seed=1)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    sizes = np.bincount(res.labels)[1:].tolist()
    print(
        f"CLARA {n} {dt:.2f} {cpu:.2f} {peak_rss_mb():.0f} "
        f"{res.mean_dissimilarity:.4f} {sizes}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--om10k", action="store_true")
    ap.add_argument("--clara-one", type=int)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.clara_one:
        clara_one(args.clara_one)
        return

    import numba

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numba {numba.__version__} ({numba.get_num_threads()} threads)")  # fmt: skip
    print(f"load average at start: {load_avg()}")
    small = load("mvad.csv")
    t0 = time.perf_counter()
    distances(small, "OM", sm="TRATE")
    distances(small, "HAM")
    distances(small, "DHD")
    print(f"first calls (compile or cache load): {time.perf_counter() - t0:.1f} s")

    rows = []
    for label, seq in [("mvad", small), ("mvad5000", load("mvad5000.csv"))]:
        for method, kw in [("OM TRATE", {"sm": "TRATE"}), ("HAM", {}), ("DHD", {})]:
            m = method.split()[0]
            med, best, cpu, d = timed(
                lambda s=seq, m=m, kw=kw: distances(s, m, **kw), args.repeat
            )
            iu = np.triu_indices(seq.n, 1)
            rows.append((label, seq.n, method, med, best, cpu, d[iu].mean(), d[0, 1]))
            del d
    big = enlarged(10_000)
    med, best, cpu, d = timed(lambda: distances(big, "HAM"), args.repeat)
    rows.append(("resampled", big.n, "HAM", med, best, cpu, float("nan"), d[0, 1]))
    del d
    if args.om10k:
        med, best, cpu, d = timed(lambda: distances(big, "OM", sm="TRATE"), 1)
        rows.append(("resampled", big.n, "OM TRATE", med, best, cpu, np.nan, d[0, 1]))
        del d
    print(
        "\n| data | n | method | median s | min s | CPU s (both threads) "
        "| mean d (lower triangle) | d[1,2] |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} "
            f"| {r[6]:.10f} | {r[7]:.10f} |"
        )
    print(f"load average after distances: {load_avg()}")

    print("\n| CLARA n (36 months, k = 6, 10 samples of 400) | seconds | CPU s | "
          "peak RSS MB | mean dissimilarity | cluster sizes |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for n in (1000, 2000, 5000, 10_000, 100_000):
        out = subprocess.run(
            [sys.executable, __file__, "--clara-one", str(n)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        _, nn, sec, cpu, rss, crit, sizes = out.stdout.strip().split(" ", 6)
        print(f"| {nn} | {sec} | {cpu} | {rss} | {crit} | {sizes} |")
    print(f"load average at end: {load_avg()}")


if __name__ == "__main__":
    main()
