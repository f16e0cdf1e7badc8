"""The batch's execution engine: warm kernels that leak nothing between reports.

Stand-in notebooks (the Mission Locale report's name and parameters, a few
lines of code) run three reports on *one* kernel (``jobs: 1``), in order
ML16A, ML33A, ML87A. The first one changes everything a report could plausibly
change; the next ones print what they see, which must be what a fresh kernel
sees. The real notebooks then give the same pages on warm and fresh kernels.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from _batch_helpers import MLS, REPORT, write_notebook, write_params

from observatoire import reports

#: what the first report does to its kernel
LEAKS = """\
if code_ml == "ML16A":
    import os, sys, warnings
    import matplotlib
    import pandas as pd
    LEAK = "fuite"
    matplotlib.rcParams["lines.linewidth"] = 9.0
    matplotlib.rcParams["figure.dpi"] = 17
    pd.set_option("display.max_rows", 3)
    os.chdir("/")
    sys.path.append("/fuite")
    os.environ["OBSERVATOIRE_FUITE"] = "1"
    warnings.simplefilter("error")
"""

#: what every report prints: the state it starts from
STATE = """\
import json, os, sys, warnings
import matplotlib
import pandas as pd
print(json.dumps({
    "leak": globals().get("LEAK"),
    "linewidth": matplotlib.rcParams["lines.linewidth"],
    "dpi": matplotlib.rcParams["figure.dpi"],
    "max_rows": pd.get_option("display.max_rows"),
    "cwd": os.getcwd(),
    "fuite_in_path": "/fuite" in sys.path,
    "env": os.environ.get("OBSERVATOIRE_FUITE"),
    "first_filter": warnings.filters[0][0] if warnings.filters else None,
    "pid": os.getpid(),
}))
"""


def _notebooks(folder: Path, *cells: str) -> Path:
    return write_notebook(folder, *cells)


def _params(folder: Path, extract: Path, **extra: object):
    return reports.load_params(
        write_params(folder, extract, "moteur", **{"jobs": 1, **extra})
    )


def _states(run_dir: Path) -> dict[str, dict]:
    """The JSON line each report printed, by ML code."""
    out = {}
    for code in MLS:
        nb = nbformat.read(
            run_dir / "notebooks" / f"rapport_mission_locale_{code}.ipynb",
            as_version=4,
        )
        text = "".join(
            o.get("text", "")
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
            if o.get("name") == "stdout"
        )
        out[code] = json.loads(text.strip().splitlines()[-1])
    return out


@pytest.fixture(scope="module")
def leaky_runs(synthetic_extract, tmp_path_factory):
    """The leaking notebooks, once on one warm kernel and once on fresh kernels."""
    runs = {}
    for mode in ("warm", "fresh"):
        folder = tmp_path_factory.mktemp(mode)
        nbs = _notebooks(folder / "nb", LEAKS, STATE, REPORT)
        params = _params(folder, synthetic_extract)
        result = reports.run_batch(
            params,
            notebooks_dir=nbs,
            fresh_kernels=mode == "fresh",
            force=True,
            progress=False,
        )
        assert result.exit_code == 0, result.summary()
        runs[mode] = result
    return runs


def test_warm_kernels_run_the_reports_one_after_the_other_on_one_kernel(leaky_runs):
    warm = _states(leaky_runs["warm"].run_dir)
    fresh = _states(leaky_runs["fresh"].run_dir)
    assert len({s["pid"] for s in warm.values()}) == 1
    assert len({s["pid"] for s in fresh.values()}) == 3


def test_nothing_a_report_changes_reaches_the_next_one(leaky_runs):
    warm = _states(leaky_runs["warm"].run_dir)
    fresh = _states(leaky_runs["fresh"].run_dir)
    strip = lambda s: {k: v for k, v in s.items() if k not in ("pid", "cwd")}  # noqa: E731
    notebooks = {m: leaky_runs[m].run_dir.parents[1] / "nb" for m in ("warm", "fresh")}
    # the leaking report's state is printed after its own changes
    assert warm["ML16A"]["leak"] == "fuite" and warm["ML16A"]["linewidth"] == 9.0
    assert warm["ML16A"]["cwd"] == "/" and warm["ML16A"]["first_filter"] == "error"
    for code in ("ML33A", "ML87A"):
        seen = warm[code]
        assert seen["leak"] is None
        assert seen["linewidth"] != 9.0 and seen["dpi"] != 17
        assert seen["max_rows"] != 3
        # back in the notebooks' folder, where a fresh kernel starts
        assert Path(seen["cwd"]) == notebooks["warm"]
        assert Path(fresh[code]["cwd"]) == notebooks["fresh"]
        assert not seen["fuite_in_path"] and seen["env"] is None
        assert seen["first_filter"] != "error"
        # exactly what a fresh kernel sees
        assert strip(seen) == strip(fresh[code]), code


def test_executed_notebooks_count_their_cells_from_one_on_a_warm_kernel(leaky_runs):
    counts = []
    for mode in ("warm", "fresh"):
        nb = nbformat.read(
            leaky_runs[mode].run_dir
            / "notebooks"
            / "rapport_mission_locale_ML87A.ipynb",
            as_version=4,
        )
        counts.append([c.execution_count for c in nb.cells if c.cell_type == "code"])
    assert counts[0] == counts[1] == list(range(1, len(counts[0]) + 1))


def test_a_kernel_that_dies_is_replaced_for_the_next_report(
    synthetic_extract, tmp_path
):
    die = 'if code_ml == "ML33A":\n    import os\n    os._exit(1)'
    nbs = _notebooks(tmp_path / "nb", die, STATE, REPORT)
    params = _params(tmp_path, synthetic_extract)
    result = reports.run_batch(params, notebooks_dir=nbs, progress=False)
    status = {r.name[-5:]: r.status for r in result.results}
    assert status == {"ML16A": "ok", "ML33A": "failed", "ML87A": "ok"}
    run_dir = result.run_dir
    pids = {}
    for code in ("ML16A", "ML87A"):
        nb = nbformat.read(
            run_dir / "notebooks" / f"rapport_mission_locale_{code}.ipynb",
            as_version=4,
        )
        line = [
            o["text"] for c in nb.cells for o in c.get("outputs", []) if "text" in o
        ][-1]
        pids[code] = json.loads(line.strip().splitlines()[-1])["pid"]
    assert pids["ML16A"] != pids["ML87A"]
    # each report has its own slice of the kernel's log
    for code in MLS:
        assert (
            run_dir / "logs" / f"rapport_mission_locale_{code}.kernel.log"
        ).is_file()


# ------------------------------------------------------ real notebooks, identical
_VOLATILE = [
    re.compile(r"Produit le [^<]*"),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"),
    # a pandas Styler given no uuid draws a random one (``#T_1a2b3``), in a fresh
    # kernel as in a warm one: two fresh runs differ by it just the same
    re.compile(r"T_[0-9a-f]{5}"),
]


@pytest.mark.slow
def test_warm_and_fresh_kernels_give_identical_pages(synthetic_extract, tmp_path):
    pages = {}
    for mode in ("warm", "fresh"):
        folder = tmp_path / mode
        folder.mkdir()
        raw = {
            "run": "identique",
            "data": str(synthetic_extract),
            "mls": ["ML33A", "ML87A"],
            "output_dir": str(folder / "sorties"),
            "jobs": 2,
        }
        (folder / "p.yaml").write_text(json.dumps(raw), encoding="utf-8")
        result = reports.run_batch(
            reports.load_params(folder / "p.yaml"),
            fresh_kernels=mode == "fresh",
            progress=False,
        )
        assert result.exit_code == 0, result.summary()
        pages[mode] = {
            p.name: p.read_text(encoding="utf-8")
            for p in sorted((result.run_dir / "html").glob("*.html"))
        }
    assert pages["warm"].keys() == pages["fresh"].keys()
    assert (
        len(pages["warm"]) == 6
    )  # 2 ML reports + regional, monthly, trajectories, ARML
    for name, warm in pages["warm"].items():
        fresh = pages["fresh"][name]
        for pattern in _VOLATILE:
            warm, fresh = pattern.sub("", warm), pattern.sub("", fresh)
        assert warm == fresh, name


def test_a_report_whose_runner_raises_fails_alone_and_never_hangs_the_pool(tmp_path):
    from observatoire.reports._engine import KernelPool

    pool = KernelPool(2, tmp_path, tmp_path / "logs", fresh=True)  # no kernel used

    def work(item, slot):
        if item == "b":
            raise RuntimeError("bogue")
        return item.upper()

    try:
        pool.submit(work, ["a", "b", "c"])
        found = dict(pool.results(timeout=30))
    finally:
        pool.close()
    assert found["a"] == "A" and found["c"] == "C"
    assert isinstance(found["b"], RuntimeError)
    assert not [t for t in pool._threads if t.is_alive()]
