"""Files meant to be opened by people: CSV (machine-readable) and XLSX exports.

Every text cell written is neutralised against formula injection: a value that a
spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) gets a leading apostrophe, as OWASP recommends. Numbers
are left as numbers. Files are written to a temporary name then renamed, so an
interrupted export leaves nothing half-written.

- :func:`write_csv`: UTF-8, ``,`` separator, ``.`` decimal point.
- :func:`write_xlsx`: one sheet per frame, bold frozen header, number formats
  per column (French display: thousands grouped, ``45,2 %``).
- :func:`write_indicators`: a table of ``indicators.compute`` as CSV or XLSX,
  protected by ``disclosure`` unless raw figures are asked for.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import atomic_path, neutralise, neutralise_frame, write_csv
from .disclosure import DEFAULT_MIN_DENOMINATOR, DEFAULT_THRESHOLD
from .exceptions import ParamsError

__all__ = [
    "neutralise",
    "neutralise_frame",
    "write_csv",
    "write_indicators",
    "write_xlsx",
]

logger = logging.getLogger(__name__)

#: Excel number formats; Excel shows them with the reader's separators, so a
#: French spreadsheet reads ``12 345`` and ``45,2 %``
FORMAT_COUNT = "#,##0"
FORMAT_RATE = "0.0 %"
FORMAT_DECIMAL = "#,##0.00"
FORMAT_EUROS = '#,##0 "€"'


def _cell(value: object) -> object:
    """A value openpyxl can write: numbers as numbers, missing as empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return neutralise(value)


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: Mapping[str, pd.DataFrame],
    *,
    number_formats: Mapping[str, str] | None = None,
    print_header: str | None = None,
    tab_color: str | None = None,
) -> Path:
    """Write each frame to its own sheet of an XLSX workbook, atomically.

    Parameters
    ----------
    path : path
        Target ``.xlsx`` file.
    sheets : mapping of sheet name to DataFrame
        In order. Column names become a bold header row, frozen so that it stays
        visible; text cells are neutralised (:func:`neutralise`).
    number_formats : mapping, optional
        Column name -> Excel number format, applied in every sheet holding that
        column (e.g. :data:`FORMAT_COUNT`, :data:`FORMAT_RATE`).
    print_header : str, optional
        Printed at the top of every page of every sheet (e.g. a warning).
    tab_color : str, optional
        RGB colour of the sheet tabs (``"C00000"``).

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = dict(number_formats or {})
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(title=str(name)[:31])
        sheet.append([_cell(str(c)) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
        for j, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(j)
            fmt = formats.get(str(column))
            if fmt is not None:
                for (cell,) in sheet.iter_rows(
                    min_row=2, min_col=j, max_col=j, max_row=len(frame) + 1
                ):
                    if isinstance(cell.value, (int, float)):
                        cell.number_format = fmt
            longest = max(
                [len(str(column))] + [len(str(v)) for v in frame[column].head(200)]
            )
            sheet.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        sheet.freeze_panes = "A2"
        if print_header:
            sheet.oddHeader.center.text = print_header
        if tab_color:
            sheet.sheet_properties.tabColor = tab_color
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return Path(path)


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
    from . import disclosure
    from .indicators import (
        COUNT_COLUMNS,
        RATE_COLUMNS,
        accompaniment_sentence,
        definitions_in_force,
    )

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
