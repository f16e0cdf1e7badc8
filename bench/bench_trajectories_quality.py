"""Benchmark of typology quality and discrepancy analysis against WeightedCluster/TraMineR.

Usage::

    python bench/bench_trajectories_quality.py              # mvad, mvad5000, growth
    python bench/bench_trajectories_quality.py --no-growth  # mvad and mvad5000 only

Side by side with ``../shared/data/traminer_level2/timings.csv`` (R 4.2.2, one thread):
``wcClusterQuality(d, pam(d, 4)$clustering)`` 0.21 s and
``dissassoc(d, mvad$gcse5eq, R = 1000)`` 0.261 s on mvad (OM TRATE distances; the
partition and the distances are not timed, on either side). R = 1000 is our
``permutations=999`` (TraMineR counts the observed grouping as one of the R).

mvad5000 has no R timing: the R figures there are the mvad ones scaled by (5000/712)^2,
both computations being quadratic in n (stated as such in the output).

Growth: cluster quality on n = 1,000 .. 10,000 (HAM distances of resampled mvad; the
matrix is not timed), and for 100,000 the CLARA-style estimate
(:func:`cluster_quality_sampled`: 10 samples of 2,000, OM TRATE distances of each sample
included in the time). Compile time is excluded (one call first); each figure is the
median and the minimum of several runs, wall and CPU (both threads) time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from observatoire.trajectories import (
    clara,
    cluster_quality,
    cluster_quality_sampled,
    define_sequences,
    discrepancy,
    distances,
    pam,
    sequence_tree,
    ward,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ALPHABET = ["employment", "FE", "HE", "joblessness", "school", "training"]
STATES = ["EM", "FE", "HE", "JL", "SC", "TR"]
AREAS = ["Belfast", "N.Eastern", "Southern", "S.Eastern", "Western"]


def _months(df: pd.DataFrame) -> list[str]:
    cols = list(df.columns)
    return cols[cols.index("Jul.93") : cols.index("Jun.99") + 1]


def _mvad() -> pd.DataFrame:
    df = pd.read_csv(SHARED / "mvad.csv", index_col=0)
    onehot = np.column_stack([df[a] == "yes" for a in AREAS])
    df["region"] = pd.Categorical(np.array(AREAS)[onehot.argmax(1)], categories=AREAS)
    return df


def _time(fn, repeat: int) -> tuple[float, float, float]:
    """(median wall s, min wall s, median CPU s) of ``repeat`` runs after a warm-up."""
    fn()
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def _r_timings() -> dict[str, float]:
    path = SHARED / "traminer_level2" / "timings.csv"
    t = pd.read_csv(path)
    return dict(zip(t["task"], t["seconds_median"], strict=True))


def _row(data, n, task, res, r_s=None, note=""):
    med, mn, cpu = res
    ratio = f"{r_s / med:.0f}" if r_s else ""
    r_txt = f"{r_s:.3f}" if r_s else ""
    print(
        f"| {data} | {n:,} | {task} | {med:.4f} | {mn:.4f} | {cpu:.4f} | {r_txt} "
        f"| {ratio} | {note} |",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-growth", action="store_true")
    args = ap.parse_args()
    import numba

    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.processor()}"
        f" {os.cpu_count()} CPUs, numba {numba.__version__}, {numba.get_num_threads()} "
        f"threads, load average {os.getloadavg()}"
    )
    r = _r_timings()
    print("| data | n | task | median s | min s | CPU s | R s | x R | note |")
    print("|---|---|---|---|---|---|---|---|---|")

    df = _mvad()
    seq = define_sequences(df, _months(df), ALPHABET, STATES, id_column="id")
    d = distances(seq, "OM", sm="TRATE", indel=1.0)
    lab4, _ = pam(d, 4)
    rq, rd = r["wcClusterQuality_pam4"], r["dissassoc_R1000_gcse5eq"]
    _row(
        "mvad",
        712,
        "cluster_quality PAM k=4",
        _time(lambda: cluster_quality(d, lab4), args.repeat),
        rq,
    )
    _row("mvad", 712, "discrepancy gcse5eq, 999 perm.",
         _time(lambda: discrepancy(d, df["gcse5eq"], permutations=999, seed=1), args.repeat), rd)  # fmt: skip
    _row("mvad", 712, "discrepancy region (5 groups), 999 perm.",
         _time(lambda: discrepancy(d, df["region"], permutations=999, seed=1), args.repeat))  # fmt: skip
    cov = df[["male", "funemp", "gcse5eq", "Grammar", "region"]]
    _row("mvad", 712, "sequence_tree 5 covariates, depth 3",
         _time(lambda: sequence_tree(seq, d, cov), args.repeat))  # fmt: skip
    print(f"# load average {os.getloadavg()}")

    m5 = pd.read_csv(SHARED / "mvad5000.csv")
    seq5 = define_sequences(m5, _months(m5), ALPHABET, STATES, id_column="id")
    d5 = distances(seq5, "OM", sm="TRATE", indel=1.0)
    lab5 = ward(d5, 4)
    grp5 = df["gcse5eq"].to_numpy()[m5["src_row"].to_numpy() - 1]
    scale = (5000 / 712) ** 2
    rep5 = max(3, args.repeat // 2)
    _row("mvad5000", 5000, "cluster_quality Ward k=4", _time(lambda: cluster_quality(d5, lab5), rep5),
         rq * scale, "R scaled from mvad by (5000/712)^2")  # fmt: skip
    _row("mvad5000", 5000, "discrepancy gcse5eq, 999 perm.",
         _time(lambda: discrepancy(d5, grp5, permutations=999, seed=1), rep5),
         rd * scale, "R scaled from mvad by (5000/712)^2")  # fmt: skip
    d5 = None  # free the 200 MB matrix
    print(f"# load average {os.getloadavg()}")

    if args.no_growth:
        return
    base = seq.codes
    rng = np.random.default_rng(1)
    for n in (1000, 2000, 5000, 10000):
        codes = base[rng.integers(0, base.shape[0], n)].copy()
        mut = rng.random(codes.shape) < 0.10
        codes[mut] = (codes[mut] + rng.integers(1, 6, int(mut.sum()))) % 6
        s = define_sequences(codes, None, list(range(6)))
        dn = distances(s, "HAM")
        labn = ward(dn, 6) if n <= 5000 else rng.integers(1, 7, n)
        _row("resampled", n, "cluster_quality k=6 (HAM matrix given)",
             _time(lambda dn=dn, labn=labn: cluster_quality(dn, labn), 3),
             note=f"matrix {dn.nbytes / 1e9:.2f} GB")  # fmt: skip
        del dn
    n = 100_000
    codes = base[rng.integers(0, base.shape[0], n)].copy()
    mut = rng.random(codes.shape) < 0.10
    codes[mut] = (codes[mut] + rng.integers(1, 6, int(mut.sum()))) % 6
    rows = np.asarray(ALPHABET, dtype=object)[codes]
    s = define_sequences(rows, None, ALPHABET, STATES)
    cl = clara(s, 6, "OM", sm="TRATE", samples=10, sample_size=400, seed=1)
    est = {}

    def sampled():
        est["q"] = cluster_quality_sampled(
            s, cl.labels, "OM", sm="TRATE", sample_size=2000, samples=10, seed=2
        )

    _row("resampled", n, "cluster_quality_sampled, 10 x 2,000 (OM TRATE incl.)",
         _time(sampled, 3), note="full matrix would be 80 GB")  # fmt: skip
    q = est["q"]
    print("# 100,000 CLARA k=6, estimates (mean, sd over 10 samples of 2,000):")
    print(
        "# " + ", ".join(f"{c} {q[c].mean():.4f} ({q[c].std():.4f})" for c in q.columns)
    )
    print(f"# load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
