"""The batch plans through the registry of report kinds (``reports._kinds``)."""

from __future__ import annotations

import pytest

from observatoire.exceptions import ParamsError
from observatoire.reports import _batch
from observatoire.reports._kinds import KINDS, PlannedReport, only_choices


def _jobs() -> list[PlannedReport]:
    # what _kinds.plan gives for a run of two MLs and two regional kinds
    return [
        PlannedReport("rapport_regional", "rapport_regional", {}),
        PlannedReport("bilan_animation", "bilan_animation", {}),
        PlannedReport(
            "rapport_mission_locale_ML16A", "rapport_mission_locale", {}, "ML16A"
        ),
        PlannedReport(
            "rapport_mission_locale_ML33A", "rapport_mission_locale", {}, "ML33A"
        ),
    ]


def test_the_batch_has_no_planner_of_its_own():
    # one list of report kinds: the batch's planning is the registry's
    assert not hasattr(_batch, "ReportJob") and not hasattr(_batch, "plan_reports")
    assert _batch.plan_kinds.__module__ == "observatoire.reports._kinds"


def test_output_names_of_a_planned_report():
    job = PlannedReport("rapport_mission_locale_ML16A", "rapport_mission_locale", {})
    assert job.html_name == "html/rapport_mission_locale_ML16A.html"
    assert job.notebook_name == "notebooks/rapport_mission_locale_ML16A.ipynb"
    assert job.log_name == "logs/rapport_mission_locale_ML16A.kernel.log"
    assert job.pdf_name == "pdf/rapport_mission_locale_ML16A.pdf"


def test_only_keeps_ml_codes_and_kinds():
    jobs = _jobs()
    assert _batch.select_only(jobs, None) == jobs
    names = [j.name for j in _batch.select_only(jobs, ["ML33A", "bilan_animation"])]
    assert names == ["bilan_animation", "rapport_mission_locale_ML33A"]
    every_ml = _batch.select_only(jobs, ["rapport_mission_locale"])
    assert [j.code_ml for j in every_ml] == ["ML16A", "ML33A"]


def test_only_refuses_what_names_no_report_and_lists_the_registry():
    with pytest.raises(ParamsError, match="ML99Z names no report") as err:
        _batch.select_only(_jobs(), ["ML99Z"])
    # every kind of the registry is offered, the new ones included
    for name in KINDS:
        assert name in str(err.value)
    # a kind of the registry that this run does not produce says so
    with pytest.raises(ParamsError, match="suivi_mensuel: not in this run's reports"):
        _batch.select_only(_jobs(), ["suivi_mensuel"])


def test_only_choices_come_from_the_registry():
    assert only_choices() == (
        "rapport_regional, suivi_mensuel, trajectoires, bilan_animation, "
        "rapport_mission_locale (every ML of the run)"
    )


def test_cli_help_of_only_lists_every_kind(capsys):
    from observatoire import cli

    with pytest.raises(SystemExit):
        cli.main(["batch", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in KINDS:
        assert name in text


def _params(tmp_path, data, **extra):
    import json

    from observatoire import reports

    raw = {"run": "seul", "data": str(data), "output_dir": str(tmp_path / "out")}
    (tmp_path / "p.yaml").write_text(json.dumps({**raw, **extra}), encoding="utf-8")
    return reports.load_params(tmp_path / "p.yaml")


def _no_shared_step(monkeypatch):
    from observatoire.reports import _cache

    def computed(*args, **kwargs):
        raise AssertionError("the shared step ran before --only was checked")

    monkeypatch.setattr(_cache, "compute_inputs", computed)


def test_only_naming_no_ml_of_the_extract_stops_before_the_shared_step(
    synthetic_extract, tmp_path, monkeypatch
):
    from observatoire import reports

    _no_shared_step(monkeypatch)
    params = _params(tmp_path, synthetic_extract)  # mls: all, read in the extract
    with pytest.raises(ParamsError, match=r"--only: ZZZ names no report"):
        reports.run_batch(params, only=["ZZZ", "ML33A"], progress=False)
    assert not (params.run_dir / "cache").exists()


def test_only_refused_at_once_when_the_run_says_what_it_produces(tmp_path, monkeypatch):
    from observatoire import reports
    from observatoire.reports import _cache

    def loaded(*args, **kwargs):
        raise AssertionError("the extract was read before --only was checked")

    monkeypatch.setattr(_cache, "prepare", loaded)
    listed = _params(tmp_path, tmp_path / "absent", mls=["ML33A"])
    with pytest.raises(ParamsError, match=r"--only: ML87A names no report"):
        reports.run_batch(listed, only=["ML87A"], progress=False)
    regional = _params(tmp_path, tmp_path / "absent", reports=["rapport_regional"])
    with pytest.raises(ParamsError, match=r"suivi_mensuel: not in this run's reports"):
        reports.run_batch(regional, only=["suivi_mensuel"], progress=False)


def test_cli_only_zzz_is_one_line_and_exit_2(
    synthetic_extract, tmp_path, monkeypatch, capsys
):
    from observatoire import cli

    _no_shared_step(monkeypatch)
    _params(tmp_path, synthetic_extract)
    code = cli.main(
        ["-q", "batch", "--params", str(tmp_path / "p.yaml"), "--only", "ZZZ"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("observatoire batch: error: --only: ZZZ names no report")
