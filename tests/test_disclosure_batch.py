"""No masked figure of a batch can be worked back from a total (issue #15).

A batch runs on the session's small synthetic extract. Three nets:

- the tables the shared step keeps for the reports (key figures, follow-up,
  indicator tables) carry the structure they were protected under
  (``disclosure.MARKER``): :func:`disclosure.recoverable_cells` finds nothing in
  them, equation by equation and, for the key figures, by linear programming;
- every HTML table of every report is scanned for a total with exactly one
  hidden part (or a hidden total with all its parts shown): the aids by type
  with « Toutes aides », and every table whose last row is a total
  (« Ensemble », « Nouvelle-Aquitaine », « Total »...);
- every evaluation, animation and target table a report shows comes out of
  its module marked as protected by ``observatoire.disclosure``.
"""

from __future__ import annotations

import json
import pickle
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from observatoire import animation, data, disclosure, indicators, reports, targets
from observatoire import evaluation as ev
from observatoire.reports import sections

MLS = ["ML16A", "ML23A", "ML33A", "ML87A"]
HIDDEN = re.compile(r"^(< \d+|s|n\.d\.)$")
#: a shown count or amount: 12, 12 345, 3 690 €
NUMBER = re.compile(r"^\d{1,3}([ \u00a0\u202f]\d{3})*( €)?$")
#: labels of a row that is the total of the rows above it
TOTAL_ROW = re.compile(
    r"^(Ensemble|Total|Région|Nouvelle-Aquitaine|Toutes? )", re.IGNORECASE
)


PLANTED_ML = "ML23A"


@pytest.fixture(scope="module")
def planted_extract(synthetic_extract, tmp_path_factory) -> Path:
    """The extract with the defect of #15 planted in ML23A's aids of 2024.

    Its 61 aids of the year become 58 allocations and 3 international
    mobility aids: with the naive rule, « Toutes aides » minus the allocations
    gave the 3 back (count and amount).
    """
    import shutil

    out = tmp_path_factory.mktemp("plante") / "entrepot"
    shutil.copytree(synthetic_extract, out)
    aides = pd.read_parquet(out / "aides.parquet")
    jeunes = pd.read_parquet(out / "jeunes.parquet")
    held = aides["id_jeune"].map(jeunes.set_index("id_jeune")["code_ml"])
    mine = (held == PLANTED_ML) & (aides["date_attribution"].dt.year == 2024)
    rows = aides.index[mine.to_numpy(dtype=bool)]
    assert len(rows) > 10
    aides.loc[rows, "type_aide"] = "allocation"
    aides.loc[rows[:3], "type_aide"] = "mobilite_internationale"
    # through write_extract, which keeps the fingerprints of metadonnees.json
    data.write_extract({"aides": aides}, out)
    return out


