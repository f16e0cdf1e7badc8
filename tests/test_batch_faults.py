"""The batch under faults: a kernel that dies, a notebook that hangs, a full disk,
Ctrl-C, and a run repeated on the same inputs.

The notebooks here are stand-ins of the Mission Locale report (same name, same
parameters) that read the batch cache and print one line, so each fault costs
seconds; the real notebooks are exercised by ``test_reports.py``. After every
fault the index and the manifest must tell the truth, no partial file may be
left, and ``--resume`` must finish the job.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _batch_helpers import MLS, REPORT, read_manifest, write_notebook, write_params

from observatoire import reports


def _notebooks(folder: Path, fault: str = "") -> Path:
    """A notebooks folder whose ML report runs ``fault`` for ML33A only."""
    cells = []
    if fault:
        indented = "\n".join("    " + line for line in fault.splitlines())
        cells.append(f'if code_ml == "ML33A":\n{indented}')
    return write_notebook(folder, *cells, REPORT)


@pytest.fixture(scope="module")
def extract(synthetic_extract) -> Path:
    return synthetic_extract


def _params(folder: Path, extract: Path, **extra: object) -> Path:
    return write_params(folder, extract, "panne", **extra)


def _assert_truthful(run_dir: Path, expected: dict[str, str]) -> None:
    manifest = read_manifest(run_dir)
    assert {e["name"]: e["status"] for e in manifest["reports"]} == expected
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    for name, status in expected.items():
        html = run_dir / "html" / f"{name}.html"
        assert html.is_file() == (status == "ok"), name
        if status == "ok":
            assert f'href="html/{name}.html"' in index
    assert not [p for p in run_dir.rglob("*") if ".tmp" in p.name]


def _resume_finishes(params_path: Path, notebooks: Path) -> None:
    params = reports.load_params(params_path)
    done = reports.run_batch(
        params, notebooks_dir=_notebooks(notebooks), resume=True, progress=False
    )
    assert done.exit_code == 0
    assert [r.name for r in done.results if r.name not in done.skipped] == [
        "rapport_mission_locale_ML33A"
    ]
    _assert_truthful(done.run_dir, {f"rapport_mission_locale_{c}": "ok" for c in MLS})


EXPECTED_ONE_FAILED = {
    "rapport_mission_locale_ML16A": "ok",
    "rapport_mission_locale_ML33A": "failed",
    "rapport_mission_locale_ML87A": "ok",
}


def test_a_kernel_that_dies_fails_its_report_only(extract, tmp_path):
    nbs = _notebooks(tmp_path / "nb", "import os\nos._exit(1)")
    params = reports.load_params(_params(tmp_path, extract))
    result = reports.run_batch(params, notebooks_dir=nbs, progress=False)
    assert result.exit_code == 1
    _assert_truthful(result.run_dir, EXPECTED_ONE_FAILED)
    assert "Dead" in result.failed[0].error or "died" in result.failed[0].error
    _resume_finishes(tmp_path / "panne.yaml", tmp_path / "nb")


def test_a_notebook_that_hangs_is_stopped_at_its_timeout(extract, tmp_path):
    nbs = _notebooks(tmp_path / "nb", "import time\ntime.sleep(120)")
    params = reports.load_params(_params(tmp_path, extract, timeout=10))
    t0 = time.perf_counter()
    result = reports.run_batch(params, notebooks_dir=nbs, progress=False)
    assert time.perf_counter() - t0 < 90
    _assert_truthful(result.run_dir, EXPECTED_ONE_FAILED)
    assert "timeout" in result.failed[0].error.lower()
    _resume_finishes(tmp_path / "panne.yaml", tmp_path / "nb")


def test_a_full_disk_fails_the_report_being_written_and_leaves_no_partial_file(
    extract, tmp_path, monkeypatch
):
    real = Path.write_text

    def full_disk(self, text, *args, **kwargs):
        # the disk fills up half-way through writing ML33A's page
        if "ML33A" in self.name and self.name.endswith(".tmp"):
            real(self, text[: len(text) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    nbs = _notebooks(tmp_path / "nb")
    params = reports.load_params(_params(tmp_path, extract))
    result = reports.run_batch(params, notebooks_dir=nbs, progress=False)
    _assert_truthful(result.run_dir, EXPECTED_ONE_FAILED)
    assert "No space left" in result.failed[0].error
    monkeypatch.setattr(Path, "write_text", real)
    _resume_finishes(tmp_path / "panne.yaml", tmp_path / "nb")


def test_ctrl_c_stops_the_batch_with_a_truthful_index(extract, tmp_path):
    busy = tmp_path / "ML33A_en_cours"
    nbs = _notebooks(
        tmp_path / "nb",
        f"import pathlib, time\npathlib.Path({str(busy)!r}).touch()\ntime.sleep(60)",
    )
    path = _params(tmp_path, extract, jobs=1)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "observatoire.cli", "batch", "--params", str(path)]
    proc = subprocess.Popen(
        [*cmd, "--notebooks", str(nbs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    # the notebooks run in order (one kernel): ML16A is done when ML33A's cell,
    # which hangs, has said it started
    run_dir = tmp_path / "sorties" / "panne"
    deadline = time.time() + 120
    while time.time() < deadline and not busy.exists():
        time.sleep(0.5)
    if not busy.exists():
        proc.kill()
        pytest.fail("ML33A's report did not start in time")
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out.decode()
    manifest = read_manifest(run_dir)
    status = {e["name"]: e["status"] for e in manifest["reports"]}
    assert status["rapport_mission_locale_ML16A"] == "ok"
    assert status["rapport_mission_locale_ML33A"] == "interrupted"
    assert not (run_dir / "html" / "rapport_mission_locale_ML33A.html").exists()
    assert not [p for p in run_dir.rglob("*") if ".tmp" in p.name]
    _resume = reports.run_batch(
        reports.load_params(path),
        notebooks_dir=_notebooks(tmp_path / "nb"),
        resume=True,
        progress=False,
    )
    assert _resume.exit_code == 0
    assert _resume.skipped == ["rapport_mission_locale_ML16A"]


# --------------------------------------------------------------- same inputs
_VOLATILE = [
    re.compile(r"Produit le [^<]*"),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"),
    re.compile(r'"duration_s": [\d.]+'),
    re.compile(r"durée[^<]*"),
]


def _stable(text: str) -> str:
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    return text


def test_same_inputs_give_the_same_reports(extract, tmp_path):
    """Two runs from scratch: same figures, same pages apart from timestamps."""
    import pickle

    pages, caches = [], []
    for attempt in ("a", "b"):
        folder = tmp_path / attempt
        folder.mkdir()
        params = reports.load_params(
            _params(folder, extract, mls=["ML33A"], reports=["rapport_mission_locale"])
        )
        result = reports.run_batch(params, progress=False)
        assert result.exit_code == 0
        pages.append(
            {
                p.name: _stable(p.read_text(encoding="utf-8"))
                for p in sorted((result.run_dir / "html").glob("*.html"))
            }
        )
        (cache,) = (result.run_dir / "cache").iterdir()
        caches.append(cache)
    assert pages[0].keys() == pages[1].keys() and len(pages[0]) == 1
    for name in pages[0]:
        assert pages[0][name] == pages[1][name], name
    # the shared figures themselves, not only their rendering
    for name in ("annuel", "mensuel"):
        one, two = (pickle.loads((c / f"{name}.pkl").read_bytes()) for c in caches)
        assert one["values"].equals(two["values"])
        assert one["mask"].equals(two["mask"])


# ------------------------------------------------------------ one run folder
def test_a_second_batch_into_a_busy_run_folder_stops_with_one_line(
    extract, tmp_path, capsys
):
    """Another process holds the run folder's lock: the batch refuses to start."""
    from observatoire.cli import main
    from observatoire.exceptions import RunLockedError

    path = _params(tmp_path, extract)
    run_dir = tmp_path / "sorties" / "panne"
    run_dir.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"fh = open({str(run_dir / '.batch.lock')!r}, 'a+')\n"
            "fcntl.flock(fh, fcntl.LOCK_EX)\n"
            "fh.write('pid 4242, started earlier'); fh.flush()\n"
            "print('held', flush=True)\n"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(RunLockedError, match="in use by another batch"):
            reports.run_batch(
                reports.load_params(path), notebooks_dir=_notebooks(tmp_path / "nb")
            )
        assert (
            main(["batch", "--params", str(path), "--notebooks", str(tmp_path / "nb")])
            == 2
        )
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "pid 4242" in err[0] and str(run_dir) in err[0]
        # nothing was written into the busy folder
        assert sorted(p.name for p in run_dir.iterdir()) == [".batch.lock"]
    finally:
        holder.kill()
        holder.wait()
    # released: the batch runs
    done = reports.run_batch(
        reports.load_params(path),
        notebooks_dir=_notebooks(tmp_path / "nb"),
        progress=False,
    )
    assert done.exit_code == 0


