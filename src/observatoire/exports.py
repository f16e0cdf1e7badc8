"""Files meant to be opened by people: CSV (machine-readable) and XLSX exports.

Every text cell written is neutralised against formula injection: a value that a
spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) gets a leading apostrophe, as OWASP recommends. Numbers
are left as numbers. Files are written to a temporary name then renamed, so an
interrupted export leaves nothing half-written.

- :func:`write_csv`: UTF-8, ``,`` separator, ``.`` decimal point.
- :func:`xlsx_bytes` / :func:`write_xlsx`: one sheet per frame (XlsxWriter),
  bold frozen header, number formats per column (French display: thousands
  grouped, ``45,2 %``), optional title cell and workbook properties, and with
  a fixed ``timestamp`` bytes that depend on the content only.
- :func:`csv_bytes`: the CSV a French spreadsheet opens as it is (UTF-8 with
  BOM, ``;``, decimal comma); :func:`zip_bytes`: a zip with fixed dates.
- :func:`write_indicators`: a table of ``indicators.compute`` as CSV or XLSX,
  protected by ``disclosure`` unless raw figures are asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import disclosure
from ._io import excerpt, neutralise, neutralise_frame, write_bytes_atomic, write_csv
from .disclosure import DEFAULT_MIN_DENOMINATOR, DEFAULT_THRESHOLD
from .exceptions import OutputError, ParamsError
from .indicators import (
    COUNT_COLUMNS,
    RATE_COLUMNS,
    accompaniment_sentence,
    definitions_in_force,
)

__all__ = [
    "csv_bytes",
    "neutralise",
    "neutralise_frame",
    "write_csv",
    "write_indicators",
    "write_xlsx",
    "xlsx_bytes",
    "zip_bytes",
]

logger = logging.getLogger(__name__)

#: Excel number formats; Excel shows them with the reader's separators, so a
#: French spreadsheet reads ``12 345`` and ``45,2 %``
FORMAT_COUNT = "#,##0"
FORMAT_RATE = "0.0 %"
FORMAT_DECIMAL = "#,##0.00"
FORMAT_EUROS = '#,##0 "€"'


#: XlsxWriter names of the workbook properties callers give in openpyxl's
#: (and Dublin Core's) words
_PROPERTY_NAMES = {"creator": "author", "description": "comments"}
_DATE_FORMAT = "dd/mm/yyyy"


def _cell(value: object) -> object:
    """A value a spreadsheet cell holds: numbers as numbers, missing as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, dt.date)):
        return value
    return neutralise(value)


class _Formats:
    """The workbook's cell formats, one object per number format (XlsxWriter wants them shared)."""

    def __init__(self, workbook) -> None:
        self._workbook = workbook
        self._by_format: dict[str | None, object] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 12})
        self.header = workbook.add_format({"bold": True})

    def number(self, fmt: str | None) -> object:
        if fmt not in self._by_format:
            self._by_format[fmt] = (
                None if fmt is None else self._workbook.add_format({"num_format": fmt})
            )
        return self._by_format[fmt]


#: the longest text a spreadsheet cell holds (Excel's limit)
_MAX_CELL_TEXT = 32_767


def _text(sheet, row: int, col: int, text: str, style: object = None) -> None:
    """Write ``text`` as text, never as a formula, whatever it starts with.

    XlsxWriter would cut a longer text to the cell's limit and go on: the
    workbook would then say less than the page, so it is an error instead.
    """
    if len(text) > _MAX_CELL_TEXT:
        raise OutputError(
            f"sheet {excerpt(sheet.name)}, row {row + 1}, column {col + 1}: a text of "
            f"{len(text)} characters, longer than the {_MAX_CELL_TEXT} a spreadsheet "
            "cell holds"
        )
    sheet.write_string(row, col, text, style)


