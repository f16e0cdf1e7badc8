"""Benchmark: the full report batch against notebooks that only import.

The issue's target: the full batch (43 ML reports + regional + monthly +
trajectories + animation review) on 2 cores takes at most 1.25x the time of
executing the same number of notebooks that only import the same libraries,
measured in the same run. The baseline goes through the same machinery
(``run_batch``: Papermill in one process, same number of kernels at a time, HTML
export, index, manifest) with notebooks reduced to their parameter cell and the
imports, so the difference is what our reports compute and draw, including the
shared step (data load, indicators, disclosure, trajectories, evaluation).

Usage: ``python bench/bench_batch.py [--data data/entrepot] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = (
    "import numpy as np\n"
    "import pandas as pd\n"
    "import matplotlib\n"
    "from matplotlib.figure import Figure\n"
    "from observatoire import reports\n"
    "from observatoire.reports import sections"
)


def _import_only_notebooks(target: Path) -> Path:
    """Copies of the report notebooks keeping only the parameters and imports."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        nb.cells = params + [nbformat.v4.new_code_cell(IMPORTS)]
        nbformat.write(nb, target / path.name)
    return target


def _run(params_path: Path, notebooks: Path | None, jobs: int) -> tuple[float, int]:
    from observatoire import reports

    params = reports.load_params(params_path, jobs=jobs)
    t0 = time.perf_counter()
    result = reports.run_batch(params, notebooks_dir=notebooks, progress=False)
    elapsed = time.perf_counter() - t0
    if result.failed:
        raise SystemExit(f"batch failed: {result.summary()}")
    return elapsed, len(result.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "entrepot"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in ("complet", "imports"):
            (tmp / f"{name}.yaml").write_text(
                f"run: {name}\ndata: {args.data}\noutput_dir: {tmp / 'sorties'}\n",
                encoding="utf-8",
            )
        baseline_nbs = _import_only_notebooks(tmp / "notebooks_imports")
        # the baseline reuses a warm cache: it measures the notebooks alone
        t_base, n_base = _run(tmp / "imports.yaml", baseline_nbs, args.jobs)
        t_base, n_base = _run(tmp / "imports.yaml", baseline_nbs, args.jobs)
        shutil.rmtree(tmp / "sorties" / "complet", ignore_errors=True)
        t_full, n_full = _run(tmp / "complet.yaml", None, args.jobs)
    print(f"machine: {os.cpu_count()} cores; jobs: {args.jobs}; data: {args.data}")
    print(f"import-only notebooks ({n_base}): {t_base:6.1f} s")
    print(f"full batch, cold cache ({n_full}): {t_full:6.1f} s")
    print(f"ratio: {t_full / t_base:.2f} (target <= 1.25)")


if __name__ == "__main__":
    main()
