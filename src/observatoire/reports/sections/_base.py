"""What every report section shares: labels, masked cells, rows of a table.

The labels come from the indicator definitions (:data:`observatoire.indicators.DEFINITIONS`),
the disclosure constants from :mod:`observatoire.disclosure`: a section never
keeps its own copy. The helpers read the report's inputs
(:class:`~observatoire.reports._cache.ReportInputs`), turn a protected value
and its mask code into what a reader sees, and show why a part is missing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from ...disclosure import DEFAULT_MIN_DENOMINATOR
from ...figures import plain
from ...formatting import (
    fr_date_long,
    fr_ml_name,
    fr_months_span,
    fr_num,
    fr_signed_pct,
)
from ...indicators import COUNT_COLUMNS, DEFINITIONS, RATES
from .. import _style as st

if TYPE_CHECKING:
    from .._cache import ReportInputs

#: rates whose denominator is below this are not published (data contract)
MIN_DENOMINATOR = DEFAULT_MIN_DENOMINATOR

#: the contract's rates, in the order of the definitions
RATE_NAMES: tuple[str, ...] = tuple(RATES)

#: counts shown in the per-unit tables, in order: every contract count but the
#: contacts, which the reports do not show
TABLE_COUNTS: tuple[str, ...] = tuple(
    c for c in COUNT_COLUMNS if c != "jeunes_en_contact"
)

#: where a table header reads better shorter than the definition's label: the
#: line sits under "Entrées en formation", so "dont" says what it is part of
_SHORT_LABELS = {"entrees_formation_region": "dont financées par la Région"}

#: French labels of the contract indicators as report readers see them
LABELS: dict[str, str] = {
    name: _SHORT_LABELS.get(name, DEFINITIONS[name][0])
    for name in (*COUNT_COLUMNS, *RATE_NAMES)
}

F = TypeVar("F", bound=Callable[..., Any])

_RETURNS = "One block of report HTML (one notebook cell's output)."

#: one description per parameter of the section functions, for their docstrings
_PARAMETERS: dict[str, tuple[str, str]] = {
    "inputs": (
        "ReportInputs",
        "The report's inputs (:func:`~observatoire.reports.open_report`).",
    ),
    "code_ml": ("str", "Code of the report's Mission Locale."),
    "level": ("{'region', 'departement', 'ml'}", "Level of the unit shown."),
    "code": ("str", "Code of that unit (``NAQ`` for the region)."),
    "indicator": (
        "str",
        "A contract count (:data:`observatoire.indicators.COUNT_COLUMNS`).",
    ),
    "rate": ("str", "A contract rate (:data:`observatoire.indicators.RATES`)."),
    "kind": ("str", "A report kind (:data:`observatoire.reports.REPORT_KINDS`)."),
    "review": ("AnnualReview", "From :func:`observatoire.animation.annual_review`."),
    "which": ("str", "One of :data:`REVIEW_TABLES`."),
    "title": ("str", "Heading of the review."),
    "synthetic": ("bool", "Whether the extract is synthetic (adds the banner)."),
    "extraction_date": ("str or pandas.Timestamp", "Day of the extraction, if known."),
    "text": ("str", "Plain text (escaped here)."),
    "fig": ("matplotlib.figure.Figure", "The figure to embed."),
    "dpi": ("int", "Ignored (kept for older notebooks): one resolution for all."),
    "alt": (
        "str",
        "Name of the chart; the alternative adds what it shows (escaped here).",
    ),
    "guide": ("str", "How to read the chart (code-written HTML)."),
    "data": (
        "pandas.DataFrame",
        "The plotted values, shown as a table (default: those the figure carries).",
    ),
}


def documented(fn: F) -> F:
    """Complete a section's docstring with numpy ``Parameters`` and ``Returns``.

    The sections share their parameters (``inputs``, ``code_ml``, ``level``…):
    each is described once, in :data:`_PARAMETERS`, and every docstring gets
    the same words, so ``help()`` and the API docs show the full numpy form.

    Parameters
    ----------
    fn : callable
        A section function whose every parameter is in :data:`_PARAMETERS`
        (else ``KeyError`` at import, so a new parameter is described there).

    Returns
    -------
    callable
        ``fn`` itself, its ``__doc__`` completed.
    """
    sig = inspect.signature(fn)
    lines = ["", "Parameters", "----------"]
    for name, p in sig.parameters.items():
        typ, desc = _PARAMETERS[name]
        if p.default is not inspect.Parameter.empty:
            typ += ", optional" if p.default is None else f", default {p.default!r}"
        lines += [f"{name} : {typ}", f"    {desc}"]
    if "Html" in str(sig.return_annotation):
        lines += ["", "Returns", "-------", "Html", f"    {_RETURNS}"]
    doc = inspect.cleandoc(fn.__doc__ or "")
    # numpy order: Parameters before a Returns the function describes itself
    head, returns, tail = doc.partition("\nReturns\n-------\n")
    if returns:
        fn.__doc__ = head.rstrip() + "\n" + "\n".join(lines) + "\n" + returns + tail
    else:
        fn.__doc__ = doc + "\n" + "\n".join(lines) + "\n"
    return fn


#: mask codes of a protected table and how a reader sees them
MASK_LABELS = {"primaire": None, "secondaire": "s", "denominateur": "n.d."}


# ================================================================== display
def cell(value: Any, reason: str, threshold: int, kind: str = "count") -> str:
    """One cell as a reader sees it: a French number or a mask sign.

    Parameters
    ----------
    value : number
        The cell's value (unused when masked).
    reason : str
        Its mask reason from the protected table: ``""`` (shown),
        ``primaire``, ``secondaire`` or ``denominateur``.
    threshold : int
        The run's disclosure threshold, for ``< threshold``.
    kind : {"count", "rate", "ratio"}, default "count"
        ``12 345``, ``45,2 %`` or ``1,23``.

    Returns
    -------
    str
        The French number, or ``< 5``, ``s``, ``n.d.``.
    """
    if reason:
        return MASK_LABELS.get(reason) or f"< {threshold}"
    if kind == "rate":
        return st.fr_pct(value)
    if kind == "ratio":
        return fr_num(value)
    return st.fr_int(value)


def rows(
    inputs: ReportInputs, name: str, **where: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of a protected table matching ``where`` (values and mask).

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    name : str
        A protected table of the cache (``annuel``, ``mensuel``...).
    **where
        Column = wanted value, or a list, tuple or set of them (compared as
        strings): ``niveau="ml"``, ``code=["33", "NAQ"]``.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The matching rows of ``values`` (NaN where masked) and of ``mask``.
    """
    table = inputs[name]
    values, mask = table["values"], table["mask"]
    keep = np.ones(len(values), dtype=bool)
    for col, wanted in where.items():
        wanted = wanted if isinstance(wanted, list | tuple | set) else [wanted]
        keep &= values[col].astype(str).isin([str(w) for w in wanted]).to_numpy()
    return values[keep], mask[keep]


