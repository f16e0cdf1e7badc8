"""Figures drawn and values computed once by the shared step (``reports.sections._once``)."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from observatoire import reports
from observatoire.reports import _cache
from observatoire.reports import _style as st
from observatoire.reports.sections import _once


@_once.drawn_once
def _chart(inputs, code="NAQ", what="jeunes"):
    _chart.calls.append(code)
    return st.Html(f"<figure>{code} {what}</figure>")


_chart.calls = []


def test_a_section_embeds_the_block_drawn_once_and_draws_what_was_not():
    _chart.calls.clear()
    with _once.collect() as drawn:
        _chart(_cache.ReportInputs({}, None, {}), "ML16A")
    assert drawn == {"_chart(ML16A, jeunes)": "<figure>ML16A jeunes</figure>"}
    assert _chart.calls == ["ML16A"]
    # a report holding the shared block embeds it (the stored text, not a drawing)
    stored = {"_chart(ML16A, jeunes)": "<figure>dessinée une fois</figure>"}
    rep = _cache.ReportInputs({}, None, {_once.FIGURES: stored})
    assert _chart(rep, "ML16A").html == "<figure>dessinée une fois</figure>"
    assert _chart(rep, code="ML16A", what="jeunes").html.endswith("une fois</figure>")
    assert _chart.calls == ["ML16A"]
    # other arguments, or no shared block at all: the report draws it
    assert _chart(rep, "ML33A").html == "<figure>ML33A jeunes</figure>"
    assert _chart(_cache.ReportInputs({}, None, {}), "ML16A", "entrees").html == (
        "<figure>ML16A entrees</figure>"
    )
    assert _chart.calls == ["ML16A", "ML33A", "ML16A"]


@_once.computed_once
def _rates(inputs, level="ml"):
    _rates.calls.append(level)
    return {"niveau": level}


_rates.calls = []


def test_a_value_computed_once_is_read_back_and_computed_when_absent():
    _rates.calls.clear()
    with _once.collect_values() as values:
        first = _rates(_cache.ReportInputs({}, None, {}))
        again = _rates(_cache.ReportInputs({}, None, {}), level="ml")
    # one computation for the same arguments (defaults filled in), the same object
    assert values == {"_rates(ml)": {"niveau": "ml"}} and again is first
    assert _rates.calls == ["ml"]
    stored = {"_rates(ml)": {"niveau": "calculé une fois"}}
    rep = _cache.ReportInputs({}, None, {_once.COMPUTED: stored})
    assert _rates(rep) == {"niveau": "calculé une fois"}
    assert _rates.calls == ["ml"]
    # other arguments, or nothing computed in advance: the report computes it
    assert _rates(rep, "region") == {"niveau": "region"}
    assert _rates(_cache.ReportInputs({}, None, {})) == {"niveau": "ml"}
    assert _rates.calls == ["ml", "region", "ml"]


def test_the_rates_table_of_many_units_computes_each_level_once(monkeypatch):
    # the regional table lists 43 Mission Locales and the region: two levels,
    # two computations of every unit's changes (it was one per row: 44)
    from observatoire.reports.sections import common

    calls = []
    monkeypatch.setattr(
        common, "annual_rate_changes", lambda inputs, level: calls.append(level) or {}
    )
    units = [("ml", f"ML{i}", f"ML {i}") for i in range(43)]
    units.append(("region", "NAQ", "Nouvelle-Aquitaine"))
    rep = _cache.ReportInputs({"year": 2024, "month": 12}, None, {})
    assert common.rates_year_on_year_table(rep, units, "Mission Locale", "t").html == ""
    assert sorted(calls) == ["ml", "region"]


def test_the_ml_figures_are_drawn_by_the_worker_and_this_process_each_once(
    monkeypatch,
):
    from observatoire.reports import _shared

    @_once.drawn_once
    def strip(inputs, code_ml):
        time.sleep(0.02)
        return st.Html(f"<figure>{code_ml} {os.getpid()}</figure>")

    monkeypatch.setattr(_shared, "ml_position_strip", strip)
    monkeypatch.setattr(_shared, "ml_monthly_curves", lambda inputs, code_ml: None)
    codes = [f"ML{i:02d}A" for i in range(30)]
    figures = _shared._MLFigures(codes)
    inputs = _cache.ReportInputs({}, None, {})
    pending = _shared._in_background(figures.draw, inputs)  # forked (Linux)
    here, _ = figures.draw(inputs)  # takes what the worker has not taken
    there, _ = pending()
    # every ML once, by one process or the other, never by both
    assert not here.keys() & there.keys()
    assert sorted({**here, **there}) == [f"strip({c})" for c in codes]
    assert all(f" {os.getpid()}<" in block for block in here.values())


def test_the_ml_figures_are_drawn_on_frames_sharing_their_attrs_as_a_report_reads():
    import pandas as pd

    from observatoire.reports import _inputs, _shared

    marker = {"observatoire.disclosure": {"cellules": [1, 2]}}
    values = pd.DataFrame({"code": ["ML16A"], "x": [1.0]})
    values.attrs = dict(marker)
    table = {"values": values, "mask": values.copy()}
    # as the shared step hands them to the figures worker and to the values computed once
    seen = _shared._in_memory({"year": 2024}, {"annuel": table, "n": 3})
    drawn = seen["annuel"]["values"]
    pd.testing.assert_frame_equal(drawn, values)
    assert seen["n"] == 3 and seen.meta == {"year": 2024}
    # shared as in a report read from the cache: a derived frame does not copy it
    assert type(drawn.attrs["observatoire.disclosure"]) is _inputs._SharedDict
    assert (
        drawn["x"].attrs["observatoire.disclosure"]
        is (drawn.attrs["observatoire.disclosure"])
    )
    # the shared step's own table (to be cached) is left as it was
    assert type(values.attrs["observatoire.disclosure"]) is dict
    assert values.attrs == marker


_VOLATILE = [
    re.compile(r"Produit le [^<]*"),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"),
    re.compile(r"T_[0-9a-f]{5}"),  # a Styler's random uuid
]


@pytest.mark.slow
def test_reports_embed_exactly_what_they_would_have_drawn(synthetic_extract, tmp_path):
    raw = {
        "run": "une_fois",
        "data": str(synthetic_extract),
        "mls": ["ML33A", "ML87A"],
        "output_dir": str(tmp_path / "sorties"),
        "jobs": 2,
    }
    (tmp_path / "p.yaml").write_text(json.dumps(raw), encoding="utf-8")
    params = reports.load_params(tmp_path / "p.yaml")

    def pages(result) -> dict[str, str]:
        assert result.exit_code == 0, result.summary()
        out = {}
        for p in sorted((result.run_dir / "html").glob("*.html")):
            text = p.read_text(encoding="utf-8")
            for pattern in _VOLATILE:
                text = pattern.sub("", text)
            out[p.name] = text
        return out

    once = reports.run_batch(params, progress=False)
    (cache,) = (once.run_dir / "cache").iterdir()
    drawn = _cache.ReportInputs(_cache.read_meta(cache), cache)[_once.FIGURES]
    # each ML's strip and two curves, and the targets section (two reports)
    assert sorted(drawn) == sorted(
        [
            f"{name}({args})"
            for code in ("ML33A", "ML87A")
            for name, args in (
                ("ml_position_strip", code),
                ("monthly_curves", f"ml, {code}, jeunes_accompagnes"),
                ("monthly_curves", f"ml, {code}, premiers_accueils"),
            )
        ]
        + ["targets()"]
    )
    first = pages(once)

    def pages_showing(key: str) -> list[str]:
        image = re.search(r'<img src="([^"]+)"', drawn[key]).group(1)
        return [name for name, page in first.items() if image in page]

    assert pages_showing("ml_position_strip(ML33A)") == [
        "rapport_mission_locale_ML33A.html"
    ]
    assert pages_showing("targets()") == ["rapport_regional.html", "suivi_mensuel.html"]
    # every ML's rate changes and each unit's comparison, computed once
    computed = _cache.ReportInputs(_cache.read_meta(cache), cache)[_once.COMPUTED]
    assert {"annual_rate_changes(ml)", "compared(ml, ML87A, cumul)"} <= set(computed)
    assert sorted(computed["annual_rate_changes(ml)"]) == sorted(
        _cache.read_meta(cache)["labels"]
    )
    # the same run with no figure drawn nor value computed in advance: each
    # report draws and computes its own
    meta = json.loads((cache / "meta.json").read_text(encoding="utf-8"))
    for name in (_once.FIGURES, _once.COMPUTED):
        meta["tables"].remove(name)
        (cache / f"{name}.pkl").unlink()
    (cache / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    again = pages(reports.run_batch(params, force=True, progress=False))
    assert again.keys() == first.keys() and len(first) == 6
    for name, page in first.items():
        assert page == again[name], name
