"""The batch cache as a report reads it (``reports._cache.ReportInputs``)."""

from __future__ import annotations

import copy

import pandas as pd

from observatoire.reports import _cache


def test_attrs_of_a_cached_table_are_shared_by_what_a_report_derives(tmp_path):
    frame = pd.DataFrame({"code": ["A", "B"], "n": [1, 2]})
    frame.attrs = {"marker": {"structure": ("n", ("A", "B"))}, "types": ["x"], "k": 3}
    mask = pd.DataFrame({"n": ["", ""]})
    _cache.write_cache(tmp_path / "cle", {"t": {"values": frame, "mask": mask}}, {})
    rep = _cache.ReportInputs({}, tmp_path / "cle")
    values = rep["t"]["values"]
    derived = values[values["code"] == "B"]["n"]
    assert int(derived.iloc[0]) == 2
    # same content as written, the same objects (not a copy per operation)
    assert derived.attrs == frame.attrs
    assert derived.attrs["marker"] is values.attrs["marker"]
    assert derived.attrs["types"] is values.attrs["types"]
    assert copy.deepcopy(values.attrs)["marker"] is values.attrs["marker"]
    assert rep["t"]["mask"].attrs == {}
    # the pickle itself holds plain values: the sharing is done on reading
    raw = pd.read_pickle(tmp_path / "cle" / "t.pkl")["values"]
    assert type(raw.attrs["marker"]) is dict and type(raw.attrs["types"]) is list


def test_cache_key_changes_with_the_package_source(monkeypatch):
    # an analyst who edits the code must not get tables the old code computed
    from observatoire.reports import _params

    params = _params.parse_params(
        {"run": "t", "data": "data/entrepot", "year": 2024, "month": 12},
        source="test",
    )
    before = _cache.cache_key("abc", params)
    assert _cache.cache_key("abc", params) == before  # stable for the same code
    monkeypatch.setattr(_cache, "environment_digest", lambda: "edited source")
    assert _cache.cache_key("abc", params) != before
