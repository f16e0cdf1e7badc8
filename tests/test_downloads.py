"""The data to download of each report (issue 16): XLSX, zip of CSVs, ``data:`` links.

A hand-made protected cache (two Missions Locales of one department and the
region, one count under the threshold, its secondary suppression and a rate on
too few young people) serves: the page's links are decoded and the files
opened as a reader opens them (openpyxl, a French spreadsheet's CSV).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from observatoire import disclosure, exports, indicators
from observatoire.exceptions import ParamsError
from observatoire.reports import _downloads, sections
from observatoire.reports._cache import ReportInputs

LINK = re.compile(
    r'<a href="data:(?P<mime>[^;]+);base64,(?P<data>[A-Za-z0-9+/=]+)" '
    r'download="(?P<name>[^"]+)" type="(?P=mime)">(?P=name)</a> '
    r"\((?P<kind>XLSX|ZIP), (?P<size>[\d ]+ ko|[\d,]+ Mo)\)"
)

UNITS = [
    ("ml", "MLA", "Mission Locale A"),
    ("ml", "MLB", "Mission Locale B"),
    ("departement", "33", "Gironde"),
    ("region", "NAQ", "Nouvelle-Aquitaine"),
]


def _indicators(year: int) -> dict[str, pd.DataFrame]:
    """A protected ``annuel`` table as the shared step caches it (values, mask)."""
    counts = {
        "jeunes_en_contact": [120, 15, 135, 135],
        "jeunes_accompagnes": [100, 12, 112, 112],
        "premiers_accueils": [40, 6, 46, 46],
        "entretiens": [500, 30, 530, 530],
        "entrees_formation": [20, 3, 23, 23],
        "entrees_formation_region": [10, 2, 12, 12],
        "entrees_alternance": [8, 1, 9, 9],
        "entrees_emploi": [30, 6, 36, 36],
        "entrees_emploi_durable": [15, 2, 17, 17],
        "entrees_emploi_sortants_formation_region": [5, 0, 5, 5],
    }
    values = pd.DataFrame(
        {
            "niveau": [u[0] for u in UNITS],
            "code": [u[1] for u in UNITS],
            "libelle": [u[2] for u in UNITS],
            "periode": str(year),
            "portee": "annee",
        }
    )
    mask = pd.DataFrame("", index=values.index, columns=[*counts, *indicators.RATES])
    for col, v in counts.items():
        values[col] = np.array(v, dtype=float)
    for rate, (num, den) in indicators.RATES.items():
        values[rate] = values[num] / values[den]
        values[f"{rate}_ic_bas"] = values[rate] - 0.05
        values[f"{rate}_ic_haut"] = values[rate] + 0.05
    # MLB: 3 entries into training (< 5), MLA's 20 hidden with it (s), and
    # MLB's rates on 12 young people (fewer than 20: n.d.)
    mask.loc[1, "entrees_formation"] = "primaire"
    mask.loc[0, "entrees_formation"] = "secondaire"
    for rate in indicators.RATES:
        mask.loc[1, rate] = "denominateur"
    for col in mask.columns:
        values.loc[mask[col] != "", col] = np.nan
    return {"values": values, "mask": mask}


def _inputs(synthetic: bool = True, **tables) -> ReportInputs:
    tables = {"annuel": _indicators(2024), "annuel_n_1": _indicators(2023), **tables}
    meta = {
        "year": 2024,
        "month": 6,
        "disclosure_threshold": 5,
        "min_denominator": 20,
        "synthetic": synthetic,
        "extraction_date": "2024-07-03",
        "labels": {"MLA": "Mission Locale A", "MLB": "Mission Locale B"},
        "departements": {"MLA": "33", "MLB": "33"},
        "tables": sorted(tables),
        "messages": {},
    }
    return ReportInputs(meta, None, dict(tables))


def _links(html: str) -> list[dict]:
    found = [m.groupdict() for m in LINK.finditer(html)]
    for f in found:
        f["bytes"] = base64.b64decode(f["data"])
    return found


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


# ------------------------------------------------------------------ the page
def test_page_links_the_xlsx_and_the_csv_zip_as_data_uris():
    html = sections.download_data(_inputs(), "rapport_regional").html
    assert html.startswith("<h2>Télécharger les données</h2>")
    xlsx, archive = _links(html)
    assert xlsx["name"] == "rapport_regional_2024_06.xlsx"
    assert xlsx["mime"] == _downloads.MIME_XLSX and xlsx["kind"] == "XLSX"
    assert archive["name"] == "rapport_regional_2024_06_csv.zip"
    assert archive["mime"] == "application/zip" and archive["kind"] == "ZIP"
    for f in (xlsx, archive):  # the size shown is the file's, in French
        assert f["size"] == f"{max(1, round(len(f['bytes']) / 1000))} ko"
    assert "id_jeune" not in html


def test_workbook_sheets_definitions_rules_and_synthetic_mention():
    (xlsx, _) = _links(sections.download_data(_inputs(), "rapport_regional").html)
    wb = load_workbook(io.BytesIO(xlsx["bytes"]))
    assert wb.sheetnames == [
        "Indicateurs 2024",
        "Indicateurs 2023",
        "Définitions",
        "Règles de diffusion",
    ]
    for sheet in wb.worksheets:  # the title cell of every sheet says it
        assert sheet["A1"].value.startswith("DONNÉES SYNTHÉTIQUES — Rapport régional")
        assert sheet.freeze_panes == "A3"
    assert "DONNÉES SYNTHÉTIQUES" in wb.properties.title
    assert wb.properties.keywords == "données synthétiques"
    assert wb.properties.created == dt.datetime(2024, 7, 3)  # the extraction day
    header, *body = _rows(wb["Indicateurs 2024"])[1:]
    assert header[:6] == [
        "Niveau", "Code", "Territoire", "Département", "Période", "Portée"
    ]  # fmt: skip
    assert {r[5] for r in body} == {"année"}
    assert [r[1] for r in body] == ["MLA", "MLB", "33", "NAQ"]  # every unit
    assert [r[3] for r in body] == ["33", "33", None, None]
    row = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    label = indicators.DEFINITIONS["entrees_formation"][0]
    assert row["MLB"][label] == "< 5"  # masked as the page prints it
    assert row["MLA"][label] == "s"
    assert row["NAQ"][label] == 23
    rate = indicators.DEFINITIONS["taux_formation"][0]
    assert row["MLB"][rate] == "n.d."
    assert row["MLB"][f"{rate} : borne basse (IC 95 %)"] is None
    assert row["MLA"][rate] == pytest.approx(0.2)
    assert row["MLA"][f"{rate} : borne haute (IC 95 %)"] == pytest.approx(0.25)
    number = wb["Indicateurs 2024"].cell(row=3, column=header.index(rate) + 1)
    assert number.number_format == exports.FORMAT_RATE
    # definitions of every contract indicator; the rules with the run's figures
    names = [r[2] for r in _rows(wb["Définitions"])[2:]]
    assert set(indicators.COUNT_COLUMNS) | set(indicators.RATES) <= set(names)
    rules = {r[0]: r for r in _rows(wb["Règles de diffusion"])[2:]}
    assert rules["Effectif masqué"][2] == "< 5"
    assert "de 1 à 4" in rules["Effectif masqué"][1]
    assert rules["Secret secondaire"][2] == "s"
    assert rules["Dénominateur minimal d'un taux"][2] == "n.d."
    assert (
        f"moins de {disclosure.DEFAULT_MIN_DENOMINATOR} jeunes"
        in (rules["Dénominateur minimal d'un taux"][1])
    )
    assert "synthétiques" in rules["Nature des données"][1].lower()
    # aggregates only: nothing that names a young person
    text = zipfile.ZipFile(io.BytesIO(xlsx["bytes"]))
    assert not any(b"id_jeune" in text.read(n) for n in text.namelist())


def test_csv_zip_holds_one_french_csv_per_sheet():
    (_, archive) = _links(sections.download_data(_inputs(), "rapport_regional").html)
    z = zipfile.ZipFile(io.BytesIO(archive["bytes"]))
    assert z.namelist() == [
        "indicateurs_2024.csv",
        "indicateurs_2023.csv",
        "definitions.csv",
        "regles_de_diffusion.csv",
    ]
    raw = z.read("indicateurs_2024.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: a spreadsheet reads UTF-8
    lines = raw.decode("utf-8-sig").split("\r\n")
    header = lines[0].split(";")
    mlb = dict(zip(header, lines[2].split(";"), strict=True))
    mla = dict(zip(header, lines[1].split(";"), strict=True))
    assert mlb["Code"] == "MLB" and mlb["Entrées en formation"] == "< 5"
    assert mla["Entrées en formation"] == "s"
    rate = indicators.DEFINITIONS["taux_formation"][0]
    assert mla[rate] == "0,2" and mlb[rate] == "n.d."  # decimal comma
    assert mla["Jeunes accompagnés"] == "100"  # a count stays a whole number


def test_files_are_byte_identical_from_one_run_to_the_next():
    first = _downloads.downloads(_inputs(), "rapport_regional")
    again = _downloads.downloads(_inputs(), "rapport_regional")
    assert [f.data for f in first] == [f.data for f in again]
    for f in first:  # no member carries the time it was written
        members = zipfile.ZipFile(io.BytesIO(f.data)).infolist()
        assert {m.date_time for m in members} == {(1980, 1, 1, 0, 0, 0)}
    core = zipfile.ZipFile(io.BytesIO(first[0].data)).read("docProps/core.xml")
    assert b"2024-07-03T00:00:00Z</dcterms:modified>" in core


def test_ml_report_holds_its_ml_its_department_and_the_region():
    files = _downloads.downloads(_inputs(), "rapport_mission_locale", "MLA")
    assert files[0].name == "rapport_mission_locale_MLA_2024_06.xlsx"
    wb = load_workbook(io.BytesIO(files[0].data))
    assert "Mission Locale A" in wb["Indicateurs 2024"]["A1"].value
    codes = [r[1] for r in _rows(wb["Indicateurs 2024"])[2:]]
    assert codes == ["MLA", "33", "NAQ"]


def test_real_extract_says_nothing_synthetic():
    files = _downloads.downloads(_inputs(synthetic=False), "rapport_regional")
    wb = load_workbook(io.BytesIO(files[0].data))
    assert wb["Indicateurs 2024"]["A1"].value.startswith("Rapport régional, 2024")
    assert "Nature des données" not in [r[0] for r in _rows(wb["Règles de diffusion"])]
    z = zipfile.ZipFile(io.BytesIO(files[1].data))
    assert not any(b"synth" in z.read(n).lower() for n in z.namelist())


def test_key_figures_keep_their_masks_and_units():
    kf = pd.DataFrame(
        {
            "niveau": "ml",
            "code": "MLA",
            "libelle": "Mission Locale A",
            "annee": 2024,
            "theme": ["aides", "aides", "profil"],
            "indicateur": ["aides_sante_nombre", "aides_total_nombre", "part_femmes"],
            "unite": ["nombre", "nombre", "part"],
            "valeur": [np.nan, 40.0, 0.4512345],
            "ic_bas": np.nan,
            "ic_haut": np.nan,
            "valeur_n_1": [6.0, np.nan, 0.5],
            "evolution": [np.nan, np.nan, -0.0487655],
            "evolution_relative": [np.nan, np.nan, -0.097531],
            "valeur_masque": ["primaire", "", ""],
            "valeur_n_1_masque": ["", "secondaire", ""],
        }
    )
    inputs = _inputs(chiffres_cles=kf)
    table = _downloads.key_figures_table(inputs)
    assert table["Valeur 2024"].tolist() == ["< 5", 40.0, 0.4512]
    assert table["Valeur 2023"].tolist() == [6.0, "s", 0.5]
    # a change hides when either year does: it would give the hidden one back
    assert table["Évolution"].isna().tolist() == [True, True, False]
    assert table["Évolution"].tolist()[2] == pytest.approx(-0.0488)
    assert table["Indicateur"].tolist()[2] == "Part des jeunes accompagnés : Femmes"
    files = _downloads.downloads(inputs, "rapport_mission_locale", "MLA")
    sheet = load_workbook(io.BytesIO(files[0].data))["Chiffres clés"]
    assert sheet["F5"].value == pytest.approx(0.4512)
    assert sheet["F5"].number_format == exports.FORMAT_RATE  # a share, per row
    assert sheet["F4"].number_format == exports.FORMAT_COUNT


def test_write_downloads_replaces_the_report_folder_and_refuses_bad_names(tmp_path):
    files = _downloads.downloads(_inputs(), "suivi_mensuel")
    assert files == []  # no follow-up table in this cache: nothing to give
    files = _downloads.downloads(_inputs(), "rapport_regional")
    folder = tmp_path / "telechargements" / "rapport_regional"
    folder.mkdir(parents=True)
    (folder / "rapport_regional_2024_05.xlsx").write_bytes(b"last month")
    rel = _downloads.write_downloads(tmp_path, "rapport_regional", files)
    assert rel == [f"telechargements/rapport_regional/{f.name}" for f in files]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.name for f in files)
    assert (tmp_path / rel[0]).read_bytes() == files[0].data
    with pytest.raises(ParamsError, match="ML code"):
        _downloads.write_downloads(tmp_path, "../index", files)
    with pytest.raises(ParamsError, match="ML code"):
        _downloads.report_name("rapport_mission_locale", "../x")


def test_section_writes_the_files_next_to_a_batch_cache(tmp_path):
    inputs = _inputs()
    inputs.folder = tmp_path / "run" / "cache" / "0123"  # as the batch reads it
    html = sections.download_data(inputs, "rapport_regional").html
    folder = tmp_path / "run" / "telechargements" / "rapport_regional"
    on_disk = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert on_disk == {f["name"]: f["bytes"] for f in _links(html)}


def test_followup_gives_the_month_and_year_to_date_as_masked():
    fu = pd.DataFrame(
        {
            "niveau": ["ml", "ml", "region"],
            "code": ["MLA", "MLA", "NAQ"],
            "libelle": ["Mission Locale A", "Mission Locale A", "Nouvelle-Aquitaine"],
            "periode": "2024-06",
            "portee": ["mois", "cumul", "cumul"],
            "indicateur": ["entrees_emploi", "entrees_emploi", "taux_emploi"],
            "valeur": [np.nan, 12.0, 0.3],
            "ic_bas": np.nan,
            "ic_haut": np.nan,
            "valeur_n_1": [7.0, 10.0, 0.25],
            "evolution": [np.nan, 2.0, 0.05],
            "evolution_relative": [np.nan, 0.2, 0.2],
            "valeur_masque": ["primaire", "", ""],
            "valeur_n_1_masque": ["", "", ""],
        }
    )
    files = _downloads.downloads(_inputs(suivi=fu), "suivi_mensuel")
    wb = load_workbook(io.BytesIO(files[0].data))
    assert wb.sheetnames == ["Suivi mensuel", "Définitions", "Règles de diffusion"]
    header, *body = _rows(wb["Suivi mensuel"])[1:]
    assert header == ["Niveau", "Code", "Territoire", "Période", "Indicateur",
                      "Valeur 2024", "Valeur 2023", "Évolution"]  # fmt: skip
    ytd = "Janvier à juin 2024"
    assert [r[3] for r in body] == ["Mois (juin 2024)", ytd, ytd]
    assert body[0][5:] == ["< 5", 7, None]  # no change against a hidden month
    assert body[1][5:] == [12, 10, 2]
    sheet = wb["Suivi mensuel"]
    assert sheet["F5"].number_format == exports.FORMAT_RATE  # the rate's row
    assert sheet["F4"].number_format == exports.FORMAT_COUNT


def test_trajectory_study_gives_its_published_tables_as_printed():
    from observatoire.reports import _style as st

    block = st.join(
        st.heading("Étude"),
        st.table(
            pd.DataFrame({"Type": ["A", "B"], "Jeunes": ["12", "< 5"]}),
            caption="Types de parcours : effectifs",
        ),
    )
    tables = _downloads.html_tables(block.html)
    assert list(tables) == ["Types de parcours effectifs"]  # no ':' in a sheet name
    assert tables["Types de parcours effectifs"].to_dict("list") == {
        "Type": ["A", "B"],
        "Jeunes": ["12", "< 5"],
    }
    files = _downloads.downloads(_inputs(trajectoires=block), "trajectoires")
    assert files[0].name == "trajectoires_2024_06.xlsx"
    sheet = load_workbook(io.BytesIO(files[0].data))["Types de parcours effectifs"]
    assert sheet["A1"].value.endswith("— Types de parcours : effectifs")  # in full


def test_animation_review_files_say_no_disclosure_rule_applies(tmp_path):
    from observatoire import animation

    anim = pd.DataFrame(
        {
            "id_animation": ["a1", "a2"],
            "date_animation": pd.to_datetime(["2024-03-01", "2023-05-02"]),
            "type_animation": ["webinaire", "webinaire"],
            "politique_regionale": ["sante", "sante"],
            "intitule": ["x", "y"],
            "duree_heures": [1.5, 2.0],
        }
    )
    part = pd.DataFrame(
        {
            "id_animation": ["a1", "a2"],
            "code_ml": ["m1", "m1"],
            "nb_participants": [2, 3],
        }
    )
    mls = pd.DataFrame(
        {"code_ml": ["m1", "m2"], "nom_ml": ["Un", "Deux"], "departement": ["33", "24"]}
    )
    review = animation.annual_review(
        {
            "animations": anim,
            "animations_participations": part,
            "missions_locales": mls,
        },
        year=2024,
    )
    cache = tmp_path / "run" / "cache" / "k"
    html = sections.review_download_data(
        review, synthetic=True, cache_dir=str(cache)
    ).html
    xlsx, archive = _links(html)
    assert xlsx["name"] == "bilan_animation_2024.xlsx"
    wb = load_workbook(io.BytesIO(xlsx["bytes"]))
    assert "Par type d'action" in wb.sheetnames
    assert wb.sheetnames[-2:] == ["Définitions", "Règles de diffusion"]
    rules = " ".join(str(r[1]) for r in _rows(wb["Règles de diffusion"])[2:])
    assert "aucune règle de secret statistique" in rules
    assert wb["Par type d'action"]["A1"].value.startswith("DONNÉES SYNTHÉTIQUES")
    folder = tmp_path / "run" / "telechargements" / "bilan_animation"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [xlsx["name"], archive["name"]]
    )


# ----------------------------------------------------------------- exports
def test_csv_bytes_are_french_and_formula_safe():
    frame = pd.DataFrame(
        {"nom": ["=1+1", "b"], "n": [12345.0, None], "p": [0.452, 1.5], "x": [1, 2]}
    )
    text = exports.csv_bytes(frame).decode("utf-8")
    assert text == "\ufeffnom;n;p;x\r\n'=1+1;12345;0,452;1\r\nb;;1,5;2\r\n"


def test_csv_bytes_quote_like_a_spreadsheet_and_mixed_columns():
    # written by the csv module directly: quotes around a field holding the
    # separator, a quote or a line end (doubled quote inside), never elsewhere;
    # booleans in French; an empty text is an empty field
    frame = pd.DataFrame(
        {
            "a;b": ['dit "oui"', "x;y", "deux\nlignes", ""],
            "v": [True, False, 3, -2.5],
            "n": [1, 2, 3, 4],
        }
    )
    text = exports.csv_bytes(frame).decode("utf-8")
    assert text == (
        '\ufeff"a;b";v;n\r\n"dit ""oui""";oui;1\r\n"x;y";non;2\r\n'
        '"deux\nlignes";3;3\r\n;-2,5;4\r\n'
    )


