"""Run parameters (``params/*.yaml``): every bad case is one clear ParamsError."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from observatoire.cli import main
from observatoire.exceptions import ParamsError
from observatoire.reports import _params
from observatoire.reports._params import (
    RunParams,
    check_against_extract,
    latest_complete_month,
    load_params,
    mask_url_password,
    parse_params,
)

ROOT = Path(__file__).resolve().parents[1]
PARAMS_DIR = ROOT / "params"

# an extract described as the batch sees it: 3 MLs, contacts 2022-01-03 to 2024-06-12
EXTRACT = {
    "codes": ["ML16A", "ML33A", "ML87A"],
    "extraction_date": "2024-06-12",
    "first_date": "2022-01-03",
}


def write(tmp_path: Path, text: str, name: str = "essai.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ------------------------------------------------------------------ good files
def test_defaut_yaml_loads_with_auto_period():
    p = load_params(PARAMS_DIR / "defaut.yaml")
    assert p.run == "defaut"
    assert (p.year, p.month, p.mls) == ("auto", "auto", "all")
    # relative paths start from the project root, not from params/
    assert Path(p.data) == ROOT / "data" / "entrepot"
    assert Path(p.output_dir) == ROOT / "outputs"
    assert p.disclosure_threshold == 5


def test_minimal_file_takes_defaults_and_run_name_from_file(tmp_path):
    p = load_params(write(tmp_path, "data: /srv/entrepot\n", "mai-2024.yaml"))
    assert p.run == "mai-2024"
    assert p.jobs is None and p.timeout == 600 and p.debug is False
    assert p.reports == _params.REPORT_KINDS


def test_params_are_frozen():
    p = parse_params({"data": "/srv/e"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.year = 2023  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.replace(yeer=2023)


def test_overrides_from_the_command_line_are_checked(tmp_path):
    path = write(tmp_path, "data: /srv/e\njobs: 4\n")
    assert load_params(path, jobs=2).jobs == 2
    assert load_params(path, jobs=None).jobs == 4
    with pytest.raises(ParamsError, match="jobs: 0 is below the minimum 1"):
        load_params(path, jobs=0)


def test_ml_codes_written_as_numbers_become_text():
    p = parse_params({"data": "/srv/e", "mls": [33001, "ML87A"]})
    assert p.mls == ("33001", "ML87A")


def test_every_key_is_documented_in_the_readme():
    readme = (PARAMS_DIR / "README.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(RunParams):
        if f.name != "source":
            assert f"| `{f.name}` |" in readme, f.name


# ------------------------------------------------------------------- bad files
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data: /e\nyeer: 2024\n", "unknown key 'yeer' \\(did you mean 'year'\\?\\)"),
        ("year: 2024\n", "data: missing"),
        ("data: ''\n", "data: expected a non-empty text"),
        ("data: [/e]\n", "data: expected a non-empty text"),
        (
            "data: /e\nyear: '2024'\n",
            "year: expected a year such as 2024 or 'auto', got '2024'",
        ),
        ("data: /e\nyear: true\n", "year: expected a year"),
        ("data: /e\nyear: 1850\n", "year: 1850 is not a possible year"),
        ("data: /e\nyear: 2024.5\n", "year: expected a year"),
        ("data: /e\nyear: 2024\nmonth: 13\n", "month: 13 is not a month"),
        ("data: /e\nyear: 2024\nmonth: 0\n", "month: 0 is not a month"),
        ("data: /e\nyear: 2024\nmonth: mai\n", "month: expected a month number 1-12"),
        ("data: /e\nmonth: 5\n", "month: a month needs a year"),
        ("data: /e\nmls: {ML33A: 1}\n", "mls: expected 'all' or a list of ML codes"),
        ("data: /e\nmls: []\n", "mls: expected 'all' or a list"),
        ("data: /e\nmls: [ML33A, ML33A]\n", "mls: code\\(s\\) listed twice: ML33A"),
        ("data: /e\nmls: [ML33A, [1]]\n", "mls: \\[1\\] is not an ML code"),
        (
            "data: /e\nreports: [rapport_region]\n",
            "reports: unknown report\\(s\\) 'rapport_region'",
        ),
        ("data: /e\nreports: 3\n", "reports: expected a list"),
        (
            "data: /e\ndisclosure_threshold: 1\n",
            "disclosure_threshold: 1 is below the minimum 2",
        ),
        (
            "data: /e\ndisclosure_threshold: '5'\n",
            "disclosure_threshold: expected a whole number",
        ),
        (
            "data: /e\ndisclosure_threshold: 4.5\n",
            "disclosure_threshold: expected a whole number",
        ),
        ("data: /e\njobs: 0\n", "jobs: 0 is below the minimum 1"),
        ("data: /e\njobs: deux\n", "jobs: expected a whole number"),
        ("data: /e\njobs: 1000000\n", "jobs: 1000000 is above the maximum 64"),
        ("data: /e\ntimeout: 5\n", "timeout: 5 is below the minimum 10"),
        ("data: /e\ndebug: oui please\n", "debug: expected true or false"),
        ("data: /e\ndebug: 1\n", "debug: expected true or false"),
        ("data: /e\nrun: ../evil\n", "run: '../evil' is not a usable folder name"),
        ("data: /e\ntitle: ''\n", "title: expected a non-empty text"),
        ("data: /e\noutput_dir: 3\n", "output_dir: expected a non-empty text"),
        (
            "data: /e\naccompagnement: [entretien]\n",
            "accompagnement: 'entretien' is not an event type",
        ),
        ("data: /e\naccompagnement: []\n", "accompagnement: an empty list"),
        ("data: /e\naccompagnement: 3\n", "accompagnement: expected a list"),
        (
            "data: /e\ncorrespondances: absent.yaml\n",
            "correspondances: file .* not found",
        ),
    ],
)
def test_bad_value_is_a_params_error_naming_the_key(tmp_path, text, message):
    with pytest.raises(ParamsError, match=message):
        load_params(write(tmp_path, text))


def test_all_problems_are_listed_together(tmp_path):
    path = write(tmp_path, "yeer: 2024\nmonth: 13\njobs: 0\ndebug: maybe\n")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    text = str(info.value)
    assert text.startswith(f"{path}: 6 problems in the parameters:")
    for part in (
        "unknown key 'yeer'",
        "data: missing",
        "month: 13",
        "needs a year",
        "jobs: 0",
        "debug:",
    ):
        assert part in text


def test_missing_file(tmp_path):
    with pytest.raises(ParamsError, match="not found"):
        load_params(tmp_path / "absent.yaml")


def test_not_yaml(tmp_path):
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(write(tmp_path, "data: [unclosed\n"))


def test_not_a_mapping(tmp_path):
    with pytest.raises(ParamsError, match="expected a mapping of key: value, got list"):
        load_params(write(tmp_path, "- data\n- year\n"))


def test_empty_file_says_data_is_missing(tmp_path):
    with pytest.raises(ParamsError, match="data: missing"):
        load_params(write(tmp_path, ""))


# ---------------------------------------------------- checks against the extract
def test_auto_period_is_the_latest_complete_month():
    # extracted on 12 June 2024: May is the latest complete month
    r = check_against_extract(parse_params({"data": "/e"}), **EXTRACT)
    assert (r.year, r.month, r.mls) == (2024, 5, ("ML16A", "ML33A", "ML87A"))


def test_auto_month_of_a_past_year_is_december():
    r = check_against_extract(parse_params({"data": "/e", "year": 2023}), **EXTRACT)
    assert (r.year, r.month) == (2023, 12)


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2024-06-12", (2024, 5)), ("2024-06-30", (2024, 6)), ("2024-01-01", (2023, 12))],
)
def test_latest_complete_month(date, expected):
    assert latest_complete_month(date) == expected


def test_unknown_ml_code_lists_the_valid_ones():
    p = parse_params({"data": "/e", "mls": ["ML33A", "ML99Z", "33"]})
    with pytest.raises(
        ParamsError,
        match="unknown ML code\\(s\\) ML99Z, 33; codes in the extract are ML16A, ML33A, ML87A",
    ):
        check_against_extract(p, **EXTRACT)


def test_month_not_complete_in_the_extract():
    p = parse_params({"data": "/e", "year": 2024, "month": 6})
    with pytest.raises(
        ParamsError,
        match="06/2024 is not complete in the extract, extracted on 12/06/2024",
    ):
        check_against_extract(p, **EXTRACT)


def test_year_after_the_extract():
    with pytest.raises(ParamsError, match="is not complete in the extract"):
        check_against_extract(parse_params({"data": "/e", "year": 2025}), **EXTRACT)


def test_year_before_the_data():
    p = parse_params({"data": "/e", "year": 2021})
    with pytest.raises(ParamsError, match="year: 2021 is before the first contact"):
        check_against_extract(p, **EXTRACT)


def test_extract_problems_are_listed_together():
    p = parse_params({"data": "/e", "year": 2025, "mls": ["X"]}, source="p.yaml")
    with pytest.raises(ParamsError, match="p.yaml: 2 problems") as info:
        check_against_extract(p, **EXTRACT)
    assert "unknown ML code(s) X" in str(info.value)


# ------------------------------------------------------------------- secrets
def test_url_password_is_masked_in_the_manifest_view():
    p = parse_params({"data": "postgresql://obs:s3cr3t@db:5432/imilo"})
    assert p.data == "postgresql://obs:s3cr3t@db:5432/imilo"  # used to connect
    shown = p.to_dict()
    assert shown["data"] == "postgresql://obs:***@db:5432/imilo"
    assert "s3cr3t" not in repr(shown)


def test_mask_leaves_paths_and_password_free_urls():
    assert mask_url_password("postgresql://db/imilo") == "postgresql://db/imilo"
    assert mask_url_password("C:/data/x") == "C:/data/x"


# ---------------------------------------------------------------------- CLI
def test_cli_bad_params_exit_2_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "sorties"
    path = write(
        tmp_path, f"data: {tmp_path}\noutput_dir: {out}\nmonth: 14\nyear: 2024\n"
    )
    assert main(["batch", "--params", str(path)]) == 2
    err = capsys.readouterr().err
    assert "observatoire batch: error:" in err and "month: 14 is not a month" in err
    assert not out.exists()


def test_cli_jobs_option_is_checked(tmp_path, capsys):
    path = write(tmp_path, f"data: {tmp_path}\n")
    assert main(["batch", "--params", str(path), "--jobs", "0"]) == 2
    assert "jobs: 0 is below the minimum 1" in capsys.readouterr().err


def test_accompaniment_defaults_to_the_national_definition(tmp_path):
    p = load_params(write(tmp_path, "data: /e\n"))
    assert p.accompagnement == (
        "entretien_individuel",
        "atelier",
        "information_collective",
    )
    strict = load_params(
        write(tmp_path, "data: /e\naccompagnement: [entretien_individuel]\n")
    )
    assert strict.accompagnement == ("entretien_individuel",)
    assert strict.to_dict()["accompagnement"] == ["entretien_individuel"]


def test_correspondence_file_is_checked_on_load(tmp_path):
    root = Path(__file__).resolve().parents[1]
    good = load_params(
        write(
            tmp_path,
            f"data: /e\ncorrespondances: {root / 'params' / 'correspondances_imilo.yaml'}\n",
        )
    )
    assert good.correspondances.endswith("correspondances_imilo.yaml")
    bad = tmp_path / "c.yaml"
    bad.write_text("valeurs: {jeunes: {sexe: {Femme: X}}}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="'X' is not allowed in sexe"):
        load_params(write(tmp_path, f"data: /e\ncorrespondances: {bad}\n"))


def test_run_definition_reaches_the_shared_inputs(synthetic_extract, monkeypatch):
    # what the reports print in « Définitions et méthode », and what they count
    from observatoire import data, indicators
    from observatoire.reports import _cache, _shared

    def not_needed(*args, **kwargs):
        raise RuntimeError("not needed here")

    monkeypatch.setattr(_shared, "trajectory_blocks", not_needed)
    monkeypatch.setattr(_shared, "evaluation_blocks", not_needed)
    wh = data.load(synthetic_extract)
    found = {}
    for name, types in (
        ("national", None),
        ("strict", ["entretien_individuel"]),
    ):
        raw = {"data": str(synthetic_extract), "targets": None}
        if types is not None:
            raw["accompagnement"] = types
        params = _params.check_against_warehouse(_params.parse_params(raw), wh)
        tables, meta = _cache.compute_inputs(wh, params)
        assert meta["accompagnement"] == list(params.accompagnement)
        assert meta["definition_accompagnement"] == indicators.accompaniment_sentence(
            params.accompagnement
        )
        values = tables["annuel"]["values"].set_index("code")
        found[name] = values.loc["NAQ", "jeunes_accompagnes"]
        # the run's definition does not leak out of the run
        assert indicators.current_accompaniment() == indicators.NATIONAL_ACCOMPANIMENT
    direct = indicators.compute(
        wh, params.year, accompagnement=["entretien_individuel"]
    )
    assert found["strict"] == direct.set_index("code").loc["NAQ", "jeunes_accompagnes"]
    assert found["strict"] < found["national"]
