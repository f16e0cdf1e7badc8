"""Benchmark: the full report batch against its import-only floor, and re-runs.

Targets (issue #18), measured in one run and interleaved so that the load of a
shared machine weighs on both sides alike:

- the full batch (43 ML reports + regional + monthly + trajectories + animation
  review) from a cold cache, on warm kernels, takes at most 1.0x the *floor*:
  the same 47 notebooks reduced to their parameter cell and their imports,
  executed the naive way (a fresh kernel per notebook, the batch as it was
  before the kernel pool), on a warm shared cache;
- a second run with nothing changed takes under 10 s;
- with one notebook changed, only its reports run.

Also printed: time per report, peak memory of the batch (main process, kernels
and the forked typology worker, summed, sampled every 0.1 s), and where the
time goes (shared step, per-report cells grouped by the section they call,
HTML export), read from the manifest and the executed notebooks.

Usage: ``python bench/bench_batch.py [--data data/entrepot] [--jobs 2] [--rounds 2]
[--fresh]`` (``--fresh`` also times the full batch on fresh kernels).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import tempfile
import threading
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


class _PeakMemory:
    """Peak of the summed RSS of this process and all its descendants."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                procs = [self._me, *self._me.children(recursive=True)]
            except psutil.Error:
                procs = [self._me]
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its reaped children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


CPU: dict[str, tuple[float, float]] = {}


def _run(params_path: Path, notebooks: Path | None, label: str = "", **kw):
    from observatoire import reports

    params = reports.load_params(params_path)
    cpu0 = _cpu()
    t0 = time.perf_counter()
    with _PeakMemory() as mem:
        result = reports.run_batch(
            params, notebooks_dir=notebooks, progress=False, **kw
        )
    elapsed = time.perf_counter() - t0
    cpu1 = _cpu()
    if label:
        CPU[label] = (cpu1[0] - cpu0[0], cpu1[1] - cpu0[1])
    if result.failed:
        raise SystemExit(f"batch failed: {result.summary()}")
    return elapsed, result, mem.peak


def _cpu_line(label: str) -> str:
    main_s, kids_s = CPU[label]
    return (
        f"CPU {main_s + kids_s:.1f} s (batch process {main_s:.1f}, kernels and "
        f"workers {kids_s:.1f})"
    )


def _uptime() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True).stdout
    return out.strip().split("load average:")[-1].strip()


_CALL = re.compile(r"^\s*(?:[\w.]+\s*=\s*)?([A-Za-z_][\w.]*)\(", re.M)