def test_csv_bytes_dates_are_written_as_pandas_writes_them():
    # a cell that is neither a text nor a whole number goes through pandas
    frame = pd.DataFrame(
        {"jour": [dt.date(2024, 1, 31), None], "n": [1.0, float("nan")]}
    )
    text = exports.csv_bytes(frame).decode("utf-8")
    assert text == "\ufeffjour;n\r\n2024-01-31;1\r\n;\r\n"


def test_xlsx_title_cell_properties_and_fixed_date():
    frame = pd.DataFrame({"a": [1, 2]})
    when = dt.datetime(2024, 1, 31)
    data = exports.xlsx_bytes(
        {"S": frame},
        titles="Titre",
        properties={"title": "=Titre", "keywords": "k"},
        timestamp=when,
    )
    wb = load_workbook(io.BytesIO(data))
    assert [c.value for c in wb["S"]["A"]] == ["Titre", "a", 1, 2]
    assert wb.properties.title == "'=Titre"  # neutralised there too
    assert wb.properties.modified == when and wb.properties.created == when
    assert exports.xlsx_bytes({"S": frame}, titles="Titre", timestamp=when) == (
        exports.xlsx_bytes({"S": frame}, titles="Titre", timestamp=when)
    )


def test_size_text_reads_as_french():
    assert _downloads.size_text(45_300) == "45 ko"
    assert _downloads.size_text(1_234_567) == "1,2 Mo"
    assert _downloads.size_text(10) == "1 ko"
