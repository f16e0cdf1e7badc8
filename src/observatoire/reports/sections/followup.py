"""Sections of the monthly follow-up (``notebooks/suivi_mensuel.ipynb``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...formatting import fr_signed_pct
from .. import _style as st
from . import _base as base

if TYPE_CHECKING:
    from .._cache import ReportInputs

# ========================================================= monthly follow-up
_FOLLOWUP = (
    ("jeunes_accompagnes", "mois", "Accompagnés (mois)"),
    ("jeunes_accompagnes", "cumul", "Accompagnés (cumul)"),
    ("premiers_accueils", "cumul", "Premiers accueils (cumul)"),
    ("entretiens", "cumul", "Entretiens (cumul)"),
    ("entrees_formation", "cumul", "Entrées en formation (cumul)"),
    ("entrees_alternance", "cumul", "Entrées en alternance (cumul)"),
    ("entrees_emploi", "cumul", "Entrées en emploi (cumul)"),
)


@base.documented
def followup_table(inputs: ReportInputs) -> st.Html:
    """The month and year to date of every ML, with the change on a year."""
    fu = inputs["suivi"]
    threshold = inputs.threshold
    key = ["niveau", "code", "libelle"]
    units = fu[key].drop_duplicates()
    units = units.assign(
        _o=units["niveau"].map({"ml": 0, "departement": 1, "region": 2})
    ).sort_values(["_o", "code"])
    units = units[units["niveau"].isin(["ml", "region"])]
    by = fu.set_index(["code", "indicateur", "portee"])
    rows = []
    for _, u in units.iterrows():
        row = {"Mission Locale": u["libelle"]}
        for ind, scope, label in _FOLLOWUP:
            try:
                r = by.loc[(u["code"], ind, scope)]
            except KeyError:
                row[label] = "–"
                continue
            r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
            value = base.cell(r["valeur"], r["valeur_masque"], threshold)
            change = (
                ""
                if pd.isna(r["evolution_relative"])
                else f" ({fr_signed_pct(r['evolution_relative'], 0)})"
            )
            row[label] = value + change
        rows.append(row)
    shown = pd.DataFrame(rows)
    month = st.fr_month(inputs.year, inputs.month)
    return st.join(
        st.heading(f"Suivi de {month} par Mission Locale"),
        st.table(
            shown,
            caption=(
                f"Activité du mois de {month} et cumul depuis janvier, évolution sur "
                "un an entre parenthèses"
            ),
            numeric=list(shown.columns[1:]),
            total_last=True,
            guide=(
                "« mois » : le seul mois de "
                f"{month} ; « cumul » : de janvier à fin {month}, chaque jeune "
                "compté une fois. Entre parenthèses, l'évolution par rapport à la "
                f"même période de {inputs.year - 1}."
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
    )