def display_table(
    values: pd.DataFrame,
    mask: pd.DataFrame,
    threshold: int,
    counts: tuple[str, ...],
    rates: tuple[str, ...],
    first: dict[str, str],
) -> pd.DataFrame:
    """Display strings for a wide indicator table; ``first`` names key columns.

    Parameters
    ----------
    values, mask : pandas.DataFrame
        Rows of a protected table (:func:`rows`).
    threshold : int
        The run's disclosure threshold.
    counts : tuple of str
        Count columns to show (``indicators.COUNT_COLUMNS``), in order.
    rates : tuple of str
        Rate columns to show with their 95 % interval, in order.
    first : dict of str to str
        Key columns shown first: column -> French header
        (``{"libelle": "Territoire"}``).

    Returns
    -------
    pandas.DataFrame
        Strings under French headers (:data:`LABELS`), ready for
        :func:`observatoire.reports._style.table`.
    """
    out = pd.DataFrame(index=values.index)
    for col, label in first.items():
        out[label] = values[col].astype(str)
    for col in counts:
        out[LABELS[col]] = [
            cell(v, r, threshold) for v, r in zip(values[col], mask[col], strict=True)
        ]
    for col in rates:
        out[LABELS[col]] = [
            _rate_with_interval(values, mask, i, col, threshold)
            for i in range(len(values))
        ]
    return out.reset_index(drop=True)


def _rate_with_interval(values, mask, i: int, col: str, threshold: int) -> str:
    reason = mask[col].iloc[i]
    if reason:
        return cell(np.nan, reason, threshold)
    v = values[col].iloc[i]
    if pd.isna(v):
        return "–"
    lo, hi = values[f"{col}_ic_bas"].iloc[i], values[f"{col}_ic_haut"].iloc[i]
    return f"{st.fr_pct(v)} [{st.fr_pct(lo)} ; {st.fr_pct(hi)}]"


