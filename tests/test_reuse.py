"""Report-level reuse: unchanged reports are not executed again.

Unit tests of the fingerprint on a hand-written cache folder, then batches of
stand-in notebooks (a Mission Locale report and a monthly follow-up that read
the batch cache) run twice: nothing changed, one notebook changed, ``--force``.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import nbformat
import pytest
from _batch_helpers import MLS, write_notebook, write_params

from observatoire import reports
from observatoire.reports._reuse import Fingerprints


# ------------------------------------------------------------------ fingerprint
def _cache(folder: Path, tables: dict, meta: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in tables.items():
        (folder / f"{name}.pkl").write_bytes(pickle.dumps(value, protocol=4))
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def _notebook(folder: Path, kind: str, text: str = "1 + 1") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(text)]
    nbformat.write(nb, folder / f"{kind}.ipynb")


@pytest.fixture
def two_caches(tmp_path):
    """Two caches of two extracts: ``a`` differs, ``b`` is the same."""
    nbs = tmp_path / "nb"
    _notebook(nbs, "suivi_mensuel")
    meta = {"year": 2024, "month": 5, "labels": {"ML16A": "Angoulême"}}
    old = _cache(tmp_path / "c1", {"a": [1, 2], "b": {"x": 1}}, {**meta, "key": "1"})
    new = _cache(tmp_path / "c2", {"a": [1, 3], "b": {"x": 1}}, {**meta, "key": "2"})
    return Fingerprints(old, "1", nbs), Fingerprints(new, "2", nbs), nbs


def test_a_report_depends_on_the_tables_it_read_only(two_caches):
    old, new, _ = two_caches
    params = {"year": 2024, "month": 5, "cache_dir": "/somewhere/1"}
    moved = {**params, "cache_dir": "/elsewhere/2"}  # the path of the cache: ignored
    assert old.of("suivi_mensuel", params, ["b"]) == new.of(
        "suivi_mensuel", moved, ["b"]
    )
    assert old.of("suivi_mensuel", params, ["a", "b"]) != new.of(
        "suivi_mensuel", params, ["a", "b"]
    )
    # not known which tables it read: the whole cache counts (its key differs)
    assert old.of("suivi_mensuel", params, None) != new.of(
        "suivi_mensuel", params, None
    )
    # a table that is gone
    assert old.of("suivi_mensuel", params, ["c"]) != old.of(
        "suivi_mensuel", params, ["b"]
    )


def test_a_report_depends_on_its_notebook_parameters_and_the_meta(two_caches, tmp_path):
    old, _, nbs = two_caches
    params = {"year": 2024, "month": 5}
    before = old.of("suivi_mensuel", params, ["b"])
    assert old.of("suivi_mensuel", {**params, "month": 4}, ["b"]) != before
    _notebook(nbs, "suivi_mensuel", "1 + 2")
    assert (
        Fingerprints(tmp_path / "c1", "1", nbs).of("suivi_mensuel", params, ["b"])
        != before
    )
    meta = json.loads((tmp_path / "c1" / "meta.json").read_text())
    meta["labels"]["ML16A"] = "Angoulême (nouveau nom)"
    (tmp_path / "c1" / "meta.json").write_text(json.dumps(meta))
    _notebook(nbs, "suivi_mensuel")
    assert (
        Fingerprints(tmp_path / "c1", "1", nbs).of("suivi_mensuel", params, ["b"])
        != before
    )


# ------------------------------------------------------------------ the batch
STAND_INS = {
    "rapport_mission_locale": (
        "from observatoire import reports\n"
        "rep = reports.open_report(cache_dir=cache_dir, code_ml=code_ml)\n"
        "rep['annuel']\n"
        "reports.sections.title(rep, 'rapport_mission_locale', code_ml)"
    ),
    "suivi_mensuel": (
        "from observatoire import reports\n"
        "rep = reports.open_report(cache_dir=cache_dir)\n"
        "rep['suivi']\n"
        "reports.sections.title(rep, 'suivi_mensuel')"
    ),
}


def _stand_ins(folder: Path, note: dict[str, str] | None = None) -> Path:
    for kind, code in STAND_INS.items():
        write_notebook(folder, code, kind=kind, note=(note or {}).get(kind))
    return folder


@pytest.fixture(scope="module")
def _first_run_once(synthetic_extract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reprise")
    params = _reuse_params(folder, synthetic_extract)
    result = reports.run_batch(
        params, notebooks_dir=_stand_ins(folder / "nb"), progress=False
    )
    assert result.exit_code == 0 and result.reused == []
    return folder, [r.name for r in result.results]


def _reuse_params(folder: Path, extract: Path):
    return reports.load_params(
        write_params(
            folder,
            extract,
            "reprise",
            reports=["suivi_mensuel", "rapport_mission_locale"],
        )
    )


@pytest.fixture
def first_run(_first_run_once, synthetic_extract, tmp_path):
    """A copy of one first run (its run folder and notebooks), for each test."""
    folder, names = _first_run_once
    shutil.copytree(folder / "sorties", tmp_path / "sorties")
    shutil.copytree(folder / "nb", tmp_path / "nb")
    params = _reuse_params(tmp_path, synthetic_extract)
    return params, names, tmp_path


def _ran(result) -> list[str]:
    return sorted(r.name for r in result.results if r.name not in result.reused)


def test_a_second_run_with_nothing_changed_reuses_every_report(first_run):
    params, names, folder = first_run
    html = params.run_dir / "html" / "suivi_mensuel.html"
    before = html.stat().st_mtime_ns
    again = reports.run_batch(
        params, notebooks_dir=_stand_ins(folder / "nb"), progress=False
    )
    assert again.exit_code == 0
    assert _ran(again) == []
    assert sorted(again.reused) == sorted(names)
    assert html.stat().st_mtime_ns == before  # not written again
    manifest = json.loads((again.run_dir / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["reused"]) == sorted(again.reused)
    assert all(e["reused"] for e in manifest["reports"])
    # the tables each report read are recorded
    inputs = {e["name"]: e["inputs"] for e in manifest["reports"]}
    assert "suivi" in inputs["suivi_mensuel"]
    assert "suivi" not in inputs["rapport_mission_locale_ML33A"]
    assert "annuel" in inputs["rapport_mission_locale_ML33A"]
    assert "reused, inputs unchanged" in again.summary()


def test_a_changed_notebook_reruns_its_reports_only(first_run):
    params, _, folder = first_run
    nbs = _stand_ins(folder / "nb", note={"suivi_mensuel": "Nouvelle note."})
    again = reports.run_batch(params, notebooks_dir=nbs, progress=False)
    assert _ran(again) == ["suivi_mensuel"]
    nbs = _stand_ins(
        folder / "nb",
        note={"suivi_mensuel": "Nouvelle note.", "rapport_mission_locale": "Note."},
    )
    again = reports.run_batch(params, notebooks_dir=nbs, progress=False)
    assert _ran(again) == [f"rapport_mission_locale_{c}" for c in MLS]


def test_force_runs_every_report_and_a_missing_page_is_rebuilt(first_run):
    params, _, folder = first_run
    nbs = _stand_ins(folder / "nb")
    forced = reports.run_batch(params, notebooks_dir=nbs, force=True, progress=False)
    assert forced.reused == [] and len(_ran(forced)) == 4
    (params.run_dir / "html" / "rapport_mission_locale_ML87A.html").unlink()
    again = reports.run_batch(params, notebooks_dir=nbs, progress=False)
    assert _ran(again) == ["rapport_mission_locale_ML87A"]


def test_a_changed_disclosure_threshold_reruns_everything(first_run):
    params, _, folder = first_run
    stricter = params.replace(disclosure_threshold=11)
    again = reports.run_batch(
        stricter, notebooks_dir=_stand_ins(folder / "nb"), progress=False
    )
    assert again.reused == [] and len(_ran(again)) == 4


def test_a_notebook_saved_again_unchanged_keeps_its_fingerprint(two_caches, tmp_path):
    old, _, nbs = two_caches
    before = old.notebook("suivi_mensuel")
    path = nbs / "suivi_mensuel.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0]["id"] = "autre-id"  # what an editor may rewrite
    nb.cells[0].metadata["collapsed"] = True
    nb.cells[0].execution_count = 7
    nbformat.write(nb, path)
    assert Fingerprints(tmp_path / "c1", "1", nbs).notebook("suivi_mensuel") == before
    nb.cells[0].source = "1 + 3"
    nbformat.write(nb, path)
    assert Fingerprints(tmp_path / "c1", "1", nbs).notebook("suivi_mensuel") != before
