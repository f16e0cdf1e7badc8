"""Benchmark: generating the synthetic warehouse at scale 1 and scale 12.

The issue's targets: three years (2022-2024) at scale 1 in under 60 s; at
scale 12 (about the national network, 1.1 M young people accompanied a year)
in under 10 min with a peak memory under 8 GB. Each generation runs in a child
process that reports its own wall time, CPU time (user + system, imports
included: less sensitive to other jobs on the machine) and peak resident memory
(``getrusage(RUSAGE_SELF).ru_maxrss``); the output goes to a temporary
directory, deleted afterwards. For scale 12 the bench also counts, with
pyarrow over the Parquet files, the young people interviewed in the middle year.

Usage::

    python bench/bench_synthetic.py                 # scale 1 (best of 2), then 12
    python bench/bench_synthetic.py --scales 1 --repeat 3
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
from observatoire import synthetic
args = json.loads(sys.argv[1])
t0 = time.perf_counter()
synthetic.generate(args["out"], scale=args["scale"], years=tuple(args["years"]),
                   seed=args["seed"], fmt=args["fmt"])
elapsed = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
peak_kb = usage.ru_maxrss
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024, "cpu_s": cpu}))
"""


def _generate(out: Path, scale: float, years: tuple[int, int], fmt: str) -> dict:
    args = {"out": str(out), "scale": scale, "years": years, "seed": 2024, "fmt": fmt}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(args)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _accompanied(out: Path, year: int) -> tuple[int, int]:
    """Distinct young people with an individual interview in ``year``, interviews.

    Counted with pyarrow over the Parquet file, apart from the package's own
    pandas/numba counting, as a cross-check of the generator's calibration.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(
        out / "evenements.parquet",
        columns=["id_jeune", "date_evenement"],
        filters=[("type_evenement", "=", "entretien_individuel")],
    )
    in_year = table.filter(pc.equal(pc.year(table["date_evenement"]), year))
    people = pc.count_distinct(in_year["id_jeune"]).as_py()
    return int(people), in_year.num_rows


def _size_mb(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.iterdir()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,12", help="comma-separated scales")
    parser.add_argument("--years", default="2022-2024")
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument("--repeat", type=int, default=2, help="runs at scale <= 1")
    parser.add_argument("--tmp", default=tempfile.gettempdir(), help="where to write")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    mid = (first + last) // 2

    for scale in (float(s) for s in args.scales.split(",")):
        runs = []
        for _ in range(args.repeat if scale <= 1 else 1):
            out = Path(
                tempfile.mkdtemp(prefix=f"bench_synth_s{scale:g}_", dir=args.tmp)
            )
            try:
                load = os.getloadavg()[0]
                res = _generate(out, scale, (first, last), args.format)
                res["load"] = load
                res["size_mb"] = _size_mb(out)
                if scale > 1 and args.format == "parquet":
                    res["accompanied"], res["interviews"] = _accompanied(out, mid)
                runs.append(res)
            finally:
                shutil.rmtree(out, ignore_errors=True)
        best = min(runs, key=lambda r: r["seconds"])
        times = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        loads = ", ".join(f"{r['load']:.2f}" for r in runs)
        print(
            f"scale {scale:g}, {first}-{last}, {args.format}: best {best['seconds']:.1f} s "
            f"(runs: {times}; CPU {best['cpu_s']:.1f} s), peak RSS {max(r['peak_mb'] for r in runs):,.0f} MB, "
            f"{best['size_mb']:.0f} MB written, load average at start "
            f"{loads} (2 vCPU)"
        )
        if "accompanied" in best:
            print(
                f"  {mid}: {best['accompanied']:,} young people accompanied, "
                f"{best['interviews']:,} individual interviews"
            )


if __name__ == "__main__":
    main()
