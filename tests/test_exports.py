"""CSV and XLSX exports, and the ``observatoire indicators`` command.

The command runs on the hand-built extract ``tests/fixtures/indicateurs``
(figures worked out in ``tests/test_indicators.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from observatoire import exports
from observatoire.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "indicateurs"


# ------------------------------------------------------------ low level
def test_csv_is_utf8_comma_and_point_and_formula_safe(tmp_path):
    frame = pd.DataFrame(
        {"libelle": ['=HYPERLINK("http://x")', "Périgueux"], "taux": [0.25, 0.5]}
    )
    path = exports.write_csv(frame, tmp_path / "t.csv")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines() == [
        "libelle,taux",
        '"\'=HYPERLINK(""http://x"")",0.25',
        "Périgueux,0.5",
    ]


def test_xlsx_sheets_formats_frozen_header_and_neutralised_text(tmp_path):
    frame = pd.DataFrame(
        {"nom": ["@SUM(A1)", "b"], "n": [12345, 3], "p": [0.452, None]}
    )
    path = exports.write_xlsx(
        tmp_path / "t.xlsx",
        {"Feuille": frame, "Autre": frame[["nom"]]},
        number_formats={"n": exports.FORMAT_COUNT, "p": exports.FORMAT_RATE},
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["Feuille", "Autre"]
    ws = wb["Feuille"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["nom", "n", "p"]
    assert ws["A2"].value == "'@SUM(A1)"
    assert ws["B2"].value == 12345 and ws["B2"].number_format == "#,##0"
    assert ws["C2"].value == pytest.approx(0.452) and ws["C2"].number_format == "0.0 %"
    assert ws["C3"].value is None  # missing stays empty


def test_failed_xlsx_write_leaves_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"previous")

    real_write = Path.write_bytes

    def boom(self, data):
        real_write(self, data[:10])  # the disk fills up half-way
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", boom)
    with pytest.raises(OSError):
        exports.write_xlsx(target, {"a": pd.DataFrame({"x": [1]})})
    assert target.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [target]


# ----------------------------------------------------------------- CLI
def _run(tmp_path, *extra: str) -> int:
    return main(["indicators", "--data", str(FIXTURE), "--period", "2023", *extra])


def test_cli_csv_protected(tmp_path, capsys):
    out = tmp_path / "indicateurs.csv"
    assert _run(tmp_path, "--out", str(out)) == 0
    table = pd.read_csv(out, dtype={"code": str, "periode": str})
    assert table["code"].tolist() == ["M1", "M2", "M3", "24", "33", "NAQ"]
    assert table.columns[-1] == "cellules_masquees"
    # the definition of the accompanied in force, on every row
    assert table["definition_accompagnement"].str.contains("définition nationale").all()
    row = table.set_index("code")
    # region: 14 in contact, 13 accompanied shown; 3 training entrants masked
    assert row.loc["NAQ", "jeunes_en_contact"] == 14
    assert pd.isna(row.loc["NAQ", "entrees_formation"])
    assert "entrees_formation" in row.loc["NAQ", "cellules_masquees"].split()
    # no rate survives: at most 13 people accompanied anywhere (< 20)
    assert table["taux_emploi"].isna().all()
    # no count from 1 to 4 anywhere in the file
    counts = table.loc[
        :, "jeunes_en_contact":"entrees_emploi_sortants_formation_region"
    ]
    assert not ((counts >= 1) & (counts <= 4)).any().any()
    assert "not for circulation" not in capsys.readouterr().err


def test_cli_csv_raw_says_so_on_stderr(tmp_path, capsys):
    out = tmp_path / "brut.csv"
    assert _run(tmp_path, "--out", str(out), "--raw") == 0
    assert "not for circulation" in capsys.readouterr().err
    row = pd.read_csv(out, dtype={"code": str}).set_index("code")
    assert row.loc["NAQ", "entrees_formation"] == 3
    assert row.loc["M1", "taux_formation"] == pytest.approx(2 / 5)
    assert "cellules_masquees" not in row.columns


def test_cli_xlsx_protected(tmp_path):
    out = tmp_path / "indicateurs.xlsx"
    assert _run(tmp_path, "--monthly", "--out", str(out)) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Missions locales",
        "Départements",
        "Région",
        "Définitions",
        "Source",
    ]
    ws = wb["Région"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Code", "Libellé", "Période", "Portée", "Jeunes en contact"]
    # 24 rows: 12 months then 12 year-to-date
    assert ws.max_row == 25
    # region, December year to date: 14 in contact (see test_indicators)
    dec = [c.value for c in ws[25]]
    assert dec[2:4] == ["2023-12", "cumul"]
    assert dec[4] == 14
    assert ws.cell(25, 5).number_format == "#,##0"
    # 3 training entrants: masked, shown as "< 5"
    assert dec[header.index("Entrées en formation")] == "< 5"
    rate = header.index("Taux d'entrée en emploi")
    assert dec[rate] == "s"  # 12 accompanied < 20
    definitions = {
        r[0]: r for r in wb["Définitions"].iter_rows(min_row=2, values_only=True)
    }
    assert definitions["entrees_emploi_durable"][1] == "dont emploi durable"
    source = dict(wb["Source"].iter_rows(min_row=2, values_only=True))
    assert source["Date d'extraction"] == "06/11/2023"
    assert source["Règle de secret statistique"].startswith(
        "Effectifs de 1 à 4 masqués"
    )
    assert "AVERTISSEMENT" not in source
    assert wb["Région"].sheet_properties.tabColor is None


def test_cli_xlsx_raw_is_marked(tmp_path, capsys):
    out = tmp_path / "brut.xlsx"
    assert _run(tmp_path, "--out", str(out), "--raw") == 0
    assert "not for circulation" in capsys.readouterr().err
    wb = load_workbook(out)
    source = dict(wb["Source"].iter_rows(min_row=2, values_only=True))
    assert "ne pas diffuser" in source["AVERTISSEMENT"]
    assert source["Règle de secret statistique"].startswith("aucune")
    for ws in wb:
        assert "ne pas diffuser" in ws.oddHeader.center.text
    ws = wb["Région"]
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert row[header.index("Entrées en formation")] == 3
    cell = ws.cell(2, header.index("Taux d'entrée en emploi") + 1)
    # 5 jobs over 13 accompanied (national definition: J05's workshop counts)
    assert cell.value == pytest.approx(5 / 13)
    assert "définition nationale" in source["Définition des jeunes accompagnés"]
    assert cell.number_format == "0.0 %"


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert _run(tmp_path, "--out", str(tmp_path / "x.txt")) == 2
    err = capsys.readouterr().err
    assert "observatoire indicators: error: --out x.txt" in err
    assert "Traceback" not in err
    code = main(
        ["indicators", "--data", str(FIXTURE), "--period", "2023-13", "--out", "x.csv"]
    )
    assert code == 2
    assert "month 13" in capsys.readouterr().err
    assert not (tmp_path / "x.txt").exists()


def test_cli_strict_definition_is_stated_and_followed(tmp_path):
    out = tmp_path / "strict.xlsx"
    code = _run(
        tmp_path, "--out", str(out), "--raw", "--accompagnement", "entretien_individuel"
    )
    assert code == 0
    wb = load_workbook(out)
    source = dict(wb["Source"].iter_rows(min_row=2, values_only=True))
    assert "plus stricte" in source["Définition des jeunes accompagnés"]
    definitions = {
        r[0]: r[2] for r in wb["Définitions"].iter_rows(min_row=2, values_only=True)
    }
    assert "au moins un entretien individuel dans" in definitions["jeunes_accompagnes"]
    ws = wb["Région"]
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert row[header.index("Jeunes accompagnés")] == 12
    cell = ws.cell(2, header.index("Taux d'entrée en emploi") + 1)
    assert cell.value == pytest.approx(4 / 12)


def test_cli_bad_definition_is_exit_2(tmp_path, capsys):
    assert (
        _run(tmp_path, "--out", str(tmp_path / "x.csv"), "--accompagnement", "visite")
        == 2
    )
    assert "'visite' is not an event type" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_xlsx_refuses_a_text_longer_than_a_cell_holds_instead_of_cutting_it(tmp_path):
    from observatoire.exceptions import OutputError

    target = tmp_path / "t.xlsx"
    long = pd.DataFrame({"nom": ["court", "x" * 32_768]})
    with pytest.raises(OutputError, match=r"row 3, column 1: a text of 32768 char"):
        exports.write_xlsx(target, {"feuille": long})
    assert not target.exists()  # nothing half-written
    # the limit itself fits, control characters and markup stay text
    ok = pd.DataFrame({"nom": ["x" * 32_767, "a\x01b", "<script>"]})
    ws = load_workbook(exports.write_xlsx(target, {"feuille": ok}))["feuille"]
    assert len(ws["A2"].value) == 32_767
    assert ws["A4"].value == "<script>"