def _fill_sheet(
    sheet,
    styles: _Formats,
    frame: pd.DataFrame,
    title: str | None,
    formats: Mapping[str, str],
    per_row: Sequence[str | None] | None,
) -> None:
    """Title, bold frozen header, rows and number formats of one sheet."""
    # each column read once as Python values (what iterating the frame gives):
    # a cell at a time through pandas costs more than writing it
    columns = [values.tolist() for _, values in frame.items()]
    for j, (column, values) in enumerate(zip(frame.columns, columns, strict=True)):
        longest = max([len(str(column))] + [len(str(v)) for v in values[:200]])
        sheet.set_column(j, j, min(max(10, longest + 2), 60))
    top = 0
    if title:
        _text(sheet, 0, 0, str(_cell(str(title))), styles.title)
        top = 1
    sheet.freeze_panes(top + 1, 0)
    for j, column in enumerate(frame.columns):
        _text(sheet, top, j, str(_cell(str(column))), styles.header)
    if not columns:
        return
    column_formats = [formats.get(str(c)) for c in frame.columns]
    rows = per_row if per_row is not None else [None] * len(frame)
    date_format = styles.number(_DATE_FORMAT)
    for i, (row, row_format) in enumerate(
        zip(zip(*columns, strict=True), rows, strict=True), start=top + 1
    ):
        _write_row(sheet, styles, i, row, column_formats, row_format, date_format)


def _write_row(
    sheet,
    styles: _Formats,
    i: int,
    row: Sequence[object],
    column_formats: Sequence[str | None],
    row_format: str | None,
    date_format: object,
) -> None:
    """The cells of one data row: numbers as numbers, texts as texts, blanks left out."""
    number = styles.number
    for j, (value, fmt) in enumerate(zip(row, column_formats, strict=True)):
        kind = type(value)
        # the common cells first, as _cell reads them (a float that is not
        # finite is an empty cell; bool, numpy scalars... go the long way)
        if kind is float:
            if value - value == 0.0:
                sheet.write_number(i, j, value, number(fmt or row_format))
            continue
        if kind is int:
            sheet.write_number(i, j, value, number(fmt or row_format))
            continue
        if kind is str:
            if value:
                _text(sheet, i, j, str(neutralise(value)))
            continue
        value = _cell(value)
        if value is None or value == "":
            continue  # an empty cell, as a spreadsheet reads it
        if isinstance(value, bool):
            sheet.write_boolean(i, j, value)
        elif isinstance(value, (int, float)):
            sheet.write_number(i, j, value, number(fmt or row_format))
        elif isinstance(value, dt.date):
            sheet.write_datetime(i, j, value, date_format)
        else:
            _text(sheet, i, j, str(value))


def xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame],
    *,
    number_formats: Mapping[str, str] | None = None,
    print_header: str | None = None,
    tab_color: str | None = None,
    titles: str | Mapping[str, str] | None = None,
    properties: Mapping[str, str] | None = None,
    timestamp: dt.datetime | None = None,
    row_formats: Mapping[str, Sequence[str | None]] | None = None,
) -> bytes:
    """One sheet per frame in an XLSX workbook, as bytes.

    Parameters
    ----------
    sheets : mapping of sheet name to DataFrame
        In order. Column names become a bold header row, frozen so that it stays
        visible; text cells are neutralised (:func:`neutralise`) and always
        written as text, never as formulas.
    number_formats : mapping, optional
        Column name -> Excel number format, applied in every sheet holding that
        column (e.g. :data:`FORMAT_COUNT`, :data:`FORMAT_RATE`).
    print_header : str, optional
        Printed at the top of every page of every sheet (e.g. a warning).
    tab_color : str, optional
        RGB colour of the sheet tabs (``"C00000"``).
    titles : str or mapping of sheet name to str, optional
        A title written in cell ``A1`` of every sheet (or of the sheets named),
        above the header row, which then is row 2.
    properties : mapping, optional
        Workbook properties (``title``, ``subject``, ``description``,
        ``keywords``, ``creator``...), as a spreadsheet's « Properties » shows.
    timestamp : datetime, optional
        Creation and modification date of the workbook; with it the bytes
        depend on the content only (zip members always carry a fixed date).
    row_formats : mapping of sheet name to formats, optional
        One number format per data row of that sheet (None: none), for the
        numeric cells of columns ``number_formats`` does not name (a tidy
        table whose rows mix counts, rates and amounts).

    Returns
    -------
    bytes
        The ``.xlsx`` file (for a ``data:`` link or :func:`write_xlsx`).
    """
    # lazy: XlsxWriter is only needed by the downloads and the indicators export
    import xlsxwriter

    formats = dict(number_formats or {})
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _Formats(workbook)
    for name, frame in sheets.items():
        title = titles.get(name) if isinstance(titles, Mapping) else titles
        sheet = workbook.add_worksheet(str(name)[:31])
        _fill_sheet(sheet, styles, frame, title, formats, (row_formats or {}).get(name))
        if print_header:
            sheet.set_header("&C" + print_header.replace("&", "&&"))
        if tab_color:
            sheet.set_tab_color(f"#{tab_color}")
    props: dict[str, object] = {
        _PROPERTY_NAMES.get(key, key): str(neutralise(value))
        for key, value in (properties or {}).items()
    }
    if timestamp is not None:
        props["created"] = timestamp  # XlsxWriter writes it as « modified » too
    workbook.set_properties(props)
    workbook.close()
    return buffer.getvalue()


