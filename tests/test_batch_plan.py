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