class _SharedLog(logging.Handler):
    """Durations the shared step logs (data load, each part, the whole step)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.parts: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        msg, args = record.msg, record.args or ()
        if msg.startswith("shared input %s computed in"):
            self.parts[f"shared step: {args[0]}"] = float(args[1])
        elif msg.startswith("data: ") and args:
            self.parts["shared step: data load"] = float(args[-1])
        elif msg.startswith("shared inputs: %d tables computed"):
            self.parts["shared step: computed (after the load)"] = float(args[1])
        elif msg.startswith("figures drawn once"):
            self.parts["shared step: ML figures drawn (worker)"] = float(args[1])
            self.parts["shared step: ML figures drawn (batch process)"] = float(args[2])
            self.parts["shared step: waiting for the figures worker"] = float(args[3])


SHARED_LOG = _SharedLog()


def _profile(run_dir: Path) -> None:
    """Where the time of a run went, from its manifest and executed notebooks."""
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    timings = manifest.get("timings_s", {})
    entries = [e for e in manifest["reports"] if not e.get("reused")]
    execute = sum(e.get("execute_s", 0) for e in entries)
    export = sum(e.get("export_s", 0) for e in entries)
    cells: collections.Counter[str] = collections.Counter()
    for e in entries:
        nb = nbformat.read(run_dir / e["notebook"], as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            duration = cell.metadata.get("papermill", {}).get("duration") or 0.0
            tags = cell.metadata.get("tags", [])
            if "injected-parameters" in tags or "parameters" in tags:
                label = "parameters cells"
            else:
                calls = _CALL.findall(cell.source)
                label = calls[-1] if calls else "other cells"
                label = re.sub(r"^(s|reports\.sections)\.", "sections.", label)
            cells[f"{e['kind']}: {label}"] += duration
    in_cells = sum(cells.values())
    print(f"  shared step (wall): {timings.get('shared', float('nan')):6.1f} s")
    print(f"  reports phase (wall): {timings.get('reports', float('nan')):6.1f} s")
    print(
        f"  summed over {len(entries)} reports (CPU-bound, 2 at a time): "
        f"execute {execute:.1f} s (cells {in_cells:.1f} s, the rest parameters "
        f"injection, notebook write, reset), HTML export {export:.1f} s"
    )
    print("  largest cell costs, summed over the reports:")
    for label, seconds in cells.most_common(8):
        print(f"    {seconds:6.1f} s  {label}")
    parts = dict(SHARED_LOG.parts)
    if parts:
        print("  the shared step's parts (as it logs them):")
        for label, seconds in sorted(parts.items(), key=lambda kv: -kv[1]):
            print(f"    {seconds:6.1f} s  {label}")
    # the three largest costs of the run, each a single thing one could speed up
    costs = {f"cells {label}": seconds for label, seconds in cells.items()}
    costs["HTML export (summed over the reports)"] = export
    costs.update(
        (k, v)
        for k, v in parts.items()
        if k != "shared step: computed (after the load)"
    )
    top = sorted(costs.items(), key=lambda kv: -kv[1])[:3]
    print(
        "  three largest costs: "
        + "; ".join(f"{label} {seconds:.1f} s" for label, seconds in top)
    )


def _changed_copy(source: Path, target: Path, kind: str) -> Path:
    """A copy of the notebooks of ``source``, with a markdown cell added to ``kind``."""
    shutil.copytree(source, target)
    path = target / f"{kind}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("*Note ajoutée par l'analyste.*"))
    nbformat.write(nb, path)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "entrepot"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.root.handlers:  # the shared step's INFO: not printed
        handler.setLevel(logging.WARNING)
    for name in ("observatoire.reports._shared", "observatoire.reports._cache"):
        logging.getLogger(name).setLevel(logging.INFO)
        logging.getLogger(name).addHandler(SHARED_LOG)
    print(f"machine: {os.cpu_count()} cores; jobs: {args.jobs}; data: {args.data}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = tmp / "sorties"
        for name in ("complet", "imports", "frais"):
            (tmp / f"{name}.yaml").write_text(
                f"run: {name}\ndata: {args.data}\noutput_dir: {out}\n"
                f"jobs: {args.jobs}\n",
                encoding="utf-8",
            )
        floor_nbs = _import_only_notebooks(tmp / "notebooks_imports")
        # the floor runs on a warm shared cache: it measures the notebooks alone
        _run(tmp / "imports.yaml", floor_nbs, force=True, fresh_kernels=True)
        ratios = []
        for n in range(1, args.rounds + 1):
            load0 = _uptime()
            t_floor, res_floor, _ = _run(
                tmp / "imports.yaml",
                floor_nbs,
                "floor",
                force=True,
                fresh_kernels=True,
            )
            shutil.rmtree(out / "complet", ignore_errors=True)
            t_full, res_full, peak = _run(tmp / "complet.yaml", None, "full")
            load1 = _uptime()
            n_rep = len(res_full.results)
            ratios.append(t_full / t_floor)
            print(f"round {n} (load {load0} -> {load1}):")
            print(
                f"  import-only floor, fresh kernels ({len(res_floor.results)}): "
                f"{t_floor:6.1f} s ({t_floor / len(res_floor.results):.2f} s/report), "
                + _cpu_line("floor")
            )
            print(
                f"  full batch, cold cache, warm kernels ({n_rep}): {t_full:6.1f} s "
                f"({t_full / n_rep:.2f} s/report), peak memory {peak / 2**30:.2f} GiB, "
                + _cpu_line("full")
            )
            print(f"  ratio: {t_full / t_floor:.2f} (target <= 1.0)")
            cpu_ratio = sum(CPU["full"]) / sum(CPU["floor"])
            print(f"  CPU ratio (less sensitive to the load): {cpu_ratio:.2f}")
            if args.fresh:
                shutil.rmtree(out / "frais", ignore_errors=True)
                t_fresh, _, peak_f = _run(
                    tmp / "frais.yaml", None, "fresh", fresh_kernels=True
                )
                print(
                    f"  full batch, cold cache, fresh kernels: {t_fresh:6.1f} s, "
                    f"peak memory {peak_f / 2**30:.2f} GiB, " + _cpu_line("fresh")
                )
        print("profile of the last full batch:")
        _profile(out / "complet")

        t_again, res_again, _ = _run(tmp / "complet.yaml", None)
        print(
            f"second run, nothing changed: {t_again:.1f} s "
            f"({len(res_again.reused)} of {len(res_again.results)} reused; "
            f"load {_uptime()})"
        )
        changed = _changed_copy(ROOT / "notebooks", tmp / "nb1", "suivi_mensuel")
        t_one, res_one, _ = _run(tmp / "complet.yaml", changed)
        ran = [r.name for r in res_one.results if r.name not in res_one.reused]
        print(
            f"one notebook changed (suivi_mensuel): {t_one:.1f} s, ran {ran} "
            f"({len(res_one.reused)} reused; load {_uptime()})"
        )
        changed_ml = _changed_copy(changed, tmp / "nb2", "rapport_mission_locale")
        t_ml, res_ml, _ = _run(tmp / "complet.yaml", changed_ml)
        ran_ml = [r.name for r in res_ml.results if r.name not in res_ml.reused]
        print(
            f"one notebook changed (rapport_mission_locale): {t_ml:.1f} s, ran "
            f"{len(ran_ml)} reports ({len(res_ml.reused)} reused; load {_uptime()})"
        )
    print("ratios: " + ", ".join(f"{r:.2f}" for r in ratios))


if __name__ == "__main__":
    main()
