"""Kernel side of the warm-kernel pool: what runs inside a kept kernel.

A warm kernel (see :mod:`._engine`) imports the libraries once, with
:func:`preload`, then executes many reports. Before each report the engine runs
``%reset -f`` and :func:`restore`, so the report starts from the state a fresh
kernel would have after the same imports.

Why ``%reset -f`` plus a restore of process state, rather than running the cells
in a fresh dict namespace: the cells must run as IPython runs them (display of
the last expression, magics, tracebacks, execution counts), so the namespace has
to stay IPython's own ``user_ns``; ``%reset -f`` is IPython's supported way to
empty it (and its output history) while keeping ``sys.modules``, which is the
whole point of a warm kernel. What a namespace reset cannot see is state held by
the modules themselves; the pieces a report can reasonably change (matplotlib's
rcParams and open figures, pandas options, warning filters and their "once"
registries, the working directory, ``sys.path``, environment variables, the
locale, the random generators, the root logger) are snapshotted after the
imports and put back before every report. A report that monkeypatches a library
is beyond this: run such notebooks with fresh kernels
(``run_batch(..., fresh_kernels=True)``).

This module must stay cheap to import: it is imported by every warm kernel.
"""

from __future__ import annotations

import copy
import gc
import importlib
import io
import locale
import logging
import os
import random
import sys
import warnings
from typing import Any

from . import _inputs

#: what the report notebooks import; a warm kernel imports it once
PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "observatoire.reports",
    "observatoire.animation",
    "observatoire.data",
)

#: process state taken after the preload, put back before every report
_SNAPSHOT: dict[str, Any] = {}


def preload() -> None:
    """Import the report libraries, draw one figure, snapshot the state.

    The figure pays matplotlib's first-draw costs (font cache, Agg renderer)
    once per kernel instead of once per report; it changes no setting.
    """
    for name in PRELOAD:
        importlib.import_module(name)
    # lazy: this module stays cheap to import (see the module doc)
    from matplotlib.figure import Figure

    from observatoire.reports import sections  # noqa: F401 - lazy attribute

    fig = Figure(figsize=(2, 1), dpi=50)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="é")
    ax.set_title("Préchauffage 12,5 %")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    del fig, ax
    snapshot()
    # what the preload built lives as long as the kernel: keep it out of every
    # later garbage collection (CPython's gc.freeze, made for warm workers), so
    # that the collections during and between reports scan only their objects
    gc.collect()
    gc.freeze()


def snapshot() -> None:
    """Record the process state that :func:`restore` puts back."""
    _SNAPSHOT.clear()
    _SNAPSHOT.update(
        cwd=os.getcwd(),
        path=list(sys.path),
        environ=dict(os.environ),
        filters=list(warnings.filters),
        locale=locale.setlocale(locale.LC_ALL),
        root_level=logging.root.level,
        root_handlers=list(logging.root.handlers),
    )
    if "matplotlib" in sys.modules:
        # lazy: only when a report loaded it (checked above)
        import matplotlib

        _SNAPSHOT["rcparams"] = dict(matplotlib.rcParams.copy())
    if "pandas" in sys.modules:
        _SNAPSHOT["pandas"] = _pandas_options()


def restore() -> None:
    """Put back the state of :func:`snapshot`; start the next report clean."""
    snap = _SNAPSHOT
    if not snap:
        return
    _restore_libraries(snap)
    os.chdir(snap["cwd"])
    sys.path[:] = snap["path"]
    if dict(os.environ) != snap["environ"]:
        os.environ.clear()
        os.environ.update(snap["environ"])
    warnings.filters[:] = snap["filters"]
    # forget which warnings were shown "once": a fresh kernel shows them again
    getattr(warnings, "_filters_mutated", lambda: None)()
    if locale.setlocale(locale.LC_ALL) != snap["locale"]:
        locale.setlocale(locale.LC_ALL, snap["locale"])
    logging.root.setLevel(snap["root_level"])
    logging.root.handlers[:] = snap["root_handlers"]
    # a fresh kernel seeds its generators from the system: so does the next report
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    _inputs.tables_read.clear()
    shell = _ipython()
    if shell is not None:
        shell.execution_count = 1
    # no gc.collect() here: %reset already runs one (in its output-cache flush),
    # a second full collection would cost ~0.1 s a report for nothing; cyclic
    # garbage left by this report (figures) goes at the next reset at the latest


def _restore_libraries(snap: dict[str, Any]) -> None:
    """matplotlib (open figures, rcParams) and pandas (options)."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "rcparams" in snap:
        # lazy: only when a report loaded it (checked above)
        import matplotlib

        # as matplotlib's own rc_context does: no validation, no warnings
        dict.update(matplotlib.rcParams, snap["rcparams"])
    if "pandas" in snap and _pandas_options() != snap["pandas"]:
        # lazy: only when a report loaded it (checked above)
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in snap["pandas"].items():
                if pd.get_option(key) != value:
                    pd.set_option(key, copy.deepcopy(value))


def tables_read() -> list[str]:
    """The shared tables the current report has read from the batch cache.

    Returns
    -------
    list of str
        Table names, sorted; empty when nothing was read from a cache.
    """
    return sorted(_inputs.tables_read)


def _pandas_options() -> dict[str, Any]:
    # lazy: called only once pandas is loaded; this module stays cheap
    import pandas as pd

    try:
        keys = sorted(pd._config.config._registered_options)
    except AttributeError:  # pragma: no cover - pandas moved its registry
        return {}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in keys:
            try:
                out[key] = pd.get_option(key)
            except Exception:  # noqa: BLE001 - an option that cannot be read
                continue
    return out


def _ipython():
    try:
        # lazy: IPython is there only inside a kernel
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()
