"""Benchmark: every annual and monthly contract indicator of three years.

The issue's targets: all annual and monthly indicators of 3 years (for each
year, ``compute(year)`` and ``compute(year, monthly=True)``) in under 10 s at
scale 1, and under 90 s and 8 GB at scale 12. In the same run the plain pandas
implementation of the same definitions (``indicators._reference``) computes the
same tables; the bench checks they agree and prints the time ratio.

Loading the extract is timed apart (it is ``data.load``'s cost, not the
indicators'); the peak memory printed is the whole process (load included).

Usage::

    python bench/bench_indicators.py --data data/entrepot
    observatoire generate --out /tmp/entrepot_s12 --scale 12
    python bench/bench_indicators.py --data /tmp/entrepot_s12 --no-reference
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

from observatoire import data, disclosure, indicators
from observatoire.indicators._reference import compute_reference


def _memory_gb(field: str) -> float:
    """VmHWM (peak) or VmRSS (current) of this process, in GB (Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024**2
    return float("nan")


def _reset_peak() -> None:
    """Start a new VmHWM measurement (Linux: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _all_tables(fn, wh, years: list[int]) -> tuple[float, float, list[pd.DataFrame]]:
    """Wall and CPU seconds of every annual and monthly table of ``years``."""
    t0, c0 = time.perf_counter(), time.process_time()
    tables = []
    for year in years:
        tables.append(fn(wh, year))
        tables.append(fn(wh, year, monthly=True))
    return time.perf_counter() - t0, time.process_time() - c0, tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/entrepot")
    parser.add_argument("--years", default="2022-2024")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the pandas reference"
    )
    parser.add_argument("--repeat", type=int, default=2, help="best of N (fast)")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    years = list(range(first, last + 1))

    print(f"load average: {os.getloadavg()[0]:.2f} (2 vCPU)")
    t0 = time.perf_counter()
    wh = data.load(args.data)
    load_peak = _memory_gb("VmHWM")
    print(
        f"data.load {args.data}: {time.perf_counter() - t0:.1f} s, "
        f"{len(wh.evenements):,} events, {len(wh.situations):,} situations; "
        f"peak RSS {load_peak:.2f} GB, then {_memory_gb('VmRSS'):.2f} GB"
    )
    _reset_peak()

    fast_times, fast_cpu = [], []
    for _ in range(args.repeat):
        elapsed, cpu, fast = _all_tables(indicators.compute, wh, years)
        fast_times.append(elapsed)
        fast_cpu.append(cpu)
    fast_s = min(fast_times)
    rows = sum(len(t) for t in fast)
    print(
        f"compute, {len(years)} years annual + monthly: {fast_s:.2f} s wall, "
        f"{min(fast_cpu):.2f} s CPU (runs: {', '.join(f'{t:.2f}' for t in fast_times)}; "
        f"the first run encodes the events), {rows} rows"
    )

    t0 = time.perf_counter()
    n_masked = sum(disclosure.protect(t).n_masked for t in fast)
    print(
        f"disclosure.protect of those tables: {time.perf_counter() - t0:.2f} s "
        f"({n_masked} count cells masked)"
    )

    t0 = time.perf_counter()
    for year in years:
        disclosure.protect_figures(indicators.key_figures(wh, year))
        disclosure.protect_figures(indicators.monthly_followup(wh, year))
    print(
        f"key_figures + monthly_followup (all months), protected, {len(years)} years: "
        f"{time.perf_counter() - t0:.2f} s"
    )

    if not args.no_reference:
        ref_s, ref_cpu, reference = _all_tables(compute_reference, wh, years)
        for a, b in zip(fast, reference, strict=True):
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
        print(
            f"pandas reference, same tables: {ref_s:.2f} s wall, {ref_cpu:.2f} s CPU; "
            f"identical results; ratio reference / fast = {ref_s / fast_s:.1f} (wall), "
            f"{ref_cpu / min(fast_cpu):.1f} (CPU)"
        )
    peak = _memory_gb("VmHWM")
    print(
        f"peak RSS after data.load (warehouse resident, indicators): {peak:.2f} GB; "
        f"whole process, load included: {max(peak, load_peak):.2f} GB"
    )


if __name__ == "__main__":
    main()