@pytest.fixture(scope="module")
def batch(planted_extract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("secret")
    path = folder / "secret.yaml"
    path.write_text(
        json.dumps(
            {
                "run": "secret",
                "data": str(planted_extract),
                "mls": MLS,
                "output_dir": str(folder / "sorties"),
                "jobs": 2,
                "timeout": 600,
            }
        ),
        encoding="utf-8",
    )
    result = reports.run_batch(reports.load_params(path), progress=False)
    assert result.exit_code == 0, result.summary()
    return result


def _cached(batch, name: str):
    (path,) = (batch.run_dir / "cache").glob(f"*/{name}.pkl")
    with path.open("rb") as fh:
        return pickle.load(fh)


# ------------------------------------------------------------ declared structures
@pytest.mark.slow
def test_cached_tables_carry_their_structure_and_leave_nothing_recoverable(batch):
    for name in ("chiffres_cles", "suivi"):
        table = _cached(batch, name)
        assert disclosure.is_protected(table), name
        structure = table.attrs[disclosure.MARKER]["structure"]
        published = table.copy()
        if "periode" not in published:  # as protect_figures reads a year's table
            published["periode"] = table["annee"].astype(str)
        if "portee" not in published:
            published["portee"] = "annee"
        primary = pd.DataFrame(
            {
                c: table.get(f"{c}_masque", pd.Series("", index=table.index))
                .eq("primaire")
                .to_numpy()
                for c in structure.values
            },
            index=table.index,
        )
        found = disclosure.recoverable_cells(published, structure, primary=primary)
        assert found.empty, (name, found.head().to_dict("records"))
        if name == "chiffres_cles":
            found = disclosure.recoverable_cells(
                published, structure, primary=primary, method="intervalle"
            )
            assert found.empty, (name, found.head().to_dict("records"))
        hidden = table[[f"{c}_masque" for c in ("valeur", "valeur_n_1")]].ne("")
        assert hidden.to_numpy().any()  # the check had something to check
    for name in ("annuel", "mensuel", "annuel_n_1"):
        part = _cached(batch, name)
        values = part["values"]
        assert disclosure.is_protected(values), name
        structure = values.attrs[disclosure.MARKER]["structure"]
        found = disclosure.recoverable_cells(
            values, structure, primary=part["mask"] == "primaire"
        )
        assert found.empty, (name, found.head().to_dict("records"))


# ------------------------------------------------------------------ HTML scan
class _Tables(HTMLParser):
    """Every table of a page: caption, header row, body rows (cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._table: dict | None = None
        self._row: list[str] | None = None
        self._cell: str | None = None
        self._caption: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = {"caption": "", "rows": []}
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_data(self, text):
        if self._cell is not None:
            self._cell += text
        elif self._caption is not None:
            self._caption += text

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table["rows"].append(self._row)
            self._row = None
        elif tag == "caption" and self._caption is not None:
            self._table["caption"] = " ".join(self._caption.split())
            self._caption = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None


def _value(cell: str) -> str:
    """A cell without its change in brackets: « 12 (+3 %) » -> « 12 »."""
    return re.sub(r"\s*\(.*\)$", "", cell).strip()


def _lone_hidden(table: dict) -> list[str]:
    """Equations of a table with exactly one hidden cell, as readable strings."""
    header, *body = table["rows"]
    found = []
    groups: list[tuple[int, list[int]]] = []
    labels = [row[0] if row else "" for row in body]
    if any(label.startswith("Toutes aides") for label in labels):
        # aids by type: « X : nombre » rows add up to « Toutes aides : nombre »
        for suffix in (": nombre", ": montant"):
            total = [i for i, lb in enumerate(labels) if lb == f"Toutes aides {suffix}"]
            parts = [
                i
                for i, lb in enumerate(labels)
                if lb.endswith(suffix) and not lb.startswith("Toutes aides")
            ]
            if total and parts:
                groups.append((total[0], parts))
    elif len(body) > 2 and TOTAL_ROW.match(labels[-1]):
        groups.append((len(body) - 1, list(range(len(body) - 1))))
    for total, parts in groups:
        for j in range(1, len(header)):
            cells = [_value(body[i][j]) for i in (total, *parts) if j < len(body[i])]
            shown = [c for c in cells if NUMBER.match(c)]
            hidden = [c for c in cells if HIDDEN.match(c)]
            if len(shown) + len(hidden) != len(cells):
                continue  # not a column of counts or amounts (rates, text)
            if len(hidden) == 1:
                found.append(f"{table['caption']} / {labels[total]} / {header[j]}")
    return found


@pytest.mark.slow
def test_no_html_table_has_a_total_with_exactly_one_hidden_part(batch):
    pages = sorted((batch.run_dir / "html").glob("*.html"))
    assert len(pages) == 4 + 4  # 4 ML reports, regional, follow-up, paths, ARML
    scanned = leaks = 0
    aids_tables = 0
    for page in pages:
        parser = _Tables()
        parser.feed(page.read_text(encoding="utf-8"))
        for table in parser.tables:
            if len(table["rows"]) < 2:
                continue
            scanned += 1
            aids_tables += "aides attribuées" in table["caption"]
            found = _lone_hidden(table)
            leaks += len(found)
            assert not found, f"{page.name}: {found}"
    assert scanned > 20 and leaks == 0
    assert aids_tables == 5  # the regional report and each ML report
    # an ML's paths by type add up to the cohort size its paragraph prints
    paths = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        size = re.search(r"Les ([\d\u202f\u00a0 ]+) jeunes accueillis pour la", text)
        if size is None:
            continue
        parser = _Tables()
        parser.feed(text)
        (table,) = [t for t in parser.tables if "Types de parcours" in t["caption"]]
        header, *body = table["rows"]
        cells = [row[header.index("Jeunes")] for row in body]
        assert sum(bool(HIDDEN.match(c)) for c in cells) != 1, (page.name, cells)
        paths += 1
    assert paths == len(MLS)
    # the planted case: 3 mobility aids shown « < 5 », and what would give
    # them back by subtraction from « Toutes aides » hidden too
    parser = _Tables()
    parser.feed(
        (
            batch.run_dir / "html" / f"rapport_mission_locale_{PLANTED_ML}.html"
        ).read_text(encoding="utf-8")
    )
    (aids,) = [t for t in parser.tables if "aides attribuées" in t["caption"]]
    rows = {row[0]: row[1] for row in aids["rows"][1:]}
    assert rows["Aides mobilité internationale : nombre"] == "< 5"
    assert rows["Aides mobilité internationale : montant"] == "s"
    assert rows["Aides allocation : nombre"] == "s"
    assert NUMBER.match(rows["Toutes aides : nombre"])


def _hidden(v) -> bool:
    return isinstance(v, str) and bool(HIDDEN.match(v))


def _lone(cells: list, where: str) -> list[str]:
    """``[where]`` when exactly one of ``cells`` (figures or masks) is hidden."""
    if any(not (_hidden(c) or isinstance(c, int | float)) for c in cells):
        return []  # not all published or masked figures (a missing month)
    return [where] if sum(_hidden(c) for c in cells) == 1 else []


def _lone_aids(header: tuple, rows: list[tuple]) -> list[str]:
    """Aids by type against « Toutes aides », per unit and year (key figures)."""
    at = {h: i for i, h in enumerate(header)}
    units: dict[tuple, dict[str, tuple]] = {}
    for r in rows:
        unit = units.setdefault((r[at["Niveau"]], r[at["Code"]]), {})
        unit[r[at["Indicateur"]]] = r
    found = []
    for unit, by_name in units.items():
        for suffix in (" : nombre", " : montant"):
            total = by_name.get(f"Toutes aides{suffix}")
            parts = [
                r for name, r in by_name.items()
                if name.endswith(suffix) and not name.startswith("Toutes aides")
            ]  # fmt: skip
            for col in (h for h in header if h.startswith("Valeur")):
                if total is not None and parts:
                    cells = [r[at[col]] for r in (total, *parts)]
                    found += _lone(cells, f"{unit} aides{suffix} {col}")
    return found


def _lone_months(
    name: str, sheets: dict[str, list[tuple]], indicator: str
) -> list[str]:
    """Months against January-to-month and the year, per unit, of an event count."""
    header, *rows = sheets[name]
    at = {h: i for i, h in enumerate(header)}
    label = indicators.DEFINITIONS[indicator][0]
    year_sheet = sheets.get("Indicateurs " + name.removeprefix("Mois par mois "))
    years = {}
    if year_sheet is not None:
        yh, *yrows = year_sheet
        years = {(r[0], r[1]): r[yh.index(label)] for r in yrows}
    by_unit: dict[tuple, dict] = {}
    for r in rows:
        cells = by_unit.setdefault((r[at["Niveau"]], r[at["Code"]]), {})
        cells[(r[at["Portée"]], r[at["Période"]])] = r[at[label]]
    found = []
    for unit, cells in by_unit.items():
        months = sorted(p for scope, p in cells if scope == "mois")
        for k, month in enumerate(months, start=1):
            ytd = cells.get(("cumul depuis janvier", month))
            parts = [cells[("mois", m)] for m in months[:k]]
            if ytd is not None:
                found += _lone([ytd, *parts], f"{name} {unit} {indicator} {month}")
        if unit in years and len(months) == 12:
            parts = [cells[("mois", m)] for m in months]
            found += _lone([years[unit], *parts], f"{name} {unit} {indicator} year")
    return found


def _lone_in_downloads(sheets: dict[str, list[tuple]]) -> list[str]:
    """Equations of a report's downloaded tables with exactly one hidden cell.

    ``sheets``: sheet name -> rows (header first) of its XLSX. Two nets: the
    aids by type add up to « Toutes aides » (key figures, per unit and year);
    the events and first receptions of the months add up to January-to-month
    and to the year (monthly series and the year's indicators, per unit).
    """
    found: list[str] = []
    if "Chiffres clés" in sheets:
        found += _lone_aids(sheets["Chiffres clés"][0], sheets["Chiffres clés"][1:])
    for name in sheets:
        if name.startswith("Mois par mois "):
            for indicator in indicators.TIME_ADDITIVE:
                found += _lone_months(name, sheets, indicator)
    return found


@pytest.mark.slow
def test_no_downloaded_table_has_a_total_with_exactly_one_hidden_part(batch):
    from openpyxl import load_workbook

    files = sorted((batch.run_dir / "telechargements").glob("*/*.xlsx"))
    assert len(files) == 4 + 4  # one workbook per report
    checked = 0
    for path in files:
        wb = load_workbook(path, read_only=True)
        # row 1 is the title cell, row 2 the header
        sheets = {ws.title: list(ws.iter_rows(min_row=2, values_only=True))
                  for ws in wb.worksheets}  # fmt: skip
        wb.close()
        checked += "Chiffres clés" in sheets
        found = _lone_in_downloads(sheets)
        assert not found, f"{path.name}: {found[:5]}"
        assert not any(
            "id_jeune" in str(v) for rows in sheets.values() for r in rows for v in r
        )
    assert checked == 1 + len(MLS)  # the regional report and each ML report
    # the planted case: the ML's mobility aids masked there too, as on the page
    (ml,) = [p for p in files if PLANTED_ML in p.name]
    wb = load_workbook(ml, read_only=True)
    rows = list(wb["Chiffres clés"].iter_rows(min_row=2, values_only=True))
    header = rows[0]
    mine = {
        r[header.index("Indicateur")]: r[header.index("Valeur 2024")]
        for r in rows[1:]
        if r[header.index("Code")] == PLANTED_ML
    }
    assert mine["Aides mobilité internationale : nombre"] == "< 5"
    assert mine["Aides mobilité internationale : montant"] == "s"


def test_the_download_scan_sees_a_lone_hidden_part():
    header = ("Niveau", "Code", "Territoire", "Indicateur", "Unité", "Valeur 2024")
    sheets = {
        "Chiffres clés": [
            header,
            ("Mission Locale", "A", "A", "Aides santé : nombre", "nombre", "< 5"),
            ("Mission Locale", "A", "A", "Aides permis B : nombre", "nombre", 40),
            ("Mission Locale", "A", "A", "Toutes aides : nombre", "nombre", 43),
        ]
    }
    assert _lone_in_downloads(sheets) == [
        "('Mission Locale', 'A') aides : nombre Valeur 2024"
    ]
    label = indicators.DEFINITIONS["entretiens"][0]
    accueils = indicators.DEFINITIONS["premiers_accueils"][0]
    head = ("Niveau", "Code", "Période", "Portée", label, accueils)
    months = [
        ("Mission Locale", "A", "2024-01", "mois", 10, 10),
        ("Mission Locale", "A", "2024-02", "mois", "< 5", 10),
        ("Mission Locale", "A", "2024-02", "cumul depuis janvier", 13, 20),
    ]
    found = _lone_in_downloads({"Mois par mois 2024": [head, *months]})
    assert found == ["Mois par mois 2024 ('Mission Locale', 'A') entretiens 2024-02"]


def test_the_scan_sees_a_lone_hidden_part():
    # the ML23A case of issue #15 as the naive rule published it
    table = {
        "caption": "Entrées en dispositif et aides attribuées, 2023",
        "rows": [
            ["Indicateur", "2023"],
            ["Aides permis B : nombre", "100"],
            ["Aides mobilité internationale : nombre", "< 5"],
            ["Toutes aides : nombre", "103"],
            ["Aides permis B : montant", "3 000 €"],
            ["Aides mobilité internationale : montant", "s"],
            ["Toutes aides : montant", "3 690 €"],
        ],
    }
    assert len(_lone_hidden(table)) == 2
    ensemble = {
        "caption": "x",
        "rows": [["Type", "Jeunes", "Part"], ["A", "12", "4 %"], ["B", "< 5", "s"],
                 ["Ensemble", "15", "5 %"]],
    }  # fmt: skip
    assert _lone_hidden(ensemble) == ["x / Ensemble / Jeunes"]


# --------------------------------------------------- one path for every table
@pytest.mark.slow
def test_evaluation_animation_and_target_tables_go_through_disclosure(
    synthetic_extract,
):
    wh = data.load(synthetic_extract)
    year = 2024
    opts = {"threshold": 5, "min_denominator": 20}
    outs = ev.outcomes_after_training(wh, year - 1)
    surv = ev.time_to_employment(wh, year - 1)
    comp = ev.compare_missions_locales(wh, year, overdispersion=True)
    tables = {
        "sorties": ev.outcomes_table(
            outs, dimension="sous_categorie", horizon=6, **opts
        ),
        "sorties_ml": ev.outcomes_table(outs, dimension="code_ml", horizon=6, **opts),
        "medianes": ev.medians_table(surv, variable="niveau_diplome", **opts),
        "logrank": ev.logrank_table(surv),
        "cox": ev.cox_table(surv),
        "comparaison": ev.comparison_table(comp, names=False, **opts),
    }
    review = animation.annual_review(wh, year=animation.resolve_year(wh, "auto"))
    for which in sections.REVIEW_TABLES:
        out = sections.review_table(review, which)
        if hasattr(out, "data"):
            tables[f"animation {which}"] = out
    declared = targets.load_targets(
        Path(__file__).resolve().parents[1] / "params" / "objectifs.yaml",
        wh.missions_locales,
    )
    progress = targets.progress(wh, declared, year, 12)
    tables["objectifs"] = progress
    tables["objectifs (tableau)"] = targets.progress_table(progress)
    unprotected = [name for name, t in tables.items() if not disclosure.is_protected(t)]
    assert unprotected == []
    # raw figures (analysts only) are not marked: the marker means something
    raw = targets.progress(wh, declared, year, 12, raw=True)
    assert not disclosure.is_protected(raw)
    assert not disclosure.is_protected(targets.progress_table(raw))
    # a masked count is never shown by a target table
    shown = progress.loc[~progress["secret_realise"], "realise"]
    counts = progress["indicateur"].str.contains(":")
    assert not shown[counts[shown.index]].between(1, 4).any()
    assert np.isnan(progress.loc[progress["secret_realise"], "realise"]).all()
