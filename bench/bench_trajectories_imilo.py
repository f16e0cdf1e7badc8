"""Benchmark: iMilo trajectories of a cohort year, then its typology.

The issue's target: ``from_warehouse`` on a cohort year at scale 1 (about 37,000
young people x 24 months) in a few seconds, vectorised; the typology
(``cohort_typology``: TRATE costs, OM on a seeded sample of 2,000, PAM for k = 3..8
with silhouettes, nearest-medoid assignment of the whole cohort, names, profiles,
ML shares) on the same cohort.

Loading the extract is timed apart (``data.load``'s cost). numba compile time is
excluded: one warm-up call first (on disk cache afterwards). Each figure is the
median (and minimum) of ``--repeat`` runs.

Usage::

    python bench/bench_trajectories_imilo.py [--data data/entrepot] [--year 2022]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time

from observatoire import data
from observatoire.trajectories import cohort_typology, from_warehouse, plot_index


def _timed(fn, repeat: int) -> tuple[float, float, float, object]:
    """Median and min wall time, median CPU time (both threads) and the result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), min(times), statistics.median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/entrepot")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    t0 = time.perf_counter()
    wh = data.load(args.data)
    print(f"data.load: {time.perf_counter() - t0:.1f} s ({len(wh.jeunes):,} jeunes)")

    from_warehouse(wh, args.year, months=3)  # warm-up (numba cache)
    med, best, cpu, seq = _timed(lambda: from_warehouse(wh, args.year), args.repeat)
    print(
        f"from_warehouse({args.year}): {seq.n:,} sequences x {seq.length} months: "
        f"median {med:.2f} s, min {best:.2f} s, CPU {cpu:.2f} s"
    )

    med, best, cpu, ty = _timed(lambda: cohort_typology(wh, args.year), args.repeat)
    print(
        f"cohort_typology({args.year}): median {med:.1f} s, min {best:.1f} s, "
        f"CPU {cpu:.1f} s; "
        f"k = {ty.k}, silhouette {ty.silhouette:.3f} on {len(ty.sample):,}"
    )
    print(ty.silhouette_by_k.to_string(index=False))
    for g, name in ty.group_names.items():
        print(f"  {g}. {name}: {(ty.labels == g).mean():.1%}")

    t0 = time.perf_counter()
    plot_index(ty).savefig(os.devnull, format="png", dpi=110)
    print(f"plot_index of {ty.n:,} rows, rendered: {time.perf_counter() - t0:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory (whole process, load included): {peak:.2f} GB")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
