"""Sections of a Mission Locale's report (``notebooks/rapport_mission_locale.ipynb``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ... import synthesis
from .. import _style as st
from . import _base as base
from ._once import drawn_once
from .common import (
    monthly_curves,
    period_compared,
    rates_year_on_year_table,
    territory_units,
    year_to_date_cards,
)

if TYPE_CHECKING:
    from .._cache import ReportInputs


@base.documented
@drawn_once
def ml_position_strip(inputs: ReportInputs, code_ml: str) -> st.Html:
    """One strip per rate: every ML a light dot, this ML in red with its interval."""
    values, mask = base.rows(inputs, "annuel", niveau="ml")
    region, _ = base.rows(inputs, "annuel", niveau="region")
    fig, ax = st.new_figure(height=2.6)
    st.reuse_layout(fig, "ml_position_strip")  # 43 of them, laid out alike
    mine = (values["code"].astype(str) == str(code_ml)).to_numpy()
    hidden_mine = []
    label = inputs.meta["labels"].get(code_ml, code_ml)
    data = {"Taux": [], label: [], "Région": [], "Missions Locales (min.)": [],
            "Missions Locales (max.)": []}  # fmt: skip
    for i, rate in enumerate(base.RATE_NAMES):
        y = len(base.RATE_NAMES) - 1 - i
        ok = (mask[rate] == "").to_numpy() & values[rate].notna().to_numpy()
        others = ok & ~mine
        data["Taux"].append(base.LABELS[rate])
        data[label].append(
            values.loc[ok & mine, rate].iloc[0] if (ok & mine).any() else np.nan
        )
        data["Région"].append(region[rate].iloc[0] if len(region) else np.nan)
        data["Missions Locales (min.)"].append(values.loc[ok, rate].min())
        data["Missions Locales (max.)"].append(values.loc[ok, rate].max())
        jitter = np.linspace(-0.12, 0.12, int(others.sum()))
        ax.scatter(
            values.loc[others, rate], y + jitter, s=12, color="#9fb3c8", zorder=2
        )
        if len(region):
            ax.plot(
                [region[rate].iloc[0]] * 2, [y - 0.3, y + 0.3], color="#5a6270", lw=1.2
            )
        if (ok & mine).any():
            r = values[mine].iloc[0]
            ax.hlines(
                y, r[f"{rate}_ic_bas"], r[f"{rate}_ic_haut"], color="#c0392b", lw=2
            )
            ax.scatter([r[rate]], [y], s=40, color="#c0392b", zorder=3)
        else:
            hidden_mine.append(base.LABELS[rate])
    ax.set_yticks(
        range(len(base.RATE_NAMES)), [base.LABELS[r] for r in reversed(base.RATE_NAMES)]
    )
    ax.set_title(f"Position parmi les Missions Locales, {inputs.year}")
    st.apply_axes_style(ax, percent=True, axis="x")
    guide = (
        "Chaque point gris est une Mission Locale ; le point rouge est celle du "
        "rapport, avec son intervalle de confiance à 95 % ; le trait vertical gris "
        "est le taux régional."
    )
    if hidden_mine:
        guide += (
            " Non publiable ici (moins de "
            f"{base.MIN_DENOMINATOR} jeunes accompagnés ou effectif masqué) : "
            + ", ".join(hidden_mine).lower()
            + "."
        )
    frame = pd.DataFrame(data)
    return st.figure(
        fig,
        alt="Position de la Mission Locale pour chaque taux",
        guide=guide,
        data=frame,
        percent=list(frame.columns[1:]),
        ordered=False,
    )


@base.documented
def ml_key_figures(inputs: ReportInputs, code_ml: str) -> st.Html:
    """Key figures of one ML: January to the month, against the same months last year."""

    label = inputs.meta["labels"].get(code_ml, code_ml)
    intro = (
        f"{label} : de janvier à fin {st.fr_month(inputs.year, inputs.month)}, "
        f"comparé à la même période de {inputs.year - 1}"
    )
    return st.join(
        st.heading("Chiffres clés"),
        st.paragraph(st.esc(base.with_partial(intro, inputs) + ".")),
        st.key_figures_cards(year_to_date_cards(inputs, "ml", code_ml)),
    )


@base.documented
def ml_position(inputs: ReportInputs, code_ml: str) -> st.Html:
    """The ML's rates next to its department and the region."""
    dep = inputs.meta["departements"].get(code_ml)
    rows = []
    for level, code in (("ml", code_ml), ("departement", dep), ("region", "NAQ")):
        v, m = base.rows(inputs, "annuel", niveau=level, code=code)
        if len(v):
            rows.append((v, m))
    values = base.named(inputs, pd.concat([r[0] for r in rows]))
    mask = pd.concat([r[1] for r in rows])
    shown = base.display_table(
        values,
        mask,
        inputs.threshold,
        ("jeunes_accompagnes",),
        base.RATE_NAMES,
        {"libelle": "Territoire"},
    )
    ranks = _rank_line(inputs, code_ml)
    return st.join(
        st.heading("Indicateurs de l'article 4 et position"),
        ml_position_strip(inputs, code_ml),
        st.table(
            shown,
            caption=(
                base.with_partial(
                    f"Taux d'entrée de l'année {inputs.year} : la Mission Locale, "
                    "son département et la région",
                    inputs,
                    annual=True,
                )
            ),
            numeric=list(shown.columns[1:]),
            guide=("Entre crochets, l'intervalle de confiance à 95 %. " + ranks),
        ),
        rates_year_on_year_table(
            inputs,
            territory_units(values),
            "Territoire",
            base.with_partial(
                f"Taux de l'article 4, {period_compared(inputs)} : la Mission "
                "Locale, son département et la région",
                inputs,
            ),
        ),
    )


def _rank_line(inputs: ReportInputs, code_ml: str) -> str:
    values, mask = base.rows(inputs, "annuel", niveau="ml")
    parts = []
    for rate in ("taux_formation", "taux_emploi"):
        ok = (mask[rate] == "") & values[rate].notna()
        v = values[ok]
        if str(code_ml) not in set(v["code"].astype(str)):
            continue
        mine = v.loc[v["code"].astype(str) == str(code_ml), rate].iloc[0]
        above = int((v[rate] > mine).sum())
        parts.append(
            f"{base.LABELS[rate]} : "
            + synthesis.plural(
                above,
                f"Mission Locale sur {len(v)} a un taux plus élevé",
                f"Missions Locales sur {len(v)} ont un taux plus élevé",
            )
        )
    if not parts:
        return ""
    return (
        " ; ".join(parts)
        + ". Un rang ne dit pas à lui seul si l'écart est réel : voir les intervalles."
    )


@base.documented
def ml_monthly_curves(inputs: ReportInputs, code_ml: str) -> st.Html:
    """Monthly accompanied and entries of one ML against the year before."""
    return st.join(
        st.heading("Mois par mois"),
        monthly_curves(inputs, "ml", code_ml, "jeunes_accompagnes"),
        monthly_curves(inputs, "ml", code_ml, "premiers_accueils"),
    )


@base.documented
def evaluation_ml(inputs: ReportInputs, code_ml: str) -> st.Html:
    """Evaluation sections of one ML's report."""
    return base.shown(
        inputs, "evaluation_ml", "Évaluation", code=code_ml, why="evaluation_regionale"
    )


@base.documented
def ml_trajectories(inputs: ReportInputs, code_ml: str) -> st.Html:
    """The ML's cohort across the regional typology."""
    return base.shown(
        inputs,
        "trajectoires_ml",
        "Trajectoires des jeunes",
        code=code_ml,
        why="trajectoires",
    )
