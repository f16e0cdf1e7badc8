"""French presentation: dates, styled tables, figures, banners, matplotlib defaults.

Everything a report shows goes through here, so the look is the same in every
notebook: numbers in French format (``12 345``, ``45,2 %``), dates in words
(``mai 2024``), tables as styled HTML (pandas Styler) in a scrolling wrapper,
figures as embedded PNG with a plain-language reading guide underneath.
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

# French words and numbers live in observatoire.formatting; re-exported for the
# sections, which reach the whole house style through this module
from ..figures import (  # noqa: F401
    FIG_DPI,
    FIG_WIDTH,
    PALETTE,
    attached_data,
    reuse_layout,
    write_svg,
)
from ..figures import new_figure as _new_figure
from ..formatting import (  # noqa: F401
    MOIS,
    MOIS_COURTS,
    fr_date_long,
    fr_int,
    fr_month,
    fr_months_span,
    fr_num,
    fr_pct,
)
from ._kinds import KINDS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SYNTHETIC_BANNER = "Données synthétiques — ne pas interpréter comme des chiffres réels"


def esc(text: Any) -> str:
    """``text`` escaped for HTML, quotes included (safe in an attribute).

    Parameters
    ----------
    text : object
        Anything; ``str(text)`` is escaped.

    Returns
    -------
    str
        ``&``, ``<``, ``>``, ``"`` and ``'`` as entities.
    """
    return html.escape(str(text))


def esc_text(text: Any) -> str:
    """``text`` escaped for the content of an element (``&``, ``<``, ``>``).

    Quotes need no escaping outside attributes; leaving them keeps French
    apostrophes readable in the page source. Never for an attribute
    (:func:`esc` there).

    Parameters
    ----------
    text : object
        As for :func:`esc`.

    Returns
    -------
    str
    """
    return html.escape(str(text), quote=False)


# ------------------------------------------------------------------ blocks
@dataclass(frozen=True, repr=False)
class Html:
    """A piece of report HTML; Jupyter and nbconvert show it as is."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        # also the output's text/plain form: the whole HTML there again doubled
        # every executed notebook (an ML report's 225 KB became 440 KB)
        return f"<Html: {len(self.html)} characters of report HTML>"

    def __add__(self, other: Html) -> Html:
        return Html(self.html + other.html)


def join(*blocks: Html | None) -> Html:
    """Several blocks as one output (one cell, one output).

    Parameters
    ----------
    *blocks : Html or None
        In page order; None (a section with nothing to show) is left out.

    Returns
    -------
    Html
        Their HTML end to end.
    """
    return Html("".join(b.html for b in blocks if b is not None))


def heading(text: str, level: int = 2) -> Html:
    """A section heading (``<h2>`` by default), listed in the page's contents.

    Parameters
    ----------
    text : str
        Plain French text, escaped here.
    level : int, default 2
        1 to 6; the pages use 2 for sections and 3 for their parts.

    Returns
    -------
    Html
    """
    return Html(f"<h{level}>{esc(text)}</h{level}>")


def paragraph(text: str, cls: str | None = None) -> Html:
    """A ``<p>`` of code-written HTML.

    Parameters
    ----------
    text : str
        HTML, inserted as it is: text that comes from the data goes through
        :func:`esc` / :func:`esc_text` first (``paragraph(esc(name))``).
    cls : str, optional
        A CSS class of the page (``guide``, ``note``...); None for none.

    Returns
    -------
    Html
    """
    attr = f' class="{cls}"' if cls else ""
    return Html(f"<p{attr}>{text}</p>")


def banner(synthetic: bool) -> Html | None:
    """The synthetic-data banner, or None for a real extract.

    Parameters
    ----------
    synthetic : bool
        Whether the extract was written by the generator (the cache's
        ``meta["synthetic"]``).

    Returns
    -------
    Html or None
        A ``role="note"`` block with :data:`SYNTHETIC_BANNER`; None when
        ``synthetic`` is False (:func:`join` leaves it out).
    """
    if not synthetic:
        return None
    return Html(f'<div class="bandeau" role="note">{esc(SYNTHETIC_BANNER)}</div>')


