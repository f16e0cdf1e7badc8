"""Benchmark of representatives, indicators and the OMspell/TWED/CHI2/LCP distances.

Usage::

    python bench/bench_trajectories_level2.py              # mvad, mvad5000, growth
    python bench/bench_trajectories_level2.py --no-twed5000  # skip TWED on 5,000

Side by side with ``../shared/data/traminer_level2/timings.csv`` (TraMineR 2.2-12): only
``seqrep`` (criterion density, on mvad) has an R timing there. Representatives are timed
with the dissimilarities given (as R's ``seqrep(seq, diss = d)``); the growth table uses
mvad rows resampled with 10 % of cells mutated (as ``bench_trajectories.py``), and the
100,000 case goes through :func:`sample_representatives` (CLARA style). Compile time is
excluded (first calls printed apart); each figure is the median and minimum of
``--repeat`` runs, with the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_trajectories import enlarged, load, load_avg  # noqa: E402

from observatoire.trajectories import (  # noqa: E402
    distances,
    representatives,
    sample_representatives,
    sequence_indicators,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), out


def r_timing(task: str) -> float | None:
    path = SHARED / "traminer_level2" / "timings.csv"
    if not path.exists():
        return None
    t = pd.read_csv(path)
    row = t[t["task"] == task]
    return float(row["seconds_median"].iloc[0]) if len(row) else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-twed5000", action="store_true")
    args = ap.parse_args()

    import numba

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numba {numba.__version__} ({numba.get_num_threads()} threads)")  # fmt: skip
    print(f"load average at start: {load_avg()}")
    mvad = load("mvad.csv")
    m5 = load("mvad5000.csv")
    t0 = time.perf_counter()
    d712 = distances(mvad, "OM", sm="TRATE", indel=1.0)
    for crit in ("density", "freq", "dist", "mscore", "prob"):
        representatives(mvad, d712, crit)
    sequence_indicators(mvad)
    for kw in (
        {"method": "OMspell", "sm": "TRATE"},
        {"method": "TWED", "sm": "TRATE", "nu": 0.5},
        {"method": "CHI2"},
        {"method": "CHI2", "step": 6},
        {"method": "LCP"},
    ):
        distances(mvad.__class__(mvad.codes[:50], mvad.alphabet, mvad.labels,
                                 mvad.ids[:50], mvad.positions), **kw)  # fmt: skip
    print(f"first calls (compile or cache load): {time.perf_counter() - t0:.1f} s")

    rows = []
    r_rep = r_timing("seqrep_density_diss")
    d5 = distances(m5, "OM", sm="TRATE", indel=1.0)
    for label, seq, d in (("mvad", mvad, d712), ("mvad5000", m5, d5)):
        for crit in ("density", "freq", "dist", "mscore", "prob"):
            med, best, rep = timed(lambda s=seq, d=d, c=crit: representatives(s, d, c),
                                   args.repeat)  # fmt: skip
            r = r_rep if (label == "mvad" and crit == "density") else None
            rows.append((label, seq.n, f"representatives {crit} (d given)", med, best, r,
                         f"{len(rep.index)} reps, coverage {rep.coverage:.4f}"))  # fmt: skip
        med, best, ind = timed(lambda s=seq: sequence_indicators(s, "all"), args.repeat)
        rows.append((label, seq.n, "sequence_indicators all (20)", med, best, None,
                     f"mean Turbn {ind['Turbn'].mean():.10f}"))  # fmt: skip
    del d5
    for label, seq in (("mvad", mvad), ("mvad5000", m5)):
        for name, kw in (
            ("OMspell TRATE", {"method": "OMspell", "sm": "TRATE"}),
            ("TWED TRATE nu .5", {"method": "TWED", "sm": "TRATE", "nu": 0.5}),
            ("CHI2 step 1", {"method": "CHI2"}),
            ("CHI2 step 6", {"method": "CHI2", "step": 6}),
            ("LCP", {"method": "LCP"}),
            ("OM TRATE (for scale)", {"method": "OM", "sm": "TRATE", "indel": 1.0}),
        ):
            if label == "mvad5000" and name.startswith("TWED") and args.no_twed5000:
                continue
            rep = 1 if (label == "mvad5000" and name.startswith(("TWED", "OM "))) else (
                args.repeat)  # fmt: skip
            med, best, d = timed(lambda s=seq, kw=kw: distances(s, **kw), rep)
            iu = np.triu_indices(seq.n, 1)
            rows.append((label, seq.n, f"distances {name}", med, best, None,
                         f"mean {d[iu].mean():.10f}"))  # fmt: skip
            del d
    print(f"load average after: {load_avg()}")
    print("\n| data | n | task | median s | min s | TraMineR s | ratio | check |")
    print("|---|---|---|---|---|---|---|---|")
    for lab, n, task, med, best, r, check in rows:
        rs = f"{r:.3f}" if r else "no R timing"
        ratio = f"{r / med:.1f}x" if r else ""
        print(
            f"| {lab} | {n} | {task} | {med:.4f} | {best:.4f} | {rs} | {ratio} | {check} |"
        )

    print("\n| representatives, growth (density, d given) | n | median s | d bytes |")
    print("|---|---|---|---|")
    for n in (1000, 2000, 5000, 10_000):
        seq = enlarged(n, seed=n)
        d = distances(seq, "HAM")  # the selection cost does not depend on the metric
        med, best, _ = timed(lambda s=seq, d=d: representatives(s, d), 3)
        print(f"| | {n} | {med:.4f} | {d.nbytes / 1e6:.0f} MB |")
        del d
    print(f"load average: {load_avg()}")
    print("\n| sample_representatives (OM TRATE, density) | n | sample | seconds | reps "
          "| coverage of all |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for n, s in ((10_000, 2000), (100_000, 2000), (100_000, 5000)):
        seq = enlarged(n, seed=n)
        t0 = time.perf_counter()
        res = sample_representatives(seq, sample_size=s, seed=1, method="OM", sm="TRATE",
                                     indel=1.0)  # fmt: skip
        dt = time.perf_counter() - t0
        print(
            f"| | {n} | {s} | {dt:.2f} | {len(res.sample.index)} | {res.coverage:.4f} |"
        )
    print(f"load average at end: {load_avg()}")


if __name__ == "__main__":
    main()
