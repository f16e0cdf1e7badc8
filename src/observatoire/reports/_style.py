"""French presentation: dates, styled tables, figures, banners, matplotlib defaults.

Everything a report shows goes through here, so the look is the same in every
notebook: numbers in French format (``12 345``, ``45,2 %``), dates in words
(``mai 2024``), tables as styled HTML (pandas Styler) in a scrolling wrapper,
figures as embedded PNG with a plain-language reading guide underneath.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# French words and numbers live in observatoire.formatting; re-exported for the
# sections, which reach the whole house style through this module
from ..figures import FIG_DPI, FIG_WIDTH, PALETTE  # noqa: F401
from ..figures import new_figure as _new_figure
from ..formatting import (  # noqa: F401
    MOIS,
    MOIS_COURTS,
    fr_date_long,
    fr_int,
    fr_month,
    fr_months_span,
    fr_pct,
)
from ._kinds import KINDS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

SYNTHETIC_BANNER = "Données synthétiques — ne pas interpréter comme des chiffres réels"


def esc(text: Any) -> str:
    """``text`` escaped for HTML, quotes included (safe in an attribute)."""
    return html.escape(str(text))


def esc_text(text: Any) -> str:
    """``text`` escaped for the content of an element (``&``, ``<``, ``>``).

    Quotes need no escaping outside attributes; leaving them keeps French
    apostrophes readable in the page source.
    """
    return html.escape(str(text), quote=False)


# ------------------------------------------------------------------ blocks
@dataclass(frozen=True)
class Html:
    """A piece of report HTML; Jupyter and nbconvert show it as is."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __add__(self, other: Html) -> Html:
        return Html(self.html + other.html)


def join(*blocks: Html | None) -> Html:
    """Several blocks as one output (one cell, one output)."""
    return Html("".join(b.html for b in blocks if b is not None))


def heading(text: str, level: int = 2) -> Html:
    return Html(f"<h{level}>{esc(text)}</h{level}>")


def paragraph(text: str, cls: str | None = None) -> Html:
    attr = f' class="{cls}"' if cls else ""
    return Html(f"<p{attr}>{text}</p>")


def banner(synthetic: bool) -> Html | None:
    """The synthetic-data banner, or None for a real extract."""
    if not synthetic:
        return None
    return Html(f'<div class="bandeau" role="note">{esc(SYNTHETIC_BANNER)}</div>')


def conventions(threshold: int, min_denominator: int) -> Html:
    """Explain, once per report, every sign that replaces a hidden value."""
    return Html(
        '<div class="conventions"><p><strong>Secret statistique.</strong></p>'
        f"<p><b>&lt; {threshold}</b> : effectif inférieur à {threshold}, masqué "
        "(secret statistique).</p>"
        "<p><b>s</b> : valeur masquée pour qu'on ne puisse pas retrouver un petit "
        "effectif par différence (secret secondaire).</p>"
        f"<p><b>n.d.</b> : taux non diffusé, calculé sur moins de {min_denominator} "
        "jeunes.</p>"
        "<p>Les taux sont donnés avec leur intervalle de confiance à 95 % "
        "(méthode de Wilson) : la vraie valeur a 95 chances sur 100 de s'y "
        "trouver.</p></div>"
    )


def key_figures_cards(cards: Sequence[tuple[str, str, str | None]]) -> Html:
    """Key figures as cards: (value, label, optional comparison line)."""
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
) -> Html:
    """A styled French table (pandas Styler) in a horizontally scrolling box.

    ``frame`` holds display-ready values (strings already formatted, masked
    values already replaced); ``numeric`` columns are right-aligned;
    ``total_last`` styles the last row as a total. Every text of the table
    (cells, headers, caption) is HTML-escaped here: names that come from the
    data (Missions Locales, departments, labels) never reach the page as markup.
    ``guide`` is code-written HTML, shown as is.
    """
    # a stable CSS id (pandas draws a random one): same inputs, same page
    uid = hashlib.sha1(f"{caption}|{list(frame.columns)}".encode()).hexdigest()[:8]
    num_idx = [frame.columns.get_loc(c) for c in numeric if c in frame.columns]
    shown = _escaped(frame, formatters or {})
    styler = shown.style.set_uuid(uid).hide(axis="index").set_caption(esc(caption))
    styler = styler.set_table_attributes('class="tableau"')
    styles = [{"selector": f"td.col{i}, th.col_heading.col{i}", "props": "text-align: right; white-space: nowrap;"} for i in num_idx]  # fmt: skip
    if total_last and len(frame):
        styles.append(
            {
                "selector": f"tbody tr:nth-child({len(frame)}) td",
                "props": "font-weight: 600; border-top: 2px solid #d6dbe1;",
            }
        )
    styler = styler.set_table_styles(styles, overwrite=False)
    body = styler.to_html(escape=None)
    note = f'<p class="guide">{guide}</p>' if guide else ""
    return Html(f'<div class="table-wrap">{body}</div>{note}')


def _escaped(
    frame: pd.DataFrame, formatters: dict[str, Callable[[Any], str]]
) -> pd.DataFrame:
    """``frame`` with every text cell and header escaped (formatters applied first)."""
    import pandas as pd

    columns = {}
    for i, col in enumerate(frame.columns):
        values = frame.iloc[:, i]
        if col in formatters:
            columns[i] = [esc_text(formatters[col](v)) for v in values]
        elif any(isinstance(v, str) for v in values):
            columns[i] = [esc_text(v) if isinstance(v, str) else v for v in values]
        else:
            columns[i] = values  # numbers keep their dtype (and the Styler's format)
    shown = pd.DataFrame(columns, index=frame.index)
    shown.columns = [esc_text(c) for c in frame.columns]
    return shown


def figure(fig: Figure, *, alt: str, guide: str) -> Html:
    """A matplotlib figure as an embedded PNG with its reading guide."""
    buf = io.BytesIO()
    # the figures use constrained layout: no second "tight" drawing pass needed
    fig.savefig(buf, format="png", dpi=FIG_DPI, facecolor="white")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Html(
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f'<figcaption class="guide"><strong>Lecture :</strong> {guide}</figcaption>'
        "</figure>"
    )


# -------------------------------------------------------------- matplotlib
def new_figure(height: float = 3.6, width: float = FIG_WIDTH, **subplots: Any):
    """A report figure (:func:`observatoire.figures.new_figure`, ``report`` style).

    Returns ``(fig, ax)`` (or ``(fig, axes)`` when ``subplots`` asks for a grid).
    """
    return _new_figure(width, height, style="report", **subplots)


def apply_axes_style(ax: Any, *, percent: bool = False, axis: str = "y") -> None:
    """French tick labels (``12 345``, ``45 %``) and the house grid on ``ax``."""
    from matplotlib.ticker import FuncFormatter

    fmt = (
        FuncFormatter(lambda v, _: f"{v * 100:.0f} %".replace(".", ","))
        if percent
        else FuncFormatter(
            lambda v, _: (
                fr_int(round(v))
                if abs(v) >= 1 or v == 0
                else f"{v:.1f}".replace(".", ",")
            )
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
    """The ``<title>`` of a report page, e.g. ``Rapport de la Mission Locale ... 2024``."""
    name = REPORT_NAMES.get(kind, kind)
    year = meta.get("year")
    month = meta.get("month")
    if kind == "rapport_mission_locale" and code_ml:
        label = meta.get("labels", {}).get(code_ml, code_ml)
        return f"{label} — rapport {year}"
    if kind == "suivi_mensuel" and year and month:
        return f"{name} — {fr_month(year, month)}"
    return f"{name} {year}" if year else name