def conventions(
    threshold: int, min_denominator: int, *, intervals: bool = True
) -> Html:
    """Explain, once per report, every sign that replaces a hidden value.

    Parameters
    ----------
    threshold : int
        The run's disclosure threshold: counts below it show as ``< threshold``.
    min_denominator : int
        Rates on fewer young people show as ``n.d.``
        (:data:`observatoire.disclosure.DEFAULT_MIN_DENOMINATOR`, 20).
    intervals : bool, default True
        Whether the report gives rates with a confidence interval (its margin
        of uncertainty), and so explains it here.

    Returns
    -------
    Html
        The French legend of ``< 5``, ``s``, ``n.d.`` and, with ``intervals``,
        the confidence intervals.
    """
    margin = (
        "<p>Les taux sont donnés avec leur intervalle de confiance à 95 % "
        "(méthode : voir l'annexe « Méthodes ») : la vraie valeur a 95 chances "
        "sur 100 de s'y trouver.</p>"
        if intervals
        else ""
    )
    return Html(
        '<div class="conventions"><p><strong>Secret statistique.</strong></p>'
        f"<p><b>&lt; {threshold}</b> : effectif inférieur à {threshold}, masqué "
        "(secret statistique).</p>"
        "<p><b>s</b> : valeur masquée pour qu'on ne puisse pas retrouver un petit "
        "effectif par différence (secret secondaire).</p>"
        f"<p><b>n.d.</b> : taux non diffusé, calculé sur moins de {min_denominator} "
        f"jeunes.</p>{margin}</div>"
    )


def key_figures_cards(cards: Sequence[tuple[str, str, str | None]]) -> Html:
    """Key figures as cards: (value, label, optional comparison line).

    Parameters
    ----------
    cards : sequence of (str, str, str or None)
        Per card, the value already formatted in French (``12 345``,
        ``45,2 %``, ``< 5``), its label, and a comparison line (« +3,1 % sur
        un an ») or None for none; all escaped here.

    Returns
    -------
    Html
    """
    items = []
    for value, label, note in cards:
        extra = f'<span class="evolution">{esc(note)}</span>' if note else ""
        items.append(
            f'<div class="chiffre"><span class="valeur">{esc(value)}</span>'
            f'<span class="libelle">{esc(label)}</span>{extra}</div>'
        )
    return Html(f'<div class="chiffres">{"".join(items)}</div>')