def partial_period(inputs: ReportInputs, *, annual: bool = False) -> str:
    """« période partielle : janvier à novembre 2024 », or "" for a complete year.

    Read from the extract's coverage as the shared step recorded it
    (``meta["couverture_annee"]``, from :attr:`Warehouse.coverage`). Figures
    from January to the report's month (``annual=False``) cover whole months;
    the tables of the year (``annual=True``) run to the extract's last day.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    annual : bool, default False
        The caption is of a table of the whole year (to the extract's day)
        rather than of January to the report's month.

    Returns
    -------
    str
        French text, empty when the year is complete.
    """
    if inputs.meta.get("couverture_annee") != "partial":
        return ""
    if annual:
        end = pd.Timestamp(inputs.meta["extraction_date"])
        return f"période partielle : du 1er janvier au {fr_date_long(end)}"
    return f"période partielle : {fr_months_span(inputs.year, inputs.month)}"


def with_partial(text: str, inputs: ReportInputs, *, annual: bool = False) -> str:
    """``text`` followed by « — période partielle : … » when the year is partial.

    Parameters
    ----------
    text : str
        A caption.
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    annual : bool, default False
        As for :func:`partial_period`.

    Returns
    -------
    str
    """
    note = partial_period(inputs, annual=annual)
    return f"{text} — {note}" if note else text


def key_figures_period(inputs: ReportInputs) -> str:
    """The months the key figures compare, or "" for two whole years.

    ``indicators.key_figures`` compares a year the extract does not complete
    over January to its latest complete month in both years (the shared step
    records that month in ``meta["mois_chiffres_cles"]``):
    « période partielle : janvier à juin 2024 comparé à janvier à juin 2023 ».
    A cache written before that was recorded gets the annual note.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).

    Returns
    -------
    str
        French text, empty when both years are whole.
    """
    months = inputs.meta.get("mois_chiffres_cles")
    if months is None:
        return partial_period(inputs, annual=True)
    if int(months) == 12:
        return ""
    y = inputs.year
    return (
        f"période partielle : {fr_months_span(y, int(months))} comparé à "
        f"{fr_months_span(y - 1, int(months))}"
    )


def with_key_figures_period(text: str, inputs: ReportInputs) -> str:
    """``text`` followed by « — période partielle : … comparé à … » when needed.

    Parameters
    ----------
    text : str
        A caption of the key figures.
    inputs : ReportInputs
        The report's inputs.

    Returns
    -------
    str
    """
    note = key_figures_period(inputs)
    return f"{text} — {note}" if note else text


def message(inputs: ReportInputs, name: str) -> st.Html | None:
    """The shared step's failure message for part ``name``, as a warning.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    name : str
        A part of the shared step (``objectifs``, ``trajectoires``...).

    Returns
    -------
    Html or None
        None when the part did not fail.
    """
    text = inputs.meta.get("messages", {}).get(name)
    return st.paragraph(st.esc(text), "avertissement") if text else None


# ============================================================= key figures
CARDS = (
    ("jeunes_accompagnes", "jeunes accompagnés"),
    ("premiers_accueils", "premiers accueils"),
    ("entretiens", "entretiens individuels"),
    ("entrees_formation", "entrées en formation"),
    ("entrees_formation_region", "dont financées par la Région"),
    ("entrees_alternance", "entrées en alternance"),
    ("entrees_emploi", "entrées en emploi"),
    ("aides_permis_b_nombre", "aides au permis B"),
)


def key_rows(inputs: ReportInputs, level: str, code: str) -> pd.DataFrame:
    """The protected key figures of one unit, indexed by ``indicateur``.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    level : {"ml", "departement", "region"}
    code : str
        The unit's code (``ML33A``, ``33``, ``NAQ``).

    Returns
    -------
    pandas.DataFrame
        Rows of the cache's ``chiffres_cles`` (``valeur``, ``valeur_n_1``,
        their masks, ``evolution_relative``).
    """
    kf = inputs["chiffres_cles"]
    rows = kf[(kf["niveau"] == level) & (kf["code"].astype(str) == str(code))]
    return rows.set_index("indicateur")


def change_note(row: pd.Series) -> str | None:
    """« +3,1 % sur un an » for a key figure, or None without a change.

    Parameters
    ----------
    row : pandas.Series
        A row of :func:`key_rows`.

    Returns
    -------
    str or None
        None when ``evolution_relative`` is missing (masked, or no year before).
    """
    if pd.isna(row.get("evolution_relative")):
        return None
    return f"{fr_signed_pct(row['evolution_relative'])} sur un an"


