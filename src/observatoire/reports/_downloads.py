"""The data of each report, to download: one XLSX workbook and a zip of CSV files.

Every table comes from the run's **protected** shared cache (``annuel``,
``mensuel``, ``chiffres_cles``, ``suivi``, ``objectifs``...: what
:mod:`._protect` kept), never from an unprotected table, and the files hold
aggregates only (no row-level data, no ``id_jeune``).

What each report kind carries (:func:`report_tables`):

- ``rapport_regional``: every Article 4 indicator (counts and rates with their
  95 % bounds) of the year and of the year before for the 43 Missions Locales,
  the departments and the region; the key figures (N, N−1, change); the monthly
  series of both years; the targets;
- ``rapport_mission_locale``: the same for the report's ML, with its
  department and the region as references;
- ``suivi_mensuel``: the month and January-to-month tables, N and N−1, of
  every ML, department and the region;
- ``bilan_animation``: the tables of the review (:func:`animation_tables`);
- ``trajectoires``: the tables the study publishes, as printed.

**Masked cells stay masked as the page prints them**: ``< 5`` (a count under
the threshold), ``s`` (secondary suppression), ``n.d.`` (a rate on fewer than
20 young people); the same sign in the XLSX (a text cell in a numeric column,
which a spreadsheet's sums leave out) and in the CSV. Nothing is blank that
the page shows, and no blank means zero: an empty cell is a value the page
does not give either (a rate with no young people, an interval of a masked
rate, a year the extract does not cover). The « Règles de diffusion » sheet
(``regles_de_diffusion.csv``) explains each sign with the run's threshold and
the contract's minimum denominator.

Files (:func:`downloads`): the XLSX (one sheet per table, French headers,
« Définitions », « Règles de diffusion »; « Données synthétiques » in the title
cell of each sheet and in the workbook's properties when the extract is
synthetic) and a zip of one CSV per sheet (UTF-8 with BOM, ``;``, decimal
comma: :func:`observatoire.exports.csv_bytes`; a rate is a proportion, 0,452
for 45,2 %, as in the XLSX). Their bytes depend on the tables only (the
workbook is dated by the extraction day, the zip members by a fixed date), so
two runs on the same data give the same files and the same page.

The page links them with ``data:`` URIs (:func:`links_html`), so the HTML file
stays self-contained; the batch finds the same files under
``<run>/telechargements/<report>/`` (:func:`write_downloads`, called by the
section when the report runs on a batch cache) and lists them in the manifest.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import exports, indicators
from .._io import excerpt, write_bytes_atomic
from ..disclosure import DEFAULT_MIN_DENOMINATOR
from ..exceptions import ParamsError
from ..formatting import fr_int, fr_month
from ._kinds import KINDS
from ._style import SYNTHETIC_BANNER, esc, esc_text
from .sections import _base as base
from .sections.animation import REVIEW_TABLES, review_table
from .sections.common import _PROFILE, _SCHEMES, _aid_label

if TYPE_CHECKING:
    from ._cache import ReportInputs

__all__ = [
    "FOLDER",
    "Download",
    "animation_tables",
    "downloads",
    "links_html",
    "report_tables",
    "review_downloads",
    "write_downloads",
]

#: the run's folder of downloads (``<run>/telechargements/<report>/``), which
#: ``_publication`` copies
DOWNLOADS_DIR = "telechargements"
FOLDER = DOWNLOADS_DIR
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_ZIP = "application/zip"
SYNTHETIC_MENTION = "DONNÉES SYNTHÉTIQUES"
#: level codes of the indicator tables as a reader reads them
LEVELS = {"ml": "Mission Locale", "departement": "Département", "region": "Région"}
#: what the period of a row covers
_SCOPES = {"annee": "année", "mois": "mois", "cumul": "cumul depuis janvier"}
#: decimals kept of a proportion (a rate, a share, a relative change)
_DIGITS = 4
#: a file or folder name that stays where it is put (no separator, no control
#: character, not hidden); the batch refuses the same ML codes (``_output_path``)
_SAFE_NAME = re.compile(r"^[^/\\.\x00-\x1f][^/\\\x00-\x1f]*$")


@dataclass(frozen=True)
class Download:
    """One file to download: its name, bytes, MIME type and French description."""

    name: str
    data: bytes
    mime: str
    description: str

    @property
    def size_text(self) -> str:
        """The size as a French reader reads it: « 45 ko », « 1,2 Mo »."""
        return size_text(len(self.data))


def size_text(n_bytes: int) -> str:
    """``n_bytes`` in French units (1 ko = 1 000 octets, as file managers show).

    Parameters
    ----------
    n_bytes : int
        A file size in bytes.

    Returns
    -------
    str
        Whole kilo-octets (at least « 1 ko ») under 1 000 000 bytes, else
        mega-octets to a tenth with a decimal comma.

    Examples
    --------
    >>> size_text(45_300), size_text(1_234_567), size_text(800)
    ('45 ko', '1,2 Mo', '1 ko')
    """
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1_000_000:.1f} Mo".replace(".", ",")
    return f"{max(1, round(n_bytes / 1000))} ko"


# ================================================================ the tables
def _masked(value: Any, reason: str, threshold: int) -> Any:
    """A protected value as the page prints it: the number, or its mask sign."""
    if not reason and type(value) is float:  # most cells: as the cases below
        if value != value:
            return None
        return value if value.is_integer() else round(value, _DIGITS)
    if reason:
        return base.MASK_LABELS.get(reason) or f"< {threshold}"
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        # a rate to a hundredth of a point, more than the page prints; the
        # files stay small (17 digits of a float say nothing more)
        return round(float(value), _DIGITS)
    return value


def _labels(inputs: ReportInputs) -> dict[str, str]:
    """Indicator labels under the definition in force for the run."""
    accompagnement = inputs.meta.get("accompagnement")
    definitions = (
        indicators.definitions_in_force(accompagnement)
        if accompagnement
        else indicators.DEFINITIONS
    )
    return {name: label for name, (label, _) in definitions.items()}


def indicator_table(
    inputs: ReportInputs, name: str, units: Sequence[tuple[str, str]] | None = None
) -> pd.DataFrame | None:
    """A protected indicator table (``annuel``, ``mensuel``...) for people.

    One row per unit and period: level, code, name, department, period and
    what it covers (the year, a month, or January to that month), then
    every contract count and rate (with its 95 % bounds) under its French
    label, masked cells as the page prints them. ``units`` keeps the
    (level, code) pairs given, in that order; default every unit.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    name : str
        Name of a protected indicator table of the inputs (``annuel``,
        ``mensuel``, ``annuel_n_1``...).
    units : sequence of tuple of (str, str), optional
        ``(level, code)`` pairs to keep, in that order; None keeps every unit.

    Returns
    -------
    pandas.DataFrame or None
        Display cells, one row per unit and period; None when the report's
        inputs have no table ``name``.
    """
    if name not in base.available(inputs):
        return None
    table = inputs[name]
    values, mask = table["values"], table["mask"]
    if units is not None:
        keep = _unit_rows(values, units)
        values, mask = values.iloc[keep], mask.iloc[keep]
    labels = _labels(inputs)
    threshold = inputs.threshold
    departements = inputs.meta.get("departements", {})
    # the columns as lists of Python values, read once: cell by cell through
    # pandas (an Arrow string column above all) cost more than the table
    niveaux = values["niveau"].astype(str).tolist()
    codes = values["code"].astype(str).tolist()
    columns: dict[str, Any] = {
        "Niveau": values["niveau"].astype(str).map(LEVELS).to_numpy(),
        "Code": values["code"].astype(str).to_numpy(),
        "Territoire": values["libelle"].astype(str).to_numpy(),
        "Département": [
            departements.get(c, "") if lv == "ml" else ""
            for lv, c in zip(niveaux, codes, strict=True)
        ],
        "Période": values["periode"].astype(str).to_numpy(),
        "Portée": values["portee"].astype(str).map(_SCOPES).to_numpy()
        if "portee" in values
        else "",
    }
    for col in indicators.COUNT_COLUMNS:
        if col in values:
            columns[labels.get(col, col)] = [
                _masked(v, r, threshold)
                for v, r in zip(values[col].tolist(), mask[col].tolist(), strict=True)
            ]
    for col in indicators.RATES:
        if col not in values:
            continue
        label = labels.get(col, col)
        reasons = mask[col].tolist()
        columns[label] = [
            _masked(v, r, threshold)
            for v, r in zip(values[col].tolist(), reasons, strict=True)
        ]
        for side, word in (("bas", "basse"), ("haut", "haute")):
            bound = values[f"{col}_ic_{side}"].to_numpy(dtype=float).tolist()
            columns[f"{label} : borne {word} (IC 95 %)"] = [
                None if r or b != b else round(b, _DIGITS)
                for b, r in zip(bound, reasons, strict=True)
            ]
    # one frame built at once (a column added at a time copies the frame's
    # blocks each time); the same columns, values and inferred dtypes
    out = pd.DataFrame(columns)
    return out


def key_figure_label(name: str, labels: Mapping[str, str]) -> str:
    """French label of a key figure (the reports' own words).

    Parameters
    ----------
    name : str
        Name of a key figure (the ``indicateur`` column of ``chiffres_cles``).
    labels : mapping of str to str
        French labels of the contract counts and rates, by name.

    Returns
    -------
    str
        The French label: a profile share, a contract label, or a scheme or aid
        label.
    """
    profile = dict(_PROFILE)
    if name in profile:
        return f"Part des jeunes accompagnés : {profile[name]}"
    if name in labels:
        return labels[name]
    if name == "entretiens_par_jeune_accompagne":
        return "Entretiens par jeune accompagné"
    schemes = dict(_SCHEMES)
    return schemes.get(name) or _aid_label(name)


def key_figures_table(
    inputs: ReportInputs, units: Sequence[tuple[str, str]] | None = None
) -> pd.DataFrame | None:
    """The protected key figures (``chiffres_cles``), N and N−1, for people.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    units : sequence of tuple of (str, str), optional
        ``(level, code)`` pairs to keep; None keeps every unit.

    Returns
    -------
    pandas.DataFrame or None
        One row per unit and key figure, its value in N and N−1 and its changes
        as display cells (a change is empty when either year is masked); None
        when the inputs have no ``chiffres_cles`` table.
    """
    if "chiffres_cles" not in base.available(inputs):
        return None
    kf = inputs["chiffres_cles"]
    if units is not None:
        kf = kf[_unit_mask(kf, units)]
    labels = _labels(inputs)
    threshold = inputs.threshold
    y = inputs.year
    rows = []
    for r in kf.itertuples(index=False):
        hidden = bool(r.valeur_masque or r.valeur_n_1_masque)
        rows.append(
            {
                "Niveau": LEVELS.get(str(r.niveau), str(r.niveau)),
                "Code": str(r.code),
                "Territoire": str(r.libelle),
                "Indicateur": key_figure_label(str(r.indicateur), labels),
                "Unité": {"part": "proportion", "euros": "euros"}.get(
                    str(r.unite), str(r.unite)
                ),
                f"Valeur {y}": _masked(r.valeur, r.valeur_masque, threshold),
                f"Valeur {y - 1}": _masked(
                    r.valeur_n_1, r.valeur_n_1_masque, threshold
                ),
                # a change hides with either year (it would give a hidden one back)
                "Évolution": None if hidden else _masked(r.evolution, "", threshold),
                "Évolution relative": None
                if hidden
                else _masked(r.evolution_relative, "", threshold),
            }
        )
    return pd.DataFrame(rows)


def followup_table(inputs: ReportInputs) -> pd.DataFrame | None:
    """The protected monthly follow-up (``suivi``): month and year to date.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).

    Returns
    -------
    pandas.DataFrame or None
        One row per unit, scope (the month, or January to the month) and
        indicator, N and N−1 and the change as display cells (the change empty
        when either year is masked); None when the inputs have no ``suivi`` table.
    """
    if "suivi" not in base.available(inputs):
        return None
    fu = inputs["suivi"]
    labels = _labels(inputs)
    threshold = inputs.threshold
    y = inputs.year
    month = fr_month(inputs.year, inputs.month)
    scopes = {"mois": f"Mois ({month})", "cumul": f"Janvier à {month}"}
    rows = []
    for r in fu.itertuples(index=False):
        hidden = bool(r.valeur_masque or r.valeur_n_1_masque)
        rows.append(
            {
                "Niveau": LEVELS.get(str(r.niveau), str(r.niveau)),
                "Code": str(r.code),
                "Territoire": str(r.libelle),
                "Période": scopes.get(str(r.portee), str(r.portee)),
                "Indicateur": labels.get(str(r.indicateur), str(r.indicateur)),
                f"Valeur {y}": _masked(r.valeur, r.valeur_masque, threshold),
                f"Valeur {y - 1}": _masked(
                    r.valeur_n_1, r.valeur_n_1_masque, threshold
                ),
                "Évolution": None if hidden else _masked(r.evolution, "", threshold),
            }
        )
    return pd.DataFrame(rows)


def targets_table(
    inputs: ReportInputs, units: Sequence[tuple[str, str]] | None = None
) -> pd.DataFrame | None:
    """Progress against the targets (``objectifs``), as the page masks it.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    units : sequence of tuple of (str, str), optional
        ``(level, code)`` pairs to keep; None keeps every unit.

    Returns
    -------
    pandas.DataFrame or None
        One row per target: bounds, done, done a year earlier and projection
        (« < threshold » or « n.d. » when secret), status, method and source;
        None when there are no targets (or none for ``units``).
    """
    part = base.part(inputs, "objectifs")
    if part is None or not len(part):
        return None
    if units is not None:
        part = part[_unit_mask(part, units)]
        if not len(part):
            return None
    threshold = inputs.threshold
    rows = []
    for r in part.itertuples(index=False):
        rate = str(r.indicateur).startswith("taux_")
        sign = "n.d." if rate else f"< {threshold}"
        rows.append(
            {
                "Objectif": str(r.libelle),
                "Territoire": str(r.libelle_niveau),
                "Cible minimale": _masked(r.cible_min, "", threshold),
                "Cible maximale": _masked(r.cible_max, "", threshold),
                f"Réalisé à fin {fr_month(int(r.annee), int(r.mois))}": sign
                if r.secret_realise
                else _masked(r.realise, "", threshold),
                "Même date, année précédente": sign
                if r.secret_realise_n_1
                else _masked(r.realise_n_1, "", threshold),
                "Projection au 31 décembre": sign
                if r.secret_realise
                else _masked(r.projection, "", threshold),
                "Situation": str(r.statut),
                "Méthode de projection": str(r.methode_projection),
                "Source": str(r.source),
            }
        )
    return pd.DataFrame(rows)


def animation_tables(review: Any) -> dict[str, pd.DataFrame]:
    """The tables of the ARML's annual review, as its page shows them.

    Parameters
    ----------
    review : AnnualReview
        From :func:`observatoire.animation.annual_review` (institutions and
        staff, not young people).

    Returns
    -------
    dict
        Sheet name -> table with the page's French headers (numbers as numbers).
    """
    names = {
        "evolution": "Évolution sur un an",
        "par_type": "Par type d'action",
        "par_politique": "Par politique régionale",
        "par_departement": "Par département",
        "moins_2_fois": "Touchées moins de 2 fois",
        "par_ml": "Par Mission Locale",
    }
    out: dict[str, pd.DataFrame] = {}
    for which in REVIEW_TABLES:
        table = review_table(review, which)
        frame = getattr(table, "data", None)
        if isinstance(frame, pd.DataFrame):
            out[names.get(which, which)] = frame.reset_index(drop=True)
    return out


def _unit_mask(frame: pd.DataFrame, units: Sequence[tuple[str, str]]) -> np.ndarray:
    """Whether each row's (level, code) is one of ``units`` (row order kept)."""
    niveaux = frame["niveau"].astype(str).to_numpy(dtype=object)
    codes = frame["code"].astype(str).to_numpy(dtype=object)
    keep = np.zeros(len(frame), dtype=bool)
    for level, code in set(units):
        keep |= (niveaux == level) & (codes == code)
    return keep