def test_an_ml_code_that_would_write_outside_the_run_folder_is_refused(
    extract, tmp_path
):
    from observatoire.exceptions import ParamsError
    from observatoire.reports import _batch
    from observatoire.reports._kinds import PlannedReport

    run_dir = tmp_path / "sorties" / "panne"
    for evil in ("../../../evil", "x/../../../../evil", "/evil", "..\\..\\evil"):
        job = PlannedReport(
            f"rapport_mission_locale_{evil}", "rapport_mission_locale", {}, evil
        )
        with pytest.raises(ParamsError, match="outside"):
            _batch._output_path(run_dir, job.html_name)
    good = PlannedReport("rapport_mission_locale_ML33A", "rapport_mission_locale", {})
    assert _batch._output_path(run_dir, good.html_name) == (
        run_dir.resolve() / "html" / "rapport_mission_locale_ML33A.html"
    )
    # in a batch: that report fails before anything is written for it
    from observatoire.reports._engine import KernelPool
    from observatoire.reports._reuse import Fingerprints

    params = reports.load_params(_params(tmp_path, extract))
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "meta.json").write_text("{}", encoding="utf-8")
    pool = KernelPool(1, tmp_path, run_dir / "logs")  # never started
    runner = _batch._Runner(
        params,
        run_dir,
        tmp_path,
        {"labels": {}},
        Fingerprints(cache, "cle", tmp_path),
        pool.stop,
    )
    evil = PlannedReport(
        "rapport_mission_locale_../../../evil",
        "rapport_mission_locale",
        {"code_ml": "../../../evil"},
        "../../../evil",
    )
    before = set(tmp_path.rglob("*"))
    result = runner.execute(evil, pool.slots[0])
    assert result.status == "failed" and "outside" in result.error
    assert result.html is None and result.notebook is None
    assert set(tmp_path.rglob("*")) == before