def named(inputs: ReportInputs, values: pd.DataFrame) -> pd.DataFrame:
    """``values`` whose ``libelle`` is each ML's one name (``meta["labels"]``).

    Departments and the region keep their own name; an ML the run does not
    list is named by :func:`~observatoire.formatting.fr_ml_name`.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    values : pandas.DataFrame
        Rows with ``niveau``, ``code`` and ``libelle``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``libelle`` replaced.
    """
    labels = inputs.meta.get("labels", {})
    is_ml = (values["niveau"] == "ml").to_numpy()
    names = [
        labels.get(str(c), fr_ml_name(n)) if ml else str(n)
        for c, n, ml in zip(values["code"], values["libelle"], is_ml, strict=True)
    ]
    return values.assign(libelle=names)


def short(name: str) -> str:
    """An ML's one name (:func:`~observatoire.formatting.fr_ml_name`), drawn as written.

    Parameters
    ----------
    name : str
        The ML's name in the extract.

    Returns
    -------
    str
        The name with ``$`` escaped, so that matplotlib draws it as written
        (:func:`observatoire.figures.plain`).
    """
    return plain(fr_ml_name(name))


def series(values: pd.DataFrame, mask: pd.DataFrame, col: str) -> np.ndarray:
    """Column ``col`` in period order, NaN where masked (a chart's line).

    Parameters
    ----------
    values, mask : pandas.DataFrame
        Rows of a protected table with a ``periode`` column (:func:`rows`).
    col : str
        The indicator column.

    Returns
    -------
    numpy.ndarray
        Floats, one per row.
    """
    ordered = values.assign(_m=mask[col].to_numpy()).sort_values("periode")
    out = ordered[col].to_numpy(dtype=float).copy()
    out[(ordered["_m"] != "").to_numpy()] = np.nan
    return out


def available(inputs: ReportInputs) -> set[str]:
    """The names of the shared tables these inputs hold.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).

    Returns
    -------
    set of str
        The cache's tables (``meta["tables"]``), or those computed in memory.
    """
    return set(inputs.meta.get("tables", [])) | set(getattr(inputs, "_tables", {}))


# ================================================= parts computed elsewhere
def part(inputs: ReportInputs, name: str) -> Any:
    """A shared part, or None when it is absent or failed.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    name : str
        A table of the shared step.

    Returns
    -------
    object or None
        The table (frame, dict or Html), None when the run did not compute it
        or it cannot be read.
    """
    if name not in available(inputs):
        return None
    try:
        return inputs[name]
    except (KeyError, OSError):
        return None


def unavailable(inputs: ReportInputs, name: str, heading: str) -> st.Html:
    """The heading of a missing part and why it is missing, in French.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    name : str
        The part whose failure message is shown, if any.
    heading : str
        The section's heading.

    Returns
    -------
    Html
    """
    text = inputs.meta.get("messages", {}).get(name) or (
        "Cette partie n'est pas disponible pour cette exécution."
    )
    return st.join(st.heading(heading), st.paragraph(st.esc(text), "avertissement"))


def shown(
    inputs: ReportInputs,
    name: str,
    heading: str,
    *,
    code: str | None = None,
    why: str | None = None,
) -> st.Html:
    """A block the shared step rendered (for one ML when ``code``), or why not.

    ``why`` names the part whose failure message explains an absence (default
    ``name``).

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`observatoire.reports.open_report`).
    name : str
        The shared table holding the block (a dict by ML when ``code``).
    heading : str
        The section's heading, shown with the explanation when missing.
    code : str, optional
        An ML's code; None for a block of the whole run.
    why : str, optional
        The part whose failure message explains an absence; None: ``name``.

    Returns
    -------
    Html
    """
    block = part(inputs, name)
    if block is not None and code is not None:
        block = block.get(code)
    return block if block is not None else unavailable(inputs, why or name, heading)


# =============================================================== evaluation
def frame_html(frame: pd.DataFrame, caption: str, guide: str | None = None) -> st.Html:
    """An evaluation table (strings already protected) as a styled table.

    Parameters
    ----------
    frame : pandas.DataFrame
        Display strings under French headers; the label columns
        (« Indicateur », « Mission Locale »...) are left-aligned, the others
        right-aligned.
    caption : str
        The table's caption.
    guide : str, optional
        A reading guide (HTML); None for none.

    Returns
    -------
    Html
    """
    numeric = [
        c
        for c in frame.columns
        if c not in ("Indicateur", "Mission Locale", "Ventilation", "Modalité")
        and c not in ("Situation", "Remarque", "Horizon", "Caractéristique (référence)")
        and not c.startswith("Position")
    ]
    return st.table(frame, caption=caption, numeric=numeric, guide=guide)
