"""Sections of the monthly follow-up (``notebooks/suivi_mensuel.ipynb``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import _style as st
from . import _base as base
from .common import Compared, compared, natural_key

if TYPE_CHECKING:
    from .._cache import ReportInputs

# ========================================================= monthly follow-up
#: counts of the month alone, then of January to the month
_MONTH_COUNTS = ("jeunes_accompagnes", "premiers_accueils", "entretiens")
_YTD_COUNTS = (
    "jeunes_accompagnes",
    "entrees_formation",
    "entrees_formation_region",
    "entrees_alternance",
    "entrees_emploi",
    "entrees_emploi_sortants_formation_region",
)
_SHORT = {
    "jeunes_accompagnes": "Accompagnés",
    "premiers_accueils": "Premiers accueils",
    "entretiens": "Entretiens",
    "entrees_formation": "Formation",
    "entrees_formation_region": "dont Région",
    "entrees_alternance": "Alternance",
    "entrees_emploi": "Emploi",
    "entrees_emploi_sortants_formation_region": "dont après formation Région",
    "taux_formation": "Taux formation",
    "taux_formation_region": "Taux formation Région",
    "taux_alternance": "Taux alternance",
    "taux_emploi": "Taux emploi",
}


def _units(inputs: ReportInputs) -> list[tuple[str, str, str]]:
    """(level, code, name) of every ML in natural order, then the region."""
    fu = inputs["suivi"]
    units = base.named(inputs, fu.loc[fu["niveau"] == "ml"])
    units = units[["code", "libelle"]].drop_duplicates("code")
    order = sorted(units.itertuples(index=False), key=lambda u: natural_key(u[1]))
    return [("ml", str(c), str(n)) for c, n in order] + [
        ("region", "NAQ", "Nouvelle-Aquitaine")
    ]


def _reading(c: Compared | None) -> str:
    """« +2,1 points, hausse nette », « stable », « – »: the words of the other tables."""
    if c is None or c.change is None:
        return "–"
    if c.change.direction == "stable":
        return "stable"
    return f"{c.change.shown}, {c.change.verdict}"


def _wide(
    inputs: ReportInputs, scope: str, names: tuple[str, ...], rates: bool
) -> pd.DataFrame:
    y, y0 = inputs.year, inputs.year - 1
    rows = []
    for level, code, name in _units(inputs):
        lines = {c.name: c for c in compared(inputs, level, code, scope)}
        row = {"Mission Locale": name}
        for ind in names:
            c = lines.get(ind)
            row[f"{_SHORT[ind]} {y}"] = c.now if c else "–"
            row[f"{_SHORT[ind]} {y0}"] = c.before if c else "–"
            if rates:
                row[f"{_SHORT[ind]} : évolution"] = _reading(c)
        rows.append(row)
    return pd.DataFrame(rows)


@base.documented
def followup_table(inputs: ReportInputs) -> st.Html:
    """The month and year to date of every ML against a year earlier, and the four rates."""
    month = st.fr_month(inputs.year, inputs.month)
    y0 = inputs.year - 1
    month_frame = _wide(inputs, "mois", _MONTH_COUNTS, rates=False)
    ytd_frame = _wide(inputs, "cumul", _YTD_COUNTS, rates=False)
    rate_frame = _wide(inputs, "cumul", tuple(base.RATE_NAMES), rates=True)
    return st.join(
        st.heading(f"Suivi de {month} par Mission Locale"),
        st.table(
            month_frame,
            caption=f"Le mois de {month} et le même mois de {y0}",
            numeric=list(month_frame.columns[1:]),
            total_last=True,
            guide=(
                f"Le seul mois de {month}, comparé au même mois de {y0} : jeunes "
                "accompagnés (au moins un entretien, un atelier ou une information "
                "collective dans le mois), premiers accueils et entretiens individuels."
            ),
        ),
        st.table(
            ytd_frame,
            caption=base.with_partial(
                f"De janvier à fin {month} : jeunes accompagnés et entrées de "
                f"l'article 4, comparés à la même période de {y0}",
                inputs,
            ),
            numeric=list(ytd_frame.columns[1:]),
            total_last=True,
            guide=(
                "Chaque jeune compté une fois sur les mois écoulés. « dont Région » : "
                "entrées en formation financée par la Région ; « dont après "
                "formation Région » : entrées en emploi de jeunes sortis d'une "
                "formation financée par la Région dans les six mois précédents."
            ),
        ),
        st.table(
            rate_frame,
            caption=base.with_partial(
                f"Les quatre taux de l'article 4 de janvier à fin {month}, et leur "
                f"évolution en points depuis {y0}",
                inputs,
            ),
            # the readings are words: they wrap, the table stays on the page
            numeric=[c for c in rate_frame.columns[1:] if not c.endswith("évolution")],
            total_last=True,
            guide=(
                "Part des jeunes accompagnés entrés en formation, en formation "
                "financée par la Région, en alternance et en emploi, et leur "
                "évolution en points. « Hausse nette » ou « baisse nette » : un écart "
                "plus grand que ce que le hasard d'une année sur l'autre explique ; "
                "« dans la marge d'incertitude » : un écart qui peut n'être que du "
                "hasard ; « stable » : pas d'écart visible au dixième de point. "
                f"« n.d. » : taux non diffusé, moins de {base.MIN_DENOMINATOR} jeunes "
                "accompagnés ou effectif masqué, jamais comparé."
            ),
        ),
    )


@base.documented
def followup_heatmap(inputs: ReportInputs) -> st.Html:
    """Change on a year of the month's accompanied, per ML, as a bar chart."""
    fu = inputs["suivi"]
    sel = fu[
        (fu["niveau"] == "ml")
        & (fu["indicateur"] == "jeunes_accompagnes")
        & (fu["portee"] == "cumul")
    ].dropna(subset=["evolution_relative"])
    sel = base.named(inputs, sel)
    sel = sel.sort_values("evolution_relative")
    fig, ax = st.new_figure(height=max(4.0, 0.16 * len(sel) + 1.2))
    colours = np.where(sel["evolution_relative"] >= 0, "#1f4e79", "#c0392b")
    ax.barh(np.arange(len(sel)), sel["evolution_relative"], color=colours)
    ax.set_yticks(
        np.arange(len(sel)), [base.short(n) for n in sel["libelle"]], fontsize=7
    )
    ax.axvline(0, color="#5a6270", lw=0.8)
    ax.set_title("Jeunes accompagnés depuis janvier : évolution sur un an")
    st.apply_axes_style(ax, percent=True, axis="x")
    return st.figure(
        fig,
        alt="Évolution sur un an du nombre de jeunes accompagnés par Mission Locale",
        guide=(
            "Chaque barre compare le nombre de jeunes accompagnés de janvier à fin "
            f"{st.fr_month(inputs.year, inputs.month)} à la même période de l'année "
            "précédente : à droite une hausse, à gauche (en rouge) une baisse."
        ),
        data=pd.DataFrame(
            {
                "Mission Locale": list(sel["libelle"]),
                "Évolution sur un an": list(sel["evolution_relative"]),
            }
        ),
        percent=["Évolution sur un an"],
        ordered=False,
    )
