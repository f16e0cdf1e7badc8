"""Sections of the regional report (``notebooks/rapport_regional.ipynb``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ... import synthesis
from .. import _style as st
from . import _base as base
from .common import (
    article4_cards,
    change_note,
    count_label,
    monthly_curves,
    period_compared,
    rates_year_on_year_table,
    territory_units,
    year_to_date_cards,
)

if TYPE_CHECKING:
    from .._cache import ReportInputs


#: headers of the Article 4 columns whose definition label is too short
_HEADERS = {
    base.LABELS["entrees_emploi_sortants_formation_region"]: count_label(
        "entrees_emploi_sortants_formation_region"
    )
}


@base.documented
def key_figures(
    inputs: ReportInputs, level: str = "region", code: str = "NAQ"
) -> st.Html:
    """Cards of the year's key figures with the change from the year before.

    A year the extract does not cover to December is compared month for month:
    January to the report's month in both years.
    """
    if base.partial_period(inputs):
        intro = (
            f"Activité de janvier à fin {st.fr_month(inputs.year, inputs.month)}, "
            f"comparée à la même période de {inputs.year - 1}"
        )
        return st.join(
            st.heading(f"Chiffres clés {inputs.year}"),
            st.paragraph(st.esc(base.with_partial(intro, inputs) + ".")),
            st.key_figures_cards(year_to_date_cards(inputs, level, code)),
        )
    rows = base.key_rows(inputs, level, code)
    cards = []
    for name, label in article4_cards():
        if name not in rows.index:
            continue
        r = rows.loc[name]
        value = base.cell(r["valeur"], r["valeur_masque"], inputs.threshold)
        note = (
            None
            if r["valeur_masque"] or r["valeur_n_1_masque"]
            else change_note(r["valeur"], r["valeur_n_1"])
        )
        cards.append((value, label, note))
    intro = (
        f"Activité de l'année {inputs.year} jusqu'à fin "
        f"{st.fr_month(inputs.year, inputs.month)}, comparée à l'année précédente."
    )
    return st.join(
        st.heading(f"Chiffres clés {inputs.year}"),
        st.paragraph(st.esc(intro)),
        st.key_figures_cards(cards),
    )


@base.documented
def departments_table(inputs: ReportInputs) -> st.Html:
    """The Article 4 indicators of the year per department and for the region."""
    values, mask = base.rows(inputs, "annuel", niveau=["departement", "region"])
    shown = base.display_table(
        values,
        mask,
        inputs.threshold,
        (*base.TABLE_COUNTS[:7], "entrees_emploi_sortants_formation_region"),
        ("taux_formation", "taux_emploi"),
        {"libelle": "Territoire"},
    ).rename(columns=_HEADERS)
    return st.join(
        st.heading("Par département"),
        st.table(
            shown,
            caption=base.with_partial(
                f"Indicateurs de l'article 4 par département, {inputs.year}",
                inputs,
                annual=True,
            ),
            numeric=list(shown.columns[1:]),
            total_last=True,
            guide=(
                "Un jeune suivi par deux Missions Locales de départements différents "
                "compte dans chacun, mais une seule fois pour la région : le total "
                "régional peut être inférieur à la somme des départements."
            ),
        ),
        rates_year_on_year_table(
            inputs,
            territory_units(values),
            "Territoire",
            base.with_partial(
                f"Taux de l'article 4 par département : {period_compared(inputs)}",
                inputs,
            ),
        ),
    )


@base.documented
def missions_locales_table(inputs: ReportInputs, code_ml: str | None = None) -> st.Html:
    """The 43 Missions Locales side by side: counts, rates, and rates against N−1."""
    values, mask = base.rows(inputs, "annuel", niveau="ml")
    values = base.named(inputs, values)
    shown = base.display_table(
        values,
        mask,
        inputs.threshold,
        (
            "jeunes_accompagnes",
            "entrees_formation",
            "entrees_formation_region",
            "entrees_alternance",
            "entrees_emploi",
            "entrees_emploi_sortants_formation_region",
        ),
        base.RATE_NAMES,
        {"libelle": "Mission Locale"},
    ).rename(columns=_HEADERS)
    dep = values["code"].astype(str).map(inputs.meta["departements"])
    shown.insert(1, "Dép.", dep.to_numpy())
    return st.join(
        st.heading("Les Missions Locales côte à côte"),
        st.table(
            shown,
            caption=base.with_partial(
                f"Indicateurs de l'article 4 par Mission Locale, {inputs.year}",
                inputs,
                annual=True,
            ),
            numeric=list(shown.columns[2:]),
            guide=(
                "Chaque taux rapporte les entrées de l'année aux jeunes accompagnés "
                "(définition en vigueur : voir « Définitions et méthode ») ; entre "
                "crochets, "
                "l'intervalle de confiance à 95 %. Deux Missions Locales dont les "
                "intervalles se chevauchent largement ne se distinguent pas."
            ),
        ),
        rates_year_on_year_table(
            inputs,
            [
                ("ml", str(c), n)
                for c, n in zip(values["code"], values["libelle"], strict=True)
            ]
            + [("region", "NAQ", "Nouvelle-Aquitaine")],
            "Mission Locale",
            base.with_partial(
                f"Taux de l'article 4 par Mission Locale : {period_compared(inputs)}",
                inputs,
            ),
            departments=True,
        ),
    )


@base.documented
def rate_dotplot(
    inputs: ReportInputs, rate: str, code_ml: str | None = None
) -> st.Html:
    """Dot plot of one rate for every ML with its 95 % interval, sorted."""
    values, mask = base.rows(inputs, "annuel", niveau="ml")
    values = base.named(inputs, values)
    region, _ = base.rows(inputs, "annuel", niveau="region")
    ok = (mask[rate] == "").to_numpy() & values[rate].notna().to_numpy()
    v = values[ok].sort_values(rate)
    n_hidden = int((~ok).sum())
    fig, ax = st.new_figure(height=max(4.0, 0.16 * len(v) + 1.2))
    y = np.arange(len(v))
    colours = np.where(v["code"].astype(str) == str(code_ml), "#c0392b", "#1f4e79")
    ax.hlines(y, v[f"{rate}_ic_bas"], v[f"{rate}_ic_haut"], color="#9fb3c8", lw=1.6)
    ax.scatter(v[rate], y, color=colours, s=22, zorder=3)
    if len(region):
        ax.axvline(region[rate].iloc[0], color="#5a6270", ls="--", lw=1)
    ax.set_yticks(y, [base.short(n) for n in v["libelle"]], fontsize=7)
    ax.set_xlabel(base.LABELS[rate])
    ax.set_title(f"{base.LABELS[rate]} par Mission Locale, {inputs.year}")
    st.apply_axes_style(ax, percent=True, axis="x")
    guide = (
        "Chaque point est le taux d'une Mission Locale, le trait horizontal son "
        "intervalle de confiance à 95 % ; la ligne pointillée est le taux régional."
    )
    if code_ml:
        guide += " La Mission Locale du rapport est en rouge."
    if base.partial_period(inputs):
        guide += " " + base.partial_period(inputs, annual=True).capitalize() + "."
    if n_hidden:
        guide += " " + synthesis.plural(
            n_hidden,
            f"Mission Locale sans taux publiable (moins de {base.MIN_DENOMINATOR} "
            "jeunes accompagnés) n'apparaît pas.",
            f"Missions Locales sans taux publiable (moins de {base.MIN_DENOMINATOR} "
            "jeunes accompagnés) n'apparaissent pas.",
        )
    data = pd.DataFrame(
        {
            "Mission Locale": list(v["libelle"]),
            base.LABELS[rate]: list(v[rate]),
            "Borne basse (IC 95 %)": list(v[f"{rate}_ic_bas"]),
            "Borne haute (IC 95 %)": list(v[f"{rate}_ic_haut"]),
        }
    )
    mine = v.loc[v["code"].astype(str) == str(code_ml), "libelle"]
    return st.figure(
        fig,
        alt=f"{base.LABELS[rate]} des Missions Locales",
        guide=guide,
        data=data,
        percent=list(data.columns[1:]),
        ordered=False,
        highlight=str(mine.iloc[0]) if len(mine) else None,
    )


@base.documented
def all_rate_dotplots(inputs: ReportInputs) -> st.Html:
    """The four Article 4 rates as dot plots, one after the other."""
    return st.join(
        st.heading("Taux de l'article 4 : les Missions Locales et leur intervalle"),
        *(rate_dotplot(inputs, r) for r in base.RATE_NAMES),
    )


@base.documented
def regional_trends(inputs: ReportInputs) -> st.Html:
    """Regional monthly curves: accompanied, first receptions, entries."""
    return st.join(
        st.heading("Tendances mois par mois"),
        monthly_curves(inputs, "region", "NAQ", "jeunes_accompagnes"),
        monthly_curves(inputs, "region", "NAQ", "entrees_formation"),
        monthly_curves(inputs, "region", "NAQ", "entrees_emploi"),
    )


@base.documented
def evaluation_regional(inputs: ReportInputs) -> st.Html:
    """Evaluation sections of the regional report."""
    return base.shown(inputs, "evaluation_regionale", "Évaluation")