def _unit_rows(frame: pd.DataFrame, units: Sequence[tuple[str, str]]) -> np.ndarray:
    """Positions of the rows of ``units``, unit by unit in the order given.

    Rows of one unit keep their order; a unit given twice takes the place of its
    last mention.
    """
    niveaux = frame["niveau"].astype(str).to_numpy(dtype=object)
    codes = frame["code"].astype(str).to_numpy(dtype=object)
    order = {unit: i for i, unit in enumerate(units)}
    parts = [
        np.flatnonzero((niveaux == level) & (codes == code))
        for level, code in sorted(order, key=order.__getitem__)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=int)


class _Tables(dict):
    """Sheet name -> table, skipping the tables a run has not got."""

    def add(self, name: str, frame: pd.DataFrame | None) -> None:
        if frame is not None and len(frame):
            self[name] = frame


def _ml_units(inputs: ReportInputs, code_ml: str) -> list[tuple[str, str]]:
    dep = inputs.meta.get("departements", {}).get(str(code_ml))
    units = [("ml", str(code_ml))]
    if dep:
        units.append(("departement", str(dep)))
    return units + [("region", indicators.REGION_CODE)]


def report_tables(
    inputs: ReportInputs,
    kind: str,
    code_ml: str | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables a report shows, from the protected cache, one per sheet.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    kind : str
        A report kind (:data:`~observatoire.reports.REPORT_KINDS`).
    code_ml : str, optional
        The Mission Locale of an ML report.

    Returns
    -------
    dict
        Sheet name -> table with French headers (empty for ``bilan_animation``,
        whose review is not cached: :func:`review_downloads`); masked cells read ``< 5``,
        ``s`` or ``n.d.`` as on the page.
    """
    if kind not in KINDS:
        raise ParamsError(f"kind {kind!r} is not a report kind")
    y = inputs.year
    tables = _Tables()
    if kind in ("rapport_regional", "rapport_mission_locale"):
        units = None if kind == "rapport_regional" else _ml_units(inputs, code_ml)
        tables.add(f"Indicateurs {y}", indicator_table(inputs, "annuel", units))
        tables.add(f"Indicateurs {y - 1}", indicator_table(inputs, "annuel_n_1", units))
        tables.add("Chiffres clés", key_figures_table(inputs, units))
        tables.add(f"Mois par mois {y}", indicator_table(inputs, "mensuel", units))
        tables.add(
            f"Mois par mois {y - 1}", indicator_table(inputs, "mensuel_n_1", units)
        )
        tables.add("Objectifs", targets_table(inputs, units))
    elif kind == "suivi_mensuel":
        tables.add("Suivi mensuel", followup_table(inputs))
        tables.add("Objectifs", targets_table(inputs))
    elif kind == "trajectoires":
        # the study's tables, then those of its methods annex
        for part in ("trajectoires", "trajectoires_methodes"):
            block = base.part(inputs, part)
            if block is None:
                continue
            for name, frame in html_tables(getattr(block, "html", str(block))).items():
                tables.add(name, frame)
    return dict(tables)


class _TableParser(HTMLParser):
    """The top-level tables of some HTML: caption and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._rows: list[list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._rows, self._caption_text = [], ""
        elif self._depth != 1:
            return
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)

    def handle_endtag(self, tag):
        if tag == "table":
            if self._depth == 1 and self._rows is not None:
                self.tables.append((self._caption_text, self._rows))
                self._rows = None
            self._depth -= 1
        elif self._depth != 1:
            return
        elif tag == "caption" and self._caption is not None:
            self._caption_text = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self._rows.append(self._row)
            self._row = None


def html_tables(html: str) -> dict[str, pd.DataFrame]:
    """The tables of a rendered block (``st.table`` markup), as printed.

    The trajectory study is rendered in the shared step (its sequences are
    row-level data and never reach the cache): its published tables are taken
    from the page's own markup, cell texts as the reader sees them. A sheet is
    named after the table's caption.

    Parameters
    ----------
    html : str
        Rendered HTML holding ``st.table`` markup.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame of cell texts per table with a header and at least one row,
        by sheet name (from the caption, else « Tableau n »); rows whose length
        differs from the header's are dropped; the caption is kept in
        ``frame.attrs["caption"]``.
    """
    parser = _TableParser()
    parser.feed(html)
    out: dict[str, pd.DataFrame] = {}
    for caption, rows in parser.tables:
        if len(rows) < 2:
            continue
        header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
        name = _sheet_name(caption or f"Tableau {len(out) + 1}", out)
        frame = pd.DataFrame(body, columns=_unique(header))
        frame.attrs["caption"] = caption  # the sheet's title says it in full
        out[name] = frame
    return out


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: the caption of a chart's data table (``st.figure``), shortened in a sheet name
_CHART_DATA = re.compile(r"^Données du graphique\s*:\s*")


def _sheet_name(text: str, taken: Mapping[str, Any]) -> str:
    """A valid, unused sheet name (31 characters, none of ``[]:*?/\\``)."""
    text = _CHART_DATA.sub("Graphique ", text)
    text = " ".join(_SHEET_FORBIDDEN.sub(" ", text).split())
    base_name = text[:31].strip() or "Tableau"
    name, i = base_name, 2
    while name in taken or name in (DEFINITIONS_SHEET, RULES_SHEET):
        suffix = f" ({i})"
        name, i = base_name[: 31 - len(suffix)] + suffix, i + 1
    return name


# ============================================================ the workbook
DEFINITIONS_SHEET = "Définitions"
RULES_SHEET = "Règles de diffusion"


def definitions_table(inputs: ReportInputs) -> pd.DataFrame:
    """Every indicator under the definitions in force for the run.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).

    Returns
    -------
    pandas.DataFrame
        Columns « Indicateur », « Définition », « Nom dans le contrat »: one row
        per contract count and rate, then the definition of the young people
        followed in force (when known) and the 95 % interval.
    """
    accompagnement = inputs.meta.get("accompagnement")
    definitions = (
        indicators.definitions_in_force(accompagnement)
        if accompagnement
        else indicators.DEFINITIONS
    )
    rows = [
        {"Indicateur": label, "Définition": text, "Nom dans le contrat": name}
        for name, (label, text) in definitions.items()
        if name in (*indicators.COUNT_COLUMNS, *indicators.RATES)
    ]
    sentence = inputs.meta.get("definition_accompagnement")
    if sentence:
        rows.append(
            {
                "Indicateur": "Définition des jeunes accompagnés en vigueur",
                "Définition": sentence,
                "Nom dans le contrat": "",
            }
        )
    rows.append(
        {
            "Indicateur": "Intervalle de confiance à 95 %",
            "Définition": "Bornes de Wilson d'un taux : la vraie valeur a 95 chances "
            "sur 100 d'y être.",
            "Nom dans le contrat": "",
        }
    )
    return pd.DataFrame(rows)


def rules_table(inputs: ReportInputs) -> pd.DataFrame:
    """The disclosure rules applied, with what each mask sign means.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).

    Returns
    -------
    pandas.DataFrame
        Columns « Règle », « Application », « Signe affiché »; first a row
        saying the data are synthetic when they are.
    """
    threshold = inputs.threshold
    minimum = int(inputs.meta.get("min_denominator", DEFAULT_MIN_DENOMINATOR))
    rows = [
        ("Seuil de secret statistique", f"{threshold} jeunes", ""),
        (
            "Effectif masqué",
            f"Tout effectif de 1 à {threshold - 1} est masqué.",
            f"< {threshold}",
        ),
        (
            "Secret secondaire",
            "Une valeur qui permettrait de retrouver un effectif masqué par "
            "différence (avec un total départemental, régional, le cumul depuis "
            "janvier ou un autre indicateur dont il fait partie) est masquée aussi.",
            "s",
        ),
        (
            "Dénominateur minimal d'un taux",
            f"Un taux calculé sur moins de {minimum} jeunes n'est pas diffusé ; "
            "il ne l'est pas non plus quand son numérateur est masqué.",
            "n.d.",
        ),
        (
            "Cellule vide",
            "La valeur n'existe pas ou n'est pas donnée par le rapport (taux sans "
            "jeune accompagné, intervalle d'un taux masqué, évolution dont une "
            "année est masquée, année non couverte par l'extrait). Une cellule "
            "vide ne vaut jamais zéro.",
            "",
        ),
        (
            "Contenu",
            "Agrégats uniquement, déjà protégés : aucune donnée individuelle, "
            "aucun identifiant de jeune.",
            "",
        ),
    ]
    if inputs.synthetic:
        rows.insert(0, ("Nature des données", SYNTHETIC_BANNER, ""))
    return pd.DataFrame(rows, columns=["Règle", "Application", "Signe affiché"])


def _title(inputs: ReportInputs, kind: str, code_ml: str | None) -> str:
    report = KINDS[kind].title
    if code_ml:
        report += f" — {inputs.meta.get('labels', {}).get(str(code_ml), code_ml)}"
    return f"{report}, {inputs.year}, à fin {fr_month(inputs.year, inputs.month)}"


#: Excel number format of each unit of a tidy key-figure table
_UNIT_FORMATS = {
    "nombre": exports.FORMAT_COUNT,
    "proportion": exports.FORMAT_RATE,
    "euros": exports.FORMAT_EUROS,
    "ratio": exports.FORMAT_DECIMAL,
}


def _formats(frame: pd.DataFrame) -> dict[str, str]:
    """Excel number formats of a table's columns, read from their values.

    Columns of a tidy table (``Valeur …``, ``Évolution``), whose rows mix
    counts and rates, take their format from the row instead (:func:`_row_formats`).
    """
    tidy = "Indicateur" in frame.columns
    formats = {}
    for col, column in frame.items():
        if tidy and (str(col).startswith("Valeur") or col == "Évolution"):
            continue
        values = [
            float(v)
            for v in column.tolist()
            if isinstance(v, int | float | np.number) and not isinstance(v, bool)
        ]
        values = [v for v in values if not np.isnan(v)]
        if not values:
            continue
        if (
            "IC 95 %" in col
            or str(col).startswith("Taux")
            or col == "Évolution relative"
        ):
            formats[col] = exports.FORMAT_RATE
        elif all(v.is_integer() for v in values):
            formats[col] = exports.FORMAT_COUNT
        else:
            formats[col] = exports.FORMAT_DECIMAL
    return formats


def _row_formats(frame: pd.DataFrame, labels: Mapping[str, str]) -> list[str] | None:
    """One format per row of a tidy table (its unit, or a rate by its name)."""
    if "Unité" in frame.columns:
        return [
            _UNIT_FORMATS.get(str(u), exports.FORMAT_DECIMAL) for u in frame["Unité"]
        ]
    if "Indicateur" in frame.columns:
        rates = {labels.get(r, r) for r in indicators.RATES}
        return [
            exports.FORMAT_RATE if i in rates else exports.FORMAT_COUNT
            for i in frame["Indicateur"]
        ]
    return None


def _files(
    tables: Mapping[str, pd.DataFrame],
    *,
    stem: str,
    title: str,
    synthetic: bool,
    stamp: dt.datetime,
    definitions: pd.DataFrame,
    rules: pd.DataFrame,
    labels: Mapping[str, str],
) -> list[Download]:
    """The XLSX workbook and the zip of CSVs of ``tables`` (see the module doc)."""
    if synthetic:
        title = f"{SYNTHETIC_MENTION} — {title}"
    sheets = {**tables, DEFINITIONS_SHEET: definitions, RULES_SHEET: rules}
    formats: dict[str, str] = {}
    rows: dict[str, list[str]] = {}
    for name, frame in tables.items():
        formats.update(_formats(frame))
        per_row = _row_formats(frame, labels)
        if per_row is not None:
            rows[name] = per_row
    properties = {
        "title": title,
        "subject": "Observatoire des Missions Locales de Nouvelle-Aquitaine",
        "creator": "observatoire",
        "description": (
            (SYNTHETIC_BANNER + ". " if synthetic else "")
            + "Chiffres agrégés, protégés selon les règles de diffusion du contrat "
            "de données (onglet « Règles de diffusion »)."
        ),
        "keywords": "données synthétiques" if synthetic else "",
    }
    workbook = exports.xlsx_bytes(
        sheets,
        number_formats=formats,
        row_formats=rows,
        titles={
            name: f"{title} — {frame.attrs['caption']}"
            if frame.attrs.get("caption")
            else title
            for name, frame in sheets.items()
        },
        properties=properties,
        timestamp=stamp,
        print_header=SYNTHETIC_BANNER if synthetic else None,
    )
    csvs = {
        f"{_csv_name(name)}.csv": exports.csv_bytes(t) for name, t in sheets.items()
    }
    archive = exports.zip_bytes(csvs)
    what = "données synthétiques ; " if synthetic else ""
    return [
        Download(
            f"{stem}.xlsx",
            workbook,
            MIME_XLSX,
            f"classeur Excel ({what}un onglet par tableau, avec les définitions et "
            f"les règles de diffusion : {fr_int(len(sheets))} onglets)",
        ),
        Download(
            f"{stem}_csv.zip",
            archive,
            MIME_ZIP,
            f"les mêmes tableaux en CSV ({what}un fichier par onglet, séparateur "
            "« ; », virgule décimale, UTF-8), dans une archive zip",
        ),
    ]


def downloads(
    inputs: ReportInputs,
    kind: str,
    code_ml: str | None = None,
) -> list[Download]:
    """The XLSX workbook and the zip of CSV files of a report.

    Parameters
    ----------
    inputs, kind, code_ml
        As :func:`report_tables`.

    Returns
    -------
    list of Download
        Empty when the report has no table to give (a part that failed).
    """
    tables = report_tables(inputs, kind, code_ml)
    if not tables:
        return []
    stamp = dt.datetime.combine(
        pd.Timestamp(inputs.meta["extraction_date"]).date(), dt.time()
    )
    return _files(
        tables,
        stem=f"{report_name(kind, code_ml)}_{inputs.year}_{inputs.month:02d}",
        title=_title(inputs, kind, code_ml),
        synthetic=inputs.synthetic,
        stamp=stamp,
        definitions=definitions_table(inputs),
        rules=rules_table(inputs),
        labels=_labels(inputs),
    )


#: what the columns of the ARML's review count
_REVIEW_DEFINITIONS = (
    ("Action", "Une action d'animation du réseau (réunion, formation, webinaire…) "
     "menée par l'ARML ; une action compte une fois."),
    ("Heures", "Durée cumulée des actions, en heures."),
    ("Participants", "Professionnels des Missions Locales présents aux actions."),
    ("Missions Locales touchées", "Missions Locales dont au moins un professionnel "
     "a participé à une action."),
    ("Évolution", "Différence avec l'année précédente, en nombre puis en "
     "pourcentage."),
)  # fmt: skip


def review_downloads(review: Any, *, synthetic: bool = False) -> list[Download]:
    """The XLSX workbook and the zip of CSVs of the ARML's annual review.

    Parameters
    ----------
    review : AnnualReview
        From :func:`observatoire.animation.annual_review`.
    synthetic : bool
        Whether the extract is synthetic (said in every file).

    Returns
    -------
    list of Download
    """
    tables = {k: v for k, v in animation_tables(review).items() if len(v)}
    if not tables:
        return []
    rules = [
        (
            "Secret statistique",
            "Ces chiffres décrivent des institutions (les Missions Locales et leurs "
            "professionnels), pas des jeunes : le contrat de données n'y applique "
            "aucune règle de secret statistique.",
            "",
        ),
        (
            "Cellule vide",
            "La valeur n'existe pas (pas d'action l'année précédente).",
            "",
        ),
    ]
    if synthetic:
        rules.insert(0, ("Nature des données", SYNTHETIC_BANNER, ""))
    return _files(
        tables,
        stem=f"{report_name('bilan_animation')}_{int(review.year)}",
        title=f"{KINDS['bilan_animation'].title}, {int(review.year)}",
        synthetic=synthetic,
        stamp=dt.datetime(int(review.year), 12, 31),
        definitions=pd.DataFrame(
            list(_REVIEW_DEFINITIONS), columns=["Terme", "Définition"]
        ),
        rules=pd.DataFrame(rules, columns=["Règle", "Application", "Signe affiché"]),
        labels={},
    )


def _csv_name(sheet: str) -> str:
    """A plain file name for a sheet: « Règles de diffusion » -> regles_de_diffusion."""
    text = unicodedata.normalize("NFKD", sheet).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "tableau"


def report_name(kind: str, code_ml: str | None = None) -> str:
    """The report's output name, as the batch names it (``<kind>_<code_ml>``).

    Parameters
    ----------
    kind : str
        The report kind (``rapport_regional``, ``rapport_mission_locale``...).
    code_ml : str, optional
        The Mission Locale's code, for a per-ML report.

    Returns
    -------
    str
        ``<kind>_<code_ml>``, or ``kind`` without a code.

    Raises
    ------
    ParamsError
        A name that is not a safe file name (a slash, a backslash, ``..``, control
        characters).
    """
    name = f"{kind}_{code_ml}" if code_ml else kind
    if not _SAFE_NAME.match(name) or ".." in name:
        raise ParamsError(
            f"report name {excerpt(name)}: an ML code must not hold '/', '\\', "
            "'..' or control characters"
        )
    return name


# ================================================================= the page
def links_html(files: Sequence[Download]) -> str:
    """A list of ``data:`` links (file name, MIME type, size in French).

    The files travel inside the page (base64), so one HTML file stays
    self-contained; ``download`` gives the saved file its name.

    Parameters
    ----------
    files : sequence of Download
        The files to offer, in order.

    Returns
    -------
    str
        HTML: a ``ul`` of class ``telechargements``, one ``li`` link per file.
    """
    items = []
    for f in files:
        uri = f"data:{f.mime};base64,{base64.b64encode(f.data).decode('ascii')}"
        kind = "XLSX" if f.mime == MIME_XLSX else "ZIP"
        items.append(
            f'<li><a href="{uri}" download="{esc(f.name)}" type="{esc(f.mime)}">'
            f"{esc_text(f.name)}</a> ({kind}, {esc_text(f.size_text)}) : "
            f"{esc_text(f.description)}.</li>"
        )
    return f'<ul class="telechargements">{"".join(items)}</ul>'


# ================================================================ the batch
def run_folder(inputs: ReportInputs) -> Path | None:
    """The run folder of a batch cache (``<run>/cache/<key>``), else None.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).

    Returns
    -------
    Path or None
        ``<run>`` when the inputs were read from a batch cache, else None (a
        notebook's own computation).
    """
    folder = getattr(inputs, "folder", None)
    if folder is None or Path(folder).parent.name != "cache":
        return None
    return Path(folder).parent.parent


def write_downloads(
    run_dir: str | Path, name: str, files: Sequence[Download]
) -> list[str]:
    """Write a report's files to ``<run>/telechargements/<name>/``, atomically.

    Files of an earlier run of this report that are not written again (another
    month, say) are removed, so the folder holds this report's files only.

    Parameters
    ----------
    run_dir : str or Path
        The run folder.
    name : str
        The report's output name (:func:`report_name`).
    files : sequence of Download
        The files to write.

    Returns
    -------
    list of str
        The files' paths relative to ``run_dir`` (POSIX), in order.
    """
    run_dir = Path(run_dir)
    folder = run_dir / FOLDER / report_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for f in files:
        if not _SAFE_NAME.match(f.name):
            raise ParamsError(f"download name {excerpt(f.name)} refused")
        write_bytes_atomic(folder / f.name, f.data)
        written.append(f.name)
    for old in folder.iterdir():
        if old.is_file() and old.name not in written and not old.name.startswith("."):
            old.unlink(missing_ok=True)
    return [f"{FOLDER}/{folder.name}/{n}" for n in written]
