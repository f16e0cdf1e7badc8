"""Stand-in report notebooks and run parameters shared by the batch tests.

The engine, fault and reuse tests (``test_engine.py``, ``test_batch_faults.py``,
``test_reuse.py``) run the batch on notebooks that carry a report kind's name
and its ``parameters`` cell but only a few lines of code, so that each run
costs seconds; the real notebooks are exercised by ``test_reports.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

#: the Mission Locales of the stand-in runs
MLS = ["ML16A", "ML33A", "ML87A"]

#: the ``parameters`` cell of the report notebooks (what the batch injects into)
PARAMETERS = (
    "code_ml = None\nyear = 'auto'\nmonth = 'auto'\ndata = None\n"
    "cache_dir = None\ndisclosure_threshold = 5\ntitle = ''"
)

#: the stand-in Mission Locale report: reads the batch cache, shows its title
REPORT = """\
from observatoire import reports
rep = reports.open_report(cache_dir=cache_dir, code_ml=code_ml)
reports.sections.title(rep, "rapport_mission_locale", code_ml)
"""


def write_notebook(
    folder: Path,
    *cells: str,
    kind: str = "rapport_mission_locale",
    note: str | None = None,
) -> Path:
    """Write ``<folder>/<kind>.ipynb``: the parameters cell, ``cells``, a markdown ``note``.

    Returns ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    if note:
        nb.cells.append(nbformat.v4.new_markdown_cell(note))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, folder / f"{kind}.ipynb")
    return folder


def write_params(folder: Path, extract: Path, run: str, **extra: object) -> Path:
    """Write ``<folder>/<run>.yaml``: the Mission Locale reports of :data:`MLS`.

    Two kernels, outputs under ``<folder>/sorties``; ``extra`` overrides.
    """
    raw = {
        "run": run,
        "data": str(extract),
        "mls": MLS,
        "reports": ["rapport_mission_locale"],
        "output_dir": str(folder / "sorties"),
        "jobs": 2,
        **extra,
    }
    path = folder / f"{run}.yaml"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def read_manifest(run_dir: Path) -> dict:
    """A run's ``manifest.json``."""
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
