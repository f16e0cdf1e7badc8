"""Canary test: what leaves the building holds no identifier, no microdata and no
count under the disclosure threshold.

A small synthetic extract is given recognisable identifiers (``CANARI…``) for
the young people of one Mission Locale, and one of them a rare combination of
attributes (a 29-year-old woman with a master's-level diploma, living both in a
QPV and a ZRR, with a planted birth date and town code). Then every output meant
for circulation is produced: the HTML reports and executed notebooks of a batch,
and the indicator exports in CSV and XLSX. None may contain a canary identifier,
the planted birth date or town, or show a count from 1 to 4 in a count column.
"""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from observatoire import data, reports
from observatoire.cli import main

CANARY_ML = "ML23A"
BIRTH = pd.Timestamp("1995-03-17")
TOWN = "23999"
PLANTED = ("CANARI", "1995-03-17", "17/03/1995", TOWN)

#: headers of the columns that hold counts of young people or of events
COUNT_HEADERS = re.compile(
    r"Jeunes|Entrées|Premiers accueils|Entretiens|Effectif|Sortants|Observés|"
    r"Accompagnés",
    re.IGNORECASE,
)
SMALL = {"1", "2", "3", "4"}


@pytest.fixture(scope="module")
def canary_extract(synthetic_extract, tmp_path_factory) -> Path:
    import shutil

    out = tmp_path_factory.mktemp("canari") / "entrepot"
    shutil.copytree(synthetic_extract, out)
    jeunes = pd.read_parquet(out / "jeunes.parquet")
    mine = jeunes["code_ml"] == CANARY_ML
    new_ids = {
        old: f"CANARI{i:05d}" for i, old in enumerate(jeunes.loc[mine, "id_jeune"])
    }
    first = jeunes.index[mine][0]
    jeunes.loc[first, ["sexe", "niveau_diplome", "qpv", "zrr", "commune_residence"]] = [
        "F",
        "6+",
        True,
        True,
        TOWN,
    ]
    accueil = jeunes.loc[first, "date_premier_accueil"]
    jeunes.loc[first, "date_naissance"] = BIRTH
    jeunes.loc[first, "date_premier_accueil"] = max(accueil, pd.Timestamp("2024-03-20"))
    for table in ("jeunes", "evenements", "situations", "dispositifs", "aides"):
        path = out / f"{table}.parquet"
        frame = jeunes if table == "jeunes" else pd.read_parquet(path)
        frame["id_jeune"] = frame["id_jeune"].replace(new_ids)
        # through write_extract, which keeps the fingerprints of metadonnees.json
        data.write_extract({table: frame}, out)
    return out


@pytest.fixture(scope="module")
def circulated(canary_extract, tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("sorties")
    params_path = folder / "canari.yaml"
    params_path.write_text(
        json.dumps(
            {
                "data": str(canary_extract),
                "mls": [CANARY_ML, "ML33A"],
                "output_dir": str(folder),
                "jobs": 2,
            }
        ),
        encoding="utf-8",
    )
    result = reports.run_batch(reports.load_params(params_path), progress=False)
    assert result.exit_code == 0, result.summary()
    files = [result.run_dir / r.html for r in result.results]
    files += [result.run_dir / r.notebook for r in result.results]
    files += [result.run_dir / "index.html", result.run_dir / "manifest.json"]
    for ext in ("csv", "xlsx"):
        out = folder / f"indicateurs.{ext}"
        args = ["indicators", "--data", str(canary_extract), "--period", "2024"]
        assert main([*args, "--monthly", "--out", str(out)]) == 0
        files.append(out)
    return files


def _text(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "".join(
                z.read(n).decode("utf-8", "replace")
                for n in z.namelist()
                if n.endswith(".xml")
            )
    return path.read_text(encoding="utf-8")


def test_no_identifier_or_planted_attribute_anywhere(circulated, canary_extract):
    ids = set(pd.read_parquet(canary_extract / "jeunes.parquet")["id_jeune"])
    synthetic_ids = re.compile(r"\bJ\d{7}\b")
    for path in circulated:
        text = _text(path)
        for planted in PLANTED:
            assert planted not in text, f"{planted} in {path.name}"
        assert not set(synthetic_ids.findall(text)) & ids, path.name


def test_notebook_metadata_and_parameters_hold_no_microdata(circulated):
    for path in (p for p in circulated if p.suffix == ".ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        meta = json.dumps(nb["metadata"])
        assert "CANARI" not in meta and "id_jeune" not in meta
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                # no DataFrame of people: an output never lists id or birth columns
                text = json.dumps(out)
                assert "date_naissance" not in text and "id_jeune" not in text


class _Tables(HTMLParser):
    """Collects (header, cell) pairs of every table and the key-figure cards."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self.cards: list[tuple[str, str]] = []
        self._headers: list[str] = []
        self._row: list[str] = []
        self._in: str | None = None
        self._buf = ""
        self._card_value: str | None = None
        self._span: str | None = None

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "table":
            self._headers = []
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._in, self._buf = tag, ""
        elif tag == "span" and cls in ("valeur", "libelle"):
            self._span, self._buf = cls, ""

    def handle_data(self, data):
        if self._in or self._span:
            self._buf += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._in:
            text = " ".join(self._buf.split())
            self._row.append(text)
            if tag == "td" and len(self._row) <= len(self._headers):
                self.cells.append((self._headers[len(self._row) - 1], text))
            self._in = None
        elif tag == "tr" and self._row and not self._headers:
            self._headers = self._row
        elif tag == "span" and self._span:
            if self._span == "valeur":
                self._card_value = " ".join(self._buf.split())
            elif self._card_value is not None:
                self.cards.append((" ".join(self._buf.split()), self._card_value))
                self._card_value = None
            self._span = None


def test_no_count_below_the_threshold_is_shown(circulated):
    checked = 0
    for path in (p for p in circulated if p.suffix == ".html"):
        parser = _Tables()
        parser.feed(path.read_text(encoding="utf-8"))
        for header, value in parser.cells + parser.cards:
            if COUNT_HEADERS.search(header) and "%" not in header:
                checked += 1
                assert value not in SMALL, f"{path.name}: {header} = {value}"
    assert checked > 500  # the parser did find the count columns


def test_exports_mask_small_counts(circulated):
    from observatoire.indicators import COUNT_COLUMNS

    csv = next(p for p in circulated if p.suffix == ".csv")
    table = pd.read_csv(csv)
    for col in COUNT_COLUMNS:
        assert not table[col].between(1, 4).any(), col
    xlsx = next(p for p in circulated if p.suffix == ".xlsx")
    for sheet, frame in pd.read_excel(xlsx, sheet_name=None).items():
        for col in frame.columns:
            if col in COUNT_COLUMNS:
                numbers = pd.to_numeric(frame[col], errors="coerce")
                assert not numbers.between(1, 4).any(), (sheet, col)
