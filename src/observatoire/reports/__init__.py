"""Reports: the notebooks of the observatory, run in batch to French HTML pages.

Batch side (the ``observatoire batch`` command):

- :func:`load_params` reads and checks a run's YAML file into :class:`RunParams`;
- :func:`run_batch` computes the shared inputs once, executes every notebook
  with Papermill, exports the HTML, writes ``index.html`` and ``manifest.json``.

Notebook side (what the cells of ``notebooks/*.ipynb`` call):

- :func:`open_report` returns the report's inputs, from the batch cache when
  given ``cache_dir``, else computed from the extract;
- :mod:`observatoire.reports.sections` builds each section (tables, figures,
  reading guides) as displayable HTML.

Imports are lazy so a notebook kernel loads only pandas, matplotlib and the
few modules it uses, never Papermill or nbconvert.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "KINDS",
    "REPORT_KINDS",
    "RunParams",
    "check_against_warehouse",
    "default_data_dir",
    "export_html",
    "load_params",
    "open_report",
    "run_batch",
    "sections",
]

_LAZY = {
    "KINDS": "._kinds",
    "REPORT_KINDS": "._params",
    "RunParams": "._params",
    "load_params": "._params",
    "check_against_warehouse": "._params",
    "run_batch": "._batch",
    "export_html": "._html",
    "open_report": "._cache",
    "default_data_dir": "._cache",
    "sections": ".sections",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = module if name == "sections" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