#: date and time of every member of a zip (the earliest a zip knows)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A zip archive of ``files`` (name -> content), in order, with fixed dates.

    The same files give the same bytes (no time stamp, no owner), so a report
    that embeds the archive stays byte-identical from one run to the next.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(_zip_info(name), content)
    return out.getvalue()


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: Mapping[str, pd.DataFrame],
    **options: Any,
) -> Path:
    """Write :func:`xlsx_bytes` of ``sheets`` to ``path``, atomically.

    Parameters
    ----------
    path : path
        Target ``.xlsx`` file; an interrupted write leaves the previous file.
    sheets : mapping of sheet name to DataFrame
        As :func:`xlsx_bytes`.
    **options
        The keyword arguments of :func:`xlsx_bytes` (number formats, print
        header, tab colour, titles, properties, timestamp, row formats).

    Returns
    -------
    Path
    """
    write_bytes_atomic(path, xlsx_bytes(sheets, **options))
    return Path(path)


# ------------------------------------------------------------ CSV for people
def _french_value(value: object) -> object:
    """A cell of a French CSV: decimal comma, whole numbers without a point."""
    kind = type(value)
    if kind is str:  # the commonest cells first, as the cases below read them
        return neutralise(value)
    if kind is float and value == value:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    return neutralise(value)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a CSV a French spreadsheet opens as it is.

    UTF-8 with a byte-order mark (so that Excel reads the accents), ``;``
    between fields, decimal comma, no thousands separator, ``\r\n`` line ends
    (RFC 4180), empty cells for missing values; text cells are neutralised
    against formula injection (:func:`neutralise`). Contrast
    :func:`write_csv`, the machine-readable form (``,`` and ``.``).
    """
    cells = [[_french_value(v) for v in col.tolist()] for _, col in frame.items()]
    header = [neutralise(str(c)) for c in frame.columns]
    if cells and all(type(v) in (str, int) for col in cells for v in col):
        # what pandas' to_csv writes for these cells (it hands them to the
        # same csv writer, QUOTE_MINIMAL, as str), without building a frame
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(zip(*cells, strict=True))
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    # other cells (dates...) are formatted by pandas
    out = pd.DataFrame(dict(enumerate(cells)), index=range(len(frame)))
    out.columns = header
    text = out.to_csv(index=False, sep=";", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


_LEVEL_SHEETS = {
    "ml": "Missions locales",
    "departement": "Départements",
    "region": "Région",
}
RAW_WARNING = (
    "CHIFFRES BRUTS NON PROTÉGÉS – usage interne, ne pas diffuser "
    "(aucune règle de secret statistique appliquée)"
)


def _disclosure_text(threshold: int, min_denominator: int) -> str:
    return (
        f"Effectifs de 1 à {threshold - 1} masqués (affichés « < {threshold} »), "
        "masquage secondaire (« s ») des cellules qui permettraient de les "
        "retrouver par différence avec les totaux départementaux, régionaux ou "
        f"cumulés ; taux masqués lorsque moins de {min_denominator} jeunes "
        "accompagnés ou lorsque leur numérateur est masqué."
    )


def write_indicators(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    raw: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    source: str = "",
    extraction_date: object = None,
    synthetic: bool = False,
    accompagnement: list[str] | tuple[str, ...] | None = None,
) -> Path:
    """Export a table of ``indicators.compute`` to CSV or XLSX (by extension).

    Without ``raw`` the disclosure rules apply (:func:`observatoire.disclosure.protect`
    on the whole table): in CSV masked cells are empty and the column
    ``cellules_masquees`` names them; in XLSX they read ``< 5`` or ``s``.
    With ``raw`` the exact figures are written; the XLSX says so on a warning
    row of the ``Source`` sheet, in the printed page header and with red tabs.

    CSV: UTF-8, ``,``, ``.`` decimal point, contract column names. XLSX: one
    sheet per level (``Missions locales``, ``Départements``, ``Région``) with
    French headers and number formats, ``Définitions`` (each column, its label
    and definition) and ``Source`` (data source, extraction date, period,
    disclosure rule, production date). Both state the definition of the young
    people accompanied in force (``accompagnement``, default the table's
    ``attrs["accompagnement"]``, else the definition in force): the XLSX on a
    ``Définition des jeunes accompagnés`` row of ``Source`` and in the
    ``Définitions`` sheet, the CSV in a ``definition_accompagnement`` column
    (a CSV has no place for a note).

    Raises
    ------
    ParamsError
        When ``path`` ends neither in ``.csv`` nor in ``.xlsx``.
    """
    if accompagnement is None:
        accompagnement = table.attrs.get("accompagnement")
    DEFINITIONS = definitions_in_force(accompagnement)
    sentence = accompaniment_sentence(accompagnement)

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ParamsError(f"--out {target.name}: expected a .csv or .xlsx file name")
    protected = None
    if not raw:
        protected = disclosure.protect(
            table, threshold=threshold, min_denominator=min_denominator
        )
    if suffix == ".csv":
        out = table if protected is None else protected.for_csv()
        # a constant column: a CSV has no place for a note; before the list of
        # masked cells, which stays last
        at = (
            out.columns.get_loc("cellules_masquees")
            if "cellules_masquees" in out
            else len(out.columns)
        )
        out = out.copy()
        out.insert(at, "definition_accompagnement", sentence)
        return write_csv(out, target)

    shown = (
        table if protected is None else disclosure.render(protected, formatted=False)
    )
    labels = {col: DEFINITIONS[col][0] for col in table.columns if col in DEFINITIONS}
    formats = {labels.get(c, c): FORMAT_COUNT for c in COUNT_COLUMNS}
    formats.update({labels.get(c, c): FORMAT_RATE for c in RATE_COLUMNS})
    sheets: dict[str, pd.DataFrame] = {}
    for level, sheet in _LEVEL_SHEETS.items():
        part = shown[shown["niveau"] == level].drop(columns="niveau")
        if len(part):
            sheets[sheet] = part.rename(columns=labels).reset_index(drop=True)
    sheets["Définitions"] = pd.DataFrame(
        [
            {
                "colonne": col,
                "intitulé": DEFINITIONS[col][0],
                "définition": DEFINITIONS[col][1],
            }
            for col in table.columns
            if col in DEFINITIONS
        ]
    )
    periods = sorted(set(table["periode"].astype(str)))
    when = pd.Timestamp(extraction_date) if extraction_date is not None else None
    rows = [
        ("Source des données", source or "non précisée"),
        (
            "Nature des données",
            "SYNTHÉTIQUES (générateur du projet) : ne décrivent aucune personne réelle"
            if synthetic
            else "extrait de l'entrepôt régional i-Milo",
        ),
        ("Date d'extraction", "" if when is None else when.strftime("%d/%m/%Y")),
        (
            "Période",
            periods[0] if len(periods) == 1 else f"{periods[0]} à {periods[-1]}",
        ),
        (
            "Règle de secret statistique",
            "aucune : chiffres bruts (--raw)"
            if raw
            else _disclosure_text(threshold, min_denominator),
        ),
        ("Définition des jeunes accompagnés", sentence),
        ("Date de production", dt.date.today().strftime("%d/%m/%Y")),
    ]
    if raw:
        rows.insert(0, ("AVERTISSEMENT", RAW_WARNING))
    sheets["Source"] = pd.DataFrame(rows, columns=["rubrique", "valeur"])
    return write_xlsx(
        target,
        sheets,
        number_formats=formats,
        print_header=RAW_WARNING if raw else None,
        tab_color="C00000" if raw else None,
    )