def table(
    frame: pd.DataFrame,
    *,
    caption: str,
    numeric: Sequence[str] = (),
    guide: str | None = None,
    total_last: bool = False,
    formatters: dict[str, Callable[[Any], str]] | None = None,
    row_headers: bool = True,
) -> Html:
    """A French table in a focusable, horizontally scrolling region.

    ``frame`` holds display-ready values (strings already formatted, masked
    values already replaced); ``numeric`` columns are right-aligned;
    ``total_last`` styles the last row as a total. Every text of the table
    (cells, headers, caption) is HTML-escaped here: names that come from the
    data (Missions Locales, departments, labels) never reach the page as markup.
    ``guide`` is code-written HTML, shown as is.

    The markup follows RGAA 4.1 topic 5: a ``<caption>`` (required), column
    headers ``<th scope="col">``, the first column as row headers
    ``<th scope="row">`` (``row_headers``), and a wrapper
    ``<div role="region" aria-label=... tabindex="0">`` so that a keyboard user
    can scroll a table wider than the screen (WCAG 2.1.1, axe-core
    ``scrollable-region-focusable``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows shown, with French column headers; the index is not shown.
        Strings are shown as they are, numbers in French format, None or NaN
        as ``–``.
    caption : str
        What the table holds, with its period; required (a blank caption
        raises ``ValueError``).
    numeric : sequence of str, optional
        Columns to right-align (absent ones are ignored).
    guide : str, optional
        A reading guide under the table (HTML, as is); None for none.
    total_last : bool, default False
        Style the last row as a total.
    formatters : dict of str to callable, optional
        Per column, a function from a cell's value to its text (escaped
        afterwards).
    row_headers : bool, default True
        The first column as row headers (``<th scope="row">``).

    Returns
    -------
    Html
        The table in its scrolling region, then the guide.
    """
    if not str(caption).strip():
        raise ValueError("table: a caption is required (RGAA 5.4)")
    formatters = formatters or {}
    right = {c for c in numeric if c in frame.columns}
    head = "".join(
        f'<th scope="col"{_num_class(c in right)}>{esc_text(c)}</th>'
        for c in frame.columns
    )
    rows = []
    last = len(frame) - 1
    for i, values in enumerate(frame.itertuples(index=False, name=None)):
        cells = []
        for j, (col, value) in enumerate(zip(frame.columns, values, strict=True)):
            text = esc_text(
                formatters[col](value) if col in formatters else _shown(value)
            )
            if j == 0 and row_headers:
                cells.append(f'<th scope="row"{_num_class(col in right)}>{text}</th>')
            else:
                cells.append(f"<td{_num_class(col in right)}>{text}</td>")
        cls = ' class="total"' if total_last and i == last else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    body = (
        f'<table class="tableau"><caption>{esc_text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    note = f'<p class="guide">{guide}</p>' if guide else ""
    return Html(scroll_region(body, caption) + note)


def scroll_region(inner: str, label: str) -> str:
    """``inner`` HTML in a keyboard-focusable region that scrolls sideways.

    Parameters
    ----------
    inner : str
        The HTML to wrap (a table, a chart), as is.
    label : str
        The region's accessible name (``aria-label``), escaped here.

    Returns
    -------
    str
    """
    return (
        f'<div class="table-wrap" role="region" aria-label="{esc(label)}" '
        f'tabindex="0">{inner}</div>'
    )


def _num_class(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def _shown(value: Any) -> str:
    """A cell as text: strings as they are, numbers in French format."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, numbers.Integral):
        return fr_int(value)
    if isinstance(value, numbers.Real):
        return fr_int(value) if float(value).is_integer() else fr_num(value)
    return str(value)


def figure(
    fig: Figure,
    *,
    alt: str,
    guide: str,
    data: pd.DataFrame | None = None,
    percent: Sequence[str] = (),
    ordered: bool = True,
    highlight: str | None = None,
    description: str | None = None,
) -> Html:
    """A matplotlib figure (SVG) with its reading guide and its data.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        The chart's name (« Jeunes accompagnés par mois »); the text
        alternative is this name followed by what the chart shows, drawn from
        ``data`` (:func:`describe`) unless ``description`` gives it.
    guide : str
        Code-written HTML: how to read the chart (``<figcaption>``).
    data : pandas.DataFrame, optional
        Required unless the function that drew ``fig`` attached its values
        (:func:`observatoire.figures.attach_data`). The plotted values: the first column labels the points (month, ML,
        category), the others are numbers (NaN where a value is masked). It is
        shown in a ``<details>`` table inside the ``<figure>`` (RGAA 1.8,
        WCAG 1.1.1: the information of the chart is available as text).
    percent : sequence of str
        Columns of ``data`` holding rates in [0, 1], shown as ``45,2 %``.
    ordered : bool
        True when the first column is an order (months, years): the
        description gives the change from the first to the last point.
    highlight : str, optional
        A label of the first column to name in the description (the ML of
        the report).
    description : str, optional
        A sentence of the section's own, replacing the generated description.

    Returns
    -------
    Html
        A ``<figure>``: the SVG (with its text alternative), the guide as
        ``<figcaption>`` and the data table in a ``<details>``.
    """
    if data is None and (attached := attached_data(fig)) is not None:
        data, percent, ordered = attached
    if data is None or not len(data.columns):
        raise ValueError(
            f"figure {alt!r}: data= (the plotted values) is required, or the "
            "drawing function attaches them (observatoire.figures.attach_data)"
        )
    text = description or describe(
        alt, data, percent=percent, ordered=ordered, highlight=highlight
    )
    image, min_width = _image(fig)
    shown = data_for_display(data, percent)
    values = table(
        shown,
        caption=f"Données du graphique : {alt}",
        numeric=list(shown.columns[1:]),
    )
    # on a narrow screen the chart keeps the width at which its smallest text
    # is MIN_CHART_TEXT_PX pixels, and scrolls sideways inside its own
    # focusable region: the page does not (WCAG 1.4.10 exempts charts from
    # reflow; 2.1.1 and axe-core's scrollable-region-focusable need the focus)
    return Html(
        f'<figure><div class="graphique" role="region" '
        f'aria-label="{esc("Graphique : " + alt)}" tabindex="0" '
        'style="overflow-x: auto; max-width: 100%">'
        f'<img src="{image}" alt="{esc(text)}" style="min-width: {min_width}px">'
        "</div>"
        f'<figcaption class="guide"><strong>Lecture :</strong> {guide}</figcaption>'
        f"<details><summary>Données du graphique</summary>{values.html}</details>"
        "</figure>"
    )


def _image(fig: Figure) -> tuple[str, int]:
    """``fig`` as an SVG data URI, and the width its text needs on a screen.

    The SVG is sharp at any zoom, its text drawn as text (``svg.fonttype:
    none``): smaller than outlines, and drawn by the reader's browser at any
    size. Raster parts (heat maps, index plots) are embedded at twice the
    screen resolution. The width (CSS pixels) is :func:`min_chart_width`.
    """
    # lazy: matplotlib (about 0.5 s), already loaded by whoever drew the figure
    from matplotlib import rc_context

    buf = io.BytesIO()
    # the figures use constrained layout: no second "tight" drawing pass
    # needed, and write_svg skips savefig's drawing pass for the layout
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "observatoire"}):
        write_svg(
            fig,
            buf,
            dpi=2 * FIG_DPI,
            facecolor="white",
            metadata={"Date": None},
        )
    svg = buf.getvalue()
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return uri, min_chart_width(svg.decode("utf-8"))


#: smallest size (CSS pixels) of a chart's text on any screen (RGAA 10.11)
MIN_CHART_TEXT_PX = 10

_VIEWBOX = re.compile(r'<svg[^>]*\bviewBox="\s*[-\d.]+\s+[-\d.]+\s+([\d.]+)')
_FONT_SIZE = re.compile(r"font(?:-size)?:\s*(?:[a-z-]+\s+)*?([\d.]+)px")


def min_chart_width(svg: str, min_text_px: float = MIN_CHART_TEXT_PX) -> int:
    """The rendered width (CSS pixels) at which the smallest text of ``svg`` is legible.

    matplotlib writes the SVG in points (``viewBox`` in pt, ``font: 7.5px``
    meaning 7.5 user units): drawn ``w`` pixels wide, a text of size ``f``
    renders ``f * w / viewBox width`` pixels high. The width returned makes
    the smallest text ``min_text_px``; it is at least the SVG's own width in
    pixels (96 per inch), the size the page shows it at anyway.

    Examples
    --------
    >>> svg = ('<svg width="540pt" viewBox="0 0 540 259">'
    ...        '<text style="font: 7.5px DejaVu Sans">a</text>'
    ...        '<text style="font: 9px DejaVu Sans">b</text></svg>')
    >>> min_chart_width(svg)  # 540 * 10 / 7.5
    720
    >>> min_chart_width(svg.replace("7.5px", "6px"))  # 540 * 10 / 6
    900

    Parameters
    ----------
    svg : str
        An SVG written by matplotlib (a ``viewBox`` in points).
    min_text_px : float, default :data:`MIN_CHART_TEXT_PX`
        The smallest legible text height, in CSS pixels.

    Returns
    -------
    int
        A width in CSS pixels, rounded up.
    """
    box = _VIEWBOX.search(svg)
    if box is None:
        return 0
    width = float(box.group(1))
    natural = width * 96 / 72
    sizes = [float(v) for v in _FONT_SIZE.findall(svg) if float(v) > 0]
    if not sizes:
        return round(natural)
    return math.ceil(max(natural, min_text_px * width / min(sizes)) - 1e-9)


def data_for_display(data: pd.DataFrame, percent: Sequence[str] = ()) -> pd.DataFrame:
    """``data`` as French display strings (rates as ``45,2 %``, masked as « masqué »).

    Parameters
    ----------
    data : pandas.DataFrame
        A chart's values: the first column labels the points, the others are
        numbers, NaN where masked (strings are kept as they are).
    percent : sequence of str, optional
        Columns holding rates in [0, 1].

    Returns
    -------
    pandas.DataFrame
        The same columns, every cell a string.
    """
    out = {}
    for col in data.columns:
        values = data[col]
        if col == data.columns[0]:
            out[col] = [str(v) for v in values]
        elif col in percent:
            out[col] = ["masqué" if pd.isna(v) else fr_pct(v) for v in values]
        else:
            out[col] = [
                v if isinstance(v, str) else "masqué" if pd.isna(v) else _shown(v)
                for v in values
            ]
    return pd.DataFrame(out)


def describe(
    name: str,
    data: pd.DataFrame,
    *,
    percent: Sequence[str] = (),
    ordered: bool = True,
    highlight: str | None = None,
    max_series: int = 3,
) -> str:
    """A sentence saying what a chart of ``data`` shows (its text alternative).

    For each numeric column (the first ``max_series``): the change from the
    first to the last point when ``ordered``, the highest and lowest points,
    and the value of ``highlight``. Masked (NaN) points are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"Mois": ["janv.", "févr.", "mars"], "2024": [880, 545, 790]})
    >>> describe("Jeunes accompagnés par mois", d)  # doctest: +NORMALIZE_WHITESPACE
    'Jeunes accompagnés par mois. 2024 : de 880 en janv. à 790 en mars,
    le plus haut 880 (janv.), le plus bas 545 (févr.).'

    Parameters
    ----------
    name : str
        The chart's name, the sentence's start.
    data : pandas.DataFrame
        As for :func:`figure`: labels in the first column, numbers after.
    percent : sequence of str, optional
        Columns holding rates in [0, 1].
    ordered : bool, default True
        The first column is an order (months, years): say the change.
    highlight : str, optional
        A label of the first column whose values are named.
    max_series : int, default 3
        How many numeric columns are described at most.

    Returns
    -------
    str
        French text, not escaped (:func:`figure` escapes it).
    """
    labels = [str(v) for v in data.iloc[:, 0]]
    parts = []
    for col in list(data.columns[1:])[:max_series]:
        values = pd.to_numeric(data[col], errors="coerce")
        ok = values.notna().to_numpy()
        if not ok.any() and data[col].map(lambda v: isinstance(v, str)).all():
            continue  # a column of words (a signal, a category): in the table only
        if not ok.any():
            parts.append(f"{col} : valeurs masquées")
            continue

        def fmt(v: float, col: str = col) -> str:
            return fr_pct(v) if col in percent else _shown(v)

        kept = [
            (lab, float(v)) for lab, v, k in zip(labels, values, ok, strict=True) if k
        ]
        hi = max(kept, key=lambda t: t[1])
        lo = min(kept, key=lambda t: t[1])
        bits = []
        if ordered and len(kept) > 1:
            bits.append(
                f"de {fmt(kept[0][1])} en {kept[0][0]} à {fmt(kept[-1][1])} "
                f"en {kept[-1][0]}"
            )
        if len(kept) > 1:
            bits.append(
                f"le plus haut {fmt(hi[1])} ({hi[0]}), le plus bas {fmt(lo[1])} ({lo[0]})"
            )
        else:
            bits.append(f"{fmt(kept[0][1])} ({kept[0][0]})")
        if highlight is not None and highlight in labels:
            v = values.iloc[labels.index(highlight)]
            mine = "masqué" if pd.isna(v) else fmt(float(v))
            rank = int((values > v).sum()) + 1 if not pd.isna(v) else None
            where = f", {rank}e sur {len(kept)}" if rank else ""
            bits.append(f"{highlight} : {mine}{where}")
        parts.append(f"{col} : " + ", ".join(bits))
    if not parts:
        return f"{name}. Aucune valeur publiable."
    return f"{name}. " + " ; ".join(parts) + "."


# -------------------------------------------------------------- matplotlib
def new_figure(height: float = 3.6, width: float = FIG_WIDTH, **subplots: Any):
    """A report figure (:func:`observatoire.figures.new_figure`, ``report`` style).

    Parameters
    ----------
    height : float, default 3.6
        In inches.
    width : float, default :data:`observatoire.figures.FIG_WIDTH`
        In inches.
    **subplots
        Passed to ``Figure.subplots`` for a grid of axes (``nrows=2``...).

    Returns
    -------
    (matplotlib.figure.Figure, Axes or array of Axes)
        ``(fig, ax)``, or ``(fig, axes)`` when ``subplots`` asks for a grid;
        outside pyplot (nothing to close).
    """
    return _new_figure(width, height, style="report", **subplots)


def apply_axes_style(ax: Any, *, percent: bool = False, axis: str = "y") -> None:
    """French tick labels (``12 345``, ``45 %``) and the house grid on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Changed in place.
    percent : bool, default False
        The value axis holds rates in [0, 1], labelled ``45 %``.
    axis : {"y", "x"}, default "y"
        The value axis; ``"x"`` for a horizontal bar chart.
    """
    # lazy: matplotlib, already loaded by whoever drew the axes
    from matplotlib.ticker import FuncFormatter

    # through observatoire.formatting: « −10 % » with the minus sign, as the tables
    fmt = (
        FuncFormatter(lambda v, _: fr_pct(v, 0))
        if percent
        else FuncFormatter(
            lambda v, _: fr_int(round(v)) if abs(v) >= 1 or v == 0 else fr_num(v, 1)
        )
    )
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(fmt)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis=axis, color="#e3e6ea", linewidth=0.8)
    if axis == "x":  # a horizontal chart: the category axis gets no grid
        ax.grid(False, axis="y")
    ax.set_axisbelow(True)


# ------------------------------------------------------------------ titles
#: French name of each report kind (from the registry, :mod:`._kinds`)
REPORT_NAMES = {name: kind.title for name, kind in KINDS.items()}


def report_title(kind: str, meta: dict[str, Any], code_ml: str | None = None) -> str:
    """The ``<title>`` of a report page, e.g. ``Rapport régional 2024``.

    Parameters
    ----------
    kind : str
        A report kind of :data:`._kinds.KINDS` (an unknown one is used as is).
    meta : dict
        The cache's ``meta.json``: ``year``, ``month`` and the MLs' ``labels``.
    code_ml : str, optional
        The ML of a ``rapport_mission_locale``; None for the other kinds.

    Returns
    -------
    str
        ``<ML name> — rapport <year>`` for an ML, ``<name> — <month year>``
        for the monthly follow-up, else ``<name> <year>``.
    """
    name = REPORT_NAMES.get(kind, kind)
    year = meta.get("year")
    month = meta.get("month")
    if kind == "rapport_mission_locale" and code_ml:
        label = meta.get("labels", {}).get(code_ml, code_ml)
        return f"{label} — rapport {year}"
    if kind == "suivi_mensuel" and year and month:
        return f"{name} — {fr_month(year, month)}"
    return f"{name} {year}" if year else name
